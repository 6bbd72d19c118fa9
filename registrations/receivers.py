"""What registrations do when a meeting changes, in the same transaction: tell everyone
invited or registered, and give new seats to the waiting list."""

from django.dispatch import receiver

from meetings.signals import (
    meeting_cancelled,
    meeting_capacity_changed,
    meeting_rescheduled,
    participations_asked,
)

from .models import Registration
from .services.invitations import MEETING_CANCEL, MEETING_UPDATE, meeting_change_notify
from .services.waitlist import waitlist_promote


@receiver(meeting_rescheduled)
def _meeting_rescheduled(sender, meeting, **kwargs):
    meeting_change_notify(meeting, MEETING_UPDATE)


@receiver(meeting_cancelled)
def _meeting_cancelled(sender, meeting, **kwargs):
    meeting_change_notify(meeting, MEETING_CANCEL)


@receiver(meeting_capacity_changed)
def _meeting_capacity_changed(sender, meeting, previous, **kwargs):
    if meeting.capacity > previous:
        waitlist_promote(meeting)


@receiver(participations_asked)
def _participations(sender, person, **kwargs):
    """A confirmed registration makes its person a participant of the meeting."""
    return Registration.objects.filter(
        person=person, status=Registration.Status.CONFIRMED
    ).values_list("meeting_id", flat=True)
