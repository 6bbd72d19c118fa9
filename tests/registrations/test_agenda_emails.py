"""The agenda and the host in the invitation and the confirmation, in each language."""

from datetime import timedelta

import pytest
from django.core import mail

from meetings.services.agenda import agenda_item_create
from meetings.services.meetings import meeting_update
from registrations.services.invitations import meeting_invite
from registrations.services.registration import registration_create
from tests.factories import OrganisationFactory, PersonFactory
from tests.mail import html, recipient, text

from .conftest import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def hosted_meeting(meeting):
    """The meeting, hosted by a commune, with a talk by someone of the directory and a
    site visit."""
    meeting_update(meeting, host_organisation=OrganisationFactory(name="Ville de Comines <b>&"))
    agenda_item_create(
        meeting,
        starts_at=meeting.starts_at,
        duration_min=45,
        kind="talk",
        title_fr="Retour d'expérience",
        title_nl="Praktijkervaring",
        room="Salle du conseil",
        speakers=[{"person": PersonFactory(first_name="Anne", last_name="Lefèvre")}],
    )
    agenda_item_create(
        meeting,
        starts_at=meeting.starts_at + timedelta(minutes=45),
        duration_min=60,
        kind="site_visit",
        title_fr="Visite du site",
        title_nl="Plaatsbezoek",
        address="Rue du Moulin 3, Comines",
    )
    return meeting


EXPECTED = {
    "fr": ("En partenariat avec Ville de Comines <b>&", "Retour d'expérience", "Visite du site"),
    "nl": ("In samenwerking met Ville de Comines <b>&", "Praktijkervaring", "Plaatsbezoek"),
}


def _assert_agenda(message, lang):
    partnership, talk, visit = EXPECTED[lang]
    body = text(message)
    assert partnership in body
    assert f"09:30–10:15 {talk} (Salle du conseil) — Anne Lefèvre" in body
    assert f"10:15–11:15 {visit} (Rue du Moulin 3, Comines)" in body
    page = html(message)
    assert "Ville de Comines &lt;b&gt;&amp;" in page
    assert "https://www.openstreetmap.org/search?query=Rue+du+Moulin+3%2C+Comines" in page


def test_the_invitation_carries_the_agenda_and_the_host(
    hosted_meeting, organiser, marie, jan, committed
):
    committed(meeting_invite, hosted_meeting, people=[marie, jan], invited_by=organiser)
    for person, lang in ((marie, "fr"), (jan, "nl")):
        (message,) = [m for m in mail.outbox if recipient(m) == person.email]
        _assert_agenda(message, lang)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_confirmation_carries_the_agenda_and_the_host(hosted_meeting, committed, lang):
    registration, _created = committed(
        registration_create, hosted_meeting, data=registration_data(language=lang)
    )
    (message,) = [m for m in mail.outbox if recipient(m) == registration.email]
    _assert_agenda(message, lang)
