"""Public pages of the programme: thin, every read goes through a selector."""

import copy
import hashlib
import re
from datetime import date
from itertools import groupby
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from events_site.kit.http_errors import http_status

from . import selectors
from .auth import api_key_or_session
from .cache import payload_cached
from .downloads import document_response
from .errors import DocumentNotVisible, UnknownDocument, UnknownMeeting, UnknownProgramme
from .feeds import payload_response


def programme_current(request):
    """The front door: the nearest programme with meetings to come, else the latest."""
    year = selectors.programme_upcoming_year(timezone.now())
    if year is None:
        raise Http404
    return redirect("meetings:programme", year=year)


# Above this many meetings (once filtered), the programme shows one month a page, with
# links to the others: a page of 5 000 meetings weighed 3 MB.
MONTHLY_ABOVE = 60
MONTH = re.compile(r"\d{4}-\d{2}")
HTML = "text/html; charset=utf-8"


def _month_shown(months: list[date], asked: str, today: date) -> date:
    """The month asked for if the programme has meetings then; else the current month's,
    else the next month with meetings, else the first."""
    for month in months:
        if f"{month:%Y-%m}" == asked:
            return month
    coming = [month for month in months if month >= today.replace(day=1)]
    return (coming or months)[0]


@require_safe
def programme_detail(request, year: int):
    """Built once per programme change and filter, then served from the cache with an
    ETag (`meetings.cache.payload_cached`, as the feeds): a warm request reads no row.
    The page does not depend on who asks."""
    theme = request.GET.get("theme", "")[:100] or None
    country = request.GET.get("country", "")[:2].upper() or None
    asked = request.GET.get("month", "")
    asked = asked if MONTH.fullmatch(asked) else ""
    today = timezone.localdate()
    language = translation.get_language()
    # The default month moves with the date: it is part of the key.
    wanted = f"{year}|{language}|{theme}|{country}|{asked or today.isoformat()[:7]}"
    key = f"page:programme:{hashlib.sha256(wanted.encode()).hexdigest()[:32]}"

    def build() -> bytes:
        return _programme_page(request, year, theme, country, asked, today).encode()

    try:
        payload = payload_cached(key, build)
    except UnknownProgramme:
        raise Http404 from None
    return payload_response(request, payload, HTML)


def _programme_page(request, year, theme, country, asked, today) -> str:
    programme = selectors.programme_get_published(year)
    by_month = selectors.programme_months(programme, theme=theme, country=country)
    query = {"theme": theme or "", "country": country or ""}
    month_links, ids = [], None
    if sum(len(ids) for ids in by_month.values()) > MONTHLY_ABOVE:
        shown = _month_shown(list(by_month), asked, today)
        ids = by_month[shown]
        for month, month_ids in by_month.items():
            link = urlencode({**{k: v for k, v in query.items() if v}, "month": f"{month:%Y-%m}"})
            month_links.append((month, len(month_ids), f"?{link}", month == shown))
        query["month"] = f"{shown:%Y-%m}"
    meetings = selectors.programme_meetings(programme, theme=theme, country=country, ids=ids)
    months = [
        (month, list(items))
        for month, items in groupby(meetings, key=lambda m: m.local_starts_at.replace(day=1).date())
    ]
    # The language switcher links this page as it was built, whatever else the address held.
    canonical = copy.copy(request)
    canonical.META = {
        **request.META,
        "QUERY_STRING": urlencode({k: v for k, v in query.items() if v}),
    }
    return render_to_string(
        "meetings/programme.html",
        {
            "programme": programme,
            "months": months,
            "meetings": meetings,
            "month_links": month_links,
            "total": sum(len(ids) for ids in by_month.values()),
            "themes": selectors.programme_themes(programme),
            "countries": selectors.programme_countries(programme),
            "selected_theme": theme,
            "selected_country": country,
            "years": selectors.programme_years(),
        },
        request=canonical,
    )


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
