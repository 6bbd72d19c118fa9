"""The organisers' invitation page and list, and the meeting page's links to them."""

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse

from meetings.models import Meeting, Person
from registrations.models import Invitation
from tasks.models import Delivery
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite_url():
    return reverse("admin:registrations_invitation_invite")


def sent_messages(response, level):
    return [m.message for m in get_messages(response.wsgi_request) if m.level == level]


def test_the_invite_page_opens_on_the_meeting_it_was_reached_from(
    organiser_client, meeting, invite_url
):
    response = organiser_client.get(f"{invite_url}?meeting={meeting.pk}")

    assert response.status_code == 200
    assert response.context["form"]["meeting"].value() == str(meeting.pk)
    assert "admin/js/autocomplete.js" in response.text


def test_organisers_invite_from_the_admin_and_see_who_was_skipped(
    organiser_client, meeting, marie, invite_url, django_capture_on_commit_callbacks
):
    broken = Person.objects.create(
        first_name="Paul", last_name="Sansmail", email="paul@", function="alderman"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            invite_url, {"meeting": meeting.pk, "people": [marie.pk, broken.pk]}
        )

    assert response.status_code == 200
    assert sent_messages(response, messages.WARNING) == ["1 invitation queued."]
    assert "Paul Sansmail" in response.text
    assert "“paul@” is not a valid email address." in response.text
    assert list(Invitation.objects.values_list("person", flat=True)) == [marie.pk]
    assert Invitation.objects.get().invited_by.username == "organiser"


def test_an_empty_selection_is_shown_on_the_form_and_writes_nothing(
    organiser_client, meeting, invite_url
):
    response = organiser_client.post(invite_url, {"meeting": meeting.pk})

    assert "Pick at least one person, organisation or all mayors." in response.text
    assert not Invitation.objects.exists()


def test_only_published_meetings_can_be_picked(organiser_client, programme, marie, invite_url):
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)

    response = organiser_client.post(invite_url, {"meeting": draft.pk, "people": [marie.pk]})

    assert response.context["form"].errors["meeting"]
    assert not Invitation.objects.exists()


def test_staff_outside_the_organisers_cannot_invite(client, organiser, invite_url):
    organiser.groups.clear()
    client.force_login(organiser)

    assert client.get(invite_url).status_code == 403


def test_the_invitation_list_is_read_only_and_hides_the_tokens(
    organiser_client, meeting, marie, organiser, invite_url
):
    invitation = Invitation.objects.create(meeting=meeting, person=marie, invited_by=organiser)

    listing = organiser_client.get(reverse("admin:registrations_invitation_changelist"))
    detail = organiser_client.get(
        reverse("admin:registrations_invitation_change", args=[invitation.pk])
    )

    assert listing.status_code == detail.status_code == 200
    assert marie.email in listing.text
    assert invite_url in listing.text
    assert invitation.token not in listing.text + detail.text
    assert 'name="_save"' not in detail.text


def test_the_meeting_page_links_to_its_emails_and_to_the_invite_page(
    organiser_client, meeting, invite_url
):
    Delivery.objects.create(
        kind="invitation",
        idempotency_key="invite:x",
        to_email="a@example.org",
        language="fr",
        meeting=meeting,
    )

    response = organiser_client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))

    deliveries = reverse("admin:tasks_delivery_changelist")

    assert f'href="{deliveries}?meeting__id__exact={meeting.pk}">Emails (1)</a>' in response.text
    assert f'href="{invite_url}?meeting={meeting.pk}"' in response.text
