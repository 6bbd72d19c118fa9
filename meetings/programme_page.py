"""The public programme page: what it shows, a month at a time above `MONTHLY_ABOVE`
meetings, and its cached payload, which the view serves and the warm-up job builds after
each change."""

import hashlib
from datetime import date
from itertools import groupby
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import selectors
from .cache import Payload, generation_cached, payload_cached, programme_generation

# Above this many meetings (once filtered), the programme shows one month a page, with
# links to the others: a page of 5 000 meetings weighed 3 MB. A month of more than
# `PART_SIZE` is shown in parts of consecutive days, each under 150 KB.
MONTHLY_ABOVE = 60
PART_SIZE = 100


def _month_shown(months: list[date], asked: str, today: date) -> date:
    """The month asked for if the programme has meetings then; else the current month's,
    else the next month with meetings, else the first."""
    for month in months:
        if f"{month:%Y-%m}" == asked:
            return month
    coming = [month for month in months if month >= today.replace(day=1)]
    return (coming or months)[0]


def _index_key(year: int) -> str:
    return _cache_key("programme-index", year)


def _index(year: int) -> selectors.ProgrammeIndex:
    """Every page of the programme is cut from the same index, which holds the programme
    itself: read once per change. Raises `UnknownProgramme`."""
    return generation_cached(_index_key(year), lambda: selectors.programme_index(year))


def _by_month(listed: list[selectors.Listed]) -> dict[date, list[selectors.Listed]]:
    """The meetings by month, in their order. They come in time order, so a month's
    meetings mostly follow each other: its list is looked up again only when the month
    changes (a meeting in another time zone may fall back into the month before)."""
    by_month: dict[date, list[selectors.Listed]] = {}
    month, days = None, []
    for meeting in listed:
        day = meeting.day
        if month is None or day.month != month.month or day.year != month.year:
            month = day.replace(day=1)
            days = by_month.setdefault(month, [])
        days.append(meeting)
    return by_month


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
    index = _index(year)
    listed = index.matching(theme, country)
    by_month = _by_month(listed)
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
        "programme": index.programme,
        "months": months,
        "meetings": meetings,
        "month_links": month_links,
        "part_links": part_links,
        "total": total,
        "themes": index.themes,
        "countries": index.countries(),
        "selected_theme": theme,
        "selected_country": country,
        "years": index.years,
        "query": urlencode({k: v for k, v in query.items() if v}),
    }


def programme_render(year: int, context: dict) -> str:
    """The page as everyone gets it, whoever asked (or nobody: the warm-up job): its
    language switcher links the page as it was built, whatever else the address held."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse("meetings:programme", args=[year])
    request.META = {"QUERY_STRING": context["query"]}
    return render_to_string("meetings/programme.html", context, request=request)


def programme_page_payload(
    year: int,
    language: str,
    *,
    theme: str | None = None,
    country: str | None = None,
    asked: str = "",
    part: int = 1,
) -> Payload:
    """The page in `language`, built once per programme change and filter and kept under
    the programme generation (`meetings.cache.payload_cached`, as the feeds). Raises
    `UnknownProgramme`."""
    today = timezone.localdate()
    # The default month moves with the date: it is part of the key.
    key = _cache_key(
        "programme", year, language, theme, country, asked or today.isoformat()[:7], part
    )

    def build() -> bytes:
        with translation.override(language):
            context = programme_context(year, theme, country, asked, today, part)
            return programme_render(year, context).encode()

    return payload_cached(key, build, shared=(_index_key(year),))


def programme_pages_warm(year: int) -> int:
    """Build every page of the unfiltered programme, in every language: the default one,
    and each month's and each part's. A filtered page is built by its first request.
    Stops once the programme changes again, since the next warm-up builds them anew.
    Returns how many pages were built; raises `UnknownProgramme`."""
    generation = programme_generation()
    meetings = _index(year).meetings
    pages = [("", 1)]
    if len(meetings) > MONTHLY_ABOVE:
        pages += [
            (f"{month:%Y-%m}", part)
            for month, days in _by_month(meetings).items()
            for part in range(1, len(_parts(days)) + 1)
        ]
    built = 0
    for language in dict(settings.LANGUAGES):
        for asked, part in pages:
            if programme_generation() != generation:
                return built
            programme_page_payload(year, language, asked=asked, part=part)
            built += 1
    return built
