"""Organisers' documents as jobs: start one, follow it, then download it."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Status

from events_site.kit.http_errors import error_responses
from meetings.auth import facilitator_auth, organiser_auth
from meetings.models import Meeting, Programme
from workshops.models import Workshop

from .document_jobs import brochure_request, build_job_check, document_may, document_request
from .document_schemas import BrochureIn, ExportIn, ExportOut, MeetingExportKind
from .errors import InvalidDocumentRequest
from .models import DocumentJob

router = Router(tags=["exports"])


def export_out(job: DocumentJob) -> dict:
    done = job.status == DocumentJob.Status.DONE
    return {
        "id": job.pk,
        "kind": job.kind,
        "meeting": job.meeting_id,
        "programme": job.programme_id,
        "workshop": job.workshop_id,
        "language": job.language,
        "status": job.status,
        "progress": job.progress,
        "done": job.done,
        "total": job.total,
        "error": job.error,
        "download_url": (
            settings.SITE_URL + reverse("reports:document_download", args=[job.pk])
            if done
            else None
        ),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def _workshop(meeting: Meeting, workshop_id: int | None) -> Workshop | None:
    if workshop_id is None:
        return None
    workshop = Workshop.objects.filter(pk=workshop_id, meeting=meeting).first()
    if workshop is None:
        raise InvalidDocumentRequest(
            _("This meeting has no workshop with id %(id)s.") % {"id": workshop_id},
            {"workshop": [_("Choose a workshop of this meeting.")]},
        )
    return workshop


@router.post(
    "/meetings/{meeting_id}/exports/{kind}",
    response={200: ExportOut, 202: ExportOut, **error_responses()},
    auth=facilitator_auth,
    summary="Build a meeting's document",
)
def export_start(
    request, meeting_id: int, kind: MeetingExportKind, payload: ExportIn | None = None
):
    """Start building badges, the attendance sheet, the registrations as CSV or XLSX, or
    a workshop's table cards (give `workshop`), whatever their size: 202 and the job to
    follow at `/exports/{job_id}`, or 200 when it is already built (a site without a
    worker builds it at once). A build of the same document still under way is answered
    instead of a second one. Organisers only, except table cards, which the meeting's
    facilitators may print too (403 for anyone else); 422 for a workshop of another
    meeting, or one given for another kind."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    payload = payload or ExportIn()
    job, _started = document_request(
        kind,
        meeting,
        language=_language(payload),
        workshop=_workshop(meeting, payload.workshop),
        user=request.user,
    )
    return _started_out(job)


@router.post(
    "/programmes/{year}/exports/brochure",
    response={200: ExportOut, 202: ExportOut, **error_responses()},
    auth=organiser_auth,
    summary="Build a programme's brochure",
)
def brochure_export_start(request, year: int, payload: BrochureIn | None = None):
    """Start building the programme's brochure (every meeting of the year but drafts),
    whatever its size and whether it is published: 202 and the job to follow at
    `/exports/{job_id}`, then its file through `download_url`, kept like the meetings'
    documents; 200 when it is already built. The public link `/<lang>/programme/<year>.pdf`
    stays the visitors' (cached, built at once up to `DOCUMENTS_AT_ONCE["brochure"]`
    meetings). Organisers only."""
    programme = get_object_or_404(Programme, year=year)
    job, _started = brochure_request(
        programme, language=_language(payload or BrochureIn()), user=request.user
    )
    return _started_out(job)


def _language(payload: ExportIn | BrochureIn) -> str:
    return payload.language or translation.get_language() or settings.LANGUAGE_CODE


def _started_out(job: DocumentJob):
    """200 with a job already built (a site without a worker builds it at once), else
    202: the job to follow."""
    job.refresh_from_db()
    return Status(200 if job.status == DocumentJob.Status.DONE else 202, export_out(job))


@router.get(
    "/exports/{job_id}",
    response={200: ExportOut, **error_responses()},
    auth=facilitator_auth,
    summary="Follow a document's build",
)
def export_read(request, job_id: int):
    """The build's state, its progress (done of total, and per cent), then the absolute
    link to download the file with the same credentials. A build that lost its worker is
    answered as failed, with the reason. 404 for a job that is not the caller's to see."""
    job = get_object_or_404(DocumentJob, pk=job_id)
    if not document_may(request.user, job.kind, job.meeting_id):
        return Status(404, {"detail": _("There is no such document build.")})
    return export_out(build_job_check(job))
