"""A missing payload is built by one request; the others asking meanwhile wait for it."""

import threading
import time

import pytest
from django.core.cache import cache

from meetings import cache as payloads
from meetings.cache import (
    generation_cached,
    payload_cached,
    programme_generation,
    programme_generation_bump,
)

pytestmark = pytest.mark.django_db


def _lock(key: str) -> str:
    return f"{key}:building:{programme_generation()}"


def test_a_request_waits_for_the_build_already_under_way(monkeypatch):
    monkeypatch.setattr(payloads, "BUILD_WAIT_S", 5.0)
    started = threading.Event()

    def slow() -> bytes:
        started.set()
        time.sleep(0.2)
        return b"built by the first"

    first = threading.Thread(target=payload_cached, args=("page:x", slow))
    first.start()
    started.wait(5)
    payload = payload_cached("page:x", lambda: pytest.fail("built twice"))
    first.join()
    assert payload.body == b"built by the first"
    assert cache.get(_lock("page:x")) is None


def test_a_build_that_ends_without_a_payload_leaves_the_next_request_to_build(monkeypatch):
    monkeypatch.setattr(payloads, "BUILD_WAIT_S", 5.0)
    lock = _lock("page:y")
    assert cache.add(lock, True)
    threading.Timer(0.1, lambda: cache.delete(lock)).start()
    assert payload_cached("page:y", lambda: b"rebuilt").body == b"rebuilt"


def test_a_build_that_takes_too_long_is_done_again(monkeypatch):
    monkeypatch.setattr(payloads, "BUILD_WAIT_S", 0.1)
    assert cache.add(_lock("page:z"), True)
    assert payload_cached("page:z", lambda: b"mine").body == b"mine"


def test_the_lock_is_released_after_a_failed_build():
    def failing() -> bytes:
        raise RuntimeError

    with pytest.raises(RuntimeError):
        payload_cached("page:w", failing)
    assert cache.get(_lock("page:w")) is None
    assert payload_cached("page:w", lambda: b"second try").body == b"second try"


def test_what_a_build_keeps_is_written_with_its_payload():
    def build() -> bytes:
        assert generation_cached("shared", lambda: ["months"]) == ["months"]
        return b"page"

    assert payload_cached("page:v", build).body == b"page"
    assert generation_cached("shared", lambda: pytest.fail("read again")) == ["months"]
    assert cache.get(_lock("page:v")) is None


def test_what_a_build_shares_is_read_with_its_lock(monkeypatch):
    generation_cached("shared", lambda: ["months"])

    def build() -> bytes:
        monkeypatch.setattr(cache, "get_many", lambda keys: pytest.fail(f"{keys} read apart"))
        return generation_cached("shared", lambda: pytest.fail("built again"))[0].encode()

    assert payload_cached("page:t", build, shared=("shared",)).body == b"months"
    monkeypatch.undo()
    assert cache.get(_lock("page:t")) is None


def test_what_a_build_shares_is_built_when_missing_and_kept_with_its_payload():
    def build() -> bytes:
        return generation_cached("shared", lambda: ["months"])[0].encode()

    assert payload_cached("page:s", build, shared=("shared",)).body == b"months"
    assert generation_cached("shared", lambda: pytest.fail("read again")) == ["months"]


def test_a_failed_build_still_keeps_what_it_read():
    def failing() -> bytes:
        generation_cached("shared", lambda: ["months"])
        raise RuntimeError

    with pytest.raises(RuntimeError):
        payload_cached("page:u", failing)
    assert generation_cached("shared", lambda: pytest.fail("read again")) == ["months"]
    assert cache.get(_lock("page:u")) is None


def _refuse():
    raise AssertionError("an entry of an older generation was loaded")


class Unloadable:
    """Pickles, but cannot be loaded back."""

    def __reduce__(self):
        return _refuse, ()


def test_an_entry_of_an_older_generation_is_built_again_without_being_loaded():
    generation_cached("shared", Unloadable)
    programme_generation_bump()
    assert generation_cached("shared", lambda: "new") == "new"
