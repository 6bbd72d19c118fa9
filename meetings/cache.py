"""One generation counter for everything published.

Feeds, pages and brochures built from the programme are cached with this generation. Any
committed change to programme data bumps it, so stale copies are never served and nobody
has to know which keys a change touched. The counter lives in the shared cache (Redis in
production), never in process memory, so every host agrees.
"""

import time

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
