"""A Redis outage, as deployed: gunicorn with DEBUG off on the test database, and a
private redis-server for both the cache and the broker, which the test hangs (SIGSTOP),
stops, and starts again. Every path a meeting day depends on must go on answering from
PostgreSQL, and the emails written meanwhile must leave once Redis is back.
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from time import monotonic

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, User

from meetings.auth import API_KEY_LOCAL_S, api_key_create
from meetings.calendar import meeting_uid
from tasks.models import Delivery
from tests.factories import MeetingFactory, ProgrammeFactory, cross_border_pair
from tests.integration.conftest import _test_database_url, wait_for
from tests.integration.smtp_sink import SmtpSink, free_port
from tests.registrations.conftest import registration_data
from workshops.devices import device_issue
from workshops.services.plan import question_create, round_create
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.integration

# What a request may cost while Redis hangs: the cache's timeout once, or a publish to the
# broker and its one retry, each bounded by the broker's timeout; then neither is tried.
REDIS_SERVER = shutil.which("redis-server")
HUNG_REQUEST_MAX_S = 2 * settings.REDIS_BROKER_TIMEOUT_S + 1.5


class RedisServer:
    """A redis-server of the test's own, without persistence: a restart loses everything,
    as a crashed cache does."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        wait_for(lambda: self._answers(client), timeout=10, what="redis-server to start")
        return self

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def hang(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


class Site:
    """The site under gunicorn, one process (so that what it remembers is one memory)."""

    def __init__(self, env: dict[str, str], log_path):
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> "Site":
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own server command
                [
                    *(sys.executable, "-m", "gunicorn"),
                    *("-c", "python:events_site.gunicorn", "events_site.wsgi"),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(self._up, timeout=30, what=f"gunicorn to answer:\n{self.log()}")
        return self

    def _up(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{self.log()}")
        try:
            return self.request("GET", "/healthz").status == 200
        except OSError:
            return False

    def request(self, method: str, path: str, body=None, headers=None) -> Answer:
        headers = {"Accept-Language": "en", **(headers or {})}
        if body is not None:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        return Answer(response.status, response.headers, content, monotonic() - started)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def private_redis(start_worker, tmp_path):
    if REDIS_SERVER is None:
        message = "the Redis outage test starts its own redis-server: install it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def sink():
    with SmtpSink() as sink:
        yield sink


def test_the_site_answers_from_postgresql_while_redis_is_out_and_mails_once_it_is_back(
    start_worker, private_redis, sink, tmp_path
):
    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027))
    cross_border_pair(meeting)
    organiser = User.objects.create_user("organiser", is_staff=True)
    organiser.groups.add(Group.objects.get_or_create(name=settings.ORGANISERS_GROUP)[0])
    _key, raw_key = api_key_create(organiser, "door")
    organiser_key = {"Authorization": f"Bearer {raw_key}"}
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="")
    question = question_create(workshop, text_fr="Comment ?", text_nl="")
    round_create(workshop, title_fr="Écriture", kind="silent", duration_s=600, question=question)
    (table,) = tables_create(workshop, 1)
    phone = {"X-Table-Token": table.token, "X-Device": device_issue(table.pk, table.token)}
    timer = f"/api/workshops/{workshop.pk}/timer"

    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": private_redis.url(0),
        "REDIS_CACHE_URL": private_redis.url(1),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        # One registration write a minute: every write below beyond the first would be
        # refused if the throttle held the door shut while Redis is out.
        "REGISTRATION_THROTTLE_RATE": "1/m",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        "PYTHONUNBUFFERED": "1",
    }
    site = Site(env, tmp_path / "gunicorn.log").start()
    try:
        # Warm, as during a meeting: the key, the timer and the feeds are in the cache.
        idle = site.request("GET", timer, headers=phone)
        assert idle.status == 200 and idle.json()["state"] == "idle"
        assert site.request("GET", timer, headers=organiser_key).status == 200
        key_remembered_at = monotonic()
        assert site.request("GET", "/calendar/2027.ics").status == 200

        # Redis hangs: requests cost a timeout at most, and say what PostgreSQL says.
        private_redis.hang()
        started = site.request("POST", timer, {"action": "start"}, organiser_key)
        assert started.status == 200 and started.json()["state"] == "running"
        poll = site.request("GET", timer, headers=phone)
        assert poll.status == 200 and poll.headers["ETag"] == started.headers["ETag"]
        first = site.request(
            "POST",
            f"/api/meetings/{meeting.pk}/registrations",
            registration_data(email="first@menen.example"),
        )
        assert first.status == 201, first.body
        # Skipped, not sent: the cache still holds "running", and the feed of the old
        # generation, when it comes back.
        paused = site.request("POST", timer, {"action": "pause"}, organiser_key)
        assert paused.status == 200 and paused.json()["state"] == "paused"
        renamed = site.request(
            "PATCH",
            f"/api/meetings/{meeting.pk}",
            {"title_fr": "Rencontre renommée"},
            organiser_key,
        )
        assert renamed.status == 200, renamed.body
        for answer in (started, poll, first, paused, renamed):
            assert answer.seconds < HUNG_REQUEST_MAX_S

        private_redis.resume()
        time.sleep(3)  # the cache is tried again after events_site.kit.cache.RETRY_AFTER_S
        after = site.request("GET", timer, headers=phone)
        assert after.status == 200 and after.json()["state"] == "paused"
        assert after.headers["ETag"] == paused.headers["ETag"], "a stale state came back"
        feed = site.request("GET", "/calendar/2027.ics")
        assert "Rencontre renommée".encode() in feed.body, "a stale programme generation"

        # Redis is down: connections are refused.
        private_redis.stop()
        second = site.request(
            "POST",
            f"/api/meetings/{meeting.pk}/registrations",
            registration_data(email="second@menen.example"),
        )
        assert second.status == 201, second.body
        token = second.json()["manage_token"]
        changed = site.request("PATCH", f"/api/registrations/{token}", {"dietary_notes": "vegan"})
        assert changed.status == 200 and changed.json()["dietary_notes"] == "vegan"
        cancelled = site.request("DELETE", f"/api/registrations/{token}")
        assert cancelled.status == 200 and cancelled.json()["status"] == "cancelled"

        time.sleep(max(0.0, key_remembered_at + API_KEY_LOCAL_S + 0.5 - monotonic()))
        ticket = site.request("GET", f"/api/registrations/{first.json()['manage_token']}")
        scan = site.request(
            "POST",
            "/api/checkins",
            {"secret": ticket.json()["ticket_secret"], "meeting": meeting.pk},
            organiser_key,
        )
        assert scan.status == 200 and scan.json()["outcome"] == "checked_in", scan.body

        resumed = site.request("POST", timer, {"action": "resume"}, organiser_key)
        assert resumed.status == 200 and resumed.json()["state"] == "running"
        poll = site.request("GET", timer, headers=phone)
        assert poll.status == 200 and poll.headers["ETag"] == resumed.headers["ETag"]
        unchanged = site.request(
            "GET", timer, headers={**phone, "If-None-Match": poll.headers["ETag"]}
        )
        assert unchanged.status == 304
        postit = site.request(
            "POST", f"/api/workshops/{workshop.pk}/contributions", {"text": "Un bus"}, phone
        )
        assert postit.status == 201, postit.body

        year_feed = site.request("GET", "/calendar/2027.ics")
        meeting_feed = site.request("GET", f"/calendar/meetings/{meeting.pk}.ics")
        for feed in (year_feed, meeting_feed):
            assert feed.status == 200 and meeting_uid(meeting).encode() in feed.body
        brochure = site.request("GET", "/fr/programme/2027.pdf")
        assert brochure.status == 200 and brochure.body.startswith(b"%PDF")

        log = site.log()
        assert "Internal Server Error" not in log
        # Rate-limited: the outage is reported when it starts, not once per request.
        assert log.count("The cache is unavailable") == 2, log  # hung, then stopped
        assert log.count("The cache answers again") == 1, log
    finally:
        site.stop()

    # Redis is back, empty: the sweep hands the emails written meanwhile to a worker.
    assert not Delivery.objects.exclude(status="queued").exists()
    private_redis.start()
    worker = start_worker(
        beat=True,
        REDIS_URL=private_redis.url(0),
        REDIS_CACHE_URL=private_redis.url(1),
        EMAIL_URL=sink.url,
        OUTBOX_REQUEUE_AFTER_S="1",
        OUTBOX_SWEEP_S="1",
    )
    wait_for(
        lambda: not Delivery.objects.filter(status__in=["queued", "sending"]).exists(),
        worker=worker,
        what="the sweep to hand on what was written during the outage",
    )
    sent = Delivery.objects.filter(status="sent")
    assert set(sent.values_list("to_email", "kind")) == {
        ("first@menen.example", "registration_confirmed"),
        ("second@menen.example", "registration_cancelled"),
    }, "a confirmation is not sent for a registration cancelled before it left"
    assert len(sink.handler.messages) == 2
    assert set(sink.handler.received_by().values()) == {1}
