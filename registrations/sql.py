"""The registrations' hand-written SQL, each statement behind a named primitive.

A rush of registrations and a door scanning a ticket a second run a few statements that
the ORM takes longer to build than the database to run (`tests/bench/README.md` has the
figures). Like pretix's `locking.py`, this module is their one home: each primitive has
a signature that says what it does to the rows (take a seat, look up an address, insert
a check-in once and count it, read a ticket at a door), and owns its statement and
its database-specific branch, so the services read as the domain and call them.

Each primitive has an ORM twin, `<name>_orm`: plain Django doing the same thing, slower
and easier to read. `tests/registrations/test_sql.py` runs both on the same cases, on
SQLite and on PostgreSQL, so the twin is the contract the statement keeps on both.
"""

import copy
import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Sum, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from events_site.kit import sql
from meetings.models import Meeting, Organisation, Person
from tasks.outbox import (
    DeliverySpec,
    deliveries_queue,
    delivery_owed,
    delivery_owed_hand_on,
    delivery_owed_sql,
)
from tasks.webhooks import (
    Event,
    webhook_calls_params,
    webhook_calls_publish,
    webhook_calls_sql,
    webhook_calls_write,
    webhooks_atomic,
)

from .models import CheckIn, Consent, DoorCount, Registration
from .webhooks import checkin_webhook

# --- Seats ---------------------------------------------------------------------------------

# What deciding on a registration reads of its meeting (`registration_problem`); any
# other field is read from the database when asked for.
SEAT_FIELDS = (
    "id",
    "starts_at",
    "time_zone",
    "capacity",
    "seats_taken",
    "registration_opens_at",
    "registration_closes_at",
    "status",
)

# What a decision taken on the meeting as read (before, without a lock, or remembered)
# needs to hold under the lock: the meeting's registration rules still those read, and
# the address new, neither registered for the meeting nor in the directory (whose person
# a registration may answer an invitation of), as the unique indexes compare addresses.
_RULES_SQL = (
    "{status} = %(meeting_status)s AND {starts_at} = %(meeting_starts_at)s "
    "AND {opens_at} {same} %(meeting_opens_at)s AND {closes_at} {same} %(meeting_closes_at)s "
    "AND NOT EXISTS (SELECT 1 FROM {registration} WHERE {registration_meeting} = %(meeting_id)s "
    "AND LOWER({registration_email}) = LOWER(%(email)s)) "
    "AND NOT EXISTS (SELECT 1 FROM {person} WHERE LOWER({person_email}) = LOWER(%(email)s))"
)

# Takes a seat for a new address if one is left and locks the meeting row, in one
# statement, when the rules hold (`_RULES_SQL`): what the caller decided is then what it
# would decide under the lock. A rush's registrations queue on that lock, so each round
# trip it covers sets their rate.
_SEAT_TAKE_SQL = (
    "UPDATE {table} SET {seats} = {seats} + 1 WHERE {id} = %(meeting_id)s "
    "AND {seats} < {capacity} AND {rules} RETURNING {seats}"
)

# With the meeting locked (before, by the same transaction) and no seat left, when the
# rules hold: the moment a new address joins the waiting list, and its place there. The
# list goes by moment, then key: the moment is the registration's own (`waitlisted_at`,
# taken before the lock), or the last one's when that is later, so that the list's
# order is the lock's and the new one is last.
_WAITLIST_JOIN_SQL = (
    "SELECT COALESCE((SELECT MAX(w.{waitlisted_at}) FROM {registration} w "
    "WHERE w.{registration_meeting} = %(meeting_id)s AND w.{registration_status} = {waitlisted} "
    "AND w.{waitlisted_at} > %(waitlisted_at)s), %(waitlisted_at)s) AS moment, "
    "(SELECT COUNT(*) FROM {registration} w WHERE w.{registration_meeting} = %(meeting_id)s "
    "AND w.{registration_status} = {waitlisted}) + 1 AS place "
    "FROM {table} WHERE {id} = %(meeting_id)s AND {seats} >= {capacity} AND {rules}"
)


def _rules_fill(template: str) -> str:
    return sql.fill(
        template,
        rules=sql.fill(
            _RULES_SQL,
            status=(Meeting, "status"),
            starts_at=(Meeting, "starts_at"),
            opens_at=(Meeting, "registration_opens_at"),
            closes_at=(Meeting, "registration_closes_at"),
            same="IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS",
            registration=Registration,
            registration_meeting=(Registration, "meeting"),
            registration_email=(Registration, "email"),
            person=Person,
            person_email=(Person, "email"),
        ),
        table=Meeting,
        seats=(Meeting, "seats_taken"),
        id=(Meeting, "id"),
        capacity=(Meeting, "capacity"),
        registration=Registration,
        registration_meeting=(Registration, "meeting"),
        registration_status=(Registration, "status"),
        waitlisted_at=(Registration, "waitlisted_at"),
        waitlisted=sql.constant(Registration.Status.WAITLISTED),
    )


@cache
def _seat_take_sql() -> str:
    return _rules_fill(_SEAT_TAKE_SQL)


@cache
def _waitlist_join_sql() -> str:
    return _rules_fill(_WAITLIST_JOIN_SQL)


def _seat_params(meeting: Meeting) -> dict:
    adapt = connection.ops.adapt_datetimefield_value
    return {
        "meeting_id": meeting.pk,
        "meeting_status": meeting.status,
        "meeting_starts_at": adapt(meeting.starts_at),
        "meeting_opens_at": adapt(meeting.registration_opens_at),
        "meeting_closes_at": adapt(meeting.registration_closes_at),
    }


def seat_take(meeting: Meeting, email: str) -> bool:
    """Take one more seat of `meeting` (its `SEAT_FIELDS`, as read before) for the new
    address `email`, and lock the meeting until the end of the transaction, if a seat
    is left, its status and dates are still those of `meeting`, and no registration of
    it nor person of the directory has that address (in any letter case); its
    `seats_taken` is then the count after. False, with nothing locked, otherwise."""
    with connection.cursor() as cursor:
        cursor.execute(_seat_take_sql(), {**_seat_params(meeting), "email": email})
        row = cursor.fetchone()
    if row is None:
        return False
    meeting.seats_taken = row[0]
    return True


def seat_take_orm(meeting: Meeting, email: str) -> bool:
    if _address_known_orm(meeting, email):
        return False
    rules = Meeting.objects.filter(seats_taken__lt=F("capacity"), **_rules_orm(meeting))
    if not rules.update(seats_taken=F("seats_taken") + 1):
        return False
    meeting.seats_taken = Meeting.objects.values_list("seats_taken", flat=True).get(pk=meeting.pk)
    return True


def _address_known_orm(meeting: Meeting, email: str) -> bool:
    address = Lower(Value(email))
    return (
        Registration.objects.annotate(address=Lower("email"))
        .filter(meeting_id=meeting.pk, address=address)
        .exists()
        or Person.objects.annotate(address=Lower("email")).filter(address=address).exists()
    )


def _rules_orm(meeting: Meeting) -> dict:
    return {
        "pk": meeting.pk,
        "status": meeting.status,
        "starts_at": meeting.starts_at,
        "registration_opens_at": meeting.registration_opens_at,
        "registration_closes_at": meeting.registration_closes_at,
    }


def waitlist_join(meeting: Meeting, email: str, at: datetime) -> tuple[datetime, int] | None:
    """Lock `meeting` until the end of the transaction and, if no seat of it is left,
    its status and dates are still those of `meeting` (its `SEAT_FIELDS`, as read
    before) and the address `email` is new (as `seat_take`'s): the moment a new
    registration made at `at` joins its waiting list, `at` or the last one's if later
    (the list goes by moment, then key, in the order of the lock), and the place it
    takes there, 1 for the first. None otherwise; a registration is then to be
    decided on under the lock."""
    if meeting_lock(meeting.pk) is None:
        return None
    params = {
        **_seat_params(meeting),
        "email": email,
        "waitlisted_at": connection.ops.adapt_datetimefield_value(at),
    }
    with connection.cursor() as cursor:
        cursor.execute(_waitlist_join_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    return sql.from_db(Registration, "waitlisted_at", row[0]), row[1]


def waitlist_join_orm(meeting: Meeting, email: str, at: datetime) -> tuple[datetime, int] | None:
    if meeting_lock_orm(meeting.pk) is None or _address_known_orm(meeting, email):
        return None
    if not Meeting.objects.filter(seats_taken__gte=F("capacity"), **_rules_orm(meeting)).exists():
        return None
    waiting = Registration.objects.filter(
        meeting_id=meeting.pk, status=Registration.Status.WAITLISTED
    ).aggregate(last=Max("waitlisted_at"), count=Count("pk"))
    moment = at if waiting["last"] is None else max(at, waiting["last"])
    return moment, waiting["count"] + 1


# The lock of a registration that found no seat, and of every other change of who holds
# one: the ORM took longer to build it than the database to run it, a fifth of a rush's
# CPU in one process for the quarter of its registrations that wait.
_MEETING_LOCK_SQL = "SELECT {columns} FROM {table} WHERE {id} = %s{lock}"


def _lock_fill(columns: str) -> str:
    return sql.fill(
        _MEETING_LOCK_SQL,
        columns=columns,
        table=Meeting,
        id=(Meeting, "id"),
        lock=" FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else "",
    )


@cache
def _meeting_lock_sql() -> tuple[str, list[str]]:
    names = [f.attname for f in Meeting._meta.concrete_fields]
    return _lock_fill(", ".join(sql.column(Meeting, name) for name in names)), names


@cache
def _meeting_lock_only_sql() -> str:
    """The lock, its row left unread (`registration_write`'s on the waiting list)."""
    return _lock_fill("1")


def meeting_lock(meeting_id: int) -> Meeting | None:
    """The meeting row, locked until the end of the transaction; None if there is none.

    FOR NO KEY UPDATE, the lock a seat's UPDATE takes: it lets through the key-share
    locks that inserting a registration takes on its meeting. A registration holding
    one asks for this lock when no seat is left; FOR UPDATE would wait for the other
    inserting registrations, and they for it.

    SQLite ignores FOR UPDATE; a write takes its database lock instead, so that the
    embedded default cannot oversell either.
    """
    if not sql.is_key(meeting_id):
        return None
    if connection.vendor == "sqlite":
        Meeting.objects.filter(pk=meeting_id).update(seats_taken=F("seats_taken"))
    statement, names = _meeting_lock_sql()
    found = sql.instances(Meeting, names, statement, [meeting_id])
    return found[0] if found else None


def meeting_lock_orm(meeting_id: int) -> Meeting | None:
    return Meeting.objects.select_for_update(no_key=True).filter(pk=meeting_id).first()


# --- Addresses -----------------------------------------------------------------------------

# Before the lock, once per registration: the ORM takes longer to build it than the
# database to run it. Addresses compare as the unique indexes compare them, LOWER()
# on both sides. The meeting's row comes with it: what deciding on a registration reads.
_ADDRESS_LOOKUP_SQL = (
    "SELECT (SELECT {person_id} FROM {person} WHERE LOWER({person_email}) = LOWER(%s) "
    "ORDER BY {person_id} LIMIT 1), "
    "EXISTS(SELECT 1 FROM {registration} WHERE {registration_meeting} = {meeting}.{meeting_id} "
    "AND LOWER({registration_email}) = LOWER(%s)), {seat_fields} "
    "FROM {meeting} WHERE {meeting}.{meeting_id} = %s"
)


@cache
def _address_lookup_sql() -> tuple[str, list[str]]:
    """The statement, and the meeting's columns' names in the order of the model's
    fields (the order `Model.from_db` reads them in)."""
    names = [f.attname for f in Meeting._meta.concrete_fields if f.name in SEAT_FIELDS]
    statement = sql.fill(
        _ADDRESS_LOOKUP_SQL,
        person=Person,
        person_id=(Person, "id"),
        person_email=(Person, "email"),
        registration=Registration,
        registration_meeting=(Registration, "meeting"),
        registration_email=(Registration, "email"),
        meeting=Meeting,
        meeting_id=(Meeting, "id"),
        seat_fields=", ".join(
            f"{connection.ops.quote_name(Meeting._meta.db_table)}.{sql.column(Meeting, name)}"
            for name in names
        ),
    )
    return statement, names


def address_lookup(meeting_id: int, email: str) -> tuple[Meeting, int | None, bool] | None:
    """The meeting (its `SEAT_FIELDS`), the directory's first person with the address
    `email` (any letter case), and whether a registration of the meeting has it
    (whatever its status), in one query; None if there is no such meeting."""
    if not sql.is_key(meeting_id):
        return None
    statement, names = _address_lookup_sql()
    with connection.cursor() as cursor:
        cursor.execute(statement, [email, email, meeting_id])
        found = cursor.fetchone()
    if found is None:
        return None
    person_id, registered, *row = found
    values = [sql.from_db(Meeting, name, value) for name, value in zip(names, row, strict=True)]
    return Meeting.from_db(connection.alias, names, values), person_id, bool(registered)


def address_lookup_orm(meeting_id: int, email: str) -> tuple[Meeting, int | None, bool] | None:
    meeting = Meeting.objects.only(*SEAT_FIELDS).filter(pk=meeting_id).first()
    if meeting is None:
        return None
    address = Lower(Value(email))
    person_id = (
        Person.objects.annotate(address=Lower("email"))
        .filter(address=address)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    registered = (
        Registration.objects.annotate(address=Lower("email"))
        .filter(meeting_id=meeting_id, address=address)
        .exists()
    )
    return meeting, person_id, registered


# --- Registrations -------------------------------------------------------------------------


def _registration_fields() -> tuple:
    """The fields an insert gives values to (all but the key)."""
    return tuple(f for f in Registration._meta.concrete_fields if not f.primary_key)


@cache
def _registration_insert_sql() -> str:
    """The insert alone, its values in `_registration_fields`' order."""
    fields = _registration_fields()
    returning = connection.features.can_return_columns_from_insert
    return sql.fill(
        "INSERT INTO {table} ({columns}) VALUES ({values}){returning}",
        table=Registration,
        columns=", ".join(sql.column(Registration, f.name) for f in fields),
        values=", ".join(["%s"] * len(fields)),
        returning=f" RETURNING {sql.column(Registration, 'id')}" if returning else "",
    )


def _registration_values(registration: Registration) -> list:
    """The row's values as `save()` writes them (its search text, its creation and
    change times, its defaults), in `_registration_fields`' order."""
    registration.search_text_fill()
    return [
        f.get_db_prep_save(f.pre_save(registration, add=True), connection)
        for f in _registration_fields()
    ]


def _registration_saved(registration: Registration, pk: int) -> None:
    registration.pk = pk
    registration._state.adding, registration._state.db = False, connection.alias


def registration_insert(
    registration: Registration, *, tell: str | None = None, told: dict | None = None
) -> list[int]:
    """Insert a new registration's row as `save()` does, and give it its key. The ORM
    took about 0.45 ms of CPU to build and run the insert of the row's 27 columns, a
    seventh of a registration. No signal is sent: nothing listens to a registration's.

    With the event `tell` and what it says (`told`, the registration's key left to
    fill in), every active webhook listening to it is owed a call; the calls' ids are
    returned, for `webhook_calls_publish`."""
    values = _registration_values(registration)
    with connection.cursor() as cursor:
        cursor.execute(_registration_insert_sql(), values)
        if connection.features.can_return_columns_from_insert:
            pk = cursor.fetchone()[0]
        else:
            pk = cursor.lastrowid
    _registration_saved(registration, pk)
    return _calls_write(registration, tell, told)


def _calls_write(registration: Registration, tell: str | None, told: dict | None) -> list[int]:
    if tell is None:
        return []
    told = copy.deepcopy(told)
    told["registration"]["id"] = registration.pk
    return webhook_calls_write(tell, told)


def registration_insert_orm(
    registration: Registration, *, tell: str | None = None, told: dict | None = None
) -> list[int]:
    registration.save(force_insert=True)
    return _calls_write(registration, tell, told)


# --- Consents ------------------------------------------------------------------------------

_CONSENT_FIELDS = ("kind", "version", "registration", "given_at")


@cache
def _consents_insert_sql(count: int) -> str:
    row = "({})".format(", ".join(["%s"] * len(_CONSENT_FIELDS)))
    return sql.fill(
        "INSERT INTO {table} ({columns}) VALUES {rows}",
        table=Consent,
        columns=", ".join(sql.column(Consent, name) for name in _CONSENT_FIELDS),
        rows=", ".join([row] * count),
    )


def consents_insert(registration_id: int, given: Sequence[tuple[str, str]], now: datetime) -> None:
    """Record the consents `given` (each its kind and the version of its text) on the
    registration's form at `now`, standing, in one statement. Django's `bulk_create` of
    a registration's two took longer to build than to run."""
    moment = connection.ops.adapt_datetimefield_value(now)
    params = [
        value for kind, version in given for value in (kind, version, registration_id, moment)
    ]
    with connection.cursor() as cursor:
        cursor.execute(_consents_insert_sql(len(given)), params)


def consents_insert_orm(
    registration_id: int, given: Sequence[tuple[str, str]], now: datetime
) -> None:
    Consent.objects.bulk_create(
        Consent(kind=kind, version=version, registration_id=registration_id, given_at=now)
        for kind, version in given
    )


# --- A new registration, whole --------------------------------------------------------------

# On PostgreSQL a new registration is one statement (`registration_write`): its row, its
# consents, its email and the calls owed to the webhooks listening, and when asked its
# place (`gate`: a seat, or the waiting list), without which nothing is written. What
# its email and its calls say is built before, by the service, around the key the row
# gets: the email's key and context carry `_KEY_STAND_IN` where the key goes, the calls'
# data a null.
_REGISTRATION_WRITE_SQL = (
    "WITH {gate}inserted AS (INSERT INTO {table} ({columns}) SELECT {values}{source} "
    "RETURNING {id}), "
    "consents AS (INSERT INTO {consent} ({consent_kind}, {consent_version}, "
    "{consent_registration}, {consent_given_at}) SELECT given ->> 0, given ->> 1, "
    "inserted.{id}, %(at)s FROM inserted, jsonb_array_elements(%(consents)s::jsonb) AS given), "
    "email AS ({email}), "
    "told AS (SELECT jsonb_set(%(told)s::jsonb, ARRAY['registration', 'id'], "
    "to_jsonb(inserted.{id})) AS data FROM inserted), "
    "calls AS ({calls}) "
    "SELECT inserted.{id}, {placed}, (SELECT * FROM email), ARRAY(SELECT * FROM calls) "
    "FROM inserted"
)
# A key no row has, standing for the registration's own in its email's key and context.
_KEY_STAND_IN = -(2**63) + 1
_WITH_STAND_IN = "replace(%({name})s, {stand_in}, inserted.{id}::text)"
SEAT, WAITLIST = "seat", "waitlist"


@cache
def _registration_write_sql(gate: str | None) -> str:
    """Its parameters are named: each field's by its attname, the gate's
    (`_seat_params`), the consents' (`consents`: JSON text, psycopg's dumping of two
    lists took 5 % of a rush's CPU in the server, in Python), the email's
    (`tasks.outbox.delivery_owed`), `told` (what the calls say), and the webhooks'
    (`webhook_calls_params`); the moment `at` is the consents', the email's and the
    calls'. At most 50, and psycopg keeps the statement's conversion for its
    placeholders instead of parsing its text again at every run (a tenth of a
    registration's CPU in one process, at 51).

    It answers the row's key, what the `gate` gave (the seats taken after the seat; the
    moment and the place on the waiting list), the email's id and the calls'."""
    fields = _registration_fields()
    values = {f.attname: f"%({f.attname})s" for f in fields}
    placed = "NULL"
    if gate == SEAT:
        placed = "(SELECT * FROM gate)"
    elif gate == WAITLIST:
        values["waitlisted_at"] = "gate.moment"
        placed = "(SELECT moment FROM gate), (SELECT place FROM gate)"
    gate_sql = {SEAT: _seat_take_sql, WAITLIST: _waitlist_join_sql}.get(gate)
    id_ = sql.column(Registration, "id")
    stand_in = sql.constant(str(_KEY_STAND_IN))
    return sql.fill(
        _REGISTRATION_WRITE_SQL,
        gate=f"gate AS ({gate_sql()}), " if gate_sql else "",
        source=" FROM gate" if gate_sql else "",
        placed=placed,
        table=Registration,
        columns=", ".join(sql.column(Registration, f.name) for f in fields),
        values=", ".join(values.values()),
        id=id_,
        consent=Consent,
        consent_kind=(Consent, "kind"),
        consent_version=(Consent, "version"),
        consent_registration=(Consent, "registration"),
        consent_given_at=(Consent, "given_at"),
        email=delivery_owed_sql(
            "inserted",
            _WITH_STAND_IN.format(name="email_key", id=id_, stand_in=stand_in),
            _WITH_STAND_IN.format(name="email_context", id=id_, stand_in=stand_in),
        ),
        calls=webhook_calls_sql("told"),
    )


def registration_write(
    registration: Registration,
    *,
    consents: Sequence[tuple[str, str]],
    at: datetime,
    email: Callable[[Registration], DeliverySpec],
    told: dict,
    seat: Meeting | None = None,
    waitlist: Meeting | None = None,
) -> bool:
    """Write a new registration whole, made at `at`: its row (as `registration_insert`),
    the `consents` given (as `consents_insert`), its email (`email(registration)`, queued
    as `deliveries_queue(…, fresh=True, drain=True)` queues it) and a call to each active
    webhook listening to registrations made (`told`, as `registration_insert`'s); all of
    them handed on once the transaction commits. With `seat` (the meeting, as read
    before), only with a seat of it taken for a new address (`seat_take`); with
    `waitlist` (likewise), only on its waiting list, no seat being left for a new address
    (`waitlist_join`: the registration's `waitlisted_at` becomes its moment there, its
    `waitlist_place` its place). False, and nothing written, when there is none.

    On PostgreSQL one statement: in autocommit its own transaction, so neither a BEGIN
    nor a COMMIT is a round trip of its own, and the meeting's lock is held from the seat
    to the commit inside the server, with no return to Python (to the GIL of a busy
    process) in between. For the waiting list the lock is a statement of its own, sent
    with it (`sql.sent_together`): the list's last moment and length are then read as
    the lock leaves them, where the parts of one statement that waited for the lock
    would read them as they were before it waited. Elsewhere one statement each, in a
    transaction."""
    if connection.vendor != "postgresql":
        return _registration_write_apart(
            registration,
            consents,
            at,
            email,
            told,
            seat,
            waitlist,
            take=seat_take,
            join=waitlist_join,
            insert=registration_insert,
            record=consents_insert,
        )
    values = _registration_values(registration)
    params = dict(zip((f.attname for f in _registration_fields()), values, strict=True))
    params["consents"] = json.dumps(consents)
    params["told"] = json.dumps(told)
    params.update(webhook_calls_params(Event.REGISTRATION_CREATED, at))
    params.update(delivery_owed(_with_stand_in(registration, email), at))
    gate = SEAT if seat is not None else WAITLIST if waitlist is not None else None
    if gate is not None:
        params.update(_seat_params(seat or waitlist))
    statement = _registration_write_sql(gate)
    # In a caller's transaction, behind a savepoint: a failure leaves it usable.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        if gate == WAITLIST:
            with connection.cursor() as lock, sql.sent_together():
                lock.execute(_meeting_lock_only_sql(), [waitlist.pk])
                cursor.execute(statement, params)
        else:
            cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return False
    pk, *placed, email_id, calls = row
    _registration_saved(registration, pk)
    if gate == SEAT:
        seat.seats_taken = placed[0]
    elif gate == WAITLIST:
        registration.waitlisted_at, registration.waitlist_place = placed
    webhook_calls_publish(calls)
    delivery_owed_hand_on([email_id])
    return True


def _with_stand_in(registration: Registration, email: Callable[[Registration], DeliverySpec]):
    """The email of `registration` before it has a key, `_KEY_STAND_IN` in its place."""
    registration.pk = _KEY_STAND_IN
    try:
        return email(registration)
    finally:
        registration.pk = None


def _registration_write_apart(
    registration, consents, at, email, told, seat, waitlist, *, take, join, insert, record
) -> bool:
    with transaction.atomic():
        if seat is not None and not take(seat, registration.email):
            return False
        if waitlist is not None:
            joined = join(waitlist, registration.email, registration.waitlisted_at)
            if joined is None:
                return False
            registration.waitlisted_at, registration.waitlist_place = joined
        calls = insert(registration, tell=Event.REGISTRATION_CREATED, told=told)
        record(registration.pk, consents, at)
        deliveries_queue([email(registration)], fresh=True, drain=True)
        webhook_calls_publish(calls)
    return True


def registration_write_orm(
    registration: Registration,
    *,
    consents: Sequence[tuple[str, str]],
    at: datetime,
    email: Callable[[Registration], DeliverySpec],
    told: dict,
    seat: Meeting | None = None,
    waitlist: Meeting | None = None,
) -> bool:
    return _registration_write_apart(
        registration,
        consents,
        at,
        email,
        told,
        seat,
        waitlist,
        take=seat_take_orm,
        join=waitlist_join_orm,
        insert=registration_insert_orm,
        record=consents_insert_orm,
    )


# --- The door's counter --------------------------------------------------------------------

# A share of a meeting's door counter moves (`DoorCount`): the share of this connection's
# slot, made by its first move. `rows` gives (meeting, slot, change) rows, `{slot}` for
# the slot: a moment's scans, each on its own connection, meet on no row.
_DOOR_COUNT_ADD_SQL = (
    "INSERT INTO {table} ({meeting}, {slot}, {present}) {rows} "
    "ON CONFLICT ({meeting}, {slot}) "
    "DO UPDATE SET {present} = {table}.{present} + EXCLUDED.{present}"
)
# The door's counter: the sum of its shares, at most `DoorCount.SLOTS` rows.
_DOOR_PRESENT_SQL = (
    "(SELECT COALESCE(SUM(s.{present}), 0) FROM {table} s WHERE s.{meeting} = {door})"
)
# The door's counts: its meeting's confirmed registrations and its counter.
_DOOR_COUNTS_SQL = "SELECT door.{taken}, {present} FROM {meeting} door WHERE door.{id} = %s"


def _slot() -> str:
    """This connection's slot, in a statement: its server process's id on PostgreSQL,
    where each connection has its own; SQLite writes one transaction at a time, so its
    count has one share."""
    if connection.vendor == "postgresql":
        return f"pg_backend_pid() %% {DoorCount.SLOTS}"
    return "0"


@cache
def _door_count_add_sql(rows: str = "VALUES (%s, {slot}, %s)") -> str:
    return sql.fill(
        _DOOR_COUNT_ADD_SQL,
        rows=rows.format(slot=_slot()),
        table=DoorCount,
        meeting=(DoorCount, "meeting"),
        slot=(DoorCount, "slot"),
        present=(DoorCount, "present"),
    )


@cache
def _door_present_sql(door: str) -> str:
    return sql.fill(
        _DOOR_PRESENT_SQL,
        door=door,
        table=DoorCount,
        meeting=(DoorCount, "meeting"),
        present=(DoorCount, "present"),
    )


def door_count_add(meeting_id: int, change: int) -> None:
    """`change` more people in at the door of `meeting_id` (fewer when negative), in the
    caller's transaction: no lock on the meeting, nor on another connection's share."""
    with connection.cursor() as cursor:
        cursor.execute(_door_count_add_sql(), [meeting_id, change])


def door_count_add_orm(meeting_id: int, change: int) -> None:
    with transaction.atomic():
        share, _created = DoorCount.objects.select_for_update().get_or_create(
            meeting_id=meeting_id, slot=0
        )
        DoorCount.objects.filter(pk=share.pk).update(present=F("present") + change)


def door_counts(meeting_id: int) -> tuple[int, int] | None:
    """The door of `meeting_id`: its confirmed registrations (`seats_taken`) and how many
    of them it counts in (`_DOOR_PRESENT_SQL`, the scan's own expression), in one query
    whatever the door's size; None if there is no such meeting."""
    if not sql.is_key(meeting_id):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_door_counts_sql(), [meeting_id])
        return cursor.fetchone()


@cache
def _door_counts_sql() -> str:
    return sql.fill(
        _DOOR_COUNTS_SQL,
        meeting=Meeting,
        id=(Meeting, "id"),
        taken=(Meeting, "seats_taken"),
        present=_door_present_sql(sql.fill("door.{id}", id=(Meeting, "id"))),
    )


def door_counts_orm(meeting_id: int) -> tuple[int, int] | None:
    taken = Meeting.objects.filter(pk=meeting_id).values_list("seats_taken", flat=True).first()
    if taken is None:
        return None
    present = DoorCount.objects.filter(meeting_id=meeting_id).aggregate(
        total=Coalesce(Sum("present"), 0)
    )["total"]
    return taken, present


# --- Check-in ------------------------------------------------------------------------------

# The check-in row, or nothing if the registration has one already: the one-to-one
# constraint decides, without an error, so neither a savepoint nor a BEGIN … COMMIT is
# needed, in a caller's transaction or in autocommit. A concurrent scan's uncommitted
# row makes this insert wait for it, then insert nothing. `rows`: the values, or the
# scan's read (`_SCAN_SQL`).
_INSERT_SQL = (
    "INSERT INTO {checkin} ({registration}, {at}, {by}, {method}) {rows} "
    "ON CONFLICT ({registration}) DO NOTHING"
)

# The door's counter goes up with the insert: in the same statement on PostgreSQL, in
# the same transaction elsewhere. A check-in that inserted nothing (a twin's scan was
# first) counts nothing.
_REGISTRATION_MEETING = (
    "(SELECT r.{meeting_fk} FROM {registration_table} r WHERE r.{registration_id} = {registration})"
)
_INSERT_COUNTED_SQL = "WITH inserted AS ({insert} RETURNING {registration}) {count}"


@cache
def _insert_sql(rows: str = "VALUES (%s, %s, %s, %s)") -> str:
    return sql.fill(
        _INSERT_SQL,
        rows=rows,
        checkin=CheckIn,
        registration=(CheckIn, "registration"),
        at=(CheckIn, "checked_in_at"),
        by=(CheckIn, "checked_in_by"),
        method=(CheckIn, "method"),
    )


@cache
def _registration_meeting_sql(registration: str) -> str:
    return sql.fill(
        _REGISTRATION_MEETING,
        registration=registration,
        meeting_fk=(Registration, "meeting"),
        registration_table=Registration,
        registration_id=(Registration, "id"),
    )


@cache
def _insert_counted_sql() -> str:
    inserted = sql.fill(
        "(SELECT {registration} FROM inserted)", registration=(CheckIn, "registration")
    )
    return sql.fill(
        _INSERT_COUNTED_SQL,
        insert=_insert_sql(),
        registration=(CheckIn, "registration"),
        count=_door_count_add_sql(
            sql.fill(
                "SELECT {meeting}, {{slot}}, 1 FROM inserted",
                meeting=_registration_meeting_sql(inserted),
            )
        ),
    )


def checkin_insert(registration_id: int, by_id: int | None, method: str) -> datetime | None:
    """Check `registration_id` (a confirmed registration) in, by the user `by_id`, and
    count it on its meeting's door (`door_count_add`): the check-in's time, or
    None if the registration had one already (a concurrent one is waited for)."""
    now = timezone.now()
    params = [registration_id, connection.ops.adapt_datetimefield_value(now), by_id, method]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_insert_counted_sql(), params)
            created = cursor.rowcount == 1
        return now if created else None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_insert_sql(), params)
        created = cursor.rowcount == 1
        if created:
            cursor.execute(_door_counted_sql(), [registration_id])
    return now if created else None


@cache
def _door_counted_sql() -> str:
    """One more in at the door of the registration its one parameter names (`WHERE
    true`: how SQLite tells an upsert's `SELECT` from a join)."""
    return _door_count_add_sql(
        sql.fill(
            "SELECT {meeting}, {{slot}}, 1 WHERE true", meeting=_registration_meeting_sql("%s")
        )
    )


def checkin_insert_orm(registration_id: int, by_id: int | None, method: str) -> datetime | None:
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                registration_id=registration_id, checked_in_by_id=by_id, method=method
            )
            meeting_id = Registration.objects.values_list("meeting_id", flat=True).get(
                pk=registration_id
            )
            door_count_add_orm(meeting_id, 1)
    except IntegrityError:
        return None
    return checkin.checked_in_at


@dataclass(frozen=True)
class DoorRead:
    """A code read at a meeting's door: the door's time zone and counter (before this
    read's check-in), and the registration the code belongs to, of any meeting, if any,
    with its holder's name and organisation and its check-in's time and scanner."""

    time_zone: str
    expected: int
    present: int
    registration_id: int | None = None
    meeting_id: int | None = None
    first_name: str = ""
    last_name: str = ""
    status: str = ""
    organisation: str = ""
    checked_in: bool = False
    checked_in_at: datetime | None = None
    # The scanner of the check-in: None when there is none, or their account is gone.
    scanner_id: int | None = None
    scanner_username: str = ""
    scanner_first_name: str = ""
    scanner_last_name: str = ""
    # When this read checked the holder in itself (`ticket_at_door`'s `check_in_by`).
    inserted_at: datetime | None = None


# The door's busiest read: the door's meeting, its counter (`_DOOR_PRESENT_SQL`), and the
# ticket's registration (of any meeting) with what its answer shows; no row for an
# unknown meeting, NULLs for an unknown ticket.
_TICKET_SQL = (
    "SELECT door.{time_zone} AS time_zone, door.{taken} AS expected, "
    "{present} AS present, "
    "r.{id} AS registration_id, r.{registration_meeting} AS holder_meeting_id, "
    "r.{first_name} AS first_name, r.{last_name} AS last_name, r.{status} AS status, "
    "o.{organisation_name} AS organisation, r.{typed_organisation} AS typed_organisation, "
    "c.{checkin_id} AS checkin_id, c.{at} AS checked_in_at, u.{user_id} AS user_id, "
    "u.{username} AS username, u.{user_first} AS user_first, u.{user_last} AS user_last "
    "FROM {meeting} door "
    "LEFT JOIN {registration} r ON r.{secret} = {code} "
    "LEFT JOIN {organisation_table} o ON o.{organisation_id} = r.{organisation} "
    "LEFT JOIN {checkin} c ON c.{checkin_registration} = r.{id} "
    "LEFT JOIN {user} u ON u.{user_id} = c.{by} "
    "WHERE door.{meeting_id} = {door}"
)


@cache
def _ticket_sql(code: str = "%s", door: str = "%s") -> str:
    """The read, with `code` and `door` as its two placeholders."""
    user = get_user_model()
    return sql.fill(
        _TICKET_SQL,
        code=code,
        door=door,
        meeting=Meeting,
        meeting_id=(Meeting, "id"),
        time_zone=(Meeting, "time_zone"),
        taken=(Meeting, "seats_taken"),
        present=_door_present_sql(sql.fill("door.{id}", id=(Meeting, "id"))),
        registration=Registration,
        id=(Registration, "id"),
        registration_meeting=(Registration, "meeting"),
        first_name=(Registration, "first_name"),
        last_name=(Registration, "last_name"),
        status=(Registration, "status"),
        organisation=(Registration, "organisation"),
        typed_organisation=(Registration, "organisation_name"),
        secret=(Registration, "ticket_secret"),
        organisation_table=Organisation,
        organisation_id=(Organisation, "id"),
        organisation_name=(Organisation, "name"),
        checkin=CheckIn,
        checkin_id=(CheckIn, "id"),
        checkin_registration=(CheckIn, "registration"),
        at=(CheckIn, "checked_in_at"),
        by=(CheckIn, "checked_in_by"),
        user=user,
        user_id=(user, "id"),
        username=(user, user.USERNAME_FIELD),
        user_first=(user, "first_name"),
        user_last=(user, "last_name"),
    )


# On PostgreSQL a scan is one statement, the check-in, the door's counter and the
# webhooks' calls included: the read above, the insert when the ticket lets its holder
# in at this door and has no check-in yet, and when it inserted, the counter and a call
# to each webhook listening to check-ins (`tasks.webhooks.webhook_calls_sql`). A round
# trip fewer a scan, and one wait fewer for the GIL behind the worker's other threads.
# SQLite has no INSERT inside WITH: the insert, its count and its calls are statements
# of their own there (`checkin_insert`, `webhooks_emit`).
_SCAN_SQL = (
    "WITH ticket AS ({ticket}), inserted AS ({insert} RETURNING {registration}), "
    "counted AS ({count}), "
    "told AS (SELECT {data} AS data FROM inserted), "
    "calls AS ({calls}) "
    "SELECT ticket.*, EXISTS (SELECT 1 FROM inserted), ARRAY(SELECT * FROM calls) FROM ticket"
)
_SCAN_ROWS = (
    "SELECT ticket.registration_id, %(at)s, %(by)s, %(method)s FROM ticket "
    "WHERE ticket.holder_meeting_id = %(door)s AND ticket.status = {confirmed} "
    "AND ticket.checkin_id IS NULL"
)
# What the check-in's call says (`webhooks.checkin_data`), built by the statement: its
# registration is the row it inserted.
_SCAN_TOLD = (
    "jsonb_build_object('checkin', jsonb_build_object('registration', "
    "inserted.{registration}, 'meeting', %(door)s, 'checked_in_at', %(at_iso)s::text, "
    "'method', %(method)s::text))"
)


@cache
def _scan_sql() -> str:
    """Its parameters are named, each sent once however often it is used: the ticket's
    `secret`, the `door`'s meeting, the moment `at` (and `at_iso`, as text), the scanner
    `by`, the `method`, and the webhooks' (`webhook_calls_params`)."""
    return sql.fill(
        _SCAN_SQL,
        ticket=_ticket_sql("%(secret)s", "%(door)s"),
        insert=_insert_sql(
            sql.fill(_SCAN_ROWS, confirmed=sql.constant(Registration.Status.CONFIRMED))
        ),
        registration=(CheckIn, "registration"),
        count=_door_count_add_sql("SELECT %(door)s, {slot}, 1 FROM inserted"),
        data=sql.fill(_SCAN_TOLD, registration=(CheckIn, "registration")),
        calls=webhook_calls_sql("told"),
    )


def _lets_in(read: DoorRead, meeting_id: int) -> bool:
    """Whether the ticket read lets its holder in at this door, not in yet."""
    return (
        read.meeting_id == meeting_id
        and read.status == Registration.Status.CONFIRMED
        and not read.checked_in
    )


def ticket_at_door(
    secret: str | None, meeting_id: int, *, check_in_by: int | None = None, method: str = ""
) -> DoorRead | None:
    """What the ticket `secret` is, read at the door of `meeting_id`, in one query; None
    if there is no such meeting.

    With `check_in_by` (a user's id) and the `method`, the holder is also checked in
    when the ticket lets them in here (`_lets_in`: confirmed, for this meeting, not in
    yet), and the webhooks listening to check-ins are owed their call with it, in one
    transaction: in the same statement on PostgreSQL, in more elsewhere.
    """
    if not sql.is_key(meeting_id):
        return None
    params = [secret, meeting_id]
    now = None
    if check_in_by is not None and connection.vendor == "postgresql":
        now = timezone.now()
        params = {
            "secret": secret,
            "door": meeting_id,
            "by": check_in_by,
            "method": method,
            **webhook_calls_params(Event.CHECKIN_CREATED, now),
        }
    with connection.cursor() as cursor:
        cursor.execute(_ticket_sql() if now is None else _scan_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    if now is not None:
        webhook_calls_publish(row[17])
    (time_zone, expected, present, registration_id, holder_meeting_id) = row[:5]
    (first_name, last_name, status, organisation, typed_organisation) = row[5:10]
    (checkin_id, at, user_id, username, user_first, user_last) = row[10:16]
    if registration_id is None:
        return DoorRead(time_zone, expected, present)
    read = DoorRead(
        time_zone,
        expected,
        present,
        registration_id,
        holder_meeting_id,
        first_name,
        last_name,
        status,
        organisation or typed_organisation,
        checked_in=checkin_id is not None,
        checked_in_at=None if checkin_id is None else sql.from_db(CheckIn, "checked_in_at", at),
        scanner_id=user_id,
        scanner_username=username or "",
        scanner_first_name=user_first or "",
        scanner_last_name=user_last or "",
        inserted_at=now if now is not None and row[16] else None,
    )
    if check_in_by is not None and now is None and _lets_in(read, meeting_id):
        read = replace(read, inserted_at=_checkin_told(checkin_insert, read, check_in_by, method))
    return read


def _checkin_told(insert, read: DoorRead, by_id: int, method: str) -> datetime | None:
    """`insert` (`checkin_insert` or its twin) the check-in of `read`'s holder, and owe
    the webhooks its call, in one transaction when anyone listens."""
    with webhooks_atomic(Event.CHECKIN_CREATED):
        at = insert(read.registration_id, by_id, method)
        if at is not None:
            checkin_webhook(read.registration_id, read.meeting_id, at, method)
    return at


def ticket_at_door_orm(
    secret: str | None, meeting_id: int, *, check_in_by: int | None = None, method: str = ""
) -> DoorRead | None:
    time_zone = Meeting.objects.filter(pk=meeting_id).values_list("time_zone", flat=True).first()
    if time_zone is None:
        return None
    expected, present = door_counts_orm(meeting_id)
    registration = (
        Registration.objects.select_related("organisation", "checkin__checked_in_by")
        .filter(ticket_secret=secret)
        .first()
        if secret is not None
        else None
    )
    if registration is None:
        return DoorRead(time_zone, expected, present)
    checkin = getattr(registration, "checkin", None)
    scanner = checkin.checked_in_by if checkin is not None else None
    read = DoorRead(
        time_zone,
        expected,
        present,
        registration.pk,
        registration.meeting_id,
        registration.first_name,
        registration.last_name,
        registration.status,
        (registration.organisation.name if registration.organisation else "")
        or registration.organisation_name,
        checked_in=checkin is not None,
        checked_in_at=checkin.checked_in_at if checkin is not None else None,
        scanner_id=scanner.pk if scanner is not None else None,
        scanner_username=scanner.get_username() if scanner is not None else "",
        scanner_first_name=scanner.first_name if scanner is not None else "",
        scanner_last_name=scanner.last_name if scanner is not None else "",
    )
    if check_in_by is not None and _lets_in(read, meeting_id):
        at = _checkin_told(checkin_insert_orm, read, check_in_by, method)
        read = replace(read, inserted_at=at)
    return read
