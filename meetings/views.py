"""Public pages of the programme: thin, every read goes through a selector."""

import re

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from events_site.kit.http_errors import http_status

from . import selectors
from .auth import api_key_or_session
from .downloads import document_response
from .errors import DocumentNotVisible, UnknownDocument, UnknownMeeting, UnknownProgramme
from .feeds import payload_response
from .programme_page import programme_page_payload


def programme_current(request):
    """The front door: the nearest programme with meetings to come, else the latest."""
    year = selectors.programme_upcoming_year(timezone.now())
    if year is None:
        raise Http404
    return redirect("meetings:programme", year=year)


MONTH = re.compile(r"\d{4}-\d{2}")
HTML = "text/html; charset=utf-8"


@require_safe
def programme_detail(request, year: int):
    """Served from the cache with an ETag (`programme_page.programme_page_payload`): a
    warm request reads no row."""
    asked = request.GET.get("month", "")
    part = request.GET.get("part", "")
    try:
        payload = programme_page_payload(
            year,
            translation.get_language(),
            theme=request.GET.get("theme", "")[:100] or None,
            country=request.GET.get("country", "")[:2].upper() or None,
            asked=asked if MONTH.fullmatch(asked) else "",
            part=int(part) if part.isdigit() and len(part) < 4 else 1,
        )
    except UnknownProgramme:
        raise Http404 from None
    return payload_response(request, payload, HTML)


def meeting_detail(request, meeting_id: int):
    try:
        meeting = selectors.meeting_get_public(meeting_id)
    except UnknownMeeting:
        raise Http404 from None
    documents = selectors.meeting_documents_placed(meeting, selectors.viewer_for(request.user))
    return render(request, "meetings/meeting.html", {"meeting": meeting, "documents": documents})


@require_safe
@api_key_or_session
def document_download(request, document_id: int):
    """Checked on every request: a link passed on opens only for whom the document is."""
    try:
        document = selectors.document_get_visible(document_id, selectors.viewer_for(request.user))
    except UnknownDocument:
        raise Http404 from None
    except DocumentNotVisible as refusal:
        context = {"message": refusal.message}
        response = render(
            request, "meetings/document_refused.html", context, status=http_status(refusal)
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return document_response(document)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def archive(request):
    """Past meetings of every year, newest first, searchable and paginated."""
    now = timezone.now()
    text = request.GET.get("q", "")[:200]
    theme = request.GET.get("theme") or None
    year = _int_or_none(request.GET.get("year"))
    page = selectors.archive_page(now, request.GET.get("page"), text=text, theme=theme, year=year)
    themes, years = selectors.archive_filters(now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/archive.html",
        {
            "page": page,
            "themes": themes,
            "years": years,
            "text": text,
            "selected_theme": theme,
            "selected_year": year,
            "query": query.urlencode(),
        },
    )
