"""`tasks.outbox.sweep`: what nobody is working on is handed on; an organiser's "send again"."""

from datetime import timedelta

import pytest
from celery import current_app
from django.core import mail
from django.utils import timezone

from tasks import outbox
from tasks.models import Delivery
from tasks.outbox import sweep
from tasks.outbox.enqueue import OutboxError
from tasks.outbox.queue import broker_outage
from tests.tasks.outbox.conftest import _spec

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scripted_smtp")]


def test_the_sweep_hands_on_rows_the_broker_or_a_dead_worker_left_behind(settings):
    outbox.deliveries_queue([_spec(key="orphan"), _spec(key="stuck"), _spec(key="fresh")])
    long_ago = timezone.now() - timedelta(hours=1)
    # Never handed to the broker (a publish that failed takes the stamp back).
    Delivery.objects.filter(idempotency_key="orphan").update(created_at=long_ago, enqueued_at=None)
    Delivery.objects.filter(idempotency_key="stuck").update(
        status=Delivery.Status.SENDING, claimed_at=long_ago, attempts=1, enqueued_at=long_ago
    )
    Delivery.objects.filter(idempotency_key="fresh").update(enqueued_at=timezone.now())

    assert sweep.deliveries_sweep() == 2

    sent = {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 2 and sent == {"maire@example.fr"}
    statuses = dict(Delivery.objects.values_list("idempotency_key", "status"))
    assert statuses == {"orphan": "sent", "stuck": "sent", "fresh": "queued"}


def test_an_organiser_can_resend_a_failed_email_only(django_capture_on_commit_callbacks):
    outbox.delivery_queue(_spec())
    delivery = Delivery.objects.get()
    with pytest.raises(OutboxError, match="Only a failed email"):
        sweep.delivery_resend(delivery)

    Delivery.objects.update(status=Delivery.Status.FAILED, attempts=3, last_error="550")
    with django_capture_on_commit_callbacks(execute=True):
        sweep.delivery_resend(delivery)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1


def test_fresh_rows_the_broker_refused_are_left_to_the_sweep(
    django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(args, countdown=None):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(current_app.tasks["tasks.deliver"], "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliveries_queue([_spec(key="a"), _spec(key="b")], fresh=True)

    assert not Delivery.objects.filter(enqueued_at__isnull=False).exists()
    monkeypatch.undo()
    monkeypatch.setattr(broker_outage, "_retry_at", 0.0)  # the broker is tried again
    assert sweep.deliveries_sweep() == 2
    assert len(mail.outbox) == 2
