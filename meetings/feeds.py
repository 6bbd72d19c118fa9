"""Subscribable iCal feeds of the published programme.

Calendar clients poll every few hours, and an announcement makes hundreds subscribe at
once, while building a year of meetings takes a good fraction of a second. So the bytes
are cached with the programme generation: a warm request costs one cache round trip and
no database query, and any committed change to the programme is served on the next poll.
"""

import re

from django.db.models import F
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import selectors, sql
from .cache import Payload, payload_cached
from .calendar import calendar_build
from .errors import UnknownMeeting, UnknownProgramme
from .models import Meeting, Programme, Theme

# Short, so that browsers and proxies pick up a change within minutes.
MAX_AGE = 5 * 60
CONTENT_TYPE = "text/calendar; charset=utf-8"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


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


def programme_feed_payload(year: int, lang: str) -> Payload:
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

    return payload_cached(f"calendar:programme:{year}:{lang}", build)


def meeting_feed_payload(meeting_id: int, lang: str) -> Payload:
    """One public meeting's feed in `lang`; raises UnknownMeeting if it is not public."""

    def build() -> bytes:
        meeting = selectors.meeting_get_public(meeting_id)
        with translation.override(lang):
            name = meeting.title
        return calendar_build(
            [meeting], name=name, lang=lang, time_zone=meeting.time_zone
        ).to_ical()

    return payload_cached(f"calendar:meeting:{meeting_id}:{lang}", build)


def payload_response(request, payload: Payload, content_type: str, **headers) -> HttpResponse:
    """The payload, gzipped to whoever accepts it, with its ETag and Last-Modified: a
    matching `If-None-Match` or `If-Modified-Since` is answered 304 without the body."""
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(payload.gzipped, content_type=content_type, headers=headers)
        response["Content-Encoding"] = "gzip"
        etag = payload.gzip_etag
    else:
        response = HttpResponse(payload.body, content_type=content_type, headers=headers)
        etag = payload.etag
    response["ETag"] = etag
    response["Last-Modified"] = http_date(payload.last_modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    patch_vary_headers(response, ("Accept-Encoding",))
    return get_conditional_response(
        request, etag=etag, last_modified=payload.last_modified, response=response
    )


def _respond(request, payload: Payload, filename: str) -> HttpResponse:
    disposition = content_disposition_header(False, filename)
    return payload_response(request, payload, CONTENT_TYPE, **{"Content-Disposition": disposition})


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
