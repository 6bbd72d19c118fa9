"""Booklets and closing a meeting, for organisers: ask, follow, download, send."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Status

from events_site.kit.http_errors import error_responses
from meetings.auth import organiser_auth
from meetings.models import Meeting
from meetings.services import meetings as meeting_services

from . import services
from .models import BOOKLET_FORMATS, BookletJob
from .schemas import BookletIn, BookletOut, MeetingClosedOut

router = Router(tags=["booklets"])


def _download_url(job: BookletJob, kind: str) -> str | None:
    if job.status != BookletJob.Status.DONE or not job.stored(kind):
        return None
    if kind == "pdf":
        path = reverse("reports:booklet_download", args=[job.meeting_id, job.pk])
    else:
        path = reverse("reports:booklet_copy_download", args=[job.meeting_id, job.pk, kind])
    return settings.SITE_URL + path


def booklet_out(job: BookletJob) -> dict:
    return {
        "id": job.pk,
        "meeting": job.meeting_id,
        "language": job.language,
        "audience": job.audience,
        "status": job.status,
        "stage": services.booklet_stage(job),
        "progress": job.progress,
        "error": job.error,
        "download_url": _download_url(job, "pdf"),
        "downloads": {kind: _download_url(job, kind) for kind in BOOKLET_FORMATS},
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post(
    "/meetings/{meeting_id}/booklet",
    response={200: BookletOut, 202: BookletOut, **error_responses()},
    auth=organiser_auth,
    summary="Request a meeting's synthesis booklet",
)
def booklet_request(request, meeting_id: int, payload: BookletIn):
    """Start building the booklet, or get the stored one if nothing changed since (200).
    The public copy by default; the participants' copy adds the contacts of those who
    came and agreed to share them."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    job, _started = services.booklet_request(
        meeting, payload.language, user=request.user, audience=payload.audience
    )
    # Without a worker the build already ran, after the request's commit.
    job.refresh_from_db()
    return Status(200 if job.status == BookletJob.Status.DONE else 202, booklet_out(job))


@router.get(
    "/booklets/{job_id}",
    response={200: BookletOut, **error_responses()},
    auth=organiser_auth,
    summary="Read a booklet's build",
)
def booklet_read(request, job_id: int):
    """The build's state, its stage and progress (0–100), then where to download it: the
    PDF (`download_url`) and, in `downloads`, the PDF and its editable copies (DOCX, ODT)."""
    return booklet_out(get_object_or_404(BookletJob, pk=job_id))


@router.post(
    "/meetings/{meeting_id}/close",
    response={200: MeetingClosedOut, **error_responses()},
    auth=organiser_auth,
    summary="Close a meeting",
)
def meeting_close(request, meeting_id: int):
    """Declare the meeting over: its booklet goes to everyone who checked in."""
    meeting, queued = meeting_services.meeting_close(
        get_object_or_404(Meeting, pk=meeting_id), user=request.user
    )
    return {"meeting": meeting.pk, "closed_at": meeting.closed_at, "emails_queued": queued}
