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


def programme_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _fresh_start(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def programme_generation_bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, _fresh_start(), timeout=None)
