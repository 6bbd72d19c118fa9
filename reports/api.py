"""Booklets and closing a meeting, for organisers: ask, follow, download, send."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status

from meetings.auth import organiser_auth
from meetings.models import Meeting
from meetings.services import meetings as meeting_services

from . import services
from .models import BookletJob

router = Router(tags=["booklets"])
ERRORS = {400: dict, 401: dict, 404: dict, 409: dict, 422: dict}


class BookletIn(Schema):
    language: str = BookletJob.Language.FR


class BookletOut(Schema):
    id: int
    meeting: int
    language: str
    status: str
    progress: int
    error: str
    download_url: str | None
    created_at: datetime
    finished_at: datetime | None


class MeetingClosedOut(Schema):
    meeting: int
    closed_at: datetime
    emails_queued: int


def booklet_out(job: BookletJob) -> dict:
    done = job.status == BookletJob.Status.DONE
    return {
        "id": job.pk,
        "meeting": job.meeting_id,
        "language": job.language,
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "download_url": (
            reverse("reports:booklet_download", args=[job.meeting_id, job.pk]) if done else None
        ),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post(
    "/meetings/{meeting_id}/booklet",
    response={200: BookletOut, 202: BookletOut, **ERRORS},
    auth=organiser_auth,
)
def booklet_request(request, meeting_id: int, payload: BookletIn):
    """Start building the booklet, or get the stored one if nothing changed since (200)."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    job, _started = services.booklet_request(meeting, payload.language, user=request.user)
    # Without a worker the build already ran, after the request's commit.
    job.refresh_from_db()
    return Status(200 if job.status == BookletJob.Status.DONE else 202, booklet_out(job))


@router.get("/booklets/{job_id}", response={200: BookletOut, **ERRORS}, auth=organiser_auth)
def booklet_read(request, job_id: int):
    """The build's state and progress (0–100), then where to download it."""
    return booklet_out(get_object_or_404(BookletJob, pk=job_id))


@router.post(
    "/meetings/{meeting_id}/close",
    response={200: MeetingClosedOut, **ERRORS},
    auth=organiser_auth,
)
def meeting_close(request, meeting_id: int):
    """Declare the meeting over: its booklet goes to everyone who checked in."""
    meeting, queued = meeting_services.meeting_close(
        get_object_or_404(Meeting, pk=meeting_id), user=request.user
    )
    return {"meeting": meeting.pk, "closed_at": meeting.closed_at, "emails_queued": queued}
