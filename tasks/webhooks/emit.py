"""Owe webhook calls: rows written in the caller's transaction, handed on after commit.

Most changes interest no webhook, and some are on hot paths (a registration rush, the
door): which events anyone listens to is kept in the cache, dropped whenever a webhook
is saved or deleted, so that a change nobody listens to costs a cache read, and one
only for a whole block of writes (`webhooks_read`).
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from ..models import Webhook, WebhookCall
from ..outbox.enqueue import publish_ids

SUBSCRIBED_KEY = "webhooks:events"
# A process that read the webhooks just before another committed a new one may write
# the old set back after that commit dropped it: kept this long at most, so that such a
# webhook misses a minute of events at worst, never all of them.
SUBSCRIBED_S = 60
SEND_TASK = "tasks.webhook_calls_send"
# The events read by the `webhooks_read` block this thread is in, if any.
_read: ContextVar[frozenset[str] | None] = ContextVar("webhooks_read", default=None)


def _subscribed() -> frozenset[str]:
    """The events at least one active webhook listens to."""
    events = _read.get()
    if events is not None:
        return events
    events = cache.get(SUBSCRIBED_KEY)
    if events is None:
        events = frozenset(
            event
            for listened in Webhook.objects.filter(is_active=True)
            .order_by()
            .values_list("events", flat=True)
            for event in listened
        )
        cache.set(SUBSCRIBED_KEY, events, timeout=SUBSCRIBED_S)
    return events


@receiver(post_save, sender=Webhook)
@receiver(post_delete, sender=Webhook)
def _subscribed_forget(sender, **kwargs):
    """Dropped now, for this transaction's own events, and again after commit, for the
    events of every other process's transactions."""
    cache.delete(SUBSCRIBED_KEY)
    transaction.on_commit(lambda: cache.delete(SUBSCRIBED_KEY))


@contextmanager
def webhooks_read() -> Iterator[frozenset[str]]:
    """Which events are listened to, read once for every `webhooks_emit` of the block.

    Open it before the block's locks: the read is a cache round trip (two, on the door's
    scan, before it), and a registration made it while holding its meeting's seat. A
    webhook saved during the block is as one saved just after it."""
    events = _subscribed()
    token = _read.set(events)
    try:
        yield events
    finally:
        _read.reset(token)


@contextmanager
def webhooks_atomic(event: str) -> Iterator[None]:
    """A transaction around a write and its `webhooks_emit`, when anyone listens to
    `event`; else nothing, for a write that is one statement on its own. Inside a
    `webhooks_read` block."""
    with webhooks_read() as events, transaction.atomic() if event in events else nullcontext():
        yield


def webhooks_emit(event: str, *data: dict) -> int:
    """Owe each active webhook that listens to `event` a call for each `data`, in the
    caller's transaction; returns how many calls were written.

    Each `data` is what one occurrence of the event says (JSON: ids, states, names),
    built by the app that knows it; its call adds its own id, the event's name and time.
    """
    ids = webhook_calls_write(event, *data)
    webhook_calls_publish(ids)
    return len(ids)


def _payload(event: str, now, data: dict) -> dict:
    return {"event": event, "created_at": now.isoformat(), "data": data}


def webhook_calls_write(event: str, *data: dict) -> list[int]:
    """`webhooks_emit`'s calls, written stamped, and their ids for the caller to hand on
    (`webhook_calls_publish`)."""
    if not data or event not in _subscribed():
        return []
    now = timezone.now()
    hooks = [
        hook_id
        for hook_id, events in Webhook.objects.filter(is_active=True)
        .order_by()
        .values_list("id", "events")
        if event in events
    ]
    calls = WebhookCall.objects.bulk_create(
        WebhookCall(
            webhook_id=hook_id,
            event=event,
            payload=_payload(event, now, occurrence),
            enqueued_at=now,
        )
        for occurrence in data
        for hook_id in hooks
    )
    return [call.pk for call in calls]


def webhook_calls_publish(ids: list[int]) -> None:
    """Hand the calls `ids`, written stamped in the caller's transaction, to the sending
    job once it commits (at once in autocommit)."""
    if ids:
        transaction.on_commit(
            lambda: publish_ids(SEND_TASK, WebhookCall.objects, ids, stamped=True)
        )
