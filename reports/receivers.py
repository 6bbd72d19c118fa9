"""Reports react to the workshops: a closed workshop's booklet is built straight away."""

from django.dispatch import receiver

from tasks.queue import enqueue_on_commit
from workshops.signals import workshop_closed


@receiver(workshop_closed)
def _workshop_closed(sender, workshop, **kwargs):
    """Sent after commit: the builds are queued by a job, and the organiser finds the
    booklet ready. Best-effort (the queue logs a failure): the booklet is built again on
    request, so the facilitator's "close" must not fail for it."""
    enqueue_on_commit("tasks.meeting_booklets_build", workshop.meeting_id)
