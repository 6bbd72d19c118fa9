from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from events_site.kit.office import WRITERS
from events_site.kit.permissions import signed_in_and_allowed
from meetings.auth import api_key_or_session, is_organiser
from meetings.errors import UnknownProgramme
from meetings.models import Meeting

from . import selectors
from .booklet import booklet_title
from .brochure import brochure_for_visitor
from .document_kinds import KINDS, at_once, document_filename
from .models import BookletJob, DocumentJob
from .review import Audience, approval_booklet, approval_file, latest_approval, published_approval
from .services import booklet_language

# A visitor told that a large brochure is being built tries again after this long.
BROCHURE_RETRY_S = 20


def programme_brochure(request, year: int):
    lang = translation.get_language()
    try:
        payload = brochure_for_visitor(year, lang)
    except UnknownProgramme:
        raise Http404 from None
    if payload is None:
        response = render(
            request,
            "reports/brochure_pending.html",
            {"year": year, "retry": BROCHURE_RETRY_S},
            status=503,
        )
        response["Retry-After"] = str(BROCHURE_RETRY_S)
        return response
    response = HttpResponse(payload, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="programme-{year}-{lang}.pdf"'
    return response


PDF = "application/pdf"
# A meeting's documents for organisers, by the name of their link.
MEETING_DOCUMENTS = {
    "meeting_attendance": DocumentJob.Kind.ATTENDANCE,
    "meeting_badges": DocumentJob.Kind.BADGES,
    "meeting_registrations_csv": DocumentJob.Kind.REGISTRATIONS_CSV,
    "meeting_registrations_xlsx": DocumentJob.Kind.REGISTRATIONS_XLSX,
}


# The sign-in page first, then 403 for anyone but an organiser.
organisers_only = signed_in_and_allowed(lambda request, *args, **kwargs: is_organiser(request.user))


@api_key_or_session
@organisers_only
def meeting_document(request, meeting_id: int, *, document: str):
    """One of MEETING_DOCUMENTS. They list people's names, emails and needs: organisers
    only, and never cached. Built here up to its size in `DOCUMENTS_AT_ONCE`; a larger
    one leads to its job's page, where it is built by a worker."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    kind = MEETING_DOCUMENTS[document]
    spec = KINDS[kind]
    # Built here, its job is never stored: it only says what to build.
    job = DocumentJob(kind=kind, meeting=meeting, language=translation.get_language())
    if not at_once(kind, spec.size(job)):
        return redirect("reports:document_job", meeting.pk, kind)
    response = HttpResponse(spec.build(job, None), content_type=spec.content_type)
    disposition = "inline" if spec.inline else "attachment"
    filename = document_filename(job)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _booklet_text() -> dict[str, str]:
    """The page script's wording, in the page's language."""
    return {
        "queued": _("Waiting for a worker…"),
        "running": _("Building the booklet…"),
        "data": _("Reading the meeting's data…"),
        "sections": _("Writing the sections…"),
        "layout": _("Laying out the pages…"),
        "copies": _("Making the editable copies (DOCX, ODT)…"),
        "saving": _("Saving the files…"),
        "done": _("The booklet is ready."),
        "failed": _("The booklet could not be built: %(error)s"),
        "network": _("No answer from the server. Check the connection and try again."),
        "refused": _("The server refused this request."),
        "signed_out": _("Your session has ended: reload the page and sign in again."),
        "closing": _("Closing the meeting…"),
        "closed": _("The meeting is closed: %(count)s emails with the booklet are on their way."),
        "confirm_close": _(
            "Close the meeting and email the booklet to everyone who checked in? "
            "This cannot be undone."
        ),
    }


@organisers_only
def meeting_booklet(request, meeting_id: int):
    """The organiser's page: build the booklet in a language, follow it, download it,
    and close the meeting, which emails it to everyone who came."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    api = reverse("api:api-root")
    return render(
        request,
        "reports/booklet.html",
        {
            "meeting": meeting,
            "latest": selectors.latest_booklets(meeting),
            "approval": latest_approval(meeting),
            "languages": BookletJob.Language.choices,
            "booklet_text": _booklet_text(),
            "api": {
                "request": f"{api}meetings/{meeting.pk}/booklet",
                "job": f"{api}booklets/",
                "close": f"{api}meetings/{meeting.pk}/close",
            },
        },
    )


BOOKLET_TYPES = {"pdf": PDF, **{kind: writer.content_type for kind, writer in WRITERS.items()}}


@api_key_or_session
@organisers_only
def booklet_download(request, meeting_id: int, job_id: int, kind: str = "pdf"):
    """The booklet, or one of its editable copies (`kind`, "docx" or "odt"), to save."""
    job = get_object_or_404(
        BookletJob,
        pk=job_id,
        meeting_id=meeting_id,
        status=BookletJob.Status.DONE,
    )
    stored = job.stored(kind)
    if not stored or not default_storage.exists(stored.name):
        raise Http404
    stem = job.language.replace("+", "-")
    response = FileResponse(
        default_storage.open(stored.name, "rb"),
        content_type=BOOKLET_TYPES[kind],
        as_attachment=kind != "pdf",
        filename=f"booklet-{job.meeting_id}-{stem}.{kind}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def meeting_results(request, meeting_id: int):
    """The approved booklet as a web page, once the organisers have closed the meeting:
    the version they approved, never the draft it may have become since, nor a newer
    approval whose files are still being made."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("host_organisation"),
        pk=meeting_id,
        status=Meeting.Status.PUBLISHED,
        closed_at__isnull=False,
    )
    approval = published_approval(meeting)
    if approval is None:
        raise Http404
    booklet = approval_booklet(approval)
    lang = booklet_language(translation.get_language())
    pdf = approval_file(approval, lang, Audience.PUBLIC)
    return render(
        request,
        "reports/results.html",
        {
            "meeting": meeting,
            "booklet": booklet,
            "lang": lang,
            "title": booklet_title(booklet, lang),
            "pdf_url": pdf and reverse("reports:results_booklet", args=[meeting.pk, lang]),
        },
    )
