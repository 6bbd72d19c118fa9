"""Queue, send and sweep the outbox.

- `delivery_queue` / `deliveries_queue` write rows inside the caller's transaction; the
  `tasks.deliver` job is enqueued after commit.
- `deliveries_send` claims rows before sending, so two workers never send the same one;
  it tells transient SMTP failures (retried with exponential backoff and jitter) from
  permanent ones (marked failed with the server's reason, never retried).
- `deliveries_sweep`, run every minute by Celery beat, re-enqueues rows that nobody is
  working on: written while the broker was down, or held by a worker that died.

Apps say what a message contains by registering a renderer for its kind.
"""

import json
import logging
import random
import smtplib
import socket
import time
from collections.abc import Callable, Hashable, Iterable
from contextlib import closing, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import cache, lru_cache
from operator import attrgetter
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit import sql
from events_site.kit.errors import DomainError
from events_site.kit.text import breaks_a_line

from ..models import Delivery
from ..queue import publish

logger = logging.getLogger(__name__)
T = TypeVar("T")

Renderer = Callable[[Delivery], EmailMultiAlternatives]
RENDERERS: dict[str, Renderer] = {}
# Rows per `tasks.deliver` job: one SMTP connection serves a whole batch.
BATCH_SIZE = 250
# A fan-out's emails in the same language side by side: the renderers of a batch then
# build one frame for all of them (see `tasks.frames`).
SEND_ORDER = ("kind", "meeting_id", "language", "pk")


class OutboxError(DomainError):
    pass


class PermanentFailure(Exception):
    """Raised by a renderer when the message can never be built (its subject is gone)."""


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the function that builds the message of a delivery of `kind`."""

    def register(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
        return function

    return register


@dataclass(frozen=True)
class DeliverySpec:
    kind: str
    key: str
    to_email: str
    language: str
    to_name: str = ""
    reply_to: str = ""
    person_id: int | None = None
    meeting_id: int | None = None
    programme_id: int | None = None
    context: dict = field(default_factory=dict)


def recipient_problem(email: str, name: str = "") -> str | None:
    """Why this recipient cannot be written to, or None.

    A line break in a name or an address would let it inject mail headers.
    """
    if breaks_a_line(email) or breaks_a_line(name):
        return _("A line break in a name or an address is not allowed.")
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” is not a valid email address.") % {"email": email}
    return None


def _spec_check(spec: DeliverySpec) -> None:
    if spec.kind not in RENDERERS:
        raise OutboxError(f"No renderer for email kind {spec.kind!r}.")
    problem = recipient_problem(spec.to_email, spec.to_name)
    if problem:
        raise OutboxError(problem, field="to_email")
    if spec.reply_to and recipient_problem(spec.reply_to):
        raise OutboxError(recipient_problem(spec.reply_to), field="reply_to")


def _spec_values(spec: DeliverySpec) -> dict:
    """The row's fields from `spec`, by field name, the key included."""
    return {
        "kind": spec.kind,
        "idempotency_key": spec.key,
        "to_email": spec.to_email,
        # Two 100-character names do not fit; the address, not the name, is what matters.
        "to_name": spec.to_name[: Delivery._meta.get_field("to_name").max_length],
        "language": spec.language,
        "reply_to": spec.reply_to,
        "person_id": spec.person_id,
        "meeting_id": spec.meeting_id,
        "programme_id": spec.programme_id,
        "context": spec.context,
    }


def deliveries_queue(specs: Iterable[DeliverySpec], *, fresh: bool = False) -> list[str]:
    """Write the rows whose key is new, in the caller's transaction; return the new keys.

    A key already in the outbox means that email is already owed or sent: asking again
    is a no-op, which is what makes retries of the causing action safe.

    `fresh` keys cannot be in the outbox yet: they name what the caller's transaction
    has just written (a registration and the instant it changed). A key that was not
    fresh after all fails the caller's transaction on the unique index.

    On PostgreSQL every call is one statement, whatever the keys
    (`_queue_in_one_statement`); elsewhere `fresh` keys are inserted without a read
    first, and other keys after one.
    """
    chosen: dict[str, DeliverySpec] = {}
    for spec in specs:
        if spec.key not in chosen:
            _spec_check(spec)
            chosen[spec.key] = spec
    if not chosen:
        return []
    if connection.vendor == "postgresql":
        return _queue_in_one_statement(chosen, fresh)
    rows = {key: Delivery(**_spec_values(spec)) for key, spec in chosen.items()}
    returning = connection.features.can_return_rows_from_bulk_insert
    if fresh and returning:
        _insert_and_enqueue(rows.values())
        return list(rows)
    existing = set(
        Delivery.objects.filter(idempotency_key__in=rows).values_list("idempotency_key", flat=True)
    )
    keys = [key for key in rows if key not in existing]
    if not keys:
        return []
    if returning:
        # Read a moment ago, these keys are new unless a twin of the caller's action
        # queued one since: then the savepoint takes the insert back, and the rows go in
        # one by one below, past the conflict.
        try:
            with transaction.atomic():
                _insert_and_enqueue([rows[key] for key in keys])
        except IntegrityError:
            pass
        else:
            return keys
    # Unsaved again, whatever the savepoint did.
    new = [Delivery(**_spec_values(chosen[key])) for key in keys]
    Delivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    transaction.on_commit(lambda: _enqueue_keys(keys))
    return keys


# A fan-out's rows in one statement, from one array per column: building 5 000 model
# instances and having the ORM turn each field of each into a parameter took longer
# than the database's insert (a fifth of a 5 000-invitation fan-out's time to the last
# email), and keys already owed needed a read first. `ON CONFLICT DO NOTHING` skips
# those; without it (`fresh` keys) a key already there fails the caller's transaction.
_QUEUE_SQL = (
    "INSERT INTO {table} ({kind}, {idempotency_key}, {to_email}, {to_name}, {language}, "
    "{reply_to}, {person}, {meeting}, {programme}, {context}, {status}, {attempts}, "
    "{last_error}, {created_at}, {updated_at}, {enqueued_at}) "
    "SELECT spec.*, %s, 0, '', %s, %s, %s FROM unnest("
    "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::bigint[], %s::bigint[], %s::bigint[], %s::text[]::jsonb[]) AS spec "
    "{conflict}RETURNING {id}, {idempotency_key}"
)
# What a row is queued with (`_spec_values`), in the order of `_QUEUE_SQL`'s arrays.
_QUEUED_FIELDS = (
    "kind",
    "idempotency_key",
    "to_email",
    "to_name",
    "language",
    "reply_to",
    "person_id",
    "meeting_id",
    "programme_id",
    "context",
)


@cache
def _queue_sql(fresh: bool) -> str:
    conflict = "" if fresh else "ON CONFLICT ({idempotency_key}) DO NOTHING "
    return sql.fill(
        _QUEUE_SQL.replace("{conflict}", conflict), table=Delivery, **sql.columns(Delivery)
    )


def _queue_in_one_statement(chosen: dict[str, DeliverySpec], fresh: bool) -> list[str]:
    """`deliveries_queue` on PostgreSQL: the new rows, stamped as handed to the broker,
    enqueued after commit by the ids the insert returns (see `_insert_and_enqueue`)."""
    values = [_spec_values(spec) for spec in chosen.values()]
    for row in values:
        row["context"] = json.dumps(row["context"])
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    arrays = [[row[name] for row in values] for name in _QUEUED_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_queue_sql(fresh), [Delivery.Status.QUEUED, stamp, stamp, stamp, *arrays])
        inserted = {key: pk for pk, key in cursor.fetchall()}

    def send_order(key: str) -> tuple:
        spec = chosen[key]
        return spec.kind, spec.meeting_id or 0, spec.language, inserted[key]

    ids = [inserted[key] for key in sorted(inserted, key=send_order)]
    transaction.on_commit(lambda: _enqueue_ids(ids, stamped=True))
    return [key for key in chosen if key in inserted]


def _insert_and_enqueue(rows: Iterable[Delivery]) -> None:
    """Insert rows whose keys are new, and enqueue them after commit by the ids the
    insert returns: no read after the commit (a fan-out's 5 000 keys cost a second).

    They are stamped as handed to the broker already: the job is published right after
    the commit, and an UPDATE after it would cost another round trip (a registration's,
    under its meeting's lock). A publish that fails takes the stamp back, so the sweep's
    next run sends them.
    """
    now = timezone.now()
    rows = list(rows)
    for row in rows:
        row.enqueued_at = now
    Delivery.objects.bulk_create(rows, batch_size=500)
    ids = [row.pk for row in sorted(rows, key=attrgetter(*SEND_ORDER))]
    transaction.on_commit(lambda: _enqueue_ids(ids, stamped=True))


def delivery_replace(key: str, spec: DeliverySpec) -> None:
    """Make the email queued under `key`, in the caller's transaction, the one `spec`
    describes: the same row, so the job its insert will publish sends the new one.

    For an action that learns, after writing its email, that another one is owed (a
    registration written as confirmed that found no seat left).
    """
    _spec_check(spec)
    if not Delivery.objects.filter(idempotency_key=key, status=Delivery.Status.QUEUED).update(
        **_spec_values(spec)
    ):
        raise OutboxError(f"No queued email under the key {key!r} to replace.")


def delivery_queue(spec: DeliverySpec) -> bool:
    """Queue one email; False if its key was already in the outbox."""
    return bool(deliveries_queue([spec]))


def _enqueue_keys(keys: list[str]) -> None:
    ids = list(
        Delivery.objects.filter(idempotency_key__in=keys, status=Delivery.Status.QUEUED)
        .order_by(*SEND_ORDER)
        .values_list("pk", flat=True)
    )
    _enqueue_ids(ids)


def _enqueue_ids(ids: list[int], countdown: float | None = None, *, stamped=False) -> None:
    """Hand ids to the broker in batches; with the broker down, the sweep does it later.

    Each batch handed on is stamped `enqueued_at`, so that the sweep leaves it alone for
    a while; `stamped` rows were written with the stamp, which a failure takes back.
    """
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        if not publish("tasks.deliver", (batch,), countdown=countdown):
            if stamped:
                Delivery.objects.filter(pk__in=ids[start:]).update(enqueued_at=None)
            return
        if not stamped:
            Delivery.objects.filter(pk__in=batch).update(enqueued_at=timezone.now())


# --- Sending ----------------------------------------------------------------------------


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(
        exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError | socket.error
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{email}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for email, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def retry_delay(attempts: int) -> float:
    """Exponential backoff with full jitter, so a recovering server is not hit in waves."""
    ceiling = min(settings.OUTBOX_RETRY_MAX_S, settings.OUTBOX_RETRY_BASE_S * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


class _Batch:
    """What the renderers of one `deliveries_send` call share."""

    def __init__(self, rows: dict[int, Delivery]):
        self.rows = rows
        self.memo: dict[Hashable, object] = {}


_batch: ContextVar[_Batch | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def _batch_of(rows: dict[int, Delivery]):
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


def _claim(
    delivery_id: int, read: Delivery | None = None, *, sent: Delivery | None = None
) -> Delivery | None:
    """Take one row if it is due and nobody else holds it: a conditional UPDATE.

    Rows are claimed one at a time, just before sending, so that `claimed_at` says when
    a row's send began and a worker that dies leaves at most one row in doubt.

    `read` is the row as the batch read it. What a message is made of never changes
    after the row is written; what sending decides on is `attempts`. So a claim that
    also requires the `attempts` that was read yields that row plus the claim, with no
    second read; if the row moved in between, it is claimed and read again.

    `sent` is the row this batch sent just before: the same statement marks it sent, so
    that each email waits for the database once.
    """
    now = timezone.now()
    if read is not None and read.status == Delivery.Status.QUEUED:
        claimed = _mark(now, sent=sent, claim=read)
        sent = None
        if claimed:
            read.status, read.claimed_at, read.updated_at = Delivery.Status.SENDING, now, now
            read.attempts += 1
            return read
    if sent is not None:
        _mark(now, sent=sent)
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return Delivery.objects.get(pk=delivery_id) if claimed else None


def _finish(delivery: Delivery, **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        updated_at=timezone.now(), **fields
    )


def _sent(delivery: Delivery) -> None:
    """`_finish` as sent (when no claim follows to carry it)."""
    _mark(timezone.now(), sent=delivery)


# Marking a row sent and claiming the next run once per email, and the ORM takes several
# times longer to build such a statement than the database takes to run it (about 1.5 ms
# against 0.3 ms on the development machine, as much as the SMTP exchange itself). So
# both are one statement, written once, here, from the model's own names; without a row
# to claim or one to mark, its `{id} = NULL` half matches nothing.
_MARK_SQL = """
UPDATE {table} SET
    {status} = CASE WHEN {id} = %(sent)s THEN %(sent_status)s ELSE %(sending)s END,
    {sent_at} = CASE WHEN {id} = %(sent)s THEN %(now)s ELSE {sent_at} END,
    {last_error} = CASE WHEN {id} = %(sent)s THEN '' ELSE {last_error} END,
    {claimed_at} = CASE WHEN {id} = %(sent)s THEN {claimed_at} ELSE %(now)s END,
    {attempts} = CASE WHEN {id} = %(sent)s THEN {attempts} ELSE {attempts} + 1 END,
    {updated_at} = %(now)s
WHERE ({id} = %(sent)s AND {status} = %(sending)s)
    OR ({id} = %(claim)s AND {status} = %(queued)s AND {attempts} = %(attempts)s
        AND ({next_attempt_at} IS NULL OR {next_attempt_at} <= %(now)s))
"""


@cache
def _mark_sql() -> str:
    return sql.fill(_MARK_SQL, table=Delivery, **sql.columns(Delivery))


def _mark(now: datetime, *, sent: Delivery | None = None, claim: Delivery | None = None) -> bool:
    """Mark `sent` as sent and claim `claim` if it is still as read, in one statement;
    whether `claim` was claimed."""
    params = {
        "now": connection.ops.adapt_datetimefield_value(now),
        "sent": sent.pk if sent is not None else None,
        "claim": claim.pk if claim is not None else None,
        "attempts": claim.attempts if claim is not None else None,
        "sent_status": Delivery.Status.SENT,
        "sending": Delivery.Status.SENDING,
        "queued": Delivery.Status.QUEUED,
    }
    with connection.cursor() as cursor:
        cursor.execute(_mark_sql(), params)
        changed = cursor.rowcount
    if claim is None:
        return False
    if sent is None or changed != 1:
        return changed == (1 if sent is None else 2)
    # Usually both rows change; one means the mark or the claim did not: which one?
    return Delivery.objects.filter(
        pk=claim.pk, status=Delivery.Status.SENDING, claimed_at=now
    ).exists()


@contextmanager
def _commits_unflushed():
    """On PostgreSQL, claims and marks commit without waiting for the disk.

    Waiting for the WAL flush is what a claim costs, as long as the SMTP exchange on a
    busy machine. Without it, a claim or a mark is visible to every worker at once as
    before; only a crash of the database server itself (not of a worker, nor of Redis)
    can forget the last fraction of a second of them, and the rows then go out again
    with their Message-ID, like the message in flight when a worker dies. The rows
    themselves, written by the organiser's transaction, stay durable: nothing is lost.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            pass  # a broken connection is discarded, its setting with it


def _render(delivery: Delivery) -> EmailMultiAlternatives:
    message = RENDERERS[delivery.kind](delivery)
    message.extra_headers["Message-ID"] = delivery.message_id
    if delivery.reply_to:
        message.reply_to = [delivery.reply_to]
    return message


def _send(smtp, message: EmailMultiAlternatives, delivery: Delivery) -> None:
    """Send `message`, the email of `delivery`, over the open connection `smtp`.

    Django's SMTP backend parses the sender and the recipients again for every message
    (0.4 ms, a third of the SMTP exchange itself), though the outbox checked each
    address when its row was written (`recipient_problem`), and smtplib only keeps the
    bare address of each for the envelope. So the envelope is given bare: the row's
    address when it is the message's only recipient. Other backends (the tests', the
    console) and addresses beyond ASCII, whose domain the backend encodes, go through
    the backend as before. The message itself is the same bytes.
    """
    recipients = message.recipients()
    if len(recipients) == 1 and recipients[0].endswith(f"<{delivery.to_email}>"):
        bare = [delivery.to_email]
    else:
        bare = [parseaddr(address)[1] for address in recipients]
    envelope = [_bare_address(message.from_email), *bare]
    if not isinstance(smtp, SMTPBackend) or not all(a and a.isascii() for a in envelope):
        message.connection = smtp
        message.send()
        return
    smtp.connection.sendmail(envelope[0], envelope[1:], message.message().as_bytes(linesep="\r\n"))


@lru_cache(maxsize=16)
def _bare_address(address: str) -> str:
    """The address of "Name <address>": the sender, the same for every message."""
    return parseaddr(address)[1]


# What claiming, rendering and sending a row read: what it was queued with, its status
# and attempts; not its timestamps, whose loading was a tenth of the worker's time
# (nothing but the admin reads them back).
_SENT_FIELDS = (*_QUEUED_FIELDS, "status", "attempts")


def deliveries_send(ids: list[int]) -> None:
    """Send the given deliveries over one SMTP connection, opened on the first claim.

    The batch's rows are read in one query up front; renderers see them all through
    `batch_deliveries`, so that they can read what the messages are about in one query
    too, and share what does not depend on the recipient through `batch_memo`. A row
    sent is marked by the statement that claims the next one, right after the send.
    """
    retry: list[tuple[int, float]] = []
    rows = Delivery.objects.only(*_SENT_FIELDS).in_bulk(ids)
    smtp = get_connection()
    sent: Delivery | None = None
    with _batch_of(rows), closing(smtp), _commits_unflushed():
        try:
            for delivery_id in ids:
                delivery, sent = _claim(delivery_id, rows.get(delivery_id), sent=sent), None
                if delivery is None:
                    continue
                try:
                    message = _render(delivery)
                    # Opened here, not by send(), which would close it again after one
                    # message.
                    smtp.open()
                    _send(smtp, message, delivery)
                except Exception as exc:
                    outcome = _failure(delivery, exc)
                    if outcome is not None:
                        retry.append(outcome)
                    if isinstance(exc, OSError):
                        smtp.close()
                else:
                    sent = delivery
        finally:
            if sent is not None:
                _sent(sent)
    for pk, delay in retry:
        _enqueue_ids([pk], countdown=delay)


def _failure(delivery: Delivery, exc: Exception) -> tuple[int, float] | None:
    reason = _describe(exc)
    if _is_transient(exc) and delivery.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        delay = retry_delay(delivery.attempts)
        logger.info("Delivery %s: %s; retrying in %.0fs", delivery.pk, reason, delay)
        _finish(
            delivery,
            status=Delivery.Status.QUEUED,
            last_error=reason,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        return delivery.pk, delay
    if not isinstance(exc, smtplib.SMTPException | OSError | PermanentFailure):
        logger.exception("Delivery %s could not be rendered", delivery.pk)
    _finish(delivery, status=Delivery.Status.FAILED, last_error=reason)
    return None


# --- Sweeping and resending -------------------------------------------------------------


def deliveries_sweep() -> int:
    """Re-enqueue what nobody is working on; returns how many rows it handed on."""
    now = timezone.now()
    stuck_before = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_S)
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=stuck_before).update(
        status=Delivery.Status.QUEUED, next_attempt_at=None, updated_at=now
    )
    idle_before = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_S)
    ids = list(
        Delivery.objects.filter(status=Delivery.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=idle_before))
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=idle_before))
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    _enqueue_ids(ids)
    return len(ids)


def delivery_resend(delivery: Delivery) -> Delivery:
    """An organiser's "send again" on a failed delivery, once the address is fixed."""
    if not delivery.to_email:
        raise OutboxError(_("This email's recipient was erased: it cannot be sent again."))
    reopened = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.QUEUED, attempts=0, next_attempt_at=None, last_error=""
    )
    if not reopened:
        raise OutboxError(_("Only a failed email can be sent again."))
    transaction.on_commit(lambda: _enqueue_ids([delivery.pk]))
    delivery.refresh_from_db()
    return delivery
