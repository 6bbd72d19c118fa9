"""One generation counter for everything published.

Feeds, pages and brochures built from the programme are cached with this generation. Any
committed change to programme data bumps it, so stale copies are never served and nobody
has to know which keys a change touched. The counter lives in the shared cache (Redis in
production), never in process memory, so every host agrees.
"""

import gzip
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

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


def payload_cached(key: str, build: Callable[[], bytes]) -> Payload:
    """The payload under `key` if it was built under the current generation, else a new one.

    The generation and the payload are read in one round trip (one MGET on Redis): with
    two, the wait for the cache would cost more than the rest of a warm request. Both are
    read before the data, so a build that races a change is stamped with the old
    generation and rebuilt on the next request.
    """
    cached = cache.get_many([GENERATION_KEY, key])
    generation = cached.get(GENERATION_KEY) or programme_generation()
    payload = cached.get(key)
    if generation is None or payload is None or payload.generation != generation:
        body = build()
        payload = Payload(
            # mtime=0: the same bytes give the same gzip, whichever worker builds them.
            gzipped=gzip.compress(body, mtime=0),
            etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
            last_modified=int(time.time()),
            generation=generation,
        )
        if generation is not None:
            cache.set(key, payload, CACHE_TIMEOUT)
    return payload


def generation_cached(key: str, build: Callable[[], Any]) -> Any:
    """`build()`, kept under the current generation: what several payloads share (the
    months of a programme that its pages are cut from) is read once per change."""
    cached = cache.get_many([GENERATION_KEY, key])
    generation = cached.get(GENERATION_KEY) or programme_generation()
    found = cached.get(key)
    if generation is not None and found is not None and found[0] == generation:
        return found[1]
    value = build()
    if generation is not None:
        cache.set(key, (generation, value), CACHE_TIMEOUT)
    return value
