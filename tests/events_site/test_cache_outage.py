"""The cache is an accelerator (events_site/kit/cache.py): with its Redis refusing or hung,
reads are misses, writes are skipped, and pages, API and feeds answer from the database.
The whole stack against a real Redis that hangs and stops is in
tests/integration/test_redis_outage.py."""

import logging
import socket
import threading
import time
from time import monotonic

import pytest
from django.conf import settings as site_settings

from events_site.kit.cache import ReusingRedisCache
from workshops.devices import device_issue
from workshops.services.plan import round_create
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_create


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_cache(port: int, timeout: float = 0.2) -> ReusingRedisCache:
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    return ReusingRedisCache(f"redis://127.0.0.1:{port}/0", {"OPTIONS": options})


def _take_the_cache_down(settings) -> None:
    """Point the site's cache at a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "events_site.kit.cache.ReusingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_unused_port()}/0",
        }
    }


class StallingRedis:
    """A Redis stand-in that answers every command (a GET with "no such key"), the first
    GET only after `stall_s`: a machine that stops answering for a moment. Counts the GETs
    that reach it."""

    def __init__(self, stall_s: float):
        self.stall_s = stall_s
        self.gets = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with self.server:
            while True:
                try:
                    connection, _address = self.server.accept()
                except OSError:  # closed: the test is over
                    return
                threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        """RESP commands (`*<n>` then `$<length>` and the value for each of n arguments),
        each answered once it is whole."""
        pending = []
        with connection:
            for line in connection.makefile("rb"):
                pending.append(line.rstrip(b"\r\n"))
                size = int(pending[0][1:])
                if len(pending) < 1 + 2 * size:
                    continue
                command, pending = pending[2].upper(), []
                if command == b"HELLO":  # redis-py speaks RESP3: its handshake's answer
                    connection.sendall(b"%1\r\n+proto\r\n:3\r\n")
                    continue
                if command != b"GET":
                    connection.sendall(b"+OK\r\n")
                    continue
                self.gets += 1
                if self.gets == 1:
                    time.sleep(self.stall_s)
                connection.sendall(b"_\r\n")

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def stalling_redis(request):
    redis = StallingRedis(request.param)
    yield redis
    redis.close()


# A saturated 2-core machine was measured to stop answering for 0.5-0.7 s at a time
# (tests/bench/README.md): Redis and PostgreSQL alike, so a timeout spares no request.
MACHINE_STALL_S = 0.7


@pytest.mark.parametrize("stalling_redis", [MACHINE_STALL_S], indirect=True)
def test_the_cache_rides_out_a_stall_of_the_machine(stalling_redis):
    cache = _redis_cache(stalling_redis.port, timeout=site_settings.REDIS_CACHE_TIMEOUT_S)

    assert cache.get("key", "missing") == "missing"
    assert not cache.outage.down
    assert cache.get("key", "missing") == "missing"
    assert stalling_redis.gets == 2


@pytest.mark.parametrize("stalling_redis", [0.6], indirect=True)
def test_a_read_beyond_the_timeout_opens_the_breaker_and_later_reads_skip_redis(
    stalling_redis,
):
    cache = _redis_cache(stalling_redis.port, timeout=0.2)

    assert cache.get("key", "missing") == "missing"
    assert cache.outage.down
    for _ in range(10):
        assert cache.get("key", "missing") == "missing"
    assert stalling_redis.gets == 1


@pytest.fixture
def cache_down(settings):
    _take_the_cache_down(settings)


def test_a_refused_cache_answers_misses_skips_writes_and_reports_once(caplog):
    cache = _redis_cache(_unused_port())

    with caplog.at_level(logging.WARNING, logger="events_site.kit.cache"):
        for _ in range(20):
            assert cache.get("key", "missing") == "missing"
            assert cache.get_many(["a", "b"]) == {}
            assert cache.add("key", 1) is False
            cache.set("key", 1)
            assert cache.set_many({"a": 1}) == ["a"]
            cache.set_many_and_delete({"a": 1}, 60, ["b"])
            assert cache.add_and_get_many("key", 1, 60, ["a"]) == (False, {})
            assert cache.incr("key") is None
            cache.delete("key")

    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        "The cache is unavailable"
    ]


def test_a_hung_cache_costs_one_timeout_then_nothing_until_it_is_tried_again():
    with socket.socket() as server:  # the kernel accepts connections; nobody answers
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        cache = _redis_cache(server.getsockname()[1], timeout=0.2)

        started = monotonic()
        assert cache.get("key") is None
        first = monotonic() - started
        started = monotonic()
        for _ in range(100):
            assert cache.get("key") is None
        then = monotonic() - started

    assert first < 1.0
    assert then < 0.1


def test_with_the_cache_down_an_api_key_is_checked_against_the_database(
    api_client, meeting, cache_down
):
    response = api_client.get(f"/api/meetings/{meeting.pk}/deliveries")

    assert response.status_code == 200


def test_with_the_cache_down_the_timer_poll_reads_the_database_with_the_same_etag(
    client, api_client, meeting, settings
):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="")
    round_create(workshop, title_fr="Écriture", kind="silent", duration_s=300)
    (table,) = tables_create(workshop, 1)
    phone = {"X-Table-Token": table.token, "X-Device": device_issue(table.pk, table.token)}
    timer = f"/api/workshops/{workshop.pk}/timer"
    cached = client.get(timer, headers=phone)
    assert client.get(timer, headers=phone)["ETag"] == cached["ETag"]

    _take_the_cache_down(settings)
    polled = client.get(timer, headers=phone)
    started = api_client.post(timer, {"action": "start"}, content_type="application/json")
    after = client.get(timer, headers=phone)

    assert polled.status_code == 200 and polled["ETag"] == cached["ETag"]
    assert started.status_code == 200 and after.status_code == 200
    assert after.json()["state"] == "running" and after["ETag"] == started["ETag"]


def test_with_the_cache_down_feeds_and_the_brochure_are_built_for_the_request(
    client, meeting, cache_down
):
    year_feed = client.get("/calendar/2027.ics")
    meeting_feed = client.get(f"/calendar/meetings/{meeting.pk}.ics")
    brochure = client.get("/fr/programme/2027.pdf")

    for feed in (year_feed, meeting_feed):
        assert feed.status_code == 200 and str(meeting.uid).encode() in feed.content
    assert brochure.status_code == 200 and brochure.content.startswith(b"%PDF")
