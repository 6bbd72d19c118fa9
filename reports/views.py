from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils import translation

from meetings.auth import is_organiser
from meetings.errors import UnknownProgramme
from meetings.models import Meeting
from registrations.tickets import badges_pdf

from .attendance import attendance_sheet_pdf
from .brochure import brochure_payload
from .exports import registrations_csv, registrations_xlsx


def programme_brochure(request, year: int):
    lang = translation.get_language()
    try:
        payload = brochure_payload(year, lang)
    except UnknownProgramme:
        raise Http404 from None
    response = HttpResponse(payload, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="programme-{year}-{lang}.pdf"'
    return response


PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A meeting's documents for organisers: file name, how to build it, type, shown in the browser.
MEETING_DOCUMENTS = {
    "meeting_attendance": ("attendance.pdf", attendance_sheet_pdf, PDF, True),
    "meeting_badges": (
        "badges.pdf",
        lambda meeting: badges_pdf(meeting, lang=translation.get_language()),
        PDF,
        True,
    ),
    "meeting_registrations_csv": ("registrations.csv", registrations_csv, CSV, False),
    "meeting_registrations_xlsx": ("registrations.xlsx", registrations_xlsx, XLSX, False),
}


def meeting_document(request, meeting_id: int, *, document: str):
    """One of MEETING_DOCUMENTS. They list people's names, emails and needs: organisers
    only (the admin's login page first, then 403 for anyone else), and never cached."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_organiser(request.user):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    filename, build, content_type, inline = MEETING_DOCUMENTS[document]
    response = HttpResponse(build(meeting), content_type=content_type)
    stem, extension = filename.rsplit(".", 1)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{stem}-{meeting.pk}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


app_patterns = [
    path("programme/<int:year>.pdf", programme_brochure, name="programme_brochure"),
    *(
        path(f"meetings/<int:meeting_id>/{filename}", meeting_document, {"document": name}, name)
        for name, (filename, *_rest) in MEETING_DOCUMENTS.items()
    ),
]
urls = path("", include((app_patterns, "reports")))
