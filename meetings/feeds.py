"""Subscribable iCal feeds of the published programme.

Calendar clients poll every few hours, and an announcement makes hundreds subscribe at
once, while building a year of meetings takes a good fraction of a second. So the bytes
are cached with the programme generation: a warm request costs one cache round trip and
no database query, and any committed change to the programme is served on the next poll.
"""

import gzip
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import selectors, sql
from .cache import GENERATION_KEY, programme_generation
from .calendar import calendar_build
from .errors import UnknownMeeting, UnknownProgramme
from .models import Meeting, Programme, Theme

# A payload is replaced as soon as the generation moves; this only bounds a forgotten one.
CACHE_TIMEOUT = 24 * 3600
# Short, so that browsers and proxies pick up a change within minutes.
MAX_AGE = 5 * 60
CONTENT_TYPE = "text/calendar; charset=utf-8"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@dataclass(frozen=True)
class FeedPayload:
    """A built feed, kept gzipped.

    Calendar clients ask for gzip, and a year feed shrinks about tenfold: every warm
    request then moves a tenth of the bytes out of the cache and onto the network.
    """

    gzipped: bytes
    # Of the plain bytes; the gzipped representation has its own (RFC 9110 §8.8.3).
    etag: str
    # When these bytes were built, as HTTP dates carry it (whole seconds). Not the data's
    # own timestamps: a deleted meeting or a renamed theme changes none of those.
    last_modified: int
    # The programme generation the data was read under; None if the cache was down then.
    generation: int | None

    @property
    def body(self) -> bytes:
        return gzip.decompress(self.gzipped)

    @property
    def gzip_etag(self) -> str:
        return f'{self.etag[:-1]}-gzip"'


def _cached(key: str, build: Callable[[], bytes]) -> FeedPayload:
    """The payload under `key` if it was built under the current generation, else a new one.

    The generation and the payload are read in one round trip (one MGET on Redis): with
    two, the wait for the cache would cost more than the rest of a warm request. Both are
    read before the data, so a build that races a change is stamped with the old
    generation and rebuilt on the next request.
    """
    key = f"calendar:{key}"
    cached = cache.get_many([GENERATION_KEY, key])
    generation = cached.get(GENERATION_KEY) or programme_generation()
    payload = cached.get(key)
    if generation is None or payload is None or payload.generation != generation:
        body = build()
        payload = FeedPayload(
            # mtime=0: the same bytes give the same gzip, whichever worker builds them.
            gzipped=gzip.compress(body, mtime=0),
            etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
            last_modified=int(time.time()),
            generation=generation,
        )
        if generation is not None:
            cache.set(key, payload, CACHE_TIMEOUT)
    return payload


# What an event shows: the year feed loads only these (a test pins the query count).
CALENDAR_FIELDS = (
    "uid",
    "sequence",
    "status",
    "updated_at",
    "starts_at",
    "ends_at",
    "time_zone",
    "title_fr",
    "title_nl",
    "description_fr",
    "description_nl",
    "cancellation_reason",
    "venue_name",
    "venue_address",
    "venue_city",
    "venue_country",
)


def _programme_calendar(
    programme: Programme,
) -> tuple[list[Meeting], dict[int, list[Theme]], dict[int, list[sql.AgendaRow]]]:
    """The programme's public meetings, each one's themes and agenda, in four light queries.

    Not `selectors.programme_meetings`: it also loads the co-facilitators and hosts the
    pages show, and prefetching themes builds a queryset and a copy of each theme per
    meeting. For 500 meetings that read alone cost half of what icalendar needs to write
    the whole feed.
    """
    meetings = list(
        Meeting.objects.filter(programme=programme, status__in=selectors.PUBLIC_STATUSES)
        .only(*CALENDAR_FIELDS)
        .annotate(host_name=F("host_organisation__name"))
        .order_by("starts_at", "pk")
    )
    themes = {theme.pk: theme for theme in selectors.programme_themes(programme)}
    by_meeting: dict[int, list[Theme]] = {}
    links = (
        Meeting.themes.through.objects.filter(meeting__programme=programme)
        .order_by("theme__slug")
        .values_list("meeting_id", "theme_id")
    )
    for meeting_id, theme_id in links:
        if theme_id in themes:
            by_meeting.setdefault(meeting_id, []).append(themes[theme_id])
    return meetings, by_meeting, sql.programme_agendas(programme.pk, selectors.PUBLIC_STATUSES)


def programme_feed_payload(year: int, lang: str) -> FeedPayload:
    """The year's feed in `lang`, from cache or built; raises UnknownProgramme if unpublished.

    Also what the background job calls after a change, so the first poll finds it warm.
    """

    def build() -> bytes:
        programme = selectors.programme_get_published(year)
        meetings, themes, agendas = _programme_calendar(programme)
        with translation.override(lang):
            name = programme.title
        return calendar_build(
            meetings, name=name, lang=lang, themes=themes, agendas=agendas
        ).to_ical()

    return _cached(f"programme:{year}:{lang}", build)


def meeting_feed_payload(meeting_id: int, lang: str) -> FeedPayload:
    """One public meeting's feed in `lang`; raises UnknownMeeting if it is not public."""

    def build() -> bytes:
        meeting = selectors.meeting_get_public(meeting_id)
        with translation.override(lang):
            name = meeting.title
        return calendar_build(
            [meeting], name=name, lang=lang, time_zone=meeting.time_zone
        ).to_ical()

    return _cached(f"meeting:{meeting_id}:{lang}", build)


def _respond(request, payload: FeedPayload, filename: str) -> HttpResponse:
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(payload.gzipped, content_type=CONTENT_TYPE)
        response["Content-Encoding"] = "gzip"
        etag = payload.gzip_etag
    else:
        response = HttpResponse(payload.body, content_type=CONTENT_TYPE)
        etag = payload.etag
    response["ETag"] = etag
    response["Last-Modified"] = http_date(payload.last_modified)
    response["Content-Disposition"] = content_disposition_header(False, filename)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    patch_vary_headers(response, ("Accept-Encoding",))
    return get_conditional_response(
        request, etag=etag, last_modified=payload.last_modified, response=response
    )


@require_safe
def programme_feed(request, year: int):
    try:
        payload = programme_feed_payload(year, translation.get_language())
    except UnknownProgramme:
        raise Http404 from None
    return _respond(request, payload, _("programme-%(year)s.ics") % {"year": year})


@require_safe
def meeting_feed(request, meeting_id: int):
    try:
        payload = meeting_feed_payload(meeting_id, translation.get_language())
    except UnknownMeeting:
        raise Http404 from None
    return _respond(request, payload, _("meeting-%(id)s.ics") % {"id": meeting_id})
