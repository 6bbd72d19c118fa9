"""Benchmark of the iCal feeds against the floors they must hold.

(a) A cold build of a 500-meeting year feed, through the same call the background job
    makes, costs at most 1.3× building the same bytes with icalendar from data already
    in memory: the ORM, the translations and the cache add little to icalendar's own cost.
(b) Served warm by gunicorn, the feed answers at least half as many requests per second
    as /healthz, a bare Django view: the warm path is one cache round trip, no database.
(c) A conditional GET with the feed's ETag gets 304 Not Modified.

Run it as `.venv/bin/python -m tests.bench.bench_feed`. It builds its own throwaway
database (a temporary SQLite file, or a test database next to DATABASE_URL's), uses
Redis under a private key prefix when REDIS_URL is set, and exits non-zero on a missed
floor.
"""

import gc
import gzip
import http.client
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from itertools import cycle
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.bench import _harness as harness

MEETINGS = 500
YEAR = 2027
LANG = "fr"
COLD_ROUNDS = 9
WARM_ROUNDS = 3
REQUESTS = 2000
CONCURRENCY = 8
# What calendar clients and browsers send; the feed is served gzipped to them.
CLIENT_HEADERS = {"Accept-Encoding": "gzip"}
COLD_FLOOR = 1.3
WARM_FLOOR = 0.5
ZONES = ("Europe/Brussels", "Europe/Paris", "Europe/Luxembourg", "Europe/Zurich", "America/Toronto")


def _environment_prepare(tmp: Path) -> None:
    """Point settings at throwaway storage, the cache under a private key prefix, before
    Django reads them."""
    harness.environment_prepare(tmp)
    os.environ["CACHE_KEY_PREFIX"] = f"bench-feed-{os.getpid()}"


# Minutes after the start, duration, kind, title, room: seed 003's launch day.
AGENDA = [
    (0, 30, "welcome", "Accueil", ""),
    (30, 60, "plenary", "Plénière", "Salle du conseil"),
    (90, 60, "workshops", "Ateliers", ""),
    (150, 30, "closing", "Clôture", "Salle du conseil"),
]


def _programme_create():
    """500 meetings over a year in several zones, some cancelled, some drafts, each with
    a host and an agenda of four items.

    Bulk inserts send no signals, so no background job is queued for the real broker.
    """
    from meetings.models import AgendaItem, CoFacilitator, Meeting, Person

    programme, themes, organisations = harness.programme_create(YEAR)
    meetings = []
    for n, zone in zip(range(MEETINGS), cycle(ZONES), strict=False):
        starts_at = datetime(YEAR, 1, 4, 9, 30, tzinfo=ZoneInfo(zone)) + timedelta(
            days=(n * 7) % 360, hours=n % 3
        )
        status = Meeting.Status.PUBLISHED
        if n % 25 == 24:
            status = Meeting.Status.CANCELLED
        elif n % 50 == 13:
            status = Meeting.Status.DRAFT
        meetings.append(
            Meeting(
                programme=programme,
                title_fr=f"Rencontre {n} : <b>mobilité</b> & emploi, suite; 🚲",
                title_nl=f"Ontmoeting {n}: mobiliteit & werk" if n % 4 else "",
                description_fr=f"Atelier {n}.\nDeux tables, trois tours; post-its & vote.",
                description_nl=f"Workshop {n}.\nTwee tafels, drie rondes.",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                time_zone=zone,
                venue_name=f"Hôtel de ville n°{n}",
                venue_address=f"Grand-Place {n}",
                venue_city=("Mouscron", "Tourcoing", "Kortrijk", "Lille")[n % 4],
                venue_country=("BE", "FR")[n % 2],
                host_organisation=organisations[n % len(organisations)],
                status=status,
                sequence=n % 3,
                cancellation_reason="Salle indisponible, désolé." if n % 50 == 49 else "",
            )
        )
    meetings = Meeting.objects.bulk_create(meetings)
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            start_offset_min=offset,
            duration_min=duration,
            kind=kind,
            title_fr=f"{title} {n} <b>&",
            title_nl=f"{title} {n}" if n % 4 else "",
            room=room,
        )
        for n, meeting in enumerate(meetings)
        for offset, duration, kind, title, room in AGENDA
    )
    Meeting.themes.through.objects.bulk_create(
        Meeting.themes.through(meeting=meeting, theme=themes[(n + k) % len(themes)])
        for n, meeting in enumerate(meetings)
        for k in range(1 + n % 3)
    )
    people = Person.objects.bulk_create(
        Person(
            first_name=f"Prénom{n}",
            last_name=f"Nom{n}",
            email=f"bench{n}@example.org",
            function=(Person.Function.MAYOR, Person.Function.BURGOMASTER)[n % 2],
            organisation=organisations[n % len(organisations)],
        )
        for n in range(2 * MEETINGS)
    )
    CoFacilitator.objects.bulk_create(
        CoFacilitator(meeting=meeting, person=people[2 * n + side])
        for n, meeting in enumerate(meetings)
        for side in (0, 1)
    )


def _plain_events() -> list[dict]:
    """The feed's events as plain values, fetched and translated before any timing.

    This is the "data already in memory" the raw icalendar build starts from.
    """
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _
    from django_countries import countries

    from meetings.models import AgendaItem, Meeting
    from meetings.selectors import PUBLIC_STATUSES

    with translation.override(LANG):
        agendas = {}
        for (
            meeting_id,
            offset,
            duration,
            title_fr,
            title_nl,
            room,
            address,
        ) in AgendaItem.objects.order_by("meeting_id", "start_offset_min", "pk").values_list(
            "meeting_id",
            "start_offset_min",
            "duration_min",
            "title_fr",
            "title_nl",
            "room",
            "address",
        ):
            agendas.setdefault(meeting_id, []).append(
                (offset, duration, title_fr or title_nl, room or address)
            )
        url = settings.SITE_URL + reverse("meetings:meeting", kwargs={"meeting_id": 0})
        themes = {}
        for meeting_id, name_fr, name_nl in Meeting.themes.through.objects.order_by(
            "theme__slug"
        ).values_list("meeting_id", "theme__name_fr", "theme__name_nl"):
            themes.setdefault(meeting_id, []).append(name_fr or name_nl)
        events = []
        for m in (
            Meeting.objects.filter(programme__year=YEAR, status__in=PUBLIC_STATUSES)
            .order_by("starts_at", "pk")
            .values(
                "id",
                "uid",
                "sequence",
                "updated_at",
                "starts_at",
                "ends_at",
                "time_zone",
                "status",
                "title_fr",
                "title_nl",
                "description_fr",
                "description_nl",
                "cancellation_reason",
                "venue_name",
                "venue_address",
                "venue_city",
                "venue_country",
                "host_organisation__name",
            )
        ):
            zone = ZoneInfo(m["time_zone"])
            start = m["starts_at"].astimezone(zone)
            title = m["title_fr"] or m["title_nl"]
            description = m["description_fr"] or m["description_nl"]
            cancelled = m["status"] == Meeting.Status.CANCELLED
            if cancelled and m["cancellation_reason"]:
                reason = _("Reason for cancellation: %(reason)s") % {
                    "reason": m["cancellation_reason"]
                }
                description = f"{reason}\n\n{description}" if description else reason
            lines = []
            for offset, duration, item_title, item_place in agendas.get(m["id"], ()):
                begins = (m["starts_at"] + timedelta(minutes=offset)).astimezone(zone)
                ends = (m["starts_at"] + timedelta(minutes=offset + duration)).astimezone(zone)
                line = f"{begins:%H:%M}–{ends:%H:%M} {item_title}"
                lines.append(f"{line} ({item_place})" if item_place else line)
            host = m["host_organisation__name"]
            extra = [
                _("In partnership with %(host)s") % {"host": host} if host else "",
                "\n".join([_("Agenda:"), *lines]) if lines else "",
            ]
            description = "\n\n".join(part for part in (description, *extra) if part)
            place = (
                m["venue_name"],
                m["venue_address"],
                m["venue_city"],
                str(countries.name(m["venue_country"])),
            )
            events.append(
                {
                    "uid": f"{m['uid']}@proximity-meetings",
                    "sequence": m["sequence"],
                    "updated_at": m["updated_at"],
                    "start": start,
                    "end": m["ends_at"].astimezone(zone),
                    "zone": m["time_zone"],
                    "summary": _("Cancelled: %(title)s") % {"title": title} if cancelled else title,
                    "status": "CANCELLED" if cancelled else "CONFIRMED",
                    "description": description,
                    "location": ", ".join(part for part in place if part),
                    "url": url.replace("/0/", f"/{m['id']}/"),
                    "categories": themes.get(m["id"], []),
                }
            )
    return events


def _raw_build(events: list[dict], name: str) -> bytes:
    """The same calendar written straight with icalendar, the reference cost."""
    from django.conf import settings
    from icalendar import Calendar, Event, Timezone, vDuration, vText

    calendar = Calendar()
    calendar.add("PRODID", "-//Proximity meetings//Programme//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", vText(name))
    calendar.add("X-WR-CALNAME", vText(name))
    calendar.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    calendar.add("REFRESH-INTERVAL", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(hours=6)))
    spans: dict[str, tuple[date, date]] = {}
    for e in events:
        first, last = spans.get(e["zone"], (e["start"].date(), e["end"].date()))
        spans[e["zone"]] = (min(first, e["start"].date()), max(last, e["end"].date()))
    for tzid, (first, last) in sorted(spans.items()):
        calendar.add_component(
            Timezone.from_tzid(tzid, first_date=first, last_date=last + timedelta(days=1))
        )
    for e in events:
        event = Event()
        event.add("UID", e["uid"])
        event.add("SEQUENCE", e["sequence"])
        event.add("DTSTAMP", e["updated_at"])
        event.add("LAST-MODIFIED", e["updated_at"])
        event.add("DTSTART", e["start"])
        event.add("DTEND", e["end"])
        event.add("SUMMARY", e["summary"])
        event.add("STATUS", e["status"])
        if e["description"]:
            event.add("DESCRIPTION", e["description"])
        event.add("LOCATION", e["location"])
        event.add("URL", e["url"])
        if e["categories"]:
            event.add("CATEGORIES", e["categories"])
        calendar.add_component(event)
    return calendar.to_ical()


def _timed(function) -> tuple[float, object]:
    """Wall time of one call, starting without garbage left by the previous one."""
    gc.collect()
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _cold_build() -> tuple[bool, str]:
    from meetings.cache import programme_generation_bump
    from meetings.feeds import programme_feed_payload

    events = _plain_events()
    name = f"Rencontres de proximité {YEAR}"
    feed_times, raw_times = [], []
    for round_ in range(COLD_ROUNDS + 1):
        programme_generation_bump()  # every round is a cache miss
        feed_time, payload = _timed(lambda: programme_feed_payload(YEAR, LANG))
        raw_time, raw = _timed(lambda: _raw_build(events, name))
        if round_:  # the first round only loads code and translations
            feed_times.append(feed_time)
            raw_times.append(raw_time)
    if payload.body != raw:
        return False, "(a) FAIL: the feed and the raw icalendar build differ; fix the reference"
    feed, reference = statistics.median(feed_times), statistics.median(raw_times)
    ratio = harness.paired_ratio(feed_times, raw_times)
    passed = ratio <= COLD_FLOOR
    return passed, (
        f"(a) cold build, {len(events)} events, same bytes: feed {feed * 1000:.0f} ms, "
        f"raw icalendar {reference * 1000:.0f} ms (medians of {COLD_ROUNDS}); "
        f"median ratio {ratio:.2f} (floor ≤ {COLD_FLOOR}) {'PASS' if passed else 'FAIL'}"
    )


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, str | None, bytes]:
    """Status, ETag and body of one GET on a fresh connection, as calendar clients send it."""
    return harness.get(port, path, {**CLIENT_HEADERS, **(headers or {})})


def _fetch(port: int, path: str, count: int) -> int:
    """One client of the load: `count` GETs, reusing the connection when the server allows."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ok = 0
    for _ in range(count):
        connection.request("GET", path, headers=CLIENT_HEADERS)
        response = connection.getresponse()
        response.read()
        ok += response.status == 200
    connection.close()
    return ok


def _load(pool: ProcessPoolExecutor, port: int, path: str, per_client: int) -> int:
    """`CONCURRENCY` clients at once, each sending `per_client` requests; how many got 200."""
    clients = range(CONCURRENCY)
    return sum(
        pool.map(
            _fetch, [port for _ in clients], [path for _ in clients], [per_client for _ in clients]
        )
    )


def _requests_per_second(pool: ProcessPoolExecutor, port: int, path: str) -> float:
    per_client = REQUESTS // CONCURRENCY
    start = time.perf_counter()
    ok = _load(pool, port, path, per_client)
    elapsed = time.perf_counter() - start
    if ok != per_client * CONCURRENCY:
        raise SystemExit(f"{path}: only {ok} of {per_client * CONCURRENCY} requests succeeded")
    return ok / elapsed


def _warm_serving(database_url: str) -> list[tuple[bool, str]]:
    from django.conf import settings

    from meetings.feeds import programme_feed_payload

    # With Redis, the background job's call warms the cache every worker reads; with the
    # per-process LocMem cache, enough requests make each worker build its own copy.
    if settings.REDIS_URL:
        programme_feed_payload(YEAR, LANG)
    feed_path, health_path = f"/calendar/{YEAR}.ics?lang={LANG}", "/healthz"
    server, port = harness.gunicorn_start(database_url)
    try:
        with ProcessPoolExecutor(CONCURRENCY) as pool:
            _load(pool, port, feed_path, 5)
            feed_rates, health_rates = [], []
            for _ in range(WARM_ROUNDS):
                health_rates.append(_requests_per_second(pool, port, health_path))
                feed_rates.append(_requests_per_second(pool, port, feed_path))
        _status, etag, body = _get(port, feed_path)
        status, _etag, empty = _get(port, feed_path, {"If-None-Match": etag})
    finally:
        harness.process_stop(server)
    feed, health = statistics.median(feed_rates), statistics.median(health_rates)
    ratio = harness.paired_ratio(feed_rates, health_rates)
    warm_ok = ratio >= WARM_FLOOR
    not_modified = status == 304 and empty == b""
    return [
        (
            warm_ok,
            f"(b) warm serving, gunicorn 2 workers, {CONCURRENCY} clients × "
            f"{REQUESTS // CONCURRENCY} requests, {len(gzip.decompress(body)) // 1024} KiB feed "
            f"sent as {len(body) // 1024} KiB of gzip: "
            f"feed {feed:.0f} req/s, /healthz {health:.0f} req/s (medians of {WARM_ROUNDS}); "
            f"median ratio {ratio:.2f} (floor ≥ {WARM_FLOOR}) {'PASS' if warm_ok else 'FAIL'}",
        ),
        (
            not_modified,
            f"(c) conditional GET with If-None-Match {etag}: "
            f"{status} {'PASS' if not_modified else 'FAIL'}",
        ),
    ]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-feed-") as tmp:
        _environment_prepare(Path(tmp))
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        database_url, database_drop = harness.database_create()
        cache_name = "redis (shared)" if settings.REDIS_URL else "locmem (per worker)"
        print(f"iCal feed benchmark: database {connection.vendor}, cache {cache_name}")
        try:
            _programme_create()
            results = [_cold_build(), *_warm_serving(database_url)]
        finally:
            harness.cache_drop()
            connection.close()
            database_drop()
    return harness.report(results)


if __name__ == "__main__":
    sys.exit(main())
