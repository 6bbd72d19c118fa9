"""The one shape of an email to someone, whether they are in the directory or registered."""

import pytest
from django.conf import settings

from meetings.emails import person_delivery
from registrations.services.delivery import registration_delivery
from tests.factories import PersonFactory
from tests.ticket_factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_a_person_and_a_registrant_are_written_to_at_their_address_in_their_language(meeting):
    person = PersonFactory(first_name="Ann", last_name="Claes", preferred_language="nl")
    registration = RegistrationFactory(
        meeting=meeting, first_name="Anne", last_name="Claes", language="fr", person=person
    )

    to_person = person_delivery(person, kind="announcement", key="a:1", programme_id=7)
    to_registrant = registration_delivery(registration, kind="confirmation", key="c:1")

    assert (to_person.to_email, to_person.to_name, to_person.language) == (
        person.email,
        "Ann Claes",
        "nl",
    )
    assert (to_person.person_id, to_person.programme_id, to_person.reply_to) == (person.pk, 7, "")
    assert (to_registrant.to_email, to_registrant.to_name, to_registrant.language) == (
        registration.email,
        "Anne Claes",
        "fr",
    )
    assert (to_registrant.person_id, to_registrant.meeting_id) == (person.pk, meeting.pk)
    assert to_registrant.reply_to == settings.DEFAULT_REPLY_TO
    assert to_registrant.context == {"registration": registration.pk}
