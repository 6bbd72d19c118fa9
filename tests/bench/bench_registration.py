"""Benchmark of a registration rush and of the door, on gunicorn and PostgreSQL.

(a) 64 clients at once register for one meeting through
    `POST /api/meetings/{id}/registrations`, each request a different person: at least
    20 % of the requests per second of /healthz (a bare Django view) on the same server in
    the same run, and no oversell: the capacity is below the number of requests, and
    afterwards exactly `capacity` are confirmed, `Meeting.seats_taken` says the same, and
    the rest hold waiting-list positions 1…n. Then the same 64 clients register at that
    floor's rate (paced, on another meeting): a p99 latency of at most 250 ms. (Sent back
    to back, 64 clients wait 64 / rate seconds on average, whatever the code: a p99 of
    250 ms there would need 256 registrations a second. That p99 is printed too.)
(b) The same 64 clients check in distinct confirmed tickets with an organiser's key
    through `POST /api/checkins`: at least 50 % of the same /healthz rate, one check-in
    each.

It prints the load average before and after, and a floor missed while the machine was
loaded says so ("FAIL (under load)", `_harness.verdict`).

Run it as `DATABASE_URL=postgres://postgres@127.0.0.1:5432/events .venv/bin/python -m
tests.bench.bench_registration`. It needs PostgreSQL (a throwaway test database is made
beside DATABASE_URL's and dropped at the end) and a spare, empty Redis database
(BENCH_REDIS_URL, by default redis://127.0.0.1:6379/7) for the delivery jobs each
registration queues: no worker runs, so they stay queued as they would in production
before a worker takes them; the database is flushed at the end. It exits non-zero on a
missed floor.

`BENCH_ONLY=checkin` measures the door alone (about half the time, to iterate on it): each
round's tickets are then bulk-inserted, confirmed, instead of registered through the API,
and (a) is neither run nor reported. `BENCH_ONLY=registration` measures the registration
burst alone, for the same reason: no check-in and no paced registrations, so (b) and the
paced p99 are neither run nor reported.
"""

import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.bench import _harness as harness

# 64 clients: 8 processes of 8 threads, so that the load generator is not one GIL.
PROCESSES = 8
THREADS = 8
CLIENTS = PROCESSES * THREADS
REGISTRATIONS = 8 * CLIENTS  # per round, one meeting per round
CAPACITY = 6 * CLIENTS  # below REGISTRATIONS: the last quarter goes on the waiting list
HEALTH_REQUESTS = 16 * CLIENTS
PACED_REGISTRATIONS = 4 * CLIENTS  # all confirmed: below CAPACITY
WARM_UP = 2 * CLIENTS
REGISTRATION_FLOOR = 0.2
CHECKIN_FLOOR = 0.5
# The paced registrations' rate, as a share of /healthz's: the p99 a person waits when the
# server is busy but not saturated.
PACED_SHARE = 0.10
P99_CEILING_MS = 250
# One process per core (the deployment this mimics has two), and threads that keep
# a core busy while a request waits on PostgreSQL, on the meeting's row lock or on Redis.
# BENCH_GUNICORN_OPTIONS tries another arrangement.
GUNICORN_OPTIONS = tuple(
    os.environ.get(
        "BENCH_GUNICORN_OPTIONS", "--workers=2 --worker-class=gthread --threads=4"
    ).split()
)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
ONLY = os.environ.get("BENCH_ONLY", "")
if ONLY not in ("", "checkin", "registration"):
    raise SystemExit(f"BENCH_ONLY is 'checkin', 'registration' or unset (everything), not {ONLY!r}")
REGISTRATIONS_MEASURED = ONLY != "checkin"
CHECKINS_MEASURED = ONLY != "registration"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
YEAR = 2027
ZONE = "Europe/Brussels"
FUNCTIONS = ("mayor", "burgomaster", "alderman", "officer", "councillor")
LANGUAGES = ("fr", "nl", "en")


# --- The load generator -------------------------------------------------------------------

Request = harness.Request


def _burst(pool: ProcessPoolExecutor, port: int, requests: list[Request], pace: float = 0.0):
    return harness.burst(pool, port, requests, processes=PROCESSES, threads=THREADS, pace=pace)


# --- Setting up -----------------------------------------------------------------------------


def _environment_prepare() -> str:
    """Check and set the environment before Django reads it; return the Redis URL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise SystemExit(
            "bench_registration needs PostgreSQL: set DATABASE_URL=postgres://… "
            f"(got {url or 'nothing, i.e. SQLite'}); SQLite serialises every write and "
            "would measure nothing a deployment does."
        )
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    harness.redis_check_empty([redis_url], "Set BENCH_REDIS_URL to a spare one.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")
    os.environ["REDIS_URL"] = redis_url
    os.environ.pop("REDIS_CACHE_URL", None)
    os.environ["CACHE_KEY_PREFIX"] = f"bench-registration-{os.getpid()}"
    # The API throttles anonymous registrations per address; every client here is one.
    os.environ["REGISTRATION_THROTTLE_RATE"] = ""
    return redis_url


def _meetings_create(count: int) -> list[int]:
    """Published meetings with open registration. Bulk inserts send no signals, so no
    feed job is queued."""
    from meetings.models import Meeting, Programme

    programme = Programme.objects.create(
        year=YEAR, title_fr=f"Rencontres {YEAR}", status=Programme.Status.PUBLISHED
    )
    starts_at = datetime(YEAR, 3, 12, 9, 30, tzinfo=ZoneInfo(ZONE))
    meetings = Meeting.objects.bulk_create(
        Meeting(
            programme=programme,
            title_fr=f"Rencontre {n} : mobilité & emploi",
            title_nl=f"Ontmoeting {n}: mobiliteit & werk",
            starts_at=starts_at + timedelta(days=7 * n),
            ends_at=starts_at + timedelta(days=7 * n, hours=3),
            time_zone=ZONE,
            venue_name="Hôtel de ville",
            venue_address="Grand-Place 1",
            venue_city="Mouscron",
            venue_country="BE",
            capacity=CAPACITY,
            status=Meeting.Status.PUBLISHED,
        )
        for n in range(count)
    )
    return [meeting.pk for meeting in meetings]


def _organiser_key() -> str:
    from django.conf import settings
    from django.contrib.auth.models import Group, User

    from meetings.auth import api_key_create

    user = User.objects.create_user(
        "bench-door", first_name="Door", last_name="Volunteer", is_staff=True
    )
    user.groups.add(Group.objects.get_or_create(name=settings.ORGANISERS_GROUP)[0])
    return api_key_create(user, name="bench")[1]


def _registrations(meeting_id: int, tag: str, count: int) -> list[Request]:
    path = f"/api/meetings/{meeting_id}/registrations"
    headers = {"Content-Type": "application/json"}
    return [
        (
            "POST",
            path,
            json.dumps(
                {
                    "first_name": f"Prénom{n}",
                    "last_name": f"Nom-{tag} <b>&</b> 🚲",
                    "email": f"{tag}.{n}@bench.example",
                    "function": FUNCTIONS[n % len(FUNCTIONS)],
                    "organisation_name": f"Commune {n % 40}",
                    "organisation_country": ("FR", "BE")[n % 2],
                    "language": LANGUAGES[n % len(LANGUAGES)],
                    "interpretation_needed": n % 5 == 0,
                    "interpretation_to": "nl" if n % 5 == 0 else "",
                    "dietary_notes": "végétarien" if n % 7 == 0 else "",
                    "share_contact": n % 2 == 0,
                    "privacy_consent": True,
                }
            ).encode(),
            headers,
        )
        for n in range(count)
    ]


def _tickets_create(meeting_id: int, count: int) -> None:
    """Confirmed registrations inserted in bulk, for a run of the door alone
    (`BENCH_ONLY=checkin`): what the registration burst leaves behind, for the scans."""
    from django.utils import timezone

    from registrations.models import Registration

    now = timezone.now()
    Registration.objects.bulk_create(
        Registration(
            meeting_id=meeting_id,
            first_name=f"Prénom{n}",
            last_name=f"Nom <b>&</b> 🚲 {meeting_id}",
            email=f"door.{meeting_id}.{n}@bench.example",
            function=FUNCTIONS[n % len(FUNCTIONS)],
            organisation_name=f"Commune {n % 40}",
            organisation_country=("FR", "BE")[n % 2],
            language=LANGUAGES[n % len(LANGUAGES)],
            privacy_consent_at=now,
            status=Registration.Status.CONFIRMED,
            confirmed_at=now,
        )
        for n in range(count)
    )


def _checkins(meeting_id: int, key: str) -> list[Request]:
    from registrations.models import Registration

    secrets = Registration.objects.filter(
        meeting_id=meeting_id, status=Registration.Status.CONFIRMED
    ).values_list("ticket_secret", flat=True)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    return [
        (
            "POST",
            "/api/checkins",
            json.dumps({"secret": s, "meeting": meeting_id}).encode(),
            headers,
        )
        for s in secrets
    ]


# --- Checking -------------------------------------------------------------------------------


def _registrations_check(meeting_id: int, answers: list[tuple[int, bytes]]) -> list[str]:
    """What went wrong in one burst: refused requests, oversell, waiting-list gaps."""
    from meetings.models import Meeting
    from registrations.models import Registration

    problems = []
    refused = [(status, body[:200]) for status, body in answers if status != 201]
    if refused:
        problems.append(f"{len(refused)} requests not 201, e.g. {refused[0]}")
    bodies = [json.loads(body) for status, body in answers if status == 201]
    answered_confirmed = sum(b["status"] == "confirmed" for b in bodies)
    positions = sorted(b["waitlist_position"] for b in bodies if b["status"] == "waitlisted")
    expected_confirmed = min(CAPACITY, len(answers))
    meeting = Meeting.objects.get(pk=meeting_id)
    confirmed = Registration.objects.filter(
        meeting_id=meeting_id, status=Registration.Status.CONFIRMED
    ).count()
    if not (confirmed == expected_confirmed == answered_confirmed):
        problems.append(
            f"{confirmed} confirmed in the database, {answered_confirmed} answered, "
            f"expected {expected_confirmed}"
        )
    if meeting.seats_taken != confirmed or meeting.seats_taken > meeting.capacity:
        problems.append(
            f"seats_taken {meeting.seats_taken}, {confirmed} confirmed, capacity {meeting.capacity}"
        )
    if positions != list(range(1, len(answers) - expected_confirmed + 1)):
        problems.append(f"waiting-list positions are not 1…{len(answers) - expected_confirmed}")
    return problems


def _checkins_check(meeting_id: int, answers: list[tuple[int, bytes]]) -> list[str]:
    from registrations.models import CheckIn

    problems = []
    wrong = [
        (status, body[:200])
        for status, body in answers
        if status != 200 or json.loads(body)["outcome"] != "checked_in"
    ]
    if wrong:
        problems.append(f"{len(wrong)} scans not checked_in, e.g. {wrong[0]}")
    made = CheckIn.objects.filter(registration__meeting_id=meeting_id).count()
    if made != len(answers):
        problems.append(f"{made} check-ins for {len(answers)} scans")
    return problems


# --- The run --------------------------------------------------------------------------------


def _measure(database_url: str) -> list[tuple[bool, str]]:
    from django.conf import settings

    meeting_ids = _meetings_create(2 * ROUNDS + 1)
    key = _organiser_key()
    health = [("GET", "/healthz", None, {})] * HEALTH_REQUESTS
    # Persistent database connections come from the settings (CONN_MAX_AGE), as in a
    # deployment: without them every request would open one, a fork on the server.
    server, port = harness.gunicorn_start(database_url, GUNICORN_OPTIONS)
    health_rates, registration_rates, checkin_rates = [], [], []
    registration_latencies, checkin_latencies, paced_latencies, problems = [], [], [], []
    checkin_problems = []
    try:
        with ProcessPoolExecutor(PROCESSES) as pool:
            # Warm-up: imports, translations, connections to Redis, in every worker.
            warm_id = meeting_ids[0]
            _burst(pool, port, health[:WARM_UP])
            if REGISTRATIONS_MEASURED:
                _burst(pool, port, _registrations(warm_id, "warm", WARM_UP))
            else:
                _tickets_create(warm_id, WARM_UP)
            if CHECKINS_MEASURED:
                _burst(pool, port, _checkins(warm_id, key)[:WARM_UP])
            for round_ in range(ROUNDS):
                meeting_id, paced_id = meeting_ids[1 + 2 * round_ : 3 + 2 * round_]
                health_rate, _latencies, answers = _burst(pool, port, health)
                if any(status != 200 for status, _body in answers):
                    raise SystemExit("/healthz failed under load")
                health_rates.append(health_rate)
                if not REGISTRATIONS_MEASURED:
                    _tickets_create(meeting_id, CAPACITY)
                    rate, latencies, answers = _burst(pool, port, _checkins(meeting_id, key))
                    checkin_rates.append(rate)
                    checkin_latencies += latencies
                    checkin_problems += _checkins_check(meeting_id, answers)
                    continue
                requests = _registrations(meeting_id, f"r{round_}", REGISTRATIONS)
                rate, latencies, answers = _burst(pool, port, requests)
                registration_rates.append(rate)
                registration_latencies += latencies
                problems += _registrations_check(meeting_id, answers)
                if not CHECKINS_MEASURED:
                    continue
                rate, latencies, answers = _burst(pool, port, _checkins(meeting_id, key))
                checkin_rates.append(rate)
                checkin_latencies += latencies
                checkin_problems += _checkins_check(meeting_id, answers)
                # Each client one registration every `pace` s: the floor's rate in all.
                pace = CLIENTS / (PACED_SHARE * health_rate)
                requests = _registrations(paced_id, f"p{round_}", PACED_REGISTRATIONS)
                _rate, latencies, answers = _burst(pool, port, requests, pace=pace)
                paced_latencies += latencies
                problems += _registrations_check(paced_id, answers)
    finally:
        harness.process_stop(server)

    def ms(latencies, fraction):
        return harness.percentile(latencies, fraction) * 1000

    health_rate = statistics.median(health_rates)
    options = " ".join(option.removeprefix("--") for option in GUNICORN_OPTIONS)
    results = [
        (
            True,
            f"floor: /healthz {health_rate:.0f} req/s, gunicorn {options}, "
            f"CONN_MAX_AGE {settings.DATABASES['default']['CONN_MAX_AGE']}, {CLIENTS} clients, "
            f"{HEALTH_REQUESTS} requests (median of {ROUNDS})",
        )
    ]
    # Each burst is paired with the /healthz burst just before it.
    if REGISTRATIONS_MEASURED:
        registration_ratio = harness.paired_ratio(registration_rates, health_rates)
        registration_ok = registration_ratio >= REGISTRATION_FLOOR
        results.append(
            (
                registration_ok,
                f"(a) registration burst, {REGISTRATIONS} people for {CAPACITY} seats: "
                f"{statistics.median(registration_rates):.0f} req/s (median of {ROUNDS}); "
                f"median ratio {registration_ratio:.2f} (floor ≥ {REGISTRATION_FLOOR}); "
                f"back to back p50 {ms(registration_latencies, 0.5):.0f} ms, "
                f"p99 {ms(registration_latencies, 0.99):.0f} ms "
                f"{harness.verdict(registration_ok)}",
            )
        )
    if REGISTRATIONS_MEASURED and CHECKINS_MEASURED:
        p99 = ms(paced_latencies, 0.99)
        paced_ok = p99 <= P99_CEILING_MS
        results.append(
            (
                paced_ok,
                f"(a) registrations paced at {PACED_SHARE:.0%} of /healthz's rate, "
                f"{PACED_REGISTRATIONS} a round: p50 {ms(paced_latencies, 0.5):.0f} ms, "
                f"p99 {p99:.0f} ms (ceiling {P99_CEILING_MS} ms) {harness.verdict(paced_ok)}",
            )
        )
    if REGISTRATIONS_MEASURED:
        results.append(
            (
                not problems,
                f"(a) no oversell: {CAPACITY} confirmed = seats_taken ≤ capacity, waiting list "
                f"1…{REGISTRATIONS - CAPACITY}, every round "
                + ("PASS" if not problems else "FAIL: " + "; ".join(problems[:5])),
            )
        )
    if CHECKINS_MEASURED:
        checkin_ratio = harness.paired_ratio(checkin_rates, health_rates)
        checkin_ok = checkin_ratio >= CHECKIN_FLOOR and not checkin_problems
        results.append(
            (
                checkin_ok,
                f"(b) check-in, {CAPACITY} distinct tickets a round: "
                f"{statistics.median(checkin_rates):.0f} req/s (median of {ROUNDS}); "
                f"median ratio {checkin_ratio:.2f} (floor ≥ {CHECKIN_FLOOR}); "
                f"p50 {ms(checkin_latencies, 0.5):.0f} ms, "
                f"p99 {ms(checkin_latencies, 0.99):.0f} ms "
                + harness.verdict(checkin_ok)
                + "".join(f"; {p}" for p in checkin_problems[:5]),
            )
        )
    return results


def main() -> int:
    redis_url = _environment_prepare()
    import django

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    database_url, database_drop = harness.database_create()
    print(
        f"Registration benchmark: PostgreSQL, delivery jobs queued in {redis_url} (no worker), "
        f"load average {harness.load_average()}"
    )
    try:
        results = _measure(database_url)
    finally:
        connection.close()
        database_drop()
        harness.redis_empty([redis_url])
    results.append((True, f"load average after: {harness.load_average()}"))
    return harness.report(results, started)


if __name__ == "__main__":
    sys.exit(main())
