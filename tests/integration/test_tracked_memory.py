"""A process's memory of cache keys that Redis keeps true (events_site/kit/tracked_memory.py),
on the real Redis: a write anywhere is seen by the very next read of every memory, and
a memory that may have missed an announcement forgets everything."""

import threading
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from events_site.kit import tracked_memory
from events_site.kit.cache import ReusingRedisCache
from events_site.kit.tracked_memory import TrackedMemory
from tests.factories import MeetingFactory, ProgrammeFactory
from tests.integration.forking import in_forked_child
from workshops import selectors
from workshops.devices import device_issue
from workshops.services import timer
from workshops.services.plan import question_create, round_create
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.integration

ALIAS = "tracked"


@pytest.fixture
def cache():
    if not settings.REDIS_URL.startswith("redis://"):
        pytest.skip("needs REDIS_URL=redis://…")
    tracked = {
        "BACKEND": "events_site.kit.cache.ReusingRedisCache",
        "LOCATION": settings.REDIS_URL,
        "KEY_PREFIX": f"test-{uuid.uuid4()}",
    }
    with override_settings(CACHES={**settings.CACHES, ALIAS: tracked}):
        yield caches[ALIAS]
        caches[ALIAS].delete_many(["clock:1", "clock:2", "other:1"])


@pytest.fixture
def reads(monkeypatch):
    """The reads that went to Redis, by their keys."""
    made = []
    get_many = ReusingRedisCache.get_many

    def counted(self, keys, version=None):
        made.append(list(keys))
        return get_many(self, keys, version)

    monkeypatch.setattr(ReusingRedisCache, "get_many", counted)
    return made


def _memory() -> TrackedMemory:
    return TrackedMemory("clock:", alias=ALIAS)


def _remembering(memory: TrackedMemory, keys: list[str], reads: list) -> dict:
    """Read until the memory answers without Redis (once its connection proved alive)."""
    for _ in range(200):
        before = len(reads)
        found = memory.get_many(keys)
        if len(reads) == before:
            return found
    pytest.fail("the memory never answered on its own")


def _tracking_port(memory: TrackedMemory) -> int:
    return memory._connection._sock.getsockname()[1]


def test_a_write_through_another_client_is_seen_by_the_very_next_read_of_every_memory(cache, reads):
    here, there = _memory(), _memory()
    cache.set("clock:1", {"etag": "1"})
    cache.set("clock:2", {"etag": "a"})
    for memory in (here, there):
        assert _remembering(memory, ["clock:1", "clock:2"], reads) == {
            "clock:1": {"etag": "1"},
            "clock:2": {"etag": "a"},
        }

    writer = ReusingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": cache.key_prefix})
    writer.set("clock:1", {"etag": "2"})
    for memory in (here, there):
        assert memory.get_many(["clock:1", "clock:2"])["clock:1"] == {"etag": "2"}
    writer.delete("clock:2")
    assert here.get_many(["clock:1", "clock:2"]) == {"clock:1": {"etag": "2"}}

    # A key outside the tracked prefixes would never be forgotten: it is refused.
    with pytest.raises(ValueError):
        here.get_many(["clock:1", "other:1"])


def test_a_value_read_while_a_write_is_announced_is_not_remembered(cache, reads, monkeypatch):
    memory = _memory()
    cache.set("clock:1", "old")
    cache.set("clock:2", "proves the connection alive")
    _remembering(memory, ["clock:2"], reads)
    get_many = ReusingRedisCache.get_many

    def raced(self, keys, version=None):
        found = get_many(self, keys, version)
        monkeypatch.setattr(ReusingRedisCache, "get_many", get_many)
        ReusingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": cache.key_prefix}).set(
            "clock:1", "new"
        )
        return found

    monkeypatch.setattr(ReusingRedisCache, "get_many", raced)
    assert memory.get_many(["clock:1"]) == {"clock:1": "old"}
    assert memory.get_many(["clock:1"]) == {"clock:1": "new"}


def test_a_dropped_connection_forgets_what_it_may_have_missed(cache, reads, monkeypatch):
    monkeypatch.setattr(tracked_memory, "RETRY_AFTER_S", 0)
    memory = _memory()
    cache.set("clock:1", "before")
    cache.set("clock:2", "unchanged")
    _remembering(memory, ["clock:1", "clock:2"], reads)
    dropped = _tracking_port(memory)
    admin = redis.Redis.from_url(settings.REDIS_URL)
    assert admin.client_kill(f"127.0.0.1:{dropped}")
    cache.set("clock:1", "written while nobody listened")

    assert memory.get_many(["clock:2"]) == {"clock:2": "unchanged"}
    # Connected again, it remembers what it reads since, not what it held before.
    assert _remembering(memory, ["clock:1"], reads) == {"clock:1": "written while nobody listened"}
    assert _tracking_port(memory) != dropped


def test_a_cache_that_failed_a_write_is_not_answered_for_by_the_memory(cache, reads):
    memory = _memory()
    cache.set("clock:1", "held by Redis and the memory")
    _remembering(memory, ["clock:1"], reads)
    cache.outage.failed(redis.ConnectionError("refused"))
    try:
        # The cache is skipped (a miss): what the memory holds may be what a failed
        # write left behind.
        assert memory.get_many(["clock:1"]) == {}
    finally:
        cache.outage.recovered()


def test_a_forked_child_remembers_on_its_own_connection(cache, reads):
    memory = _memory()
    cache.set("clock:1", "the parent's")
    _remembering(memory, ["clock:1"], reads)
    parent_port = _tracking_port(memory)
    answer = in_forked_child(
        lambda: {
            "value": memory.get_many(["clock:1"])["clock:1"],
            "port": _tracking_port(memory),
        }
    )

    assert answer.get("value") == "the parent's", answer
    assert answer["port"] != parent_port
    cache.set("clock:1", "after the child")
    assert memory.get_many(["clock:1"]) == {"clock:1": "after the child"}
    assert _tracking_port(memory) == parent_port


def test_a_phone_is_answered_from_memory_and_never_given_an_older_clock(
    client, db, reads, django_capture_on_commit_callbacks
):
    """The timer's polls on the real Redis: warm, a phone's poll makes no round trip,
    with or without the ETag; a change written by another process is in the very next
    poll."""
    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027))
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="")
    question = question_create(workshop, text_fr="Comment ?", text_nl="")
    round_create(workshop, title_fr="Écriture", kind="silent", duration_s=600, question=question)
    (table,) = tables_create(workshop, 1)
    phone = {"X-Table-Token": table.token, "X-Device": device_issue(table.pk, table.token)}
    url = f"/api/workshops/{workshop.pk}/timer"
    with django_capture_on_commit_callbacks(execute=True):
        timer.timer_act(workshop, "start")
    for _ in range(200):
        before = len(reads)
        running = client.get(url, headers=phone)
        if len(reads) == before:
            break
    assert running.status_code == 200 and running.json()["state"] == "running"
    etag = running["ETag"]
    holding = {**phone, "If-None-Match": etag}
    assert client.get(url, headers=holding).status_code == 304
    assert client.get(url, headers=phone).status_code == 200
    assert len(reads) == before

    # Another process pauses the clock: its write, not this process's, is announced.
    with django_capture_on_commit_callbacks(execute=False):
        timer.timer_act(workshop, "pause")
    other_process = ReusingRedisCache(
        settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": caches["default"].key_prefix}
    )
    paused = selectors.timer_state_build(workshop.pk)
    other_process.set(timer._timer_key(workshop.pk), paused, timer.TIMER_CACHE_S)
    for headers in (holding, phone):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200 and answer.json()["state"] == "paused"
        assert answer["ETag"] == paused["etag"] != etag


def test_threads_read_one_memory_at_once(cache, reads):
    """A gunicorn worker's threads share their process's memory and its connection."""
    memory = _memory()
    cache.set("clock:1", "shared")
    _remembering(memory, ["clock:1"], reads)
    answers, failures = [], []

    def read():
        try:
            answers.extend(memory.get_many(["clock:1"]) for _ in range(300))
        except Exception as error:  # the failure is the test's answer
            failures.append(error)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert answers == [{"clock:1": "shared"}] * 2400
