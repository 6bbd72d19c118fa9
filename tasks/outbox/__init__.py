"""The outbox: every email the product owes someone, and every job handed to the broker.

It imports no app; the apps import it, through the names below and nothing else of
the package, so that how rows are claimed, sent and swept can change without them:

- to owe an email, in the caller's transaction: `DeliverySpec`, `delivery_queue`,
  `deliveries_queue`, `recipient_problem` (`enqueue`), or in the caller's own statement:
  `delivery_owed_sql` (`sql`), `delivery_owed`, `delivery_owed_hand_on` (`enqueue`);
- to run a job once the caller's transaction has committed: `enqueue_on_commit`, or
  `enqueue_on_commit_once` for a burst of writes (`queue`);
- to forget who an email went to (an erasure, the retention rule): `deliveries_forget`,
  `deliveries_recipient_remove`, `deliveries_with_recipient` (`privacy`);
- to say what an email of a kind contains: `renderer`, `PermanentFailure`,
  `batch_deliveries`, `batch_memo`, `fanout_memo` (`renderers`), `message_build`,
  `inline_image_attach` (`mail`), `MessageFrame`, `message_frame` (`frames`).

The rows are `tasks.models.Delivery` (Django wants models there). The jobs
(`tasks.tasks`) send (`send`) and sweep (`sweep`); organisers read the rows through
`selectors`. The statements `enqueue` and `send` write by hand live in `sql`.
"""

from .enqueue import (
    DeliverySpec,
    deliveries_queue,
    delivery_owed,
    delivery_owed_hand_on,
    delivery_queue,
    recipient_problem,
)
from .frames import MessageFrame, message_frame
from .mail import inline_image_attach, message_build
from .privacy import deliveries_forget, deliveries_recipient_remove, deliveries_with_recipient
from .queue import enqueue_on_commit, enqueue_on_commit_once
from .renderers import PermanentFailure, batch_deliveries, batch_memo, fanout_memo, renderer
from .sql import delivery_owed_sql

__all__ = [
    "DeliverySpec",
    "MessageFrame",
    "PermanentFailure",
    "batch_deliveries",
    "batch_memo",
    "deliveries_forget",
    "deliveries_queue",
    "deliveries_recipient_remove",
    "deliveries_with_recipient",
    "delivery_owed",
    "delivery_owed_hand_on",
    "delivery_owed_sql",
    "delivery_queue",
    "enqueue_on_commit",
    "enqueue_on_commit_once",
    "fanout_memo",
    "inline_image_attach",
    "message_build",
    "message_frame",
    "recipient_problem",
    "renderer",
]
