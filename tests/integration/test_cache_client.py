"""The cache's Redis clients (events_site/kit/cache.py), on the real Redis."""

import json
import os
import uuid

import pytest
from django.conf import settings

from events_site.kit.cache import ReusingRedisCache

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_cache():
    if not settings.REDIS_URL.startswith("redis://"):
        pytest.skip("needs REDIS_URL=redis://…")
    cache = ReusingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    yield cache
    cache.clear()


def _local_port(cache: ReusingRedisCache) -> int:
    return cache._cache.get_client(write=True).connection._sock.getsockname()[1]


def test_a_forked_child_talks_to_redis_on_its_own_connection(redis_cache):
    redis_cache.set("fork", "the parent's", timeout=30)
    parent_port = _local_port(redis_cache)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its answer goes through the pipe, then it leaves at once
        try:
            answer = {"value": redis_cache.get("fork"), "port": _local_port(redis_cache)}
        except Exception as error:  # any failure is the answer: the parent shows it
            answer = {"error": repr(error)}
        os.write(writing, json.dumps(answer).encode())
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        answer = json.loads(pipe.read())
    os.waitpid(child, 0)

    assert answer.get("value") == "the parent's", answer
    assert answer["port"] != parent_port
    assert redis_cache.get("fork") == "the parent's"
    assert _local_port(redis_cache) == parent_port
