"""The cache's Redis clients (events_site/kit/cache.py), on the real Redis."""

import uuid

import pytest
from django.conf import settings

from events_site.kit.cache import ReusingRedisCache
from tests.integration.forking import in_forked_child

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
    answer = in_forked_child(
        lambda: {"value": redis_cache.get("fork"), "port": _local_port(redis_cache)}
    )

    assert answer.get("value") == "the parent's", answer
    assert answer["port"] != parent_port
    assert redis_cache.get("fork") == "the parent's"
    assert _local_port(redis_cache) == parent_port
