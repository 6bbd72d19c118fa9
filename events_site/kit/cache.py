"""Django's Redis cache, made an accelerator that the site can do without.

Everything cached here can be rebuilt from PostgreSQL: a cache that fails (refused
connection, timeout, any Redis error) answers a miss to reads and skips writes, the
failure is logged once in a while (`events_site.kit.outage`), and no request fails because of
it. A socket timeout (`REDIS_CACHE_TIMEOUT_S`, 1 s) keeps a hung Redis from costing
more than that once per `RETRY_AFTER_S` in each process; a refused connection fails at
once whatever it is.

Why 1 s and not less: a saturated machine stops answering for 0.5-0.7 s at a time (every
process, Redis and PostgreSQL alike; `tests/bench/README.md`). A timeout below that
turned each such stall into a failure, and `RETRY_AFTER_S` into seconds of reads from the
database on the machine least able to afford them, without sparing the request anything:
it was stalled with the rest. Against a Redis that stalled 0.6 s every 3 s, reads every
10 ms went to the database two times in three at 0.25 s, never at 1 s. The price is paid
only while Redis hangs for good: a request waits 1 s instead of 0.25 once per
`RETRY_AFTER_S` in each process. A separate, shorter connect timeout changed neither
case (a hung Redis accepts connections; it is the reads that wait), so there is one.

A write that failed may leave an older value behind in a Redis that comes back with its
data (a network cut, a paused server): a timer state or an API key's check from before
the outage, a programme generation that missed its bump. So the keys of failed writes are
remembered, and deleted before anything else once Redis answers again: a deleted key is a
miss, rebuilt from the database, and a deleted generation restarts above any value it had
(`meetings.cache`). This covers what this process wrote; another process's own failures
are its own to forget.

Django also builds a new `redis.Redis` for every cache operation, which costs more
than the round trip itself on the warm feed path (`tests/bench/README.md`), so one is
kept per pool. And since Django makes one cache object, with its own pools, for each
thread, a pool only ever lends its connection to that one thread: the client holds the
connection instead (`single_connection_client`), and each operation skips the pool's
lending and taking back (its locks, a poll of the socket for leftover data, its usage
counters), a third of what redis-py spent on a timer poll's read.
"""

import logging
import os
import threading

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

from .outage import Outage

logger = logging.getLogger(__name__)

# After a failure, the cache is not tried again for this long: every request in between
# goes straight to the database instead of waiting for a timeout.
RETRY_AFTER_S = 2.0
# Keys of failed writes remembered at most; beyond, they are left to expire on their own.
STALE_KEYS_MAX = 10_000


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._pid = os.getpid()

    def get_client(self, key=None, *, write=False):
        if self._pid != os.getpid():
            # A forked child (a Celery pool process, a gunicorn worker of a preloaded app)
            # inherits the clients with the parent's sockets: a held connection, unlike a
            # pooled one, is not replaced by the pool's own fork check. They are dropped,
            # not closed, which would shut the parent's socket down.
            self._clients = {}
            self._pid = os.getpid()
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(
                connection_pool=pool, single_connection_client=True
            )
        return client


class _Health:
    """What a process knows of one Redis: shared by the cache objects of all its threads
    (Django makes one per thread), so that one thread's failure spares the others the
    wait, and one report is written per process."""

    def __init__(self):
        self.outage = Outage(
            "The cache",
            logger,
            retry_after_s=RETRY_AFTER_S,
            consequence="Reads are misses served from the database, writes are skipped, "
            "and the rate limits (throttles) are not enforced until it answers again.",
        )
        self.stale: dict[str, None] = {}
        self.lock = threading.Lock()


_health: dict[tuple[str, ...], _Health] = {}
_health_lock = threading.Lock()


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        with _health_lock:
            health = _health.setdefault(tuple(self._servers), _Health())
        self.outage, self._stale, self._stale_lock = health.outage, health.stale, health.lock

    @property
    def single_server(self) -> bool:
        return len(self._servers) == 1

    def settled(self) -> bool:
        """True when Redis may hold all that this process wrote: it is not down, and no
        failed write is waiting to be undone (what a memory of its values relies on,
        `events_site.kit.tracked_memory`)."""
        return not self.outage.down and not self._stale

    def write_pool(self):
        """The connection pool of the server that takes the writes, for a connection made
        as the cache's own are."""
        return self._cache._get_connection_pool(True)

    def _attempt(self, operation, default, *args, writes=(), version=None):
        """`operation(*args)`, or `default` if the cache cannot answer; `writes` are the
        keys the operation would have changed, to delete once the cache is back."""
        if self.outage.skip():
            self._remember_stale(writes, version)
            return default
        try:
            if self._stale:
                self._delete_stale()
            result = operation(*args)
        except RedisError as error:
            self._remember_stale(writes, version)
            self.outage.failed(error)
            return default
        self.outage.recovered()
        return result

    def _remember_stale(self, keys, version) -> None:
        with self._stale_lock:
            for key in keys:
                if len(self._stale) >= STALE_KEYS_MAX:
                    return
                self._stale[self.make_and_validate_key(key, version=version)] = None

    def _delete_stale(self) -> None:
        with self._stale_lock:
            keys = list(self._stale)
        self._cache.delete_many(keys)
        with self._stale_lock:
            for key in keys:
                self._stale.pop(key, None)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # A failed add changed nothing: what the cache holds is what it held before.
        return self._attempt(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(
            super().set, None, key, value, timeout, version, writes=[key], version=version
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(super().delete, False, key, version, writes=[key], version=version)

    def get_many(self, keys, version=None):
        return self._attempt(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        """None when the cache cannot answer (the key is then deleted once it can)."""
        return self._attempt(super().incr, None, key, delta, version, writes=[key], version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(
            super().set_many, list(data), data, timeout, version, writes=data, version=version
        )

    def delete_many(self, keys, version=None):
        self._attempt(super().delete_many, None, keys, version, writes=keys, version=version)

    def set_many_and_delete(self, data, timeout, deleted, version=None):
        self._attempt(
            self._set_many_and_delete,
            None,
            data,
            timeout,
            deleted,
            version,
            writes=[*data, *deleted],
            version=version,
        )

    def add_and_get_many(self, key, value, timeout, keys, version=None):
        # A failed add changed nothing: what the cache holds is what it held before.
        return self._attempt(
            self._add_and_get_many, (False, {}), key, value, timeout, keys, version
        )

    def _add_and_get_many(self, key, value, timeout, keys, version):
        serializer = self._cache._serializer
        key_map = {self.make_and_validate_key(read, version=version): read for read in keys}
        pipeline = self._cache.get_client(None, write=True).pipeline(transaction=False)
        pipeline.set(
            self.make_and_validate_key(key, version=version),
            serializer.dumps(value),
            ex=self.get_backend_timeout(timeout),
            nx=True,
        )
        if key_map:
            pipeline.mget(list(key_map))
        added, *found = pipeline.execute()
        values = zip(key_map.values(), found[0], strict=True) if found else ()
        return bool(added), {
            read: serializer.loads(value) for read, value in values if value is not None
        }

    def _set_many_and_delete(self, data, timeout, deleted, version):
        timeout = self.get_backend_timeout(timeout)
        serializer = self._cache._serializer
        pipeline = self._cache.get_client(None, write=True).pipeline(transaction=False)
        for key, value in data.items():
            key = self.make_and_validate_key(key, version=version)
            pipeline.set(key, serializer.dumps(value), ex=timeout)
        if deleted:
            pipeline.delete(*(self.make_and_validate_key(key, version=version) for key in deleted))
        pipeline.execute()


def set_many_and_delete(cache, data: dict, timeout: int, deleted: list[str]) -> None:
    """`cache.set_many(data, timeout)` and `cache.delete_many(deleted)`, in one round trip
    on Redis (a build's results written and its lock released together: each round trip
    waits for Redis's process to be scheduled, and a cold page made six)."""
    pipelined = getattr(cache, "set_many_and_delete", None)
    if pipelined is not None:
        pipelined(data, timeout, deleted)
    else:
        cache.set_many(data, timeout)
        cache.delete_many(deleted)


def add_and_get_many(cache, key: str, value, timeout: int, keys: list[str]) -> tuple[bool, dict]:
    """`cache.add(key, value, timeout)` and `cache.get_many(keys)`, in one round trip on
    Redis (a build's lock taken and what the build will read of the cache fetched
    together)."""
    pipelined = getattr(cache, "add_and_get_many", None)
    if pipelined is not None:
        return pipelined(key, value, timeout, keys)
    return cache.add(key, value, timeout), cache.get_many(keys)
