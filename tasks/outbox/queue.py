"""Hand jobs to the broker, and enqueue them only once the caller's transaction has committed.

A job enqueued before commit can run before its data is visible, or for data that is
then rolled back. Apps name the job instead of importing it, so the apps never import
the background layer's modules (which import the apps).

The broker is not a dependency of a request: every job handed on here is redone on
demand or swept up later (`tasks.outbox_sweep`), so the person's action succeeds with
the broker down. A publish that fails is bounded by the broker's timeouts
(`REDIS_BROKER_TIMEOUT_S`, one retry), and then the broker is not tried again for
`RETRY_AFTER_S`: requests in between leave their jobs to the sweep at no cost.
"""

import logging

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import ChannelError, OperationalError

from events_site.kit.outage import Outage

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 10.0

broker_outage = Outage(
    "The broker",
    logger,
    retry_after_s=RETRY_AFTER_S,
    consequence="Jobs are not handed on: emails wait for the outbox sweep, caches are "
    "built on the first request.",
)


def publish(task_name: str, args: tuple, *, countdown: float | None = None) -> bool:
    """Hand a job to the broker now; False if the broker cannot take it."""
    if broker_outage.skip():
        return False
    try:
        current_app.tasks[task_name].apply_async(args, countdown=countdown)
    except (OperationalError, ChannelError, OSError) as error:
        broker_outage.failed(error)
        return False
    broker_outage.recovered()
    return True


def enqueue_on_commit(task_name: str, *args, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: publish(task_name, args, countdown=countdown))


def enqueue_on_commit_once(task_name: str, *args, window_s: float) -> None:
    """Queue the job once for a burst of writes: the first write of a `window_s` window
    queues it to run `2 * window_s` later, so it sees the whole window's writes, and the
    others queue nothing. For jobs that catch up on everything pending (a room posting
    at the bell would otherwise queue one job a post-it). In eager mode (no worker, the
    unit tests) each write runs it at its commit."""
    if current_app.conf.task_always_eager:
        enqueue_on_commit(task_name, *args)
    elif cache.add(f"queued:{task_name}:{args}", True, timeout=window_s):
        enqueue_on_commit(task_name, *args, countdown=2 * window_s)
