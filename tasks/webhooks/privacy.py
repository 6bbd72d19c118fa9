"""Webhook calls kept no longer than the emails' rule: their bodies name people.

A call done with (delivered, or failed and not sent again) is deleted whole: its body
is what a person's data looked like when it was sent, and the count of calls is no
figure anyone reports on. Calls still waiting are their worker's, and wait to be done.
"""

from datetime import datetime

from django.db.models import QuerySet

from ..models import WebhookCall

DONE = (WebhookCall.Status.DELIVERED, WebhookCall.Status.FAILED)


def webhook_calls_done(created_before: datetime) -> QuerySet[WebhookCall]:
    return WebhookCall.objects.filter(created_at__lt=created_before, status__in=DONE)


def webhook_calls_delete(calls: QuerySet[WebhookCall]) -> int:
    return calls.filter(status__in=DONE).order_by().delete()[0]
