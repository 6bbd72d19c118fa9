"""Webhooks: signed POSTs that tell organisers' own tools what happened.

A second outbox beside the emails', with its guarantees: a call is a row
(`tasks.models.WebhookCall`) written in the transaction of the change it tells, handed
to the broker after commit, claimed before it is sent, retried with backoff, and swept
up when a broker or a worker let it down. It imports no app; the apps tell what
happened through the names below and nothing else of the package:

- `webhooks_emit` (an event and its data, in the caller's transaction) and
  `webhooks_atomic` (a transaction only when someone listens, for a write that
  otherwise needs none: the door's scan), `webhooks_read` (which events are listened to,
  read once for a block, before its locks) (`emit`);
- `webhook_calls_sql` and `webhook_calls_params`: the same calls owed from inside a
  hand-written PostgreSQL statement that makes the change (`sql`: the door's scan),
  handed on with `webhook_calls_publish`;
- `Event`, the events a webhook may choose (`tasks.models.Webhook.Event`);
- `webhook_calls_done`, `webhook_calls_delete`: the retention rule's, and
  `webhook_calls_about`, `webhook_calls_rewrite`: an erasure's (`privacy`).

Organisers manage theirs through `services` and read them through `selectors`; the
jobs (`tasks.tasks`) send (`send`) and sweep (`sweep`); `targets` refuses addresses
inside the network, `signing` signs each body.
"""

from ..models import Webhook
from .emit import (
    webhook_calls_publish,
    webhook_calls_write,
    webhooks_atomic,
    webhooks_emit,
    webhooks_read,
)
from .privacy import (
    webhook_calls_about,
    webhook_calls_delete,
    webhook_calls_done,
    webhook_calls_rewrite,
)
from .sql import webhook_calls_params, webhook_calls_sql

Event = Webhook.Event

__all__ = [
    "Event",
    "webhook_calls_about",
    "webhook_calls_delete",
    "webhook_calls_done",
    "webhook_calls_params",
    "webhook_calls_publish",
    "webhook_calls_rewrite",
    "webhook_calls_sql",
    "webhook_calls_write",
    "webhooks_atomic",
    "webhooks_emit",
    "webhooks_read",
]
