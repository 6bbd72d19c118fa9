"""Webhook calls with real parts: PostgreSQL, Redis, Celery workers and an HTTP receiver on
loopback that checks each signature as the README tells integrators to."""

import json
from collections import Counter

import pytest

from tasks.models import Webhook, WebhookCall
from tasks.webhooks import webhooks_emit
from tasks.webhooks.services import webhook_create
from tests.factories import MeetingFactory, ProgrammeFactory
from tests.integration.conftest import wait_for
from tests.tasks.webhooks.receiver import Receiver, verify

pytestmark = pytest.mark.integration

# Fast retries and sweeps, so that minutes of production behaviour take seconds here.
FAST = {
    "WEBHOOK_RETRY_BASE_S": "0.3",
    "WEBHOOK_RETRY_MAX_S": "2",
    "OUTBOX_STUCK_AFTER_S": "3",
    "OUTBOX_REQUEUE_AFTER_S": "1",
    "OUTBOX_SWEEP_S": "1",
    "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
}
CALLS = 300


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def webhook(transactional_db, receiver, organiser):
    webhook = webhook_create(organiser, url=receiver.url, events=Webhook.Event.values)
    receiver.secret = webhook.secret
    return webhook


def _statuses() -> Counter:
    return Counter(WebhookCall.objects.values_list("status", flat=True))


def test_a_worker_killed_mid_batch_loses_no_call(start_worker, receiver, webhook):
    receiver.delay_s = 0.02
    first = start_worker(**FAST)

    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027))
    webhooks_emit(
        Webhook.Event.REGISTRATION_CREATED,
        *({"registration": {"id": n, "meeting": meeting.pk}} for n in range(CALLS)),
    )

    wait_for(lambda: len(receiver.accepted()) >= 60, worker=first, what="the first calls")
    first.kill()
    delivered_before = _statuses()["delivered"]
    assert delivered_before < CALLS, "the kill must land in the middle of the batch"
    in_doubt = set(
        WebhookCall.objects.filter(status="sending").values_list("idempotency_key", flat=True)
    )
    assert len(in_doubt) <= 1, "one call at a time is claimed"

    second = start_worker(beat=True, **FAST)
    wait_for(
        lambda: _statuses()["delivered"] == CALLS,
        timeout=120,
        worker=second,
        what=f"all {CALLS} calls delivered",
    )

    keys = {str(key) for key in WebhookCall.objects.values_list("idempotency_key", flat=True)}
    received = receiver.keys()
    assert set(received) == keys, "every call arrived"
    ids = Counter(body["data"]["registration"]["id"] for body in receiver.accepted())
    assert set(ids) == set(range(CALLS))
    twice = {key for key, count in received.items() if count > 1}
    print(f"killed after {delivered_before} delivered; {received.total()} calls received")
    assert twice <= {str(key) for key in in_doubt}, "only the call in doubt may come twice"
    for call in receiver.calls:
        body = call["body"]
        assert verify(webhook.secret, call["headers"]["X-Proximity-Signature"], body)
        assert json.loads(body)["id"] == call["headers"]["Idempotency-Key"]


def test_a_receiver_that_fails_then_recovers_gets_the_call_with_its_key(
    start_worker, receiver, webhook
):
    receiver.script[:] = [503, 502, 429]
    worker = start_worker(**FAST)

    webhooks_emit(Webhook.Event.MEETING_CANCELLED, {"meeting": {"id": 1}})

    wait_for(lambda: _statuses()["delivered"] == 1, worker=worker, what="the fourth attempt")
    call = WebhookCall.objects.get()
    assert (call.attempts, call.response_code) == (4, 200)
    assert [c["status"] for c in receiver.calls] == [503, 502, 429, 200]
    assert len({c["headers"]["Idempotency-Key"] for c in receiver.calls}) == 1
