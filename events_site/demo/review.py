"""The past meeting's booklet as its organiser left it: submitted, approved, then the
meeting closed (without the emails of that day, which the demo does not send again)."""

from django.utils import timezone

from meetings.models import Meeting
from reports.approval_files import approval_files_build
from reports.review import booklet_approve, booklet_submit, latest_approval


def approve_and_close(meeting: Meeting, organiser) -> None:
    """Approve the booklet as it reads once the meeting's content is loaded, make its
    files here (the demo is loaded without a worker), and close the meeting; a second
    run does nothing."""
    if latest_approval(meeting) is None:
        booklet_submit(meeting, organiser)
        approval = booklet_approve(meeting, organiser)
        approval_files_build(approval.files_job.pk)
    Meeting.objects.filter(pk=meeting.pk, closed_at__isnull=True).update(closed_at=timezone.now())
