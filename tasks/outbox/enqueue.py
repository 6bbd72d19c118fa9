"""Queue emails: rows written in the caller's transaction, handed to the broker after commit.

An email exists exactly when the change that caused it was committed; its unique
idempotency key makes asking again a no-op. `tasks.deliver` is enqueued after commit,
and `sweep` hands on what the broker could not take.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit import sql
from events_site.kit.errors import DomainError
from events_site.kit.text import breaks_a_line

from ..models import Delivery
from .queue import publish
from .renderers import RENDERERS

# Rows per `tasks.deliver` job: one SMTP connection serves a whole batch.
BATCH_SIZE = 250
# A fan-out's emails in the same language side by side: the renderers of a batch then
# build one frame for all of them (see `tasks.outbox.frames`).
SEND_ORDER = ("kind", "meeting_id", "language", "pk")


class OutboxError(DomainError):
    pass


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
    arrays = [[row[name] for row in values] for name in QUEUED_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_queue_sql(fresh), [Delivery.Status.QUEUED, stamp, stamp, stamp, *arrays])
        inserted = {key: pk for pk, key in cursor.fetchall()}

    def send_order(key: str) -> tuple:
        spec = chosen[key]
        return spec.kind, spec.meeting_id or 0, spec.language, inserted[key]

    ids = [inserted[key] for key in sorted(inserted, key=send_order)]
    transaction.on_commit(lambda: enqueue_ids(ids, stamped=True))
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
    transaction.on_commit(lambda: enqueue_ids(ids, stamped=True))


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
    enqueue_ids(ids)


def enqueue_ids(ids: list[int], countdown: float | None = None, *, stamped=False) -> None:
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
