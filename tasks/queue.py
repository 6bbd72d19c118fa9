"""Enqueue Celery jobs only once the caller's transaction has committed.

A job enqueued before commit can run before its data is visible, or for data that is
then rolled back. Apps name the job instead of importing it, so the apps never import
the background layer's modules (which import the apps).
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args, countdown: float | None = None) -> None:
    def send():
        try:
            current_app.tasks[task_name].apply_async(args, countdown=countdown)
        except Exception:
            # The broker is down. Callers only enqueue work that is redone on demand or
            # swept up later, so the person's action must still succeed.
            logger.warning("Could not enqueue %s%r", task_name, args, exc_info=True)

    transaction.on_commit(send)
