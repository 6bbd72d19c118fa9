"""The Redis broker's publishing client (events_site/kit/broker.py), on the real Redis."""

import uuid
from unittest import mock

import pytest
import redis
from django.conf import settings
from kombu import Connection

from events_site.kit.broker import RedisTransport

pytestmark = pytest.mark.integration


@pytest.fixture
def queue():
    if not settings.REDIS_URL.startswith("redis://"):
        pytest.skip("needs REDIS_URL=redis://…")
    name = f"test-broker-{uuid.uuid4()}"
    yield name
    redis.Redis.from_url(settings.REDIS_URL).delete(
        name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}"
    )


def test_messages_are_published_through_one_client_until_the_pool_is_replaced(queue):
    built = mock.patch.object(
        redis.Redis, "__init__", autospec=True, side_effect=redis.Redis.__init__
    )
    with Connection(settings.REDIS_URL, transport=RedisTransport) as connection, built as init:
        producer = connection.Producer()
        producer.publish({"n": 0}, routing_key=queue)
        clients_first = init.call_count
        for n in (1, 2):
            producer.publish({"n": n}, routing_key=queue)
        clients_then = init.call_count
        producer.channel._disconnect_pools()
        producer.publish({"n": 3}, routing_key=queue)
        with connection.SimpleQueue(queue) as received:
            messages = [received.get(timeout=1) for _ in range(4)]
            for message in messages:
                message.ack()

    assert clients_then == clients_first
    assert init.call_count == clients_then + 1
    assert sorted(message.payload["n"] for message in messages) == [0, 1, 2, 3]
