"""Limits on what phones post: per table and per device, so that one table (or one
phone in a prank) cannot flood the board while the others go on writing.

Rates come from settings on every request (`WORKSHOP_TABLE_THROTTLE_RATE`,
`WORKSHOP_DEVICE_THROTTLE_RATE`, e.g. "120/m", in ninja's notation), so tests and
benchmarks can change them; an empty rate turns the limit off. Facilitators are never
throttled here.

Both limits are one throttle: a post-it is sent by a whole room at the bell, and two of
ninja's throttles would cost four cache round trips (a read and a write each); this one
reads both histories in one and writes them in one.
"""

import functools
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle, SimpleRateThrottle

# (scope, setting, attribute of the phone (`workshops.api.Phone`) that names who is
# counted). The device first: what it refuses is not counted against the table, so a
# phone that floods does not use up its table's allowance and silence its neighbours.
LIMITS = [
    ("workshop-device", "WORKSHOP_DEVICE_THROTTLE_RATE", "device"),
    ("workshop-table", "WORKSHOP_TABLE_THROTTLE_RATE", "table_key"),
]


@functools.cache
def _rate(rate: str) -> tuple[int, int]:
    """ "120/m" → (120, 60). ninja's parser reads nothing of its instance but the periods
    of its class."""
    return SimpleRateThrottle.parse_rate(SimpleRateThrottle, rate)


class PhoneThrottle(threading.local, BaseThrottle):
    """A sliding window per device and per table (the timestamps of the requests of the
    last period, as ninja's `SimpleRateThrottle` keeps them).

    ninja keeps one throttle object per operation and asks it `wait()` after a refusal;
    under a threaded server two requests would mix up what it remembers between the two
    calls. A `threading.local` subclass gives each thread its own attributes."""

    def __init__(self):
        self.retry_after: float | None = None

    def allow_request(self, request) -> bool:
        limits = []
        for scope, setting, attribute in LIMITS:
            rate, ident = getattr(settings, setting), getattr(request.auth, attribute, None)
            if rate and ident:
                limits.append((f"throttle_{scope}_{ident}", *_rate(rate)))
        if not limits:
            return True
        now = time.time()
        histories = cache.get_many([key for key, _count, _period in limits])
        counted, self.retry_after = {}, None
        for key, count, period in limits:
            history = [at for at in histories.get(key, []) if at > now - period]
            if len(history) >= count:
                # Free again when the oldest request counted leaves the window.
                self.retry_after = max(history[-1] + period - now, 1)
                break
            counted[key] = [now, *history]
        if counted:
            cache.set_many(counted, max(period for _key, _count, period in limits))
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after


def phone_throttles() -> list[PhoneThrottle]:
    return [PhoneThrottle()]
