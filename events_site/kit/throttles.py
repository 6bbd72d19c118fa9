"""A limit per client address, at a rate read from a setting: the registrations' and the
sign-in form's."""

import threading

from django.conf import settings
from ninja.throttling import AnonRateThrottle

from .client import client_address


class AddressThrottle(threading.local, AnonRateThrottle):
    """Per client address (`events_site.kit.client`), at the rate named by `rate_setting`
    (e.g. "30/m"); an empty rate turns it off. Read on each request, so that tests and
    benchmarks can change it.

    ninja keeps one throttle per operation and stores the request's key and history on it
    between `allow_request` and `wait`: a thread-local instance keeps two requests of a
    threaded server from mixing them up."""

    rate_setting: str

    def __init__(self):
        self.rate, self.num_requests, self.duration = None, None, None

    def allow_request(self, request) -> bool:
        rate = getattr(settings, self.rate_setting)
        if not rate:
            return True
        if rate != self.rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_ident(self, request) -> str:
        """The site's one client address: ninja's own believes any `X-Forwarded-For`."""
        return client_address(request)
