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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.utils import timezone

from events_site.kit import sql
from meetings.models import Meeting, Organisation, Person
from tasks.webhooks import (
    Event,
    webhook_calls_params,
    webhook_calls_publish,
    webhook_calls_sql,
    webhook_calls_write,
    webhooks_atomic,
)

from .models import CheckIn, Consent, Registration
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

# Takes a seat if one is left and locks the meeting row, in one statement: a rush's
# registrations queue on that lock, so each round trip it covers sets their rate.
_SEAT_TAKE_SQL = (
    "UPDATE {table} SET {seats} = {seats} + 1 WHERE {id} = %s AND {seats} < {capacity} "
    "RETURNING {returned}"
)


@cache
def _seat_take_sql() -> tuple[str, list[str]]:
    """The statement, and the returned columns' names in the order of the model's
    fields (the order `Model.from_db` reads them in)."""
    names = [f.attname for f in Meeting._meta.concrete_fields if f.name in SEAT_FIELDS]
    statement = sql.fill(
        _SEAT_TAKE_SQL,
        table=Meeting,
        seats=(Meeting, "seats_taken"),
        id=(Meeting, "id"),
        capacity=(Meeting, "capacity"),
        returned=", ".join(sql.column(Meeting, name) for name in names),
    )
    return statement, names


def seat_take(meeting_id: int) -> Meeting | None:
    """The meeting (its `SEAT_FIELDS`), locked until the end of the transaction, with one
    more seat taken; None when no seat is left or there is no such meeting, with nothing
    locked."""
    if not sql.is_key(meeting_id):
        return None
    statement, names = _seat_take_sql()
    with connection.cursor() as cursor:
        cursor.execute(statement, [meeting_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [sql.from_db(Meeting, name, value) for name, value in zip(names, row, strict=True)]
    return Meeting.from_db(connection.alias, names, values)


def seat_take_orm(meeting_id: int) -> Meeting | None:
    taken = Meeting.objects.filter(pk=meeting_id, seats_taken__lt=F("capacity")).update(
        seats_taken=F("seats_taken") + 1
    )
    return Meeting.objects.only(*SEAT_FIELDS).get(pk=meeting_id) if taken else None


def meeting_lock(meeting_id: int) -> Meeting | None:
    """The meeting row, locked until the end of the transaction; None if there is none.

    FOR NO KEY UPDATE, the lock a seat's UPDATE takes: it lets through the key-share
    locks that inserting a registration takes on its meeting. A registration holding
    one asks for this lock when no seat is left; FOR UPDATE would wait for the other
    inserting registrations, and they for it.

    SQLite ignores FOR UPDATE; a write takes its database lock instead, so that the
    embedded default cannot oversell either.
    """
    if connection.vendor == "sqlite":
        Meeting.objects.filter(pk=meeting_id).update(seats_taken=F("seats_taken"))
    return meeting_lock_orm(meeting_id)


def meeting_lock_orm(meeting_id: int) -> Meeting | None:
    return Meeting.objects.select_for_update(no_key=True).filter(pk=meeting_id).first()


# --- Addresses -----------------------------------------------------------------------------

# Before the lock, once per registration: the ORM takes longer to build it than the
# database to run it. Addresses compare as the unique indexes compare them, LOWER()
# on both sides.
_ADDRESS_LOOKUP_SQL = (
    "SELECT (SELECT {person_id} FROM {person} WHERE LOWER({person_email}) = LOWER(%s) "
    "ORDER BY {person_id} LIMIT 1), "
    "EXISTS(SELECT 1 FROM {registration} WHERE {registration_meeting} = {meeting}.{meeting_id} "
    "AND LOWER({registration_email}) = LOWER(%s)) "
    "FROM {meeting} WHERE {meeting}.{meeting_id} = %s"
)


@cache
def _address_lookup_sql() -> str:
    return sql.fill(
        _ADDRESS_LOOKUP_SQL,
        person=Person,
        person_id=(Person, "id"),
        person_email=(Person, "email"),
        registration=Registration,
        registration_meeting=(Registration, "meeting"),
        registration_email=(Registration, "email"),
        meeting=Meeting,
        meeting_id=(Meeting, "id"),
    )


def address_lookup(meeting_id: int, email: str) -> tuple[int | None, bool] | None:
    """The directory's first person with the address `email` (any letter case), and
    whether a registration of the meeting has it (whatever its status), in one query;
    None if there is no such meeting."""
    if not sql.is_key(meeting_id):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_address_lookup_sql(), [email, email, meeting_id])
        found = cursor.fetchone()
    if found is None:
        return None
    person_id, registered = found
    return person_id, bool(registered)


def address_lookup_orm(meeting_id: int, email: str) -> tuple[int | None, bool] | None:
    if not Meeting.objects.filter(pk=meeting_id).exists():
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
    return person_id, registered


# --- Registrations -------------------------------------------------------------------------


def _registration_fields() -> tuple:
    """The fields an insert gives values to (all but the key)."""
    return tuple(f for f in Registration._meta.concrete_fields if not f.primary_key)


@cache
def _registration_insert_sql() -> str:
    """The insert alone, its values in `_registration_fields`' order (SQLite)."""
    fields = _registration_fields()
    returning = connection.features.can_return_columns_from_insert
    return sql.fill(
        "INSERT INTO {table} ({columns}) VALUES ({values}){returning}",
        table=Registration,
        columns=", ".join(sql.column(Registration, f.name) for f in fields),
        values=", ".join(["%s"] * len(fields)),
        returning=f" RETURNING {sql.column(Registration, 'id')}" if returning else "",
    )


# On PostgreSQL the registration's webhook calls ride in its insert
# (`tasks.webhooks.webhook_calls_sql`): the shared cache's read of who listens was
# nearly a tenth of a registration, and nothing at all is written when nobody listens.
# What a call says is the registration as the service built it, its key filled in here.
_REGISTRATION_TOLD_SQL = (
    "WITH inserted AS (INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {id}), "
    "told AS (SELECT jsonb_set(%(told)s::jsonb, ARRAY['registration', 'id'], "
    "to_jsonb(inserted.{id})) AS data FROM inserted), "
    "calls AS ({calls}) "
    "SELECT inserted.{id}, ARRAY(SELECT * FROM calls) FROM inserted"
)


@cache
def _registration_told_sql() -> str:
    """Its parameters are named: each field's by its attname, `told` (what the calls
    say), and the webhooks' (`webhook_calls_params`)."""
    fields = _registration_fields()
    return sql.fill(
        _REGISTRATION_TOLD_SQL,
        table=Registration,
        columns=", ".join(sql.column(Registration, f.name) for f in fields),
        values=", ".join(f"%({f.attname})s" for f in fields),
        id=(Registration, "id"),
        calls=webhook_calls_sql("told"),
    )


def registration_insert(
    registration: Registration, *, tell: str | None = None, told: dict | None = None
) -> list[int]:
    """Insert a new registration's row as `save()` does (its search text, its creation
    and change times, its defaults), and give it its key. The ORM took about 0.45 ms of
    CPU to build and run the insert of the row's 27 columns, a seventh of a registration.
    No signal is sent: nothing listens to a registration's.

    With the event `tell` and what it says (`told`, the registration's key left to
    fill in), every active webhook listening to it is owed a call, in the same statement
    on PostgreSQL; the calls' ids are returned, for `webhook_calls_publish`."""
    registration.search_text_fill()
    fields = _registration_fields()
    values = [f.get_db_prep_save(f.pre_save(registration, add=True), connection) for f in fields]
    if tell is not None and connection.vendor == "postgresql":
        params = dict(zip((f.attname for f in fields), values, strict=True))
        params["told"] = json.dumps(told)
        params.update(webhook_calls_params(tell, timezone.now()))
        with connection.cursor() as cursor:
            cursor.execute(_registration_told_sql(), params)
            registration.pk, calls = cursor.fetchone()
        registration._state.adding, registration._state.db = False, connection.alias
        return calls
    with connection.cursor() as cursor:
        cursor.execute(_registration_insert_sql(), values)
        if connection.features.can_return_columns_from_insert:
            registration.pk = cursor.fetchone()[0]
        else:
            registration.pk = cursor.lastrowid
    registration._state.adding, registration._state.db = False, connection.alias
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
_COUNT_SQL = "UPDATE {meeting} SET {present} = {present} + 1 WHERE {id} = {door}"
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
def _count_sql(door: str = "%s") -> str:
    return sql.fill(
        _COUNT_SQL,
        door=door,
        meeting=Meeting,
        present=(Meeting, "seats_present"),
        id=(Meeting, "id"),
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
        count=_count_sql(_registration_meeting_sql(inserted)),
    )


def checkin_insert(registration_id: int, by_id: int | None, method: str) -> datetime | None:
    """Check `registration_id` (a confirmed registration) in, by the user `by_id`, and
    count it on its meeting's door (`Meeting.seats_present`): the check-in's time, or
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
            cursor.execute(_count_sql(_registration_meeting_sql("%s")), [registration_id])
    return now if created else None


def checkin_insert_orm(registration_id: int, by_id: int | None, method: str) -> datetime | None:
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                registration_id=registration_id, checked_in_by_id=by_id, method=method
            )
            Meeting.objects.filter(registrations=registration_id).update(
                seats_present=F("seats_present") + 1
            )
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


# The door's busiest read: the door's meeting, its counter (kept on its row), and the
# ticket's registration (of any meeting) with what its answer shows; no row for an
# unknown meeting, NULLs for an unknown ticket.
_TICKET_SQL = (
    "SELECT door.{time_zone} AS time_zone, door.{taken} AS expected, "
    "door.{present} AS present, "
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
        present=(Meeting, "seats_present"),
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
    "counted AS ({count} AND EXISTS (SELECT 1 FROM inserted)), "
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
        count=_count_sql("%(door)s"),
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
    door = (
        Meeting.objects.filter(pk=meeting_id)
        .values_list("time_zone", "seats_taken", "seats_present")
        .first()
    )
    if door is None:
        return None
    time_zone, expected, present = door
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
