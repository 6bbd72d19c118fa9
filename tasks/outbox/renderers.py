"""What a message contains: the apps' renderers, and what a batch's renderers share.

Apps register a renderer for each kind of email (`renderer`); `send` calls it for each
row it claims. A batch of a fan-out is many messages about one meeting, so renderers
read their rows together (`batch_deliveries`) and build what the recipients share once
(`batch_memo`, `fanout_memo`).
"""

import time
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.core.mail import EmailMultiAlternatives

from ..models import Delivery

T = TypeVar("T")

Renderer = Callable[[Delivery], EmailMultiAlternatives]
RENDERERS: dict[str, Renderer] = {}


class PermanentFailure(Exception):
    """Raised by a renderer when the message can never be built (its subject is gone)."""


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the function that builds the message of a delivery of `kind`."""

    def register(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
        return function

    return register


class _Batch:
    """What the renderers of one `deliveries_send` call share."""

    def __init__(self, rows: dict[int, Delivery]):
        self.rows = rows
        self.memo: dict[Hashable, object] = {}


_batch: ContextVar[_Batch | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def batch_of(rows: dict[int, Delivery]):
    """Render inside this block as `deliveries_send` renders the batch `rows`."""
    token = _batch.set(_Batch(rows))
    try:
        yield
    finally:
        _batch.reset(token)


def batch_deliveries(kind: str) -> list[Delivery]:
    """The rows of `kind` in the batch being sent (none outside `deliveries_send`), so
    that a renderer can read what all their messages are about in one query."""
    batch = _batch.get()
    if batch is None:
        return []
    return [row for row in batch.rows.values() if row.kind == kind]


def batch_memo(key: Hashable, build: Callable[[], T]) -> T:
    """`build()`, worked out once per batch for each `key`; outside a batch, every time.

    For what many messages of a batch share and none of their recipients changes (a
    meeting's calendar, its rendered description). A batch lasts seconds: the key must
    still name the state it was built from (a meeting's SEQUENCE and `updated_at`…).
    """
    batch = _batch.get()
    if batch is None:
        return build()
    try:
        return batch.memo[key]
    except KeyError:
        value = batch.memo[key] = build()
        return value


# What a worker keeps from one batch to the next (see `fanout_memo`).
FANOUT_MEMO_S = 60.0
FANOUT_MEMO_SIZE = 64
_fanout: dict[Hashable, tuple[float, object]] = {}


def fanout_memo(key: Hashable, build: Callable[[], T]) -> T:
    """`batch_memo`, kept by the worker for `FANOUT_MEMO_S` seconds across batches.

    A fan-out of 5 000 invitations is 20 batches, and building the frame of each batch
    and language again took a tenth of the sending. As for `batch_memo`, `key` must name
    the state the value was built from (a meeting's SEQUENCE and `updated_at`…); what
    it cannot name (a theme renamed without saving the meeting) may then be a minute
    old in an email, as it could be a few seconds old within a batch. Outside a batch,
    `build()` every time.
    """
    if _batch.get() is None:
        return build()
    now = time.monotonic()
    kept = _fanout.get(key)
    if kept is not None and now - kept[0] < FANOUT_MEMO_S:
        return kept[1]
    value = build()
    if len(_fanout) >= FANOUT_MEMO_SIZE:
        _fanout.clear()
    _fanout[key] = (now, value)
    return value
