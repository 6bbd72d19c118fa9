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
from .cache import generation_cached, payload_cached
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
# links to the others: a page of 5 000 meetings weighed 3 MB. A month of more than
# `PART_SIZE` is shown in parts of consecutive days, each under 150 KB.
MONTHLY_ABOVE = 60
PART_SIZE = 100
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
    part = request.GET.get("part", "")
    part = int(part) if part.isdigit() and len(part) < 4 else 1
    today = timezone.localdate()
    language = translation.get_language()
    # The default month moves with the date: it is part of the key.
    key = _cache_key(
        "programme", year, language, theme, country, asked or today.isoformat()[:7], part
    )

    def build() -> bytes:
        context = programme_context(year, theme, country, asked, today, part)
        return programme_render(request, context).encode()

    try:
        payload = payload_cached(key, build)
    except UnknownProgramme:
        raise Http404 from None
    return payload_response(request, payload, HTML)


def _cache_key(kind: str, *parts) -> str:
    """A key of bounded length and safe characters, whatever the filters typed."""
    return f"page:{kind}:{hashlib.sha256('|'.join(map(str, parts)).encode()).hexdigest()[:32]}"


def _parts(days: list[selectors.Listed]) -> list[list[selectors.Listed]]:
    """A month's meetings in parts of at most `PART_SIZE`, evenly sized."""
    count = -(-len(days) // PART_SIZE)
    size = -(-len(days) // count)
    return [days[start : start + size] for start in range(0, len(days), size)]


def _link(query: dict[str, str], **more) -> str:
    return f"?{urlencode({**{k: v for k, v in query.items() if v}, **more})}"


def programme_context(
    year: int, theme: str | None, country: str | None, asked: str, today: date, part: int = 1
) -> dict:
    """What the programme page shows: all its meetings, or one month of them (the one
    `asked` for, else `_month_shown`'s) with links to the others above `MONTHLY_ABOVE`,
    and a `part` of that month when it holds more than `PART_SIZE`. Raises
    `UnknownProgramme`."""
    programme, years = selectors.programme_with_years(year)
    # Every page of the programme is cut from the same index: read once per change.
    index = generation_cached(
        _cache_key("programme-index", year), lambda: selectors.programme_index(programme)
    )
    listed = index.matching(theme, country)
    by_month: dict[date, list[selectors.Listed]] = {}
    for meeting in listed:
        by_month.setdefault(meeting.day.replace(day=1), []).append(meeting)
    query = {"theme": theme or "", "country": country or ""}
    total = len(listed)
    month_links, part_links = [], []
    if total > MONTHLY_ABOVE:
        shown = _month_shown(list(by_month), asked, today)
        for month, days in by_month.items():
            month_links.append(
                (month, len(days), _link(query, month=f"{month:%Y-%m}"), month == shown)
            )
        query["month"] = f"{shown:%Y-%m}"
        parts = _parts(by_month[shown])
        part = part if 1 <= part <= len(parts) else 1
        if len(parts) > 1:
            for number, days in enumerate(parts, start=1):
                link = _link(query, part=number)
                part_links.append((days[0].day, days[-1].day, link, number == part))
            query["part"] = str(part)
        listed = parts[part - 1]
    meetings = selectors.programme_listed(index, listed)
    months = [
        (month, list(items))
        for month, items in groupby(meetings, key=lambda m: m.local_starts_at.replace(day=1).date())
    ]
    return {
        "programme": programme,
        "months": months,
        "meetings": meetings,
        "month_links": month_links,
        "part_links": part_links,
        "total": total,
        "themes": index.themes,
        "countries": index.countries(),
        "selected_theme": theme,
        "selected_country": country,
        "years": years,
        "query": urlencode({k: v for k, v in query.items() if v}),
    }


def programme_render(request, context: dict) -> str:
    # The language switcher links this page as it was built, whatever else the address held.
    canonical = copy.copy(request)
    canonical.META = {**request.META, "QUERY_STRING": context["query"]}
    return render_to_string("meetings/programme.html", context, request=canonical)


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
