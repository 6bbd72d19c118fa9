"""Reports react to the workshops: a closed workshop's booklet is built straight away."""

import logging

from django.dispatch import receiver

from workshops.signals import workshop_closed

from .services import meeting_booklets_build

logger = logging.getLogger(__name__)


@receiver(workshop_closed)
def _workshop_closed(sender, workshop, **kwargs):
    """Sent after commit: the builds are enqueued, and the organiser finds the booklet
    ready. Best-effort: a failure here must not turn the facilitator's "close" into an
    error, since the booklet is built again on request."""
    try:
        meeting_booklets_build(workshop.meeting)
    except Exception:
        logger.exception("Could not queue the booklets of meeting %s", workshop.meeting_id)
