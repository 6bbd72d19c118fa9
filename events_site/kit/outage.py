"""What a process remembers of a service it found down (the cache's Redis, the broker).

Both are helpers, not dependencies: while one is down, requests go on without it. Two
things must not follow from an outage: every request paying a connection timeout, and
every request writing a log line. So after a failure the service is not tried again for
`retry_after_s` (the requests in between skip it at no cost), and the outage is logged
when it starts, at most once a `log_every_s` while it lasts, and when it ends.

Per process, like the connection pools it stands beside: each process finds out for
itself, which costs each one failed attempt per `retry_after_s` at most.
"""

import logging
import threading
from time import monotonic


class Outage:
    def __init__(
        self,
        service: str,
        logger: logging.Logger,
        *,
        retry_after_s: float,
        log_every_s: float = 60.0,
        consequence: str = "",
    ):
        self.service = service
        self.logger = logger
        self.retry_after_s = retry_after_s
        self.log_every_s = log_every_s
        self.consequence = consequence
        self._lock = threading.Lock()
        self._since: float | None = None
        self._retry_at = 0.0
        self._logged_at = 0.0
        self._missed = 0

    def skip(self) -> bool:
        """True while the service is not worth trying again; counts what was skipped."""
        if self._since is None or monotonic() >= self._retry_at:
            return False
        with self._lock:
            self._missed += 1
        return True

    @property
    def down(self) -> bool:
        """True from a failure until a call succeeds again, whether or not it is retried
        yet; nothing is counted."""
        return self._since is not None

    def failed(self, error: BaseException) -> None:
        now = monotonic()
        with self._lock:
            self._missed += 1
            self._retry_at = now + self.retry_after_s
            if self._since is None:
                self._since, self._missed, self._logged_at = now, 0, now
                first = True
            elif now - self._logged_at < self.log_every_s:
                return
            else:
                first, missed, self._missed, self._logged_at = False, self._missed, 0, now
        if first:
            self.logger.warning(
                "%s is unavailable (%s: %s). %s",
                self.service,
                type(error).__name__,
                error,
                self.consequence,
            )
        else:
            self.logger.warning(
                "%s is still unavailable after %.0f s (%d calls went without it since the "
                "last report; %s: %s).",
                self.service,
                now - self._since,
                missed,
                type(error).__name__,
                error,
            )

    def recovered(self) -> None:
        if self._since is None:
            return
        with self._lock:
            if self._since is None:
                return
            since, missed = self._since, self._missed
            self._since, self._missed, self._logged_at = None, 0, 0.0
        self.logger.warning(
            "%s answers again after %.0f s (%d calls went without it since the last report).",
            self.service,
            monotonic() - since,
            missed,
        )
