"""Registrations made straight in the database, for the ticket, check-in and report tests.

They bypass the registration services on purpose: these tests pin what happens to a
registration in a given state, however it got there.
"""

import factory
from django.utils import timezone

from meetings.models import Meeting, Person
from registrations.models import CheckIn, Registration
from registrations.sql import door_count_add
from tests.factories import MeetingFactory, OrganisationFactory


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    meeting = factory.SubFactory(MeetingFactory)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.Sequence(lambda n: f"registrant{n}@example.org")
    function = Person.Function.MAYOR
    organisation = factory.SubFactory(OrganisationFactory)
    language = "fr"
    privacy_consent_at = factory.LazyFunction(timezone.now)
    status = Registration.Status.CONFIRMED
    waitlisted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Registration.Status.WAITLISTED else None
    )
    confirmed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Registration.Status.CONFIRMED else None
    )
    cancelled_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Registration.Status.CANCELLED else None
    )


def checkin_make(registration, by=None, method=CheckIn.Method.SCAN) -> CheckIn:
    """A check-in, counted on the door (`sql.door_count_add`) as the services count it."""
    checkin = CheckIn.objects.create(registration=registration, checked_in_by=by, method=method)
    if registration.status == Registration.Status.CONFIRMED:
        door_count_add(registration.meeting_id, 1)
    return checkin


def seats_count(meeting) -> None:
    """Set the meeting's seat counter to its confirmed registrations, as the registration
    services keep it, for the tests whose registrations come from the factory."""
    confirmed = Registration.objects.filter(meeting=meeting, status=Registration.Status.CONFIRMED)
    Meeting.objects.filter(pk=meeting.pk).update(seats_taken=confirmed.count())
