"""Benchmark at the size of a whole network: 5 000 meetings, a door of 10 000 people.

Each figure of issue 19's table, with its target, as a ratio where a floor exists:

(a) the door's name search in a meeting of 10 000 registrations: under 20 ms (median of
    the queries people type: a last name, a first name with an accent, an organisation,
    part of an address);
(b) a first scan at that door ÷ a first scan at a door of 100, paired, in the same run:
    at most 1.2 (the counter is on the meeting row, no COUNT in the scan);
(c) the programme page of 5 000 meetings served warm ÷ /healthz, requests per second on
    the same gunicorn: at least 0.5;
(d) the page built cold for a programme of 500 meetings ÷ rendering the same page from
    its data fetched beforehand: at most 2;
(e) the programme page's weight, its largest page (a month, or a part of a crowded one)
    at 5 000 meetings: under 150 KB;
(f) the slowest request of the run through gunicorn: under 1 s. The pages of the
    unfiltered programme are first built by the warm-up job a publication runs
    (`programme_pages_warm`, timed on its own; with Redis only, since without it each
    worker has its own cache), then each is fetched once, then warm under load; filtered
    pages are built by their first request; the door's search and scans at 10 000;
(g) the organiser documents at 10 000: `bench_documents` when it is there, else the row
    says it is skipped (`BENCH_SCALE_DOCUMENTS=0` skips it too).

It prints the load average before and after, and says beside a missed floor when the
machine was loaded. Run it as `.venv/bin/python -m tests.bench.bench_scale` (SQLite in a
temporary file), or with `DATABASE_URL=postgres://…` (a throwaway database beside it)
and `REDIS_URL` (the cache under a private prefix, removed at the end). A few minutes.

`BENCH_ONLY=cold` measures (d) alone (both programmes are built, the doors are not; about
a fifth of the time, to iterate on the cold page): the other rows are neither run nor
reported.
"""

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tests.bench import _harness as harness

YEAR, SMALL_YEAR = 2027, 2028
NETWORK = 5000
SMALL_PROGRAMME = 500
DOOR, SMALL_DOOR = 10_000, 100
SCANS = 100  # paired scans, one fresh ticket at each door per pair
SEARCHES = ("nom4242", "élodie", "commune 17", ".1234@bench", "prenom99 nom99")
SEARCH_CEILING_MS = 20
SCAN_CEILING = 1.2
WARM_FLOOR = 0.5
COLD_CEILING = 2.0
PAGE_CEILING_KB = 150
SLOWEST_CEILING_S = 1.0
FILTERED = ("theme=mobility", "country=BE")
SLOWEST_SHOWN = 8  # printed with their times, to say which request is the slowest and why
COLD_ROUNDS = 7
WARM_ROUNDS = 3
PROCESSES, THREADS = 4, 2
REQUESTS = 800
ZONE = "Europe/Brussels"
ONLY = os.environ.get("BENCH_ONLY", "")
if ONLY not in ("", "cold"):
    raise SystemExit(f"BENCH_ONLY is 'cold' or unset (everything), not {ONLY!r}")


def _environment_prepare(tmp: Path) -> None:
    harness.environment_prepare(tmp)
    os.environ["CACHE_KEY_PREFIX"] = f"bench-scale-{os.getpid()}"


# --- The data -------------------------------------------------------------------------------


def _meetings_create(programme, themes, organisations, count: int) -> list:
    """`count` published meetings through the programme's year, a theme and a host each."""
    from meetings.models import Meeting

    year = programme.year
    start = datetime(year, 1, 4, 9, 30, tzinfo=ZoneInfo(ZONE))
    step = timedelta(days=360) / count
    meetings = Meeting.objects.bulk_create(
        (
            Meeting(
                programme=programme,
                title_fr=f"Rencontre {n} : mobilité <b>&</b> emploi 🚲",
                title_nl=f"Ontmoeting {n}: mobiliteit & werk",
                starts_at=start + step * n,
                ends_at=start + step * n + timedelta(hours=3),
                time_zone=ZONE,
                venue_name="Hôtel de ville",
                venue_address="Grand-Place 1",
                venue_city="Mouscron",
                venue_country=("FR", "BE")[n % 2],
                host_organisation=organisations[n % len(organisations)],
                capacity=DOOR,
                status=Meeting.Status.PUBLISHED,
            )
            for n in range(count)
        ),
        batch_size=1000,
    )
    Meeting.themes.through.objects.bulk_create(
        (
            Meeting.themes.through(meeting=meeting, theme=themes[n % len(themes)])
            for n, meeting in enumerate(meetings)
        ),
        batch_size=2000,
    )
    return meetings


def _door_create(meeting, count: int) -> list[str]:
    """`count` confirmed registrations, their counter on the meeting; their tickets."""
    from django.utils import timezone

    from meetings.models import Meeting
    from registrations.models import Registration, search_text

    now = timezone.now()
    names = ("Élodie", "Jan", "Søren", "Marie", "Ahmed")
    rows = []
    for n in range(count):
        first, last = f"{names[n % 5]} Prénom{n}", f"Nom{n} <b>&</b> 🌻"
        organisation, email = f"Commune {n % 40}", f"door.{meeting.pk}.{n}@bench.example"
        rows.append(
            Registration(
                meeting=meeting,
                first_name=first,
                last_name=last,
                email=email,
                function="mayor",
                organisation_name=organisation,
                organisation_country=("FR", "BE")[n % 2],
                language="fr",
                privacy_consent_at=now,
                status=Registration.Status.CONFIRMED,
                confirmed_at=now,
                search_text=search_text(first, last, organisation, email),
            )
        )
    Registration.objects.bulk_create(rows, batch_size=2000)
    Meeting.objects.filter(pk=meeting.pk).update(seats_taken=count)
    return [row.ticket_secret for row in rows]


def _analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- In the process ---------------------------------------------------------------------


def _timed(function) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _search(door) -> tuple[bool, str]:
    from registrations.services.checkin import checkin_search

    times = []
    for _round in range(5):
        for query in SEARCHES:
            elapsed, found = _timed(lambda q=query: checkin_search(door, q))
            if not found:
                raise SystemExit(f"the door's search found nobody for {query!r}")
            times.append(elapsed * 1000)
    median = statistics.median(times)
    passed = median < SEARCH_CEILING_MS
    return passed, (
        f"(a) door search at {DOOR} registrations: {median:.1f} ms (median of {len(times)}, "
        f"slowest {max(times):.1f} ms; target < {SEARCH_CEILING_MS} ms) {harness.verdict(passed)}"
    )


def _scans(big, big_tickets, small, small_tickets, organiser) -> tuple[bool, str]:
    from registrations.services.checkin import Outcome, checkin_scan

    big_times, small_times = [], []
    for n in range(SCANS):
        small_time, small_result = _timed(
            lambda n=n: checkin_scan(small_tickets[n], meeting=small.pk, by=organiser)
        )
        big_time, big_result = _timed(
            lambda n=n: checkin_scan(big_tickets[n], meeting=big.pk, by=organiser)
        )
        if small_result.outcome != Outcome.CHECKED_IN or big_result.outcome != Outcome.CHECKED_IN:
            raise SystemExit("a first scan did not check its holder in")
        small_times.append(small_time)
        big_times.append(big_time)
    ratio = harness.paired_ratio(big_times[1:], small_times[1:])
    passed = ratio <= SCAN_CEILING
    return passed, (
        f"(b) first scan at {DOOR} ÷ at {SMALL_DOOR}: "
        f"{statistics.median(big_times) * 1000:.2f} ms ÷ "
        f"{statistics.median(small_times) * 1000:.2f} ms (medians of {SCANS} pairs); "
        f"median ratio {ratio:.2f} (ceiling ≤ {SCAN_CEILING}) {harness.verdict(passed)}"
    )


def _cold(today: date) -> tuple[bool, str]:
    """The page built cold (its payload: reads, render, gzip, cache write) ÷ rendering
    the same context, fetched beforehand."""
    from django.test import RequestFactory
    from django.utils import translation

    from meetings.cache import programme_generation_bump
    from meetings.programme_page import programme_context, programme_render
    from meetings.views import programme_detail

    request = RequestFactory().get(f"/fr/programme/{SMALL_YEAR}/")
    cold_times, render_times = [], []
    with translation.override("fr"):
        for round_ in range(COLD_ROUNDS + 1):
            programme_generation_bump()
            cold_time, response = _timed(lambda: programme_detail(request, SMALL_YEAR))
            context = programme_context(SMALL_YEAR, None, None, "", today)
            render_time, _html = _timed(lambda c=context: programme_render(SMALL_YEAR, c))
            if response.status_code != 200:
                raise SystemExit(f"the cold programme page answered {response.status_code}")
            if round_:
                cold_times.append(cold_time)
                render_times.append(render_time)
    ratio = harness.paired_ratio(cold_times, render_times)
    passed = ratio <= COLD_CEILING
    return passed, (
        f"(d) programme page cold at {SMALL_PROGRAMME} meetings ÷ rendering its data fetched "
        f"beforehand: {statistics.median(cold_times) * 1000:.0f} ms ÷ "
        f"{statistics.median(render_times) * 1000:.0f} ms; median ratio {ratio:.2f} "
        f"(ceiling ≤ {COLD_CEILING}) {harness.verdict(passed)}"
    )


def _warm_up() -> tuple[bool, str]:
    """What the worker's job does once meetings are published (`tasks.programme_caches_warm`):
    every page of the unfiltered programme built before anyone asks, so that none of the
    requests below builds one. A figure, not a floor."""
    from meetings.cache import programme_generation_bump
    from meetings.programme_page import programme_pages_warm

    programme_generation_bump()
    elapsed, built = _timed(lambda: programme_pages_warm(YEAR))
    return True, (
        f"(f) before the requests, the warm-up job of a publication: {built} pages of the "
        f"{NETWORK}-meeting programme (3 languages) built in {elapsed:.1f} s, "
        f"{elapsed / built * 1000:.0f} ms a page"
    )


# --- Through gunicorn -------------------------------------------------------------------


def _rate(pool, port: int, path: str, headers: dict) -> tuple[float, list[float]]:
    requests = [("GET", path, None, headers)] * REQUESTS
    rate, latencies, answers = harness.burst(
        pool, port, requests, processes=PROCESSES, threads=THREADS
    )
    failed = [status for status, _body in answers if status != 200]
    if failed:
        raise SystemExit(f"{path}: {len(failed)} of {REQUESTS} requests failed ({failed[0]})")
    return rate, latencies


def _served(database_url: str, big, big_tickets, key: str) -> list[tuple[bool, str]]:
    page = f"/fr/programme/{YEAR}/"
    gzip = {"Accept-Encoding": "gzip"}
    server, port = harness.gunicorn_start(
        database_url, ("--workers=2", "--worker-class=gthread", "--threads=4")
    )
    slowest: list[tuple[float, str]] = []

    def timed_get(path: str, headers: dict | None = None) -> tuple[int, bytes]:
        start = time.perf_counter()
        status, _etag, body = harness.get(port, path, headers)
        slowest.append((time.perf_counter() - start, path))
        return status, body

    try:
        status, body = timed_get(page)
        months = sorted(set(_links(body.decode(), "month")))
        sizes = [len(body)]
        for month in months:
            status, body = timed_get(f"{page}?month={month}")
            sizes.append(len(body))
            for part in sorted(set(_links(body.decode(), "part"))):
                status, body = timed_get(f"{page}?month={month}&part={part}")
                sizes.append(len(body))
        with ProcessPoolExecutor(PROCESSES) as pool:
            _rate(pool, port, page, gzip)  # every worker's cache warm
            page_rates, health_rates = [], []
            for _round in range(WARM_ROUNDS):
                health, latencies = _rate(pool, port, "/healthz", gzip)
                health_rates.append(health)
                rate, latencies = _rate(pool, port, page, gzip)
                page_rates.append(rate)
                slowest.append((max(latencies), f"{page} (warm, under load)"))
        # Filtered pages are not warmed: each is built by its first request.
        for query in FILTERED:
            timed_get(f"{page}?{query}")
            timed_get(f"{page}?{query}&{urlencode({'month': months[-1]})}")
        auth = {"Authorization": f"Bearer {key}"}
        for query in SEARCHES:
            timed_get(f"/api/meetings/{big.pk}/checkins/search?{urlencode({'q': query})}", auth)
        for secret in big_tickets[SCANS : SCANS + 20]:
            start = time.perf_counter()
            status, _answer = _post(
                port, "/api/checkins", {"secret": secret, "meeting": big.pk}, auth
            )
            slowest.append((time.perf_counter() - start, "POST /api/checkins"))
            if status != 200:
                raise SystemExit(f"a scan through gunicorn answered {status}")
    finally:
        harness.process_stop(server)
    ratio = harness.paired_ratio(page_rates, health_rates)
    warm_ok = ratio >= WARM_FLOOR
    largest = max(sizes) / 1000
    size_ok = largest < PAGE_CEILING_KB
    worst, where = max(slowest)
    print("slowest requests:", flush=True)
    for elapsed, path in sorted(slowest, reverse=True)[:SLOWEST_SHOWN]:
        print(f"  {elapsed * 1000:6.0f} ms  {path}", flush=True)
    slow_ok = worst < SLOWEST_CEILING_S
    return [
        (
            warm_ok,
            f"(c) programme page warm at {NETWORK} meetings ÷ /healthz, gunicorn 2 workers × 4 "
            f"threads, {PROCESSES * THREADS} clients: {statistics.median(page_rates):.0f} ÷ "
            f"{statistics.median(health_rates):.0f} req/s; median ratio {ratio:.2f} "
            f"(floor ≥ {WARM_FLOOR}) {harness.verdict(warm_ok)}",
        ),
        (
            size_ok,
            f"(e) programme page at {NETWORK} meetings: {len(months)} months in {len(sizes) - 1} "
            f"pages, the largest {largest:.0f} KB (target < {PAGE_CEILING_KB} KB) "
            f"{harness.verdict(size_ok)}",
        ),
        (
            slow_ok,
            f"(f) slowest request of {len(slowest)} timed: {worst * 1000:.0f} ms, {where} "
            f"(target < {SLOWEST_CEILING_S * 1000:.0f} ms) {harness.verdict(slow_ok)}",
        ),
    ]


def _links(html: str, name: str) -> list[str]:
    """The values of `name` in the page's links to its other months or parts."""
    import re

    return re.findall(rf'href="\?[^"]*\b{name}=([0-9-]+)"', html)


def _post(port: int, path: str, body: dict, headers: dict) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST", path, json.dumps(body), {"Content-Type": "application/json", **headers}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _organiser():
    from django.conf import settings
    from django.contrib.auth.models import Group, User

    from meetings.auth import api_key_create

    user = User.objects.create_user("bench-scale", first_name="Door", last_name="Bench")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get_or_create(name=settings.ORGANISERS_GROUP)[0])
    return user, api_key_create(user, name="bench")[1]


def _documents() -> tuple[bool, str]:
    bench = Path(__file__).with_name("bench_documents.py")
    if not bench.exists():
        return True, "(g) organiser documents: skipped, tests/bench/bench_documents.py is absent"
    if os.environ.get("BENCH_SCALE_DOCUMENTS") == "0":
        return True, "(g) organiser documents: skipped (BENCH_SCALE_DOCUMENTS=0)"
    print("(g) organiser documents: tests.bench.bench_documents follows", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_documents"], cwd=harness.ROOT, check=False
    )
    passed = done.returncode == 0
    return passed, f"(g) organiser documents (bench_documents above): {harness.verdict(passed)}"


def _measured(database_url: str, meetings: list, started: float) -> list[tuple[bool, str]]:
    """Every row but (g), once the doors are built beside the programmes."""
    from django.utils import timezone

    big, small = meetings[-2], meetings[-1]
    big_tickets = _door_create(big, DOOR)
    small_tickets = _door_create(small, SMALL_DOOR)
    _analyse()
    organiser, key = _organiser()
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return [
        _search(big),
        _scans(big, big_tickets, small, small_tickets, organiser),
        _cold(timezone.localdate()),
        _warm_up(),
        *_served(database_url, big, big_tickets, key),
    ]


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        _environment_prepare(Path(tmp))
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection
        from django.utils import timezone

        from meetings.models import Programme

        database_url, database_drop = harness.database_create()
        cache_name = "redis (shared)" if settings.REDIS_URL else "locmem (per worker)"
        print(
            f"Scale benchmark: database {connection.vendor}, cache {cache_name}, "
            f"load average {harness.load_average()}",
            flush=True,
        )
        try:
            programme, themes, organisations = harness.programme_create(YEAR)
            meetings = _meetings_create(programme, themes, organisations, NETWORK)
            (smaller,) = Programme.objects.bulk_create(
                [Programme(year=SMALL_YEAR, title_fr="Rencontres", status="published")]
            )
            _meetings_create(smaller, themes, organisations, SMALL_PROGRAMME)
            if ONLY == "cold":
                _analyse()
                print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
                results = [_cold(timezone.localdate())]
            else:
                results = _measured(database_url, meetings, started)
        finally:
            harness.cache_drop()
            connection.close()
            database_drop()
    if not ONLY:
        results.append(_documents())
    print(f"load average after: {harness.load_average()}")
    return harness.report(sorted(results, key=lambda r: r[1]), started)


if __name__ == "__main__":
    sys.exit(main())
