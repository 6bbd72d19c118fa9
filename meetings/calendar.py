"""iCalendar documents of the published programme: subscription feeds now, invitations later.

Everything goes through `icalendar` so that escaping, line folding and VTIMEZONE rules
follow RFC 5545; the same `calendar_build` will serve email invitations (iMIP) with
`method="REQUEST"` or `"CANCEL"`, which is why an event never depends on the feed around it.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries
from icalendar import Calendar, Event, Timezone, vDuration, vText
from modeltranslation.settings import FALLBACK_LANGUAGES
from modeltranslation.utils import resolution_order

from .models import AgendaItem, Meeting, Theme, slot_clock

PRODID = "-//Proximity meetings//Programme//EN"
UID_DOMAIN = "proximity-meetings"
# Subscribed clients poll at most this often; Google and Outlook read the X- variant.
REFRESH_INTERVAL = timedelta(hours=6)


def meeting_uid(meeting: Meeting) -> str:
    """The UID calendars match updates on: derived from the meeting, never from its content."""
    return f"{meeting.uid}@{UID_DOMAIN}"


class _EventWriter:
    """What every event of one build shares, worked out once rather than per event.

    A year feed holds hundreds of meetings, and the floor is 1.3× the cost of raw
    icalendar: so one `reverse()` for the URL pattern, one language fallback order instead
    of modeltranslation's per-read lookup, one name per country and per theme. It also
    records the dates used in each time zone, to trim the VTIMEZONEs.
    Must be used while the build's language is active.
    """

    def __init__(
        self,
        stamp: datetime | None,
        themes: Mapping[int, Sequence[Theme]] | None,
        agendas: Mapping[int, Sequence[AgendaItem | tuple]] | None = None,
    ):
        # Reversed once with a placeholder id; each event splices its own id in.
        prefix, _sep, suffix = reverse("meetings:meeting", kwargs={"meeting_id": 0}).rpartition(
            "/0/"
        )
        self.url_prefix = f"{settings.SITE_URL}{prefix}/"
        self.url_suffix = f"/{suffix}"
        self.stamp = stamp
        self.meeting_themes = themes
        self.agendas = agendas
        # Translated once: a year feed says them hundreds of times.
        self.agenda_heading = _("Agenda:")
        self.partnership_format = _("In partnership with %(host)s")
        self.languages = resolution_order(translation.get_language(), FALLBACK_LANGUAGES)
        self.countries: dict[str, str] = {}
        self.theme_names_by_id: dict[int, str] = {}
        self.zone_spans: dict[str, tuple[date, date]] = {}

    def text(self, obj: Meeting | AgendaItem, field: str) -> str:
        """`obj.<field>` as modeltranslation resolves it: the first non-empty language."""
        for lang in self.languages:
            value = getattr(obj, f"{field}_{lang}", None)
            if value:
                return value
        return ""

    def country_name(self, meeting: Meeting) -> str:
        # The stored code: `meeting.venue_country` builds a Country and checks its code
        # against the translated country list on every access.
        code = vars(meeting)["venue_country"]
        if code not in self.countries:
            self.countries[code] = str(countries.name(code))
        return self.countries[code]

    def theme_names(self, meeting: Meeting) -> list[str]:
        if self.meeting_themes is None:
            themes = meeting.themes.all()
        else:
            themes = self.meeting_themes.get(meeting.id, ())
        names = []
        for theme in themes:
            if theme.id not in self.theme_names_by_id:
                self.theme_names_by_id[theme.id] = theme.name
            names.append(self.theme_names_by_id[theme.id])
        return names

    def agenda(self, meeting: Meeting) -> str:
        """The agenda as plain text, a line per item: "10:00–11:00 Plénière (Salle A)".

        Its items are `AgendaItem`s, or the year feed's rows (`agendas`) with the same
        names: building a model instance per item cost more than writing its line."""
        if self.agendas is None:
            items = meeting.agenda_items.all()
        else:
            items = self.agendas.get(meeting.id, ())
        if not items:
            return ""
        hours = slot_clock(meeting.starts_at, meeting.ends_at, ZoneInfo(meeting.time_zone))
        lines = []
        for item in items:
            place = item.room or item.address
            line = f"{hours(item)} {self.text(item, 'title')}"
            lines.append(f"{line} ({place})" if place else line)
        return "\n".join([self.agenda_heading, *lines])

    def partnership(self, meeting: Meeting) -> str:
        """`Meeting.in_partnership_with`, from the host's name the year feed annotates
        (`host_name`) when it did, so that it loads no organisation."""
        if "host_name" in vars(meeting):
            host = meeting.host_name
        else:
            host = meeting.host_organisation.name if meeting.host_organisation_id else ""
        return self.partnership_format % {"host": host} if host else ""

    def zone_span_extend(self, zone: str, first: date, last: date) -> None:
        if zone in self.zone_spans:
            known_first, known_last = self.zone_spans[zone]
            first, last = min(first, known_first), max(last, known_last)
        self.zone_spans[zone] = (first, last)

    def event(self, meeting: Meeting) -> Event:
        """One VEVENT; a cancelled meeting stays in place with STATUS:CANCELLED.

        Its SUMMARY says so too, because Google Calendar ignores STATUS in subscribed
        feeds and would otherwise show the meeting as happening.
        """
        event = Event()
        add = event.add
        add("UID", meeting_uid(meeting))
        add("SEQUENCE", meeting.sequence)
        # Without METHOD, DTSTAMP is when the data last changed (RFC 5545 §3.8.7.2): the
        # bytes then only change with the data, and so does the feed's ETag.
        add("DTSTAMP", self.stamp or meeting.updated_at)
        add("LAST-MODIFIED", meeting.updated_at)
        starts_at, ends_at = meeting.local_starts_at, meeting.local_ends_at
        add("DTSTART", starts_at)
        add("DTEND", ends_at)
        self.zone_span_extend(meeting.time_zone, starts_at.date(), ends_at.date())
        title = self.text(meeting, "title")
        description = self.text(meeting, "description")
        if meeting.is_cancelled:
            add("SUMMARY", _("Cancelled: %(title)s") % {"title": title})
            add("STATUS", "CANCELLED")
            if meeting.cancellation_reason:
                reason = _("Reason for cancellation: %(reason)s") % {
                    "reason": meeting.cancellation_reason
                }
                description = f"{reason}\n\n{description}" if description else reason
        else:
            add("SUMMARY", title)
            add("STATUS", "CONFIRMED")
        extra = [self.partnership(meeting), self.agenda(meeting)]
        description = "\n\n".join(part for part in (description, *extra) if part)
        if description:
            add("DESCRIPTION", description)
        place = (
            meeting.venue_name,
            meeting.venue_address,
            meeting.venue_city,
            self.country_name(meeting),
        )
        add("LOCATION", ", ".join(part for part in place if part))
        add("URL", f"{self.url_prefix}{meeting.id}{self.url_suffix}")
        themes = self.theme_names(meeting)
        if themes:
            add("CATEGORIES", themes)
        return event


def meeting_event(meeting: Meeting, lang: str, *, stamp: datetime | None = None) -> Event:
    """The VEVENT of one meeting in `lang`, for callers that add ORGANIZER or ATTENDEE.

    An invitation (iTIP) must pass `stamp`, the time the message is sent.
    """
    with translation.override(lang):
        return _EventWriter(stamp, None).event(meeting)


def calendar_build(
    meetings: Iterable[Meeting],
    *,
    name: str,
    lang: str,
    method: str | None = None,
    time_zone: str | None = None,
    themes: Mapping[int, Sequence[Theme]] | None = None,
    agendas: Mapping[int, Sequence[AgendaItem | tuple]] | None = None,
    stamp: datetime | None = None,
) -> Calendar:
    """A VCALENDAR of `meetings` in `lang`: a subscription feed, or with `method` an iTIP message.

    Each meeting's themes come from `themes` (by meeting id) when the caller read them in
    bulk, else from `meeting.themes.all()`, which should then be prefetched; so do their
    agendas, from `agendas` or `meeting.agenda_items.all()`.
    `time_zone` is the calendar's default zone for clients that want one; every event
    carries its own TZID regardless. An iTIP message's DTSTAMP is `stamp`, by default now:
    messages sent together may share one.
    """
    stamp = (stamp or timezone.now()) if method else None
    with translation.override(lang):
        writer = _EventWriter(stamp, themes, agendas)
        events = [writer.event(meeting) for meeting in meetings]

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    # icalendar 7.3 does not know NAME is TEXT and would not escape it: say so.
    calendar.add("NAME", vText(name))
    calendar.add("X-WR-CALNAME", vText(name))
    calendar.add("X-WR-TIMEZONE", time_zone or settings.TIME_ZONE)
    if method:
        calendar.add("METHOD", method)
    else:
        # Polling hints only make sense for a feed, not for a message in a mailbox.
        calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    for tzid, (first, last) in sorted(writer.zone_spans.items()):
        calendar.add_component(
            Timezone.from_tzid(tzid, first_date=first, last_date=last + timedelta(days=1))
        )
    for event in events:
        calendar.add_component(event)
    return calendar
