"""Publishing a programme announces it, once, to everyone who agreed to network news."""

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from meetings.models import Person, Programme
from meetings.services.programme import programme_publish
from tasks.models import Delivery
from tests.factories import MeetingFactory, PersonFactory, ProgrammeFactory, cross_border_pair
from tests.mail import recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_programme(db):
    programme = ProgrammeFactory(
        year=2028,
        status=Programme.Status.DRAFT,
        introduction_fr="Six rencontres entre élus.",
        introduction_nl="Zes ontmoetingen tussen verkozenen.",
    )
    cross_border_pair(MeetingFactory(programme=programme, venue_city="Menen"))
    return programme


def publish(programme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return programme_publish(programme)


def test_the_announcement_goes_to_subscribers_only_in_their_language(
    draft_programme, django_capture_on_commit_callbacks
):
    french = PersonFactory(accepts_network_news=True, preferred_language="fr")
    dutch = PersonFactory(accepts_network_news=True, preferred_language="nl")
    PersonFactory(accepts_network_news=False)

    publish(draft_programme, django_capture_on_commit_callbacks)

    assert sorted(recipient(m) for m in mail.outbox) == sorted([french.email, dutch.email])
    for person, lang in ((french, "fr"), (dutch, "nl")):
        (message,) = [m for m in mail.outbox if recipient(m) == person.email]
        with translation.override(lang):
            title = draft_programme.title
            introduction = draft_programme.introduction
            subject = gettext("%(title)s: the programme is published") % {"title": title}
        assert message.subject == subject
        assert introduction in message.body
        assert "Menen" in message.body
        assert f"/{lang}/programme/2028/" in message.body
        assert f"/calendar/2028.ics?lang={lang}" in message.body
    assert set(Delivery.objects.values_list("idempotency_key", flat=True)) == {
        f"announce:{draft_programme.pk}:{french.pk}",
        f"announce:{draft_programme.pk}:{dutch.pk}",
    }


def test_publishing_again_announces_nothing(draft_programme, django_capture_on_commit_callbacks):
    PersonFactory(accepts_network_news=True)
    publish(draft_programme, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    publish(draft_programme, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert Delivery.objects.count() == 1


def test_an_unusable_address_is_left_out_and_logged_without_blocking_the_publication(
    draft_programme, django_capture_on_commit_callbacks, caplog
):
    PersonFactory(accepts_network_news=True, email="ok@example.org")
    broken = Person.objects.create(
        first_name="Paul",
        last_name="Sansmail",
        email="paul@",
        function="mayor",
        accepts_network_news=True,
    )

    programme = publish(draft_programme, django_capture_on_commit_callbacks)

    assert programme.is_published
    assert [recipient(m) for m in mail.outbox] == ["ok@example.org"]
    assert f"person {broken.pk}" in caplog.text


def test_programme_publish_is_idempotent(db):
    programme = ProgrammeFactory(year=2028, status="draft")
    published = programme_publish(programme)
    first_stamp = published.published_at
    assert published.is_published and first_stamp
    assert programme_publish(programme).published_at == first_stamp
