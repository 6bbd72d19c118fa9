"""A document's job page (start the build, follow it, download it) and its download."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from meetings.auth import api_key_or_session
from meetings.models import Meeting, Programme
from workshops.models import Workshop

from .document_jobs import build_job_check, document_may
from .document_kinds import KINDS, document_filename
from .models import DocumentJob


def _job_text() -> dict[str, str]:
    """The page script's wording, in the page's language."""
    return {
        "queued": _("Waiting for a worker…"),
        "running": _("Building: %(done)s of %(total)s done…"),
        "done": _("The document is ready."),
        "failed": _("The document could not be built: %(error)s"),
        "download": _("Download the document"),
        "network": _("No answer from the server. Check the connection and try again."),
        "refused": _("The server refused this request."),
        "signed_out": _("Your session has ended: reload the page and sign in again."),
    }


@login_required
def document_job(request, meeting_id: int, kind: str):
    """Where a document too large for its link is built: the latest build in the page's
    language, and a button to build it again as things are now. Table cards name their
    workshop (`?workshop=`)."""
    if kind not in KINDS or kind == DocumentJob.Kind.BROCHURE:
        raise Http404
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    workshop = None
    if kind == DocumentJob.Kind.TABLE_CARDS:
        workshop_id = request.GET.get("workshop", "")
        if not workshop_id.isdigit():
            raise Http404
        workshop = get_object_or_404(Workshop, pk=int(workshop_id), meeting=meeting)
    if not document_may(request.user, kind, meeting.pk):
        raise PermissionDenied
    lang = translation.get_language()
    return _job_page(
        request,
        DocumentJob.objects.filter(kind=kind, meeting=meeting, workshop=workshop, language=lang),
        f"meetings/{meeting.pk}/exports/{kind}",
        {"meeting": meeting, "workshop": workshop, "kind_label": DocumentJob.Kind(kind).label},
        {"language": lang, "workshop": workshop.pk if workshop else None},
    )


@login_required
def brochure_job(request, year: int):
    """Where organisers build a programme's brochure as a file of their own, whatever its
    size, and follow its progress: the same page as a meeting's documents."""
    programme = get_object_or_404(Programme, year=year)
    if not document_may(request.user, DocumentJob.Kind.BROCHURE, None):
        raise PermissionDenied
    lang = translation.get_language()
    return _job_page(
        request,
        DocumentJob.objects.filter(programme=programme, language=lang),
        f"programmes/{programme.year}/exports/brochure",
        {"programme": programme, "kind_label": DocumentJob.Kind.BROCHURE.label},
        {"language": lang},
    )


def _job_page(request, builds, start: str, context: dict, start_body: dict):
    """The job page: the latest of `builds` (checked for a lost worker), and the API
    addresses its script starts (`start`, under the API's root) and follows a build at."""
    latest = builds.order_by("-created_at", "-pk").first()
    api = reverse("api:api-root")
    return render(
        request,
        "reports/document_job.html",
        {
            **context,
            "latest": build_job_check(latest) if latest else None,
            "job_text": _job_text(),
            "api": {"start": f"{api}{start}", "job": f"{api}exports/"},
            "start_body": start_body,
        },
    )


@api_key_or_session
@login_required
def document_download(request, job_id: int):
    """A built document, for whoever may have that kind of document of its meeting:
    the organisers (the only ones for a programme's brochure), and for table cards the
    meeting's facilitators too."""
    job = get_object_or_404(
        DocumentJob.objects.select_related("programme"), pk=job_id, status=DocumentJob.Status.DONE
    )
    if not document_may(request.user, job.kind, job.meeting_id):
        raise PermissionDenied
    if not default_storage.exists(job.file.name):
        raise Http404
    spec = KINDS[job.kind]
    response = FileResponse(
        default_storage.open(job.file.name, "rb"),
        content_type=spec.content_type,
        as_attachment=not spec.inline,
        filename=document_filename(job),
    )
    response["Cache-Control"] = "private, no-store"
    return response
