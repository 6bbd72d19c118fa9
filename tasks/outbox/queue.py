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


# How long a job asked for by `publish_unless_queued` counts as queued without having
# started: a job lost with the broker, or stuck behind a long queue, is asked for again
# after this.
QUEUED_FLAG_S = 60


def _queued_flag(task_name: str) -> str:
    return f"pending:{task_name}"


def publish_unless_queued(task_name: str) -> None:
    """Hand on `task_name`, with no arguments, unless a run of it is queued and has not
    started: that run will see what the caller committed, since a run clears the flag
    (`queued_flag_clear`) before it reads anything. For a job that hands on everything
    pending, asked for after each commit of a burst: a registration rush then costs the
    broker one message a run of the job, not one a registration.

    The flag lives in the shared cache (`OUTBOX_DRAIN`: without one, the web processes
    and the worker would not see each other's flags). A publish that fails clears it,
    so that the next commit tries again; a cache that cannot answer sets no flag, and
    what is pending waits for the sweep."""
    flag = _queued_flag(task_name)
    if cache.add(flag, True, timeout=QUEUED_FLAG_S) and not publish(task_name, ()):
        cache.delete(flag)


def queued_flag_clear(task_name: str) -> None:
    """The first thing a run of a `publish_unless_queued` job does: from now on, a commit
    asks for another run, since this one may read before that commit."""
    cache.delete(_queued_flag(task_name))


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
