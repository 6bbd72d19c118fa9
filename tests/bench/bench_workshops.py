"""Benchmark of a workshop in full swing: 200 phones polling its timer, then posting.

(a) The floor: requests per second of /healthz, a bare Django view, on the same server,
    from the same 200 clients, just before each measured burst.
(b) `GET /api/workshops/{id}/timer` from 200 phones with table tokens, half of them
    sending the current ETag in `If-None-Match` (304), back to back: at least 80 % of the
    floor. Then the same 200 phones polling once a second each, as the phone page does:
    a p99 latency under 25 ms, which holds when /healthz's own p99 at the same pace is
    under 5 ms (printed beside it: what the machine's own load adds).
(c) `POST /api/workshops/{id}/contributions` from the same phones, back to back, with
    the throttles off (every client comes from one machine): at least 20 % of the floor,
    every post-it stored.

Run it as `.venv/bin/python -m tests.bench.bench_workshops`. It serves with gunicorn
against the configured database: a temporary SQLite file by default, or a throwaway test
database beside DATABASE_URL's (created and dropped like Django's test runner does). With
REDIS_URL, the cache is that Redis under a private key prefix; without it, each worker's
own LocMem cache. It exits non-zero on a missed floor. It prints the load average before
and after, and a floor missed while the machine was loaded says so ("FAIL (under load)").

`BENCH_ONLY=timer` measures the timer's polls alone (about half the time, to iterate on
them): no post-its, so (c) is neither run nor reported.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.bench import _harness as harness

PROCESSES = 8
THREADS = 25
PHONES = PROCESSES * THREADS  # 200
TABLES = 25  # eight phones a table
ROUNDS = 3
POLLS_PER_PHONE = 10  # back to back, per round
POSTITS_PER_PHONE = 4  # per round
POLL_INTERVAL_S = 1.0
PACED_POLLS = 10  # per phone: ten seconds of polling
TIMER_FLOOR = 0.8
POSTIT_FLOOR = 0.2
P99_CEILING_MS = 25
# The paced p99 ceiling holds while /healthz's own paced p99 is under this: above it, the
# machine's other jobs are what the phones wait for.
QUIET_P99_MS = 5
GUNICORN_OPTIONS = ("--workers=2", "--worker-class=gthread", "--threads=4")
SERVER_DATABASE_OPTIONS = "conn_max_age=60"
ONLY = os.environ.get("BENCH_ONLY", "")
if ONLY not in ("", "timer"):
    raise SystemExit(f"BENCH_ONLY is 'timer' or unset (everything), not {ONLY!r}")
POSTITS_MEASURED = ONLY != "timer"
YEAR = 2027
ZONE = "Europe/Brussels"


def _environment_prepare(tmp: Path) -> None:
    """Point settings at throwaway storage, the cache under a private key prefix, and the
    throttles off, before Django reads them."""
    harness.environment_prepare(tmp)
    os.environ["CACHE_KEY_PREFIX"] = f"bench-workshops-{os.getpid()}"
    os.environ["WORKSHOP_TABLE_THROTTLE_RATE"] = ""
    os.environ["WORKSHOP_DEVICE_THROTTLE_RATE"] = ""


def _workshop_create():
    """A workshop on the clock: three rounds, the first running, 25 tables.

    The meeting is bulk-inserted: no signal, so no feed job for a broker."""
    from meetings.models import Meeting, Programme
    from workshops.services.plan import question_create, round_create
    from workshops.services.tables import tables_create
    from workshops.services.timer import timer_act
    from workshops.services.workshops import workshop_create

    programme = Programme.objects.create(
        year=YEAR, title_fr="Rencontres", status=Programme.Status.PUBLISHED
    )
    starts_at = datetime(YEAR, 3, 12, 9, 30, tzinfo=ZoneInfo(ZONE))
    (meeting,) = Meeting.objects.bulk_create(
        [
            Meeting(
                programme=programme,
                title_fr="Rencontre : mobilité & emploi",
                starts_at=starts_at,
                ends_at=starts_at.replace(hour=12),
                time_zone=ZONE,
                venue_name="Hôtel de ville",
                venue_address="Grand-Place 1",
                venue_city="Mouscron",
                venue_country="BE",
                capacity=250,
                status=Meeting.Status.PUBLISHED,
            )
        ]
    )
    workshop = workshop_create(meeting, title_fr="Mobilité <b>&</b> 🚲", title_nl="Mobiliteit")
    question = question_create(
        workshop,
        text_fr="Comment relier nos communes ?",
        text_nl="Hoe verbinden we onze gemeenten?",
    )
    for title in ("Écriture", "Discussion", "Vote"):
        round_create(workshop, title_fr=title, duration_s=3600, question=question)
    tables = tables_create(workshop, TABLES)
    # Outside a test the after-commit work runs at once: the state is cached (shared
    # with the server through Redis; without it each worker builds its own).
    timer_act(workshop, "start")
    return workshop, tables


def _phones(tables) -> list[dict[str, str]]:
    """Each phone's headers: its table's token and the identity its page would give it."""
    from workshops.devices import device_issue

    return [
        {"X-Table-Token": table.token, "X-Device": device_issue(table.pk, table.token)}
        for table in (tables[n % len(tables)] for n in range(PHONES))
    ]


def _polls(workshop_id: int, phones: list[dict[str, str]], etag: str, per_phone: int):
    """Each phone's polls; every other phone sends the ETag it was last given."""
    path = f"/api/workshops/{workshop_id}/timer"
    requests = []
    for _round in range(per_phone):
        for n in range(PHONES):
            headers = dict(phones[n])
            if n % 2:
                headers["If-None-Match"] = etag
            requests.append(("GET", path, None, headers))
    return requests


def _postits(workshop_id: int, phones: list[dict[str, str]], tag: str):
    path = f"/api/workshops/{workshop_id}/contributions"
    requests = []
    for k in range(POSTITS_PER_PHONE):
        for n in range(PHONES):
            body = {"text": f"Idée {tag}-{n}-{k} : un bus de nuit <b>&</b> 🚌", "author": ""}
            headers = {**dict(phones[n]), "Content-Type": "application/json"}
            requests.append(("POST", path, json.dumps(body).encode(), headers))
    return requests


def _measure(database_url: str) -> list[tuple[bool, str]]:
    from workshops.models import Contribution

    workshop, tables = _workshop_create()
    phones = _phones(tables)
    health = [("GET", "/healthz", None, {})] * (PHONES * POLLS_PER_PHONE)
    separator = "&" if "?" in database_url else "?"
    server, port = harness.gunicorn_start(
        f"{database_url}{separator}{SERVER_DATABASE_OPTIONS}", GUNICORN_OPTIONS
    )

    def burst(requests, pace=0.0):
        return harness.burst(pool, port, requests, processes=PROCESSES, threads=THREADS, pace=pace)

    health_rates, timer_rates, postit_rates, problems = [], [], [], []
    health_latencies, timer_latencies, postit_latencies = [], [], []
    try:
        status, etag, _body = harness.get(port, f"/api/workshops/{workshop.pk}/timer", phones[0])
        if status != 200 or not etag:
            raise SystemExit(f"the timer answered {status} without an ETag")
        polls = _polls(workshop.pk, phones, etag, POLLS_PER_PHONE)
        with ProcessPoolExecutor(PROCESSES) as pool:
            # Warm-up: imports, connections, and every token in every worker's cache.
            burst(health[: 2 * PHONES])
            burst(polls[: 2 * PHONES])
            if POSTITS_MEASURED:
                burst(_postits(workshop.pk, phones, "warm")[:PHONES])
            for round_ in range(ROUNDS):
                rate, latencies, answers = burst(health)
                if any(status != 200 for status, _body in answers):
                    raise SystemExit("/healthz failed under load")
                health_rates.append(rate)
                health_latencies += latencies
                rate, latencies, answers = burst(polls)
                timer_rates.append(rate)
                timer_latencies += latencies
                statuses = [status for status, _body in answers]
                if statuses.count(304) != len(polls) // 2 or statuses.count(200) != len(polls) // 2:
                    problems.append(
                        f"polls: {len(polls) // 2} × 200 and 304 expected, got "
                        f"{ {s: statuses.count(s) for s in set(statuses)} }"
                    )
                if not POSTITS_MEASURED:
                    continue
                before = Contribution.objects.count()
                requests = _postits(workshop.pk, phones, f"r{round_}")
                rate, latencies, answers = burst(requests)
                postit_rates.append(rate)
                postit_latencies += latencies
                refused = [(status, body[:200]) for status, body in answers if status != 201]
                stored = Contribution.objects.count() - before
                if refused or stored != len(requests):
                    problems.append(
                        f"post-its: {stored} stored of {len(requests)}, "
                        f"{len(refused)} refused, e.g. {refused[:1]}"
                    )
            # The same pace on /healthz first: what the machine's own load adds to a p99.
            _rate, paced_health, _answers = burst(
                health[: PHONES * PACED_POLLS], pace=POLL_INTERVAL_S
            )
            paced = _polls(workshop.pk, phones, etag, PACED_POLLS)
            _rate, paced_latencies, answers = burst(paced, pace=POLL_INTERVAL_S)
            if any(status not in (200, 304) for status, _body in answers):
                problems.append("paced polls: some were neither 200 nor 304")
    finally:
        harness.process_stop(server)

    def ms(latencies, fraction=0.99):
        return harness.percentile(latencies, fraction) * 1000

    # Each burst is paired with the /healthz burst just before it.
    timer_ratio = harness.paired_ratio(timer_rates, health_rates)
    paced_p99 = ms(paced_latencies)
    timer_ok = timer_ratio >= TIMER_FLOOR
    paced_ok = paced_p99 < P99_CEILING_MS
    health_paced_p99 = ms(paced_health)
    paced_verdict = harness.verdict(paced_ok)
    if not paced_ok and health_paced_p99 >= QUIET_P99_MS:
        paced_verdict = f"FAIL (under load: /healthz's own p99 ≥ {QUIET_P99_MS} ms)"
    options = " ".join(option.removeprefix("--") for option in GUNICORN_OPTIONS)
    results = [
        (
            True,
            f"(a) floor: /healthz {statistics.median(health_rates):.0f} req/s (median of "
            f"{ROUNDS}), p99 {ms(health_latencies):.0f} ms; gunicorn {options}, "
            f"{SERVER_DATABASE_OPTIONS}, {PHONES} clients back to back, a new connection "
            "each request",
        ),
        (
            timer_ok,
            f"(b) timer polls, {PHONES} phones on {TABLES} tables, half with If-None-Match: "
            f"{statistics.median(timer_rates):.0f} req/s; median ratio {timer_ratio:.2f} "
            f"(floor ≥ {TIMER_FLOOR}); p99 {ms(timer_latencies):.0f} ms back to back "
            f"{harness.verdict(timer_ok)}",
        ),
        (
            paced_ok,
            f"(b) timer polls, {PHONES} phones once a second for {PACED_POLLS} s: "
            f"p50 {ms(paced_latencies, 0.5):.1f} ms, p99 {paced_p99:.1f} ms "
            f"(ceiling < {P99_CEILING_MS} ms; /healthz at the same pace: p50 "
            f"{ms(paced_health, 0.5):.1f} ms, p99 {health_paced_p99:.1f} ms) {paced_verdict}",
        ),
    ]
    if POSTITS_MEASURED:
        postit_ratio = harness.paired_ratio(postit_rates, health_rates)
        postit_ok = postit_ratio >= POSTIT_FLOOR
        results.append(
            (
                postit_ok,
                f"(c) post-its, {PHONES} phones × {POSTITS_PER_PHONE}: "
                f"{statistics.median(postit_rates):.0f} req/s; median ratio {postit_ratio:.2f} "
                f"(floor ≥ {POSTIT_FLOOR}); p50 {ms(postit_latencies, 0.5):.0f} ms, "
                f"p99 {ms(postit_latencies):.0f} ms {harness.verdict(postit_ok)}",
            )
        )
    answered = "every poll 200 or 304 as sent" + (
        ", every post-it 201 and stored" if POSTITS_MEASURED else ""
    )
    results.append(
        (
            not problems,
            f"answers: {answered} "
            + ("PASS" if not problems else "FAIL: " + "; ".join(problems[:5])),
        )
    )
    return results


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-workshops-") as tmp:
        _environment_prepare(Path(tmp))
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        started = time.perf_counter()
        database_url, database_drop = harness.database_create()
        cache = "redis (shared)" if settings.REDIS_URL else "locmem (per worker)"
        print(
            f"Workshop benchmark: database {connection.vendor}, cache {cache}, "
            f"load average {harness.load_average()}"
        )
        try:
            results = _measure(database_url)
        finally:
            harness.cache_drop()
            connection.close()
            database_drop()
    results.append((True, f"load average after: {harness.load_average()}"))
    return harness.report(results, started)


if __name__ == "__main__":
    sys.exit(main())
