"""Queue emails: rows written in the caller's transaction, handed to the broker after commit.

An email exists exactly when the change that caused it was committed; its unique
idempotency key makes asking again a no-op. `tasks.deliver` is enqueued after commit,
and `sweep` hands on what the broker could not take.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit.errors import DomainError
from events_site.kit.text import breaks_a_line

from ..models import Delivery
from . import sql
from .queue import publish, publish_unless_queued, queued_flag_clear
from .renderers import RENDERERS

# Rows per `tasks.deliver` job: one SMTP connection serves a whole batch.
BATCH_SIZE = 250
# A fan-out's emails in the same language side by side: the renderers of a batch then
# build one frame for all of them (see `tasks.outbox.frames`).
SEND_ORDER = ("kind", "meeting_id", "language", "pk")
# The job that hands on the rows queued with `drain=True`, and how many a run takes.
DRAIN_TASK = "tasks.deliveries_drain"
DRAIN_MAX = 5000


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


def deliveries_queue(
    specs: Iterable[DeliverySpec], *, fresh: bool = False, drain: bool = False
) -> list[str]:
    """Write the rows whose key is new, in the caller's transaction; return the new keys.

    A key already in the outbox means that email is already owed or sent: asking again
    is a no-op, which is what makes retries of the causing action safe.

    `fresh` keys cannot be in the outbox yet: they name what the caller's transaction
    has just written (a registration and the instant it changed). A key that was not
    fresh after all fails the caller's transaction on the unique index.

    On PostgreSQL every call is one statement, whatever the keys
    (`sql.deliveries_insert`). The new rows are stamped as handed to the broker, and
    enqueued after commit by the ids the insert returns: no read after the commit (a
    fan-out's 5 000 keys cost a second), and no UPDATE after it, which would cost
    another round trip (a registration's, under its meeting's lock). A publish that
    fails takes the stamp back, so the sweep's next run sends them.

    `drain`: for one email at a time written by the thousand in a rush (a registration
    each). The row is written unstamped, and after commit the drain job is asked for
    unless one is queued already (`deliveries_drain`): one broker message for a burst,
    where a publish per row was a quarter of a registration's time. Without a shared
    cache to hold the drain's flag (`OUTBOX_DRAIN`), as above.
    """
    chosen: dict[str, DeliverySpec] = {}
    for spec in specs:
        if spec.key not in chosen:
            _spec_check(spec)
            chosen[spec.key] = spec
    if not chosen:
        return []
    values = [_spec_values(spec) for spec in chosen.values()]
    if drain and settings.OUTBOX_DRAIN:
        inserted = sql.deliveries_insert(values, fresh=fresh, stamped=False)
        delivery_owed_hand_on(list(inserted.values()))
        return [key for key in chosen if key in inserted]
    inserted = sql.deliveries_insert(values, fresh=fresh)

    def send_order(key: str) -> tuple:
        spec = chosen[key]
        return spec.kind, spec.meeting_id or 0, spec.language, inserted[key]

    ids = [inserted[key] for key in sorted(inserted, key=send_order)]
    transaction.on_commit(lambda: enqueue_ids(ids, stamped=True))
    return [key for key in chosen if key in inserted]


def delivery_owed(spec: DeliverySpec, at: datetime) -> dict:
    """The parameters of `sql.delivery_owed_sql` for the email `spec`, checked as
    `deliveries_queue` checks it, queued at `at`: for a caller whose own statement writes
    its one email (a registration), with a fresh key; `delivery_owed_hand_on` then hands
    it on, as `deliveries_queue(…, fresh=True, drain=True)` would."""
    _spec_check(spec)
    return sql.delivery_owed_params(_spec_values(spec), at, stamped=not settings.OUTBOX_DRAIN)


def delivery_owed_hand_on(ids: list[int]) -> None:
    """Once the caller's transaction commits (at once in autocommit), hand on the emails
    `ids` written with `deliveries_queue(…, drain=True)` or `delivery_owed`: the drain
    job, unless one is queued already; without a shared cache, their own jobs."""
    if not ids:
        return
    if settings.OUTBOX_DRAIN:
        transaction.on_commit(lambda: publish_unless_queued(DRAIN_TASK))
    else:
        transaction.on_commit(lambda: enqueue_ids(ids, stamped=True))


def deliveries_drain() -> int:
    """Hand on every queued row that was never handed to the broker, in send order, in
    `tasks.deliver` batches; returns how many. The drain job's body.

    The flag goes first: a row committed after this read asks for another run, and one
    committed before it, whose commit found the flag still set, is read here. Rows
    are taken as the sweep would take them: stamped in one transaction that skips the
    rows another drain is taking; one taken twice anyway (by the sweep) is sent once,
    its claim decides. A broker that cannot take a batch leaves it to the sweep.
    """
    queued_flag_clear(DRAIN_TASK)
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                status=Delivery.Status.QUEUED,
                enqueued_at__isnull=True,
                next_attempt_at__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", "kind", "meeting_id", "language")[:DRAIN_MAX]
        )
        Delivery.objects.filter(pk__in=[pk for pk, *_ in rows]).update(enqueued_at=timezone.now())
    rows.sort(key=lambda row: (row[1], row[2] or 0, row[3], row[0]))
    enqueue_ids([pk for pk, *_ in rows], stamped=True)
    if len(rows) == DRAIN_MAX:
        publish_unless_queued(DRAIN_TASK)
    return len(rows)


def delivery_queue(spec: DeliverySpec) -> bool:
    """Queue one email; False if its key was already in the outbox."""
    return bool(deliveries_queue([spec]))


def enqueue_ids(ids: list[int], countdown: float | None = None, *, stamped=False) -> None:
    """Hand delivery ids to the broker in batches (`publish_ids`)."""
    publish_ids("tasks.deliver", Delivery.objects, ids, countdown, stamped=stamped)


def publish_ids(
    task_name: str,
    rows: QuerySet,
    ids: list[int],
    countdown: float | None = None,
    *,
    stamped=False,
) -> None:
    """Hand the ids of outbox rows (emails, webhook calls) to the job `task_name` in
    batches; with the broker down, the sweep does it later.

    Each batch handed on is stamped `enqueued_at`, so that the sweep leaves it alone for
    a while; `stamped` rows were written with the stamp, which a failure takes back.
    """
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        if not publish(task_name, (batch,), countdown=countdown):
            if stamped:
                rows.filter(pk__in=ids[start:]).update(enqueued_at=None)
            return
        if not stamped:
            rows.filter(pk__in=batch).update(enqueued_at=timezone.now())
