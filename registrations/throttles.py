"""The limit on public registration writes, per client address: new registrations
(the API and the form share one allowance) and changes or cancellations by token."""

import threading

from django.conf import settings
from ninja.throttling import AnonRateThrottle

from events_site.client import client_address


class RegistrationThrottle(threading.local, AnonRateThrottle):
    """Per client address, at `REGISTRATION_THROTTLE_RATE` (e.g. "30/m"); empty turns it
    off. Read on each request, so that tests and benchmarks can change it.

    ninja keeps one throttle per operation and stores the request's key and history on it
    between `allow_request` and `wait`: a thread-local instance keeps two requests of a
    threaded server from mixing them up."""

    scope = "registration"

    def __init__(self):
        self.rate, self.num_requests, self.duration = None, None, None

    def allow_request(self, request) -> bool:
        rate = settings.REGISTRATION_THROTTLE_RATE
        if not rate:
            return True
        if rate != self.rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_ident(self, request) -> str:
        """The site's one client address: ninja's own believes any `X-Forwarded-For`."""
        return client_address(request)


# The form's: one per process is enough, being thread-local.
form_throttle = RegistrationThrottle()
