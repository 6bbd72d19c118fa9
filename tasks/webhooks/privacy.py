"""Webhook calls kept no longer than the emails' rule, and rewritten by an erasure:
their bodies name people.

A call done with (delivered, or failed and not sent again) is deleted whole: its body
is what a person's data looked like when it was sent, and the count of calls is no
figure anyone reports on. Calls still waiting are their worker's, and wait to be done.

An erasure rewrites the calls that told of the person, whatever their state: one still
to be sent then tells the change (a registration cancelled by the erasure, say) without
the name, and a retry sends the same. Only the app that wrote a body knows which of its
fields name someone, so it finds the calls (`webhook_calls_about`) and says how each
body reads now (`webhook_calls_rewrite`).
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from ..models import WebhookCall

DONE = (WebhookCall.Status.DELIVERED, WebhookCall.Status.FAILED)


def webhook_calls_done(created_before: datetime) -> QuerySet[WebhookCall]:
    return WebhookCall.objects.filter(created_at__lt=created_before, status__in=DONE)


def webhook_calls_delete(calls: QuerySet[WebhookCall]) -> int:
    return calls.filter(status__in=DONE).order_by().delete()[0]


def webhook_calls_about(subject: str, ids: Iterable[int]) -> QuerySet[WebhookCall]:
    """The calls whose body tells of one of these objects: `data.<subject>.id` in `ids`
    (`subject` "registration", say)."""
    return WebhookCall.objects.filter(**{f"payload__data__{subject}__id__in": list(ids)})


def webhook_calls_rewrite(calls: QuerySet[WebhookCall], rewrite: Callable[[dict], dict]) -> int:
    """Each call's body replaced by `rewrite(body)`; returns how many were rewritten."""
    now = timezone.now()
    changed = []
    for call in calls.only("pk", "payload"):
        call.payload, call.updated_at = rewrite(call.payload), now
        changed.append(call)
    WebhookCall.objects.bulk_update(changed, ["payload", "updated_at"], batch_size=500)
    return len(changed)
