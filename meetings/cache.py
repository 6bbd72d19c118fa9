"""One generation counter for everything published.

Feeds, pages and brochures built from the programme are cached with this generation. Any
committed change to programme data bumps it, so stale copies are never served and nobody
has to know which keys a change touched. The counter lives in the shared cache (Redis in
production), never in process memory, so every host agrees.
"""

import gzip
import hashlib
import pickle
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from events_site.kit.cache import add_and_get_many, set_many_and_delete

GENERATION_KEY = "programme:generation"


def _fresh_start() -> int:
    """A counter that was evicted restarts above any value it had before.

    Restarting at 1 could match a payload built long ago under that generation.
    """
    return time.time_ns()


def programme_generation() -> int | None:
    """None while the cache cannot be reached: then nothing is read from it or written
    to it under a generation, since no generation can be trusted."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _fresh_start(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def programme_generation_bump() -> None:
    """With the cache down, the bump is lost, and the counter is deleted instead once the
    cache is back (`events_site.kit.cache`): it then restarts above any value it had."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, _fresh_start(), timeout=None)


# A payload is replaced as soon as the generation moves; this only bounds a forgotten one.
CACHE_TIMEOUT = 24 * 3600


@dataclass(frozen=True)
class Payload:
    """A built feed or page, kept gzipped.

    Calendar clients and browsers ask for gzip, and a year feed shrinks about tenfold:
    every warm request then moves a tenth of the bytes out of the cache and onto the
    network.
    """

    gzipped: bytes
    # Of the plain bytes; the gzipped representation has its own (RFC 9110 §8.8.3).
    etag: str
    # When these bytes were built, as HTTP dates carry it (whole seconds). Not the data's
    # own timestamps: a deleted meeting or a renamed theme changes none of those.
    last_modified: int
    # The programme generation the data was read under; None if the cache was down then.
    generation: int | None

    @property
    def body(self) -> bytes:
        return gzip.decompress(self.gzipped)

    @property
    def gzip_etag(self) -> str:
        return f'{self.etag[:-1]}-gzip"'


# A build holds its lock at most this long: a builder that died frees it by then.
BUILD_LOCK_S = 30
# How long a request waits for another's build of the same payload before building it
# itself, and how often it looks.
BUILD_WAIT_S = 5.0
BUILD_POLL_S = 0.02


def payload_cached(key: str, build: Callable[[], bytes], shared: tuple[str, ...] = ()) -> Payload:
    """The payload under `key` if it was built under the current generation, else a new one.

    The generation and the payload are read in one round trip (one MGET on Redis): with
    two, the wait for the cache would cost more than the rest of a warm request. Both are
    read before the data, so a build that races a change is stamped with the old
    generation and rebuilt on the next request.

    One request builds a missing payload; the others asking for it meanwhile wait for
    that build rather than each doing the same one (the first requests after a change or
    an announcement come together, and each build takes a core): nginx's
    `proxy_cache_lock`, in the shared cache. The lock is taken in the same round trip as
    the `shared` entries are read, the keys of what the build reads with
    `generation_cached`; the payload, what the build kept with `generation_cached`, and
    the lock's release are written in one round trip.
    """
    cached = cache.get_many([GENERATION_KEY, key])
    generation = cached.get(GENERATION_KEY) or programme_generation()
    payload = cached.get(key)
    if generation is None:
        return _payload_build(build, None)
    if payload is not None and payload.generation == generation:
        return payload
    lock = f"{key}:building:{generation}"
    locked, read = add_and_get_many(cache, lock, True, BUILD_LOCK_S, list(shared))
    if not locked:
        payload = _built_meanwhile(key, lock, generation)
        if payload is not None:
            return payload
        return _payload_store(key, _payload_build(build, generation))
    building = _Building(generation, {entry: read.get(entry) for entry in shared}, {})
    token = _building.set(building)
    try:
        payload = _payload_build(build, generation)
        building.written[key] = payload
    finally:
        _building.reset(token)
        set_many_and_delete(cache, building.written, CACHE_TIMEOUT, [lock])
    return payload


def _built_meanwhile(key: str, lock: str, generation: int) -> Payload | None:
    """The payload another request is building under `lock`, once it is there; None if
    that build ended without it (failed, or the cache is away) or takes too long."""
    deadline = time.monotonic() + BUILD_WAIT_S
    while time.monotonic() < deadline:
        time.sleep(BUILD_POLL_S)
        cached = cache.get_many([key, lock])
        payload = cached.get(key)
        if payload is not None and payload.generation == generation:
            return payload
        if lock not in cached:
            return None
    return None


def _payload_build(build: Callable[[], bytes], generation: int | None) -> Payload:
    body = build()
    return Payload(
        # mtime=0: the same bytes give the same gzip, whichever worker builds them.
        gzipped=gzip.compress(body, mtime=0),
        etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        last_modified=int(time.time()),
        generation=generation,
    )


def _payload_store(key: str, payload: Payload) -> Payload:
    cache.set(key, payload, CACHE_TIMEOUT)
    return payload


@dataclass
class _Building:
    """A payload built under its lock: the generation it was read under, the entries of
    `generation_cached` read with the lock (None for a missing one), and what
    `generation_cached` built for it, written with the payload as the lock is released."""

    generation: int
    read: dict[str, Any]
    written: dict[str, Any]


_building: ContextVar[_Building | None] = ContextVar("building", default=None)


def generation_cached(key: str, build: Callable[[], Any]) -> Any:
    """`build()`, kept under the current generation: what several payloads share (the
    months of a programme that its pages are cut from) is read once per change.

    Kept pickled inside the entry, beside its generation: an entry of an older generation
    is then read without loading its value (at 500 meetings the index took longer to
    load than to fetch, and each change leaves one behind). In a payload's build, an entry
    read with its lock (`payload_cached`'s `shared`) is taken under the payload's
    generation, read before it."""
    building = _building.get()
    if building is not None and key in building.read:
        generation, found = building.generation, building.read[key]
    else:
        cached = cache.get_many([GENERATION_KEY, key])
        generation = cached.get(GENERATION_KEY) or programme_generation()
        found = cached.get(key)
    if generation is not None and found is not None and found[0] == generation:
        return pickle.loads(found[1])  # noqa: S301 (written by `generation_cached` itself)
    value = build()
    if generation is not None:
        entry = (generation, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        if building is None:
            cache.set(key, entry, CACHE_TIMEOUT)
        else:
            building.written[key] = entry
    return value
