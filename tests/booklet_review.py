"""An approved booklet, as closing a meeting and its results page need one."""

from reports.models import BookletApproval
from reports.review import booklet_approve, booklet_submit


def booklet_approved_make(meeting, organiser) -> BookletApproval:
    """Submit the meeting's booklet as it reads now and approve it."""
    booklet_submit(meeting, organiser)
    return booklet_approve(meeting, organiser)
