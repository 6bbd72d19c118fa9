"""A process's memory of a few cache keys, kept true by Redis itself.

The site's most frequent read (a phone's poll: its table's token and its workshop's
clock) changes a few times an hour, yet each read cost a Redis round trip, most of what
the poll cost through gunicorn under load. Redis can tell each process when a key under
given prefixes is written (client tracking, `BCAST` mode): a process that hears every
such announcement may answer from its memory until one arrives.

The memory is true as long as these hold:

- Before each answer from memory, the announcements already received are applied: the
  process's tracking connection is polled, without waiting, and what came is read under
  the memory's lock, which answering takes too. Redis
  sends a write's announcements before any reply that follows the write, the write's own
  included (its `beforeSleep` broadcasts them before it flushes pending replies), so
  once another worker can hand out a new value, its announcement has left Redis.
- A value read from Redis is remembered only if no announcement was applied between just
  before the read and just after it: a write that raced the read either is in the value
  or is announced after it, and the announcement forgets it.
- The connection is trusted only while it proves alive: a PING is sent at most every
  `PING_EVERY_S`, and Redis answers it after every announcement it sent before. The
  memory answers only while a PING sent less than `TRUST_S` ago has been answered; one
  left unanswered that long (a hung Redis, a cut that sent no reset) drops the
  connection. Any error on it forgets everything, and so does the cache being down or
  holding writes of this process that failed (`ReusingRedisCache.settled`): its memory
  must not outlast what the cache itself may hold.
- A forked child starts with an empty memory and a connection of its own.

Only for a single Redis server: a replica could answer a read with a value older than
an announcement already applied. With any other cache (LocMem, the embedded default)
the memory is not used: `get_many` says so, and the caller reads the cache. redis-py's
own client-side caching keeps a memory per connection pool and needs Redis 7.4; this one
is shared by a process's threads (each has its own pool, `events_site.kit.cache`) and
needs Redis 6.
"""

import os
import select
import threading
from time import monotonic

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from redis.exceptions import RedisError

from .cache import RETRY_AFTER_S, ReusingRedisCache
from .memo import BoundedMemo

PING_EVERY_S = 0.5
# Long enough to ride out the stalls of a saturated machine (a PING to Redis measured at
# up to 0.7 s there): while no PING is answered, every read goes to Redis, and times out.
TRUST_S = 2.0

_UNKNOWN = object()


class _Unanswered(Exception):
    pass


def _arrived(socket: int) -> bool:
    """Whether anything can be read on `socket`, without waiting. (A number reused by
    another socket once the connection is dropped is harmless: answering checks the
    connection under the lock.)"""
    ready = select.poll()
    ready.register(socket, select.POLLIN)
    return bool(ready.poll(0))


class TrackedMemory:
    """Values of the cache keys under `prefixes`, remembered by this process while Redis
    announces no write to them; read with `get_many`, as from the cache, when the cache is
    one Redis."""

    def __init__(self, *prefixes: str, alias: str = DEFAULT_CACHE_ALIAS, most: int = 10_000):
        self._prefixes = prefixes
        self._alias = alias
        self._values = BoundedMemo(most)
        self._lock = threading.Lock()
        self._connection = None
        # The connection's socket, polled for what arrived (a poll object of one's own
        # each time: one may not be polled by two threads at once).
        self._socket: int | None = None
        self._connect_after = 0.0
        # Announcements applied so far: a read remembers its values only if none came in
        # while it went to Redis.
        self._announced = 0
        self._ping_sent_at: float | None = None
        self._proven_at = float("-inf")
        os.register_at_fork(after_in_child=self._after_fork)

    def get_many(self, keys: list[str]) -> dict | None:
        """The keys' values, as the cache's `get_many` gives them: from memory while it is
        true, else from Redis. None when the cache is not one Redis (the memory is not in
        use): the caller reads the cache as it would without it.

        A hit is the site's most frequent read (each phone's poll, every second), so it
        looks the cache up once (a per-thread object, behind asgiref's `Local`) and checks
        the keys' prefixes only when it goes to Redis: a key outside them is never
        remembered, so a read of it always gets there and is refused there."""
        cache = caches[self._alias]
        if not self.tracking(cache):
            return None
        # Named as Redis names them (a read of the cache checks them: a memory hit need not).
        names = [cache.make_key(key) for key in keys]
        self._listen(cache)
        with self._lock:
            if self._trusted():
                values, found = self._values, {}
                for key, name in zip(keys, names, strict=True):
                    value = values.get(name, _UNKNOWN)
                    if value is _UNKNOWN:
                        break
                    found[key] = value
                else:
                    return found
            announced = self._announced
        if not all(key.startswith(self._prefixes) for key in keys):
            raise ValueError(f"Only keys under {self._prefixes} are tracked: {keys}")
        found = cache.get_many(keys)
        self._listen(cache)
        with self._lock:
            if self._connection is not None and self._announced == announced:
                for key, name in zip(keys, names, strict=True):
                    if key in found:
                        self._values.remember(name, found[key])
        return found

    def tracking(self, cache=None) -> bool:
        """True when the cache is one Redis, which announces its writes: the memory is in
        use (though it answers only while its connection proves alive)."""
        cache = cache or caches[self._alias]
        return isinstance(cache, ReusingRedisCache) and cache.single_server

    def forget(self) -> None:
        """Forget every value: a write of this process is announced like any other, but
        needs no announcement to be seen by this process's next read."""
        with self._lock:
            self._forget()

    def _trusted(self) -> bool:
        return self._connection is not None and monotonic() - self._proven_at < TRUST_S

    def _listen(self, cache: ReusingRedisCache) -> None:
        """Apply the announcements received, and keep the connection proving alive.

        Most calls find nothing arrived: one poll of the socket, without the lock, says
        so. The lock is taken only to read what came (or to connect, or to PING): a
        thread that holds it across a system call lets the others queue behind it while
        it waits for the interpreter's lock. An announcement another thread is reading
        when this one polls is applied before this one may answer: answering takes the
        lock that reading holds."""
        now = monotonic()
        if (
            self._socket is not None
            and not _arrived(self._socket)
            and now - (self._ping_sent_at or self._proven_at) < PING_EVERY_S
            and cache.settled()
        ):
            return
        with self._lock:
            self._receive(cache, now)

    def _receive(self, cache: ReusingRedisCache, now: float) -> None:
        if not cache.settled():
            self._drop()
            return
        if self._connection is None:
            if now < self._connect_after:
                return
            try:
                self._connect(cache)
            except RedisError:
                self._drop()
                self._connect_after = now + RETRY_AFTER_S
                return
        try:
            connection = self._connection
            while connection.can_read(0):
                if connection.read_response(push_request=True) == b"PONG":
                    self._proven_at, self._ping_sent_at = self._ping_sent_at, None
            if self._ping_sent_at is None:
                if now - self._proven_at >= PING_EVERY_S:
                    connection.send_command("PING")
                    self._ping_sent_at = now
            elif now - self._ping_sent_at >= TRUST_S:
                raise _Unanswered
        except (RedisError, OSError, _Unanswered):
            self._drop()
            self._connect_after = now + RETRY_AFTER_S

    def _connect(self, cache: ReusingRedisCache) -> None:
        """A connection of its own to the cache's server, as the cache's own are made, in
        RESP3 so that announcements come on it."""
        pool = cache.write_pool()
        connection = pool.connection_class(**{**pool.connection_kwargs, "protocol": 3})
        self._connection = connection
        connection.connect()
        self._socket = connection._sock.fileno()
        connection._parser.set_invalidation_push_handler(self._announcement)
        prefixes = [cache.make_and_validate_key(prefix) for prefix in self._prefixes]
        connection.send_command(
            "CLIENT", "TRACKING", "ON", "BCAST", *(f for p in prefixes for f in ("PREFIX", p))
        )
        connection.read_response()

    def _announcement(self, message: list) -> None:
        """Redis's `invalidate` push: the keys written, or None when a database was
        flushed."""
        self._announced += 1
        keys = message[1]
        if keys is None:
            self._values.clear()
            return
        for key in keys:
            self._values.pop(key.decode() if isinstance(key, bytes) else key, None)

    def _forget(self) -> None:
        self._announced += 1
        self._values.clear()

    def _drop(self) -> None:
        self._socket = None
        if self._connection is not None:
            self._connection.disconnect()
            self._connection = None
        self._ping_sent_at = None
        self._proven_at = float("-inf")
        self._forget()

    def _after_fork(self) -> None:
        # The parent's connection is left to it: redis-py shuts a socket down only in
        # the process that opened it, and the child only closes its own copy.
        self._connection = self._socket = None
        self._lock = threading.Lock()
        self._ping_sent_at = None
        self._proven_at = float("-inf")
        self._forget()
