"""Benchmark of the embedded default, as `make run` starts it: Django's runserver, one
Celery worker on the filesystem broker, SQLite, in a var/ of its own (no PostgreSQL, no
Redis, whatever the environment says).

(a) Registrations: 16 clients (2 processes × 8 threads) register different people for one
    meeting through `POST /api/meetings/{id}/registrations`, while the worker sends each
    confirmation: registrations per second, against /healthz's requests per second on
    the same server in the same round (floor: 5 %).
(b) Email: one `POST /api/meetings/{id}/invitations` for 1 000 people, timed from the
    request until an SMTP server on loopback (aiosmtpd) has accepted the last invitation:
    emails per minute, against a plain smtplib loop sending 1 000 short messages to the
    same server over one connection (floor: 5 %).

Run it as `.venv/bin/python -m tests.bench.bench_embedded`. It prints both figures and
exits non-zero on a missed floor; `tests/bench/README.md` keeps the runs.
"""

import json
import smtplib
import statistics
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.bench import _harness as harness
from tests.bench.bench_registration import _registrations
from tests.embedded import EmbeddedSite
from tests.integration.smtp_sink import SmtpSink

ROUNDS = 3
PROCESSES, THREADS = 2, 8
REGISTRATIONS = 256
HEALTH_REQUESTS = 512
INVITEES = 1000
REGISTRATION_FLOOR = 0.05
EMAIL_FLOOR = 0.05

SETUP = """
import json
from datetime import timedelta
from django.contrib.auth.models import Group, User
from django.conf import settings
from django.utils import timezone
from meetings.auth import api_key_create
from tests.factories import MeetingFactory, PersonFactory, ProgrammeFactory, cross_border_pair

starts = timezone.now() + timedelta(days=60)
programme = ProgrammeFactory(year=timezone.localtime(starts).year)
meetings = []
for _ in range(%(meetings)d):
    meeting = MeetingFactory(
        programme=programme, starts_at=starts, ends_at=starts + timedelta(hours=3),
        capacity=100000,
    )
    cross_border_pair(meeting)
    meetings.append(meeting.pk)
people = [PersonFactory(email=f"invited{n}@bench.example") for n in range(%(invitees)d)]
organiser = User.objects.create_user("organiser", is_staff=True)
organiser.groups.add(Group.objects.get_or_create(name=settings.ORGANISERS_GROUP)[0])
print(json.dumps({
    "meetings": meetings,
    "people": [person.pk for person in people],
    "key": api_key_create(organiser, "bench")[1],
}))
"""


def _received(sink: SmtpSink, marker: str) -> int:
    with sink.handler.lock:
        return sum(marker in (m["To"] or "") for m in sink.handler.messages)


def _registration_round(pool, site, port, meeting: int, tag: str) -> tuple[float, float]:
    health = [("GET", "/healthz", None, {})] * HEALTH_REQUESTS
    health_rate, _latencies, _answers = harness.burst(
        pool, port, health, processes=PROCESSES, threads=THREADS
    )
    requests = _registrations(meeting, tag, REGISTRATIONS)
    rate, _latencies, answers = harness.burst(
        pool, port, requests, processes=PROCESSES, threads=THREADS
    )
    refused = [status for status, _body in answers if status != 201]
    if refused:
        raise SystemExit(f"registrations refused: {refused[:5]}")
    return rate, health_rate


def _email_round(site, sink: SmtpSink, meeting: int, data: dict) -> tuple[float, float]:
    """Seconds for the invitations through the worker, then for the smtplib loop."""
    request = urllib.request.Request(  # noqa: S310 - our own loopback site
        f"{site.url}/api/meetings/{meeting}/invitations",
        data=json.dumps({"people": data["people"]}).encode(),
        headers={"Authorization": f"Bearer {data['key']}", "Content-Type": "application/json"},
        method="POST",
    )
    before = _received(sink, "invited")
    started = time.perf_counter()
    urllib.request.urlopen(request, timeout=120).read()  # noqa: S310
    site.wait(lambda: _received(sink, "invited") >= before + INVITEES, "the invitations", 600)
    pipeline = time.perf_counter() - started
    before = _received(sink, "loop")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for n in range(INVITEES):
            to = f"loop{n}@bench.example"
            smtp.sendmail("bench@localhost", [to], f"To: {to}\r\nSubject: floor\r\n\r\nHi\r\n")
    site.wait(lambda: _received(sink, "loop") >= before + INVITEES, "the loop", 120)
    return pipeline, time.perf_counter() - started


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-embedded-") as tmp, SmtpSink() as sink:
        site = EmbeddedSite(Path(tmp), sink.url, REGISTRATION_THROTTLE_RATE="")
        site.run("migrate", "--noinput")
        script = SETUP % {"meetings": 2 * ROUNDS, "invitees": INVITEES}
        data = json.loads(site.run(script=script).splitlines()[-1])
        port = harness.free_port()
        site.start("web", "worker", port=port)
        try:
            with ProcessPoolExecutor(PROCESSES) as pool:
                registrations = [
                    _registration_round(pool, site, port, meeting, f"reg{n}")
                    for n, meeting in enumerate(data["meetings"][:ROUNDS])
                ]
            # The worker sends the confirmations before the invitations are timed.
            site.wait(
                lambda: _received(sink, "reg") >= ROUNDS * REGISTRATIONS, "confirmations", 600
            )
            emails = [
                _email_round(site, sink, meeting, data) for meeting in data["meetings"][ROUNDS:]
            ]
        finally:
            site.stop()
    registration_ratio = harness.paired_ratio(*zip(*registrations, strict=True))
    email_ratio = harness.paired_ratio(*zip(*[(loop, pipe) for pipe, loop in emails], strict=True))
    per_minute = statistics.median(60 * INVITEES / pipe for pipe, _loop in emails)
    return harness.report(
        [
            (
                registration_ratio >= REGISTRATION_FLOOR,
                "(a) registrations: "
                + ", ".join(f"{rate:.0f}" for rate, _health in registrations)
                + " /s against /healthz "
                + ", ".join(f"{health:.0f}" for _rate, health in registrations)
                + f" req/s; ratio {registration_ratio:.2f} (floor ≥ {REGISTRATION_FLOOR}) "
                + ("PASS" if registration_ratio >= REGISTRATION_FLOOR else "FAIL"),
            ),
            (
                email_ratio >= EMAIL_FLOOR,
                f"(b) email: {INVITEES} invitations in "
                + ", ".join(f"{pipe:.1f}" for pipe, _loop in emails)
                + f" s, median {per_minute:.0f} emails/min; smtplib loop "
                + ", ".join(f"{loop:.2f}" for _pipe, loop in emails)
                + f" s; ratio {email_ratio:.2f} (floor ≥ {EMAIL_FLOOR}) "
                + ("PASS" if email_ratio >= EMAIL_FLOOR else "FAIL"),
            ),
        ],
        started,
    )


if __name__ == "__main__":
    sys.exit(main())
