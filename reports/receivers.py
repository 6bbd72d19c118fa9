"""Reports react to the workshops and meetings: a closed workshop's booklet is built straight
away, and a closed meeting's is emailed to everyone who came."""

from django.dispatch import receiver

from meetings.signals import meeting_closed
from tasks.outbox import enqueue_on_commit
from workshops.signals import workshop_closed

from .services import meeting_booklet_send


@receiver(workshop_closed)
def _workshop_closed(sender, workshop, **kwargs):
    """Sent after commit: the builds are queued by a job, and the organiser finds the
    booklet ready. Best-effort (the queue logs a failure): the booklet is built again on
    request, so the facilitator's "close" must not fail for it."""
    enqueue_on_commit("tasks.meeting_booklets_build", workshop.meeting_id)


@receiver(meeting_closed)
def _meeting_closed(sender, meeting, user=None, **kwargs) -> int:
    """Sent inside the close's transaction: the emails commit with it or not at all."""
    return meeting_booklet_send(meeting, user=user)
