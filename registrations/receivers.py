"""What registrations do when a meeting changes: tell everyone invited, in the same transaction."""

from django.dispatch import receiver

from meetings.signals import meeting_cancelled, meeting_rescheduled

from .services import MEETING_CANCEL, MEETING_UPDATE, meeting_change_notify


@receiver(meeting_rescheduled)
def _meeting_rescheduled(sender, meeting, **kwargs):
    meeting_change_notify(meeting, MEETING_UPDATE)


@receiver(meeting_cancelled)
def _meeting_cancelled(sender, meeting, **kwargs):
    meeting_change_notify(meeting, MEETING_CANCEL)
