"""The outbox's hand-written SQL, each statement behind a named primitive.

A fan-out queues thousands of rows in one call, and a worker marks and claims a row for
every email it sends: statements that the ORM took longer to build than the database to
run (`tests/bench/README.md` has the figures). Like pretix's `locking.py`, this module is
their one home: each primitive's signature says what it does to the rows (insert rows by
key, mark one sent and claim the next, commit without waiting for the disk), and owns
its statement and its database-specific branch, so `tasks.outbox` reads as the outbox.

Each primitive has an ORM twin, `<name>_orm`: plain Django doing the same thing, slower
and easier to read. `tests/tasks/outbox/test_sql.py` runs both on the same cases, on SQLite and
on PostgreSQL, so the twin is the contract the statement keeps on both.
"""

import json
from contextlib import contextmanager, nullcontext
from datetime import datetime
from functools import cache

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from events_site.kit import sql

from ..models import Delivery

# What a row is queued with, by field name (`deliveries_insert`'s values).
QUEUED_FIELDS = (
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

# A fan-out's rows in one statement, from one array per column: building 5 000 model
# instances and having the ORM turn each field of each into a parameter took longer
# than the database's insert, and keys already owed needed a read first. `ON CONFLICT
# DO NOTHING` skips those; without it (`fresh` keys) a key already there fails the
# caller's transaction.
_QUEUE_SQL = (
    "INSERT INTO {table} ({kind}, {idempotency_key}, {to_email}, {to_name}, {language}, "
    "{reply_to}, {person}, {meeting}, {programme}, {context}, {status}, {attempts}, "
    "{last_error}, {created_at}, {updated_at}, {enqueued_at}) "
    "SELECT spec.*, %s, 0, '', %s, %s, %s::timestamptz FROM unnest("
    "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::bigint[], %s::bigint[], %s::bigint[], %s::text[]::jsonb[]) AS spec "
    "{conflict}RETURNING {id}, {idempotency_key}"
)


@cache
def _queue_sql(fresh: bool) -> str:
    conflict = "" if fresh else "ON CONFLICT ({idempotency_key}) DO NOTHING "
    return sql.fill(
        _QUEUE_SQL.replace("{conflict}", conflict), table=Delivery, **sql.columns(Delivery)
    )


def deliveries_insert(rows: list[dict], *, fresh: bool, stamped: bool = True) -> dict[str, int]:
    """Insert the queued `rows` (`QUEUED_FIELDS` each, keys distinct) whose key is not in
    the outbox yet, stamped as handed to the broker now unless not `stamped` (rows the
    drain hands on); their ids by key.

    `fresh` keys are inserted without a look first: one already there raises
    IntegrityError and fails the caller's transaction. On PostgreSQL any number of rows
    is one statement; elsewhere a bulk insert, after a read of the keys already there.
    """
    if connection.vendor == "postgresql":
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        arrays = [
            [json.dumps(row[name]) if name == "context" else row[name] for row in rows]
            for name in QUEUED_FIELDS
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                _queue_sql(fresh),
                [Delivery.Status.QUEUED, stamp, stamp, stamp if stamped else None, *arrays],
            )
            return {key: pk for pk, key in cursor.fetchall()}
    if not fresh:
        there = set(
            Delivery.objects.filter(
                idempotency_key__in=[row["idempotency_key"] for row in rows]
            ).values_list("idempotency_key", flat=True)
        )
        rows = [row for row in rows if row["idempotency_key"] not in there]
        if not rows:
            return {}
    now = timezone.now()
    new = [Delivery(**row, enqueued_at=now if stamped else None) for row in rows]
    if fresh:
        Delivery.objects.bulk_create(new, batch_size=500)
    else:
        # Read a moment ago, these keys are new unless a twin of the caller's action
        # queued one since: then the savepoint takes the insert back, and the rows go in
        # one by one, past the conflict.
        try:
            with transaction.atomic():
                Delivery.objects.bulk_create(new, batch_size=500)
        except IntegrityError:
            return deliveries_insert_orm(rows, fresh=False, stamped=stamped)
    return {row.idempotency_key: row.pk for row in new}


def deliveries_insert_orm(rows: list[dict], *, fresh: bool, stamped: bool = True) -> dict[str, int]:
    now = timezone.now()
    stamp = now if stamped else None
    inserted = {}
    for row in rows:
        if fresh:
            delivery = Delivery.objects.create(**row, enqueued_at=stamp)
        else:
            try:
                with transaction.atomic():
                    delivery = Delivery.objects.create(**row, enqueued_at=stamp)
            except IntegrityError:
                continue
        inserted[delivery.idempotency_key] = delivery.pk
    return inserted


# One email for each row of a query of a caller's statement (`delivery_owed_sql`): an
# action that writes its own rows in one statement writes its email in it too, a round
# trip fewer. Its key and its context are the caller's expressions over that row.
_OWED_SQL = (
    "INSERT INTO {table} ({kind}, {idempotency_key}, {to_email}, {to_name}, {language}, "
    "{reply_to}, {person}, {meeting}, {programme}, {context}, {status}, {attempts}, "
    "{last_error}, {created_at}, {updated_at}, {enqueued_at}) "
    "SELECT %(email_kind)s, {key}, %(email_to_email)s, %(email_to_name)s, "
    "%(email_language)s, %(email_reply_to)s, %(email_person_id)s, %(email_meeting_id)s, "
    "%(email_programme_id)s, {context_value}, {queued}, 0, '', %(at)s, %(at)s, "
    "%(email_enqueued_at)s FROM {rows} RETURNING {id}"
)


@cache
def delivery_owed_sql(rows: str, key: str, context: str) -> str:
    """PostgreSQL's `INSERT … SELECT` of a queued email for each row of `rows` (the name
    of a query of the caller's statement), as `deliveries_insert` writes one with a fresh
    key: `key` and `context` are SQL expressions over that row, which may use the
    parameters `email_key` and `email_context` (JSON text). It returns the rows' ids.
    Its parameters are named (`delivery_owed_params`), the moment `at` among them, which
    the caller's statement may use for the same value (`webhook_calls_sql` does)."""
    return sql.fill(
        _OWED_SQL,
        table=Delivery,
        rows=rows,
        key=key,
        context_value=f"({context})::jsonb",
        queued=sql.constant(Delivery.Status.QUEUED),
        **sql.columns(Delivery),
    )


def delivery_owed_params(row: dict, at: datetime, *, stamped: bool) -> dict:
    """`delivery_owed_sql`'s parameters for the email `row` (`QUEUED_FIELDS`) queued at
    `at`, stamped as handed to the broker then unless not `stamped`."""
    params = {f"email_{name}": row[name] for name in QUEUED_FIELDS}
    params["email_key"] = params.pop("email_idempotency_key")
    params["email_context"] = json.dumps(params["email_context"])
    params["at"] = at
    params["email_enqueued_at"] = at if stamped else None
    return params


# Marking a row sent and claiming the next run once per email, and the ORM takes longer
# to build such a statement than the database takes to run it. So both are one
# statement; without a row to claim or one to mark, its `{id} = NULL` half matches
# nothing.
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


def mark_sent_and_claim(
    now: datetime, *, sent: int | None = None, claim: int | None = None, attempts: int = 0
) -> bool:
    """Mark the row `sent` sent, if it is being sent, and claim the row `claim` if it is
    queued, due at `now` and still at `attempts`, in one statement; whether `claim` was
    claimed."""
    params = {
        "now": connection.ops.adapt_datetimefield_value(now),
        "sent": sent,
        "claim": claim,
        "attempts": attempts,
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
        pk=claim, status=Delivery.Status.SENDING, claimed_at=now
    ).exists()


def mark_sent_and_claim_orm(
    now: datetime, *, sent: int | None = None, claim: int | None = None, attempts: int = 0
) -> bool:
    if sent is not None:
        Delivery.objects.filter(pk=sent, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SENT, sent_at=now, last_error="", updated_at=now
        )
    if claim is None:
        return False
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        Delivery.objects.filter(
            due, pk=claim, status=Delivery.Status.QUEUED, attempts=attempts
        ).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


@contextmanager
def commits_unflushed():
    """On PostgreSQL, what commits inside commits without waiting for the disk.

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


def commits_unflushed_orm():
    """Commits as usual: what a reader sees is the same, only a crash of the database
    server could tell the two apart."""
    return nullcontext()
