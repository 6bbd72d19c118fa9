"""Django's PostgreSQL backend, with a health check that costs no round trip when the
connection was used a moment ago.

`CONN_HEALTH_CHECKS` makes Django send a `SELECT 1` before the first statement of every
request on a kept connection, so that a restarted server costs no request an error.
On a busy server that is a round trip per request (a door scan is otherwise one
statement). Here a connection the last request let go of less than `QUIET_S` ago is
instead looked at locally: when the server ends a connection (a restart, an
administrator's `pg_terminate_backend`), it says so and closes it, so the idle socket
has something to read. A connection with nothing to read is taken as it is; one with
something to read, or idle longer (a server that vanished without a word, a failover to
another machine, leaves nothing to read), gets Django's `SELECT 1` as before.
"""

import select
from time import monotonic

from django.db.backends.postgresql import base
from psycopg import pq

# Beyond this many seconds of idleness, a connection gets the full `SELECT 1`.
QUIET_S = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    _let_go_at = float("-inf")

    def close_if_unusable_or_obsolete(self):
        # Called as each request starts and ends; a request that used the connection
        # checked it (`health_check_done`): from its end on, the connection is idle.
        used = self.health_check_done
        super().close_if_unusable_or_obsolete()
        if used and self.connection is not None:
            self._let_go_at = monotonic()

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and monotonic() - self._let_go_at < QUIET_S
            and self._quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """Whether the idle connection is open, outside any transaction, with nothing
        from the server waiting to be read."""
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or (
            pgconn.transaction_status != pq.TransactionStatus.IDLE
        ):
            return False
        poll = select.poll()
        poll.register(pgconn.socket, select.POLLIN)
        return not poll.poll(0)
