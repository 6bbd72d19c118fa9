"""Limits on what phones post: per table and per device, so that one table (or one
phone in a prank) cannot flood the board while the others go on writing.

Rates come from settings on every request (`WORKSHOP_TABLE_THROTTLE_RATE`,
`WORKSHOP_DEVICE_THROTTLE_RATE`, e.g. "120/m"), so tests and benchmarks can change
them; an empty rate turns the limit off. Facilitators are never throttled here.
"""

import threading

from django.conf import settings
from ninja.throttling import SimpleRateThrottle


class PhoneThrottle(threading.local, SimpleRateThrottle):
    """ninja keeps one throttle object per operation and stores the request being
    checked on it (`key`, `history`, `now`); under a threaded server two requests would
    mix them up. A `threading.local` subclass gives each thread its own attributes."""

    rate_setting: str
    # The attribute of the phone (`workshops.api.Phone`) that names who is counted.
    ident_attribute: str

    def __init__(self):
        self.rate, self.num_requests, self.duration = None, None, None

    def allow_request(self, request) -> bool:
        rate = getattr(settings, self.rate_setting)
        if not rate:
            return True
        if rate != self.rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        if getattr(request, "_phone_throttled", False):
            # Refused already (by the device limit): a phone that floods must not
            # use up its table's allowance and silence its neighbours.
            return True
        allowed = super().allow_request(request)
        request._phone_throttled = not allowed
        return allowed

    def get_cache_key(self, request) -> str | None:
        ident = getattr(request.auth, self.ident_attribute, None)
        return self.cache_format % {"scope": self.scope, "ident": ident} if ident else None


class TableThrottle(PhoneThrottle):
    scope = "workshop-table"
    rate_setting = "WORKSHOP_TABLE_THROTTLE_RATE"
    ident_attribute = "table_key"


class DeviceThrottle(PhoneThrottle):
    scope = "workshop-device"
    rate_setting = "WORKSHOP_DEVICE_THROTTLE_RATE"
    ident_attribute = "device"


def phone_throttles() -> list[PhoneThrottle]:
    """The device first: what it refuses is not counted against the table."""
    return [DeviceThrottle(), TableThrottle()]
