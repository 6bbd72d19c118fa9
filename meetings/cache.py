"""One generation counter for everything published.

Feeds, pages and brochures built from the programme are cached under a key that carries
this generation. Any committed change to programme data bumps it, so stale copies are
never served and nobody has to know which keys a change touched. The counter lives in the
shared cache (Redis in production), never in process memory, so every host agrees.
"""

from django.core.cache import cache

GENERATION_KEY = "programme:generation"


def programme_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def programme_generation_bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 2, timeout=None)
