"""Hand on again what nobody is working on, and an organiser's "send again".

`deliveries_sweep`, run every minute by Celery beat, re-enqueues rows written while the
broker was down, and rows held by a worker that died (`stranded_ids`, which the webhook
calls' sweep shares).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Delivery
from .enqueue import OutboxError, enqueue_ids


def deliveries_sweep() -> int:
    """Re-enqueue what nobody is working on; returns how many rows it handed on."""
    ids = stranded_ids(Delivery.objects.all())
    enqueue_ids(ids)
    return len(ids)


def stranded_ids(rows: QuerySet) -> list[int]:
    """The outbox rows (emails, webhook calls) among `rows` that nobody is working on:
    those a dead worker left "sending" are put back in the queue first.

    Rows queued and handed to the broker recently, or waiting for their retry, are
    someone's; the others were written while the broker was down, or lost with a worker.
    """
    now = timezone.now()
    stuck_before = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_S)
    rows.filter(status="sending", claimed_at__lt=stuck_before).update(
        status="queued", next_attempt_at=None, updated_at=now
    )
    idle_before = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_S)
    return list(
        rows.filter(status="queued")
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=idle_before))
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=idle_before))
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )


class ResendRefused(OutboxError):
    """The row's state, not the request, stands in the way: a conflict."""

    code = "conflict"


def delivery_resend(delivery: Delivery) -> Delivery:
    """An organiser's "send again" on a failed delivery, once the address is fixed."""
    if not delivery.to_email:
        raise ResendRefused(_("This email's recipient was erased: it cannot be sent again."))
    reopened = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.QUEUED, attempts=0, next_attempt_at=None, last_error=""
    )
    if not reopened:
        raise ResendRefused(_("Only a failed email can be sent again."))
    transaction.on_commit(lambda: enqueue_ids([delivery.pk]))
    delivery.refresh_from_db()
    return delivery
