"""Benchmark of the email pipeline: a fan-out of 5 000 invitations, end to end.

One call of `meeting_invite` invites the 5 000 mayors and burgomasters of the directory:
it writes 5 000 outbox rows, the `tasks.deliver` jobs go through Redis to ONE Celery
worker, started as deployed (`celery -A events_site worker`: the prefork pool, a process
per core), which claims, renders and sends each invitation to an SMTP server on loopback
(aiosmtpd, in a process of its own). The clock runs from the call until the server has
accepted the last message. `BENCH_WORKER_OPTIONS="--pool=solo"` measures a single
process instead.

The floor, measured in the same run against the same server: a plain smtplib loop that
sends the same messages, rendered beforehand by the same renderer exactly as the worker
builds them, over one connection. The pipeline must reach at least half its rate, with
the outbox's guarantees (claim before send, one row per claim, marked sent right after
each send) and the rendering.

Run it as `REDIS_URL=redis://127.0.0.1:6379 .venv/bin/python -m tests.bench.bench_outbox`
(add `DATABASE_URL=postgres://…` to run on PostgreSQL). REDIS_URL is required; the
benchmark uses two spare databases on that server (5 and 6, or BENCH_REDIS_DBS="7,8"),
refuses them unless they are empty, and empties them at the end. The database is a
throwaway one: a temporary SQLite file, or a test database next to DATABASE_URL's. It
exits non-zero on a missed floor.
"""

import multiprocessing
import os
import re
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tests.bench import _harness as harness

INVITEES = 5000
ROUNDS = 3
FLOOR = 0.5
# Paired rounds are added while the run stays within this many seconds.
BUDGET_S = 150
# A round that takes longer than this has failed, whatever the reason.
ROUND_TIMEOUT_S = 120
WARM_UP_INVITEES = 50
YEAR = 2027
ZONE = "Europe/Brussels"
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.MULTILINE | re.IGNORECASE)


# --- The SMTP server, in a process of its own --------------------------------------------


class _CountingHandler:
    """Accepts everything and remembers, cheaply, who got which Message-ID.

    It stays light on purpose: a slow server would hide the pipeline's own cost behind
    its own, and make the floor easy.
    """

    def __init__(self, counter):
        self.counter = counter
        self.received: list[tuple[str, bytes, int]] = []

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        headers = data[: data.find(b"\r\n\r\n")]
        found = MESSAGE_ID.search(headers)
        for recipient in envelope.rcpt_tos:
            self.received.append((recipient, found.group(1) if found else b"", len(data)))
        self.counter.value += 1
        return "250 Message accepted for delivery"


def _sink_serve(port: int, commands, counter) -> None:
    """Serve SMTP on `port` until told to stop; "take" returns and forgets what came in."""
    from aiosmtpd.controller import Controller

    handler = _CountingHandler(counter)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    commands.send("ready")
    try:
        while True:
            command = commands.recv()
            if command == "take":
                received, handler.received = handler.received, []
                counter.value = 0
                commands.send(received)
            else:
                break
    finally:
        controller.stop()


class Sink:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.port = harness.free_port()
        self.counter = context.RawValue("q", 0)
        self.commands, theirs = context.Pipe()
        self.process = context.Process(
            target=_sink_serve, args=(self.port, theirs, self.counter), daemon=True
        )

    def __enter__(self):
        self.process.start()
        if not self.commands.poll(30) or self.commands.recv() != "ready":
            raise SystemExit("the SMTP sink did not start within 30 s")
        return self

    def __exit__(self, *exc):
        self.commands.send("stop")
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()

    @property
    def count(self) -> int:
        """Messages accepted since the last `take()`."""
        return self.counter.value

    def take(self) -> list[tuple[str, bytes, int]]:
        """(recipient, Message-ID, size) of every message accepted since the last call."""
        self.commands.send("take")
        return self.commands.recv()


# --- Environment: Redis, the database, the worker -----------------------------------------


def _redis_urls() -> tuple[str, str]:
    """Two spare databases on REDIS_URL's server: the broker's and the cache's."""
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        raise SystemExit(
            "bench_outbox needs a real Redis: set REDIS_URL, e.g. "
            "REDIS_URL=redis://127.0.0.1:6379 .venv/bin/python -m tests.bench.bench_outbox"
        )
    broker_db, cache_db = os.environ.get("BENCH_REDIS_DBS", "5,6").split(",")
    parts = urlsplit(url)
    return (
        parts._replace(path=f"/{int(broker_db)}").geturl(),
        parts._replace(path=f"/{int(cache_db)}").geturl(),
    )


def _environment_prepare(tmp: Path, redis_urls: tuple[str, str], sink_port: int) -> None:
    """Point settings at throwaway storage, the spare Redis databases and the sink before
    Django reads them."""
    broker_url, cache_url = redis_urls
    harness.environment_prepare(tmp)
    os.environ["REDIS_URL"] = broker_url
    os.environ["REDIS_CACHE_URL"] = cache_url
    os.environ["CACHE_KEY_PREFIX"] = f"bench-outbox-{os.getpid()}"
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{sink_port}"


# The worker as `celery -A events_site worker` starts it (the README's production line):
# the prefork pool, one process per core.
WORKER_OPTIONS = tuple(
    os.environ.get(
        "BENCH_WORKER_OPTIONS", f"--pool=prefork --concurrency={os.cpu_count() or 1}"
    ).split()
)


class Worker:
    """One `celery worker`, started with `WORKER_OPTIONS`."""

    def __init__(self, database_url: str, log: Path):
        self.log_path = log
        self.log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "events_site",
                "worker",
                *WORKER_OPTIONS,
                "--loglevel=warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=bench-outbox-{os.getpid()}@%h",
            ],
            cwd=harness.ROOT,
            env={**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise SystemExit(f"the worker exited ({self.process.returncode}):\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        harness.process_stop(self.process)
        self.log.close()


# --- Data ---------------------------------------------------------------------------------


def _directory_create(meetings: int) -> list:
    """`meetings` identical published meetings and 5 000 mayors and burgomasters.

    Bulk inserts send no signals, so no background job other than the invitations' own
    reaches the worker.
    """
    from meetings.models import CoFacilitator, Meeting, Person

    programme, themes, organisations = harness.programme_create(YEAR)
    people = Person.objects.bulk_create(
        (
            Person(
                first_name="Zoë <b>&" if n % 100 == 7 else f"Prénom{n}",
                last_name=f"Nom{n} 🚲" if n % 100 == 9 else f"Nom{n}",
                email=f"bench{n}@example.org",
                function=(Person.Function.MAYOR, Person.Function.BURGOMASTER)[n % 2],
                organisation=organisations[n % len(organisations)],
                # Half French, half Dutch, as in the network; a few English.
                preferred_language="en" if n % 20 == 19 else ("fr", "nl")[n % 2],
            )
            for n in range(INVITEES)
        ),
        batch_size=1000,
    )
    starts_at = datetime(YEAR, 3, 12, 9, 30, tzinfo=ZoneInfo(ZONE))
    created = Meeting.objects.bulk_create(
        Meeting(
            programme=programme,
            title_fr=f"Rencontre {n} : <b>mobilité</b> & emploi; 🚲",
            title_nl=f"Ontmoeting {n}: mobiliteit & werk",
            description_fr="Deux tables, trois tours; post-its & vote.\nVenez nombreux.",
            description_nl="Twee tafels, drie rondes.\nKom talrijk.",
            starts_at=starts_at + timedelta(days=7 * n),
            ends_at=starts_at + timedelta(days=7 * n, hours=3),
            time_zone=ZONE,
            venue_name="Hôtel de ville",
            venue_address="Grand-Place 1",
            venue_city="Mouscron",
            venue_country="BE",
            host_organisation=organisations[1],
            status=Meeting.Status.PUBLISHED,
            capacity=200,
        )
        for n in range(meetings)
    )
    Meeting.themes.through.objects.bulk_create(
        Meeting.themes.through(meeting=meeting, theme=theme)
        for meeting in created
        for theme in themes[:2]
    )
    CoFacilitator.objects.bulk_create(
        CoFacilitator(meeting=meeting, person=people[side])
        for meeting in created
        for side in (0, 1)
    )
    return created


# --- Measurements -------------------------------------------------------------------------


def _wait_for(sink: Sink, expected: int, worker: Worker | None, what: str) -> float:
    """Poll the sink until `expected` messages are in; the time they were."""
    deadline = time.monotonic() + ROUND_TIMEOUT_S
    while sink.count < expected:
        if time.monotonic() > deadline:
            output = f" Worker output:\n{worker.output()}" if worker else ""
            raise SystemExit(
                f"{what}: {sink.count} of {expected} messages after {ROUND_TIMEOUT_S} s.{output}"
            )
        if worker is not None:
            worker.check_alive()
        time.sleep(0.01)
    return time.perf_counter()


def _pipeline_round(
    sink: Sink, worker: Worker, meeting, invitees: int
) -> tuple[float, float, list]:
    """Invite everyone; seconds until the sink has every message, seconds the invitation
    call itself took, and what the sink received."""
    from registrations.services.invitations import meeting_invite
    from tasks.models import Delivery

    sink.take()
    start = time.perf_counter()
    if invitees == INVITEES:
        report = meeting_invite(meeting, all_mayors=True, invited_by=None)
    else:
        from meetings.models import Person

        people = Person.objects.order_by("pk")[:invitees]
        report = meeting_invite(meeting, people=people, invited_by=None)
    invited = time.perf_counter()
    if report.queued != invitees or report.skipped:
        raise SystemExit(f"queued {report.queued} of {invitees}; skipped {report.skipped}")
    end = _wait_for(sink, invitees, worker, f"meeting {meeting.pk}")
    received = sink.take()
    ids = set(Delivery.objects.filter(meeting=meeting).values_list("idempotency_key", flat=True))
    expected = {Delivery(idempotency_key=key).message_id.encode() for key in ids}
    if len(received) != invitees or {message_id for _to, message_id, _size in received} != (
        expected
    ):
        raise SystemExit(f"meeting {meeting.pk}: the sink did not get one message per invitee")
    return end - start, invited - start, received


def _messages_render(meeting) -> list[tuple[str, list[str], bytes]]:
    """Every invitation of `meeting`, built as the worker builds it (in batches of the
    same size, so that each batch stamps its messages from one frame per language) and
    turned into bytes as Django's SMTP backend does (`EmailBackend._send`)."""
    from django.conf import settings
    from django.core.mail.message import sanitize_address

    from tasks.models import Delivery
    from tasks.outbox import enqueue, renderers, send

    rows = list(Delivery.objects.filter(meeting=meeting).order_by(*enqueue.SEND_ORDER))
    messages = []
    for start in range(0, len(rows), enqueue.BATCH_SIZE):
        batch = {row.pk: row for row in rows[start : start + enqueue.BATCH_SIZE]}
        with renderers.batch_of(batch):
            for delivery in batch.values():
                message = send._render(delivery)
                encoding = message.encoding or settings.DEFAULT_CHARSET
                messages.append(
                    (
                        sanitize_address(message.from_email, encoding),
                        [sanitize_address(address, encoding) for address in message.recipients()],
                        message.message().as_bytes(linesep="\r\n"),
                    )
                )
    return messages


def _floor_round(sink: Sink, messages: list[tuple[str, list[str], bytes]]) -> tuple[float, list]:
    """The same messages through a plain smtplib loop over one connection."""
    sink.take()
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for from_email, recipients, data in messages:
            smtp.sendmail(from_email, recipients, data)
    end = _wait_for(sink, len(messages), None, "smtplib loop")
    return end - start, sink.take()


def _measure(sink: Sink, worker: Worker, meetings: list, started: float) -> tuple[list[str], bool]:
    warm_up, *timed = meetings
    # Loads the worker's code, templates and translations, and proves it is up.
    _pipeline_round(sink, worker, warm_up, WARM_UP_INVITEES)
    pipeline_times, invite_times, floor_times = [], [], []
    messages = None
    for meeting in timed:
        if pipeline_times and (
            time.perf_counter() - started + pipeline_times[-1] + floor_times[-1] > BUDGET_S
        ):
            break
        pipeline_time, invite_time, received = _pipeline_round(sink, worker, meeting, INVITEES)
        pipeline_times.append(pipeline_time)
        invite_times.append(invite_time)
        if messages is None:
            messages = _messages_render(meeting)
            pipeline_bytes = sum(size for _to, _id, size in received)
        floor_time, floor_received = _floor_round(sink, messages)
        floor_times.append(floor_time)
        floor_bytes = sum(size for _to, _id, size in floor_received)
        # Dates and MIME boundaries differ, their lengths do not: the same messages.
        if abs(floor_bytes - pipeline_bytes) > 0.001 * pipeline_bytes:
            raise SystemExit(
                f"the smtplib loop sent {floor_bytes} bytes, the pipeline {pipeline_bytes}: "
                "they must send the same messages"
            )
    pipeline = statistics.median(INVITEES / t for t in pipeline_times)
    floor = statistics.median(INVITEES / t for t in floor_times)
    ratio = harness.paired_ratio(floor_times, pipeline_times)
    passed = ratio >= FLOOR
    rounds = len(pipeline_times)
    return [
        f"messages: {INVITEES} invitations (text, HTML, iMIP REQUEST), "
        f"{pipeline_bytes / INVITEES / 1024:.1f} KiB each on average",
        "pipeline (meeting_invite → Redis → 1 worker → SMTP): "
        + ", ".join(f"{INVITEES / t:.0f}" for t in pipeline_times)
        + f" emails/s; median {pipeline:.0f} emails/s ({INVITEES / pipeline:.1f} s, of which "
        f"{statistics.median(invite_times):.1f} s in the meeting_invite call)",
        "smtplib loop, same bytes, one connection: "
        + ", ".join(f"{INVITEES / t:.0f}" for t in floor_times)
        + f" emails/s; median {floor:.0f} emails/s",
        f"median ratio of {rounds} paired rounds {ratio:.2f} (floor ≥ {FLOOR}) "
        f"{'PASS' if passed else 'FAIL'}",
    ], passed


def main() -> int:
    started = time.perf_counter()
    redis_urls = _redis_urls()
    harness.redis_check_empty(redis_urls, 'Pick others with BENCH_REDIS_DBS="7,8".')
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp, Sink() as sink:
        _environment_prepare(Path(tmp), redis_urls, sink.port)
        import django

        django.setup()
        from django.db import connection

        worker = None
        database_url, database_drop = harness.database_create()
        try:
            options = " ".join(option.removeprefix("--") for option in WORKER_OPTIONS)
            print(
                f"Email pipeline benchmark: database {connection.vendor}, broker "
                f"{redis_urls[0]}, one worker ({options}), aiosmtpd on 127.0.0.1:{sink.port}",
                flush=True,
            )
            meetings = _directory_create(ROUNDS + 1)
            worker = Worker(database_url, Path(tmp) / "worker.log")
            lines, passed = _measure(sink, worker, meetings, started)
        finally:
            if worker is not None:
                worker.stop()
            connection.close()
            database_drop()
            harness.redis_empty(redis_urls)
    for line in lines:
        print(line)
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
