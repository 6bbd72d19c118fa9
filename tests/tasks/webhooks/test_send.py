"""Sending calls: signed POSTs, retries with backoff, failures for good, and a webhook
switched off after too many of them, its owner emailed in their language."""

import json
import time

import pytest
from django.core import mail
from django.test import override_settings

from tasks.models import Delivery, Webhook, WebhookCall
from tasks.webhooks import webhooks_emit
from tasks.webhooks.send import call_body, retry_delay, webhook_calls_send
from tests.tasks.webhooks.receiver import verify

pytestmark = pytest.mark.django_db

EVENT = Webhook.Event.REGISTRATION_CREATED
DATA = {"registration": {"id": 7, "first_name": "Zoë <b>&", "last_name": "Van 🇧🇪 Damme"}}


def emit(committed, data=DATA, event=EVENT):
    committed(webhooks_emit, event, data)
    return WebhookCall.objects.order_by("-pk").first()


def send_again(call):
    """The retry that backoff would run later, run now."""
    WebhookCall.objects.filter(pk=call.pk).update(next_attempt_at=None)
    webhook_calls_send([call.pk])
    call.refresh_from_db()


def test_a_call_is_a_json_post_signed_with_the_webhooks_secret(committed, webhook, receiver):
    call = emit(committed)

    (received,) = receiver.calls
    headers, body = received["headers"], received["body"]
    assert received["path"] == "/hooks/proximity?source=test"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Proximity-Event"] == "registration.created"
    assert headers["Idempotency-Key"] == str(call.idempotency_key)
    assert verify(webhook.secret, headers["X-Proximity-Signature"], body)
    sent = json.loads(body)
    assert sent["id"] == str(call.idempotency_key)
    assert sent["event"] == "registration.created"
    assert sent["data"] == DATA, "names with markup and emoji arrive as typed"
    assert "created_at" in sent
    call.refresh_from_db()
    assert (call.status, call.response_code, call.attempts) == ("delivered", 200, 1)
    assert call.delivered_at is not None


def test_the_signature_covers_the_time_and_the_body(committed, webhook, receiver):
    emit(committed)
    (received,) = receiver.calls
    header, body = received["headers"]["X-Proximity-Signature"], received["body"]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert abs(timestamp - time.time()) < 60

    assert not verify(webhook.secret, header, body.replace(b"7", b"8")), "a changed body"
    assert not verify("whsec_another", header, body), "another webhook's secret"
    forged_time = header.replace(f"t={timestamp}", f"t={timestamp + 1}")
    assert not verify(webhook.secret, forged_time, body), "a time moved forward"


def test_a_call_replayed_after_the_window_is_refused_by_the_receivers_check(
    committed, webhook, receiver, monkeypatch
):
    emit(committed)
    (received,) = receiver.calls
    header, body = received["headers"]["X-Proximity-Signature"], received["body"]
    sent_at = time.time()

    monkeypatch.setattr(time, "time", lambda: sent_at + 290)
    assert verify(webhook.secret, header, body)
    monkeypatch.setattr(time, "time", lambda: sent_at + 320)
    assert not verify(webhook.secret, header, body), "five minutes later: a replay"


def test_every_attempt_carries_the_same_body_and_idempotency_key(committed, webhook, receiver):
    receiver.script[:] = [503]
    call = emit(committed)
    send_again(call)

    first, second = receiver.calls
    assert first["headers"]["Idempotency-Key"] == second["headers"]["Idempotency-Key"]
    assert first["body"] == second["body"] == call_body(call)
    assert call.status == "delivered"
    assert call.attempts == 2


@override_settings(WEBHOOK_RETRY_BASE_S=30, WEBHOOK_RETRY_MAX_S=3600)
def test_backoff_doubles_from_the_base_up_to_the_ceiling_with_jitter():
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (5, 480), (8, 3600), (30, 3600)]:
        waits = [retry_delay(attempts) for _ in range(200)]
        assert ceiling / 2 <= min(waits) and max(waits) <= ceiling
        assert len(set(waits)) > 1, "jittered, so that receivers are not hit in waves"


@pytest.mark.parametrize("status", [500, 502, 503, 408, 425, 429])
def test_a_server_error_or_a_throttle_is_retried_later(committed, webhook, receiver, status):
    receiver.script[:] = [status]
    call = emit(committed)

    call.refresh_from_db()
    assert (call.status, call.response_code, call.attempts) == ("queued", status, 1)
    assert call.last_error == f"answer {status}"
    assert call.next_attempt_at is not None
    assert len(receiver.calls) == 1, "the retry waits for its time"
    webhook_calls_send([call.pk])
    assert len(receiver.calls) == 1, "a retry that is not due yet is not sent"


@pytest.mark.parametrize("status", [400, 401, 404, 410, 302])
def test_a_refusal_or_a_redirect_fails_the_call_at_once(committed, webhook, receiver, status):
    receiver.script[:] = [status]
    call = emit(committed)

    call.refresh_from_db()
    assert (call.status, call.response_code, call.attempts) == ("failed", status, 1)
    assert len(receiver.calls) == 1, "a redirect is not followed"
    webhook.refresh_from_db()
    assert webhook.failures == 1


def test_a_receiver_that_is_down_is_retried_with_the_reason(committed, webhook, receiver):
    receiver.__exit__()
    call = emit(committed)

    call.refresh_from_db()
    assert call.status == "queued"
    assert call.response_code is None
    assert "ConnectionRefusedError" in call.last_error


@override_settings(WEBHOOK_MAX_ATTEMPTS=3)
def test_the_last_attempt_fails_the_call_for_good(committed, webhook, receiver):
    receiver.script[:] = [500, 500, 500]
    call = emit(committed)
    send_again(call)
    assert call.status == "queued"
    send_again(call)

    assert (call.status, call.attempts, call.response_code) == ("failed", 3, 500)
    send_again(call)
    assert len(receiver.calls) == 3, "a failed call is not sent again by itself"


def test_a_delivered_call_starts_the_count_of_failures_again(committed, webhook, receiver):
    receiver.script[:] = [404, 404]
    emit(committed)
    emit(committed)
    webhook.refresh_from_db()
    assert webhook.failures == 2

    emit(committed)
    webhook.refresh_from_db()
    assert webhook.failures == 0


@override_settings(WEBHOOK_DISABLE_AFTER=3)
def test_repeated_failures_switch_the_webhook_off_and_email_its_owner_in_their_language(
    committed, webhook, receiver, organiser
):
    organiser.first_name, organiser.last_name = "Els", "Peeters"
    organiser.save()
    Webhook.objects.filter(pk=webhook.pk).update(language="nl")
    receiver.script[:] = [410, 410, 410]
    emit(committed)
    emit(committed)
    committed(webhooks_emit, EVENT, DATA, DATA)  # two calls in one batch: the first fails

    webhook.refresh_from_db()
    assert not webhook.is_active
    assert webhook.disabled_at is not None
    (email,) = mail.outbox
    assert email.to == ["Els Peeters <organiser@example.org>"]
    assert email.subject == "Uw webhook werd uitgeschakeld"
    assert webhook.url in email.body
    assert "410 answer 410" in email.body
    assert Delivery.objects.get().kind == "webhook_disabled"

    assert len(receiver.calls) == 3, "nothing is sent to a switched-off webhook"
    waiting = WebhookCall.objects.get(status="queued")
    assert waiting.attempts == 0, "its calls wait for it to be switched on"
    assert len(mail.outbox) == 1, "its owner is told once"


@override_settings(WEBHOOK_DISABLE_AFTER=1)
def test_a_switched_off_webhook_gets_no_new_calls(committed, webhook, receiver):
    receiver.script[:] = [404]
    emit(committed)
    assert not Webhook.objects.get().is_active

    assert committed(webhooks_emit, EVENT, DATA) == 0


def test_an_address_that_now_resolves_inside_the_network_is_not_called(
    committed, webhook, receiver, settings
):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    call = emit(committed)

    call.refresh_from_db()
    assert call.status == "failed"
    assert "inside this server's network" in call.last_error
    assert receiver.calls == []
