"""Check-in at the door: what a scan, a name search and an undo do, and what they answer.

A scan never fails with an error: every ticket, even a forged one, gets an answer a door
volunteer can act on (`CheckinResult.outcome` and its `message`). The answers say no more
than the volunteer needs: an unknown code is just unknown, and a ticket for another
meeting names that meeting but not its holder.

Idempotence rests on the database: `CheckIn.registration` is one-to-one, so two phones
scanning the same ticket at the same instant insert one row; the second insert fails on
the constraint (inside a savepoint if the caller holds a transaction) and answers
"already checked in" with the first one's time and scanner.

Who may check in is `checkin_allowed`: organisers, and the meeting's co-facilitators and
support staff once signed in with their one-time link.
"""

import logging
import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import IntegrityError, connection, transaction
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from meetings.auth import may_facilitate
from meetings.errors import UnknownMeeting
from meetings.models import Meeting

from .models import TICKET_ALPHABET, TICKET_LENGTH, CheckIn, Registration

logger = logging.getLogger(__name__)

SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 100

# Crockford's decoding rules: what a person may type for what the ticket shows.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_.\t\r\n\u00a0\u202f")
_ALPHABET = frozenset(TICKET_ALPHABET)


class Outcome:
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    WRONG_MEETING = "wrong_meeting"
    UNKNOWN = "unknown"
    # Answers of an undo.
    UNDONE = "undone"
    NOT_CHECKED_IN = "not_checked_in"

    SCAN = (CHECKED_IN, ALREADY_CHECKED_IN, CANCELLED, WAITLISTED, WRONG_MEETING, UNKNOWN)


@dataclass(frozen=True)
class CheckinResult:
    outcome: str
    message: str
    registration: Registration | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None

    @property
    def ok(self) -> bool:
        """The person may come in (now, or already did)."""
        return self.outcome in (Outcome.CHECKED_IN, Outcome.ALREADY_CHECKED_IN)


def checkin_allowed(user, meeting: Meeting) -> bool:
    """Whether `user` may check people in for `meeting`: its organisers and facilitators."""
    return may_facilitate(user, meeting)


def normalise_secret(raw) -> str | None:
    """What was scanned or typed, as a ticket secret; None if it cannot be one.

    Upper-cased, spaces and dashes dropped, and the look-alikes a person may type read
    as the digits the alphabet means (O as 0, I and L as 1), so that "7k3m-9qxd …" read
    off a printout finds the ticket. Anything else is refused before the database.
    """
    if not isinstance(raw, str) or len(raw) > 4 * TICKET_LENGTH:
        return None
    secret = unicodedata.normalize("NFKC", raw).upper().translate(_SEPARATORS)
    secret = secret.translate(_LOOK_ALIKES)
    if len(secret) != TICKET_LENGTH or not _ALPHABET.issuperset(secret):
        return None
    return secret


def _scanner_name(user) -> str:
    if user is None:
        return _("a former organiser")
    return user.get_full_name() or user.get_username()


def _local_time(meeting: Meeting, moment: datetime) -> str:
    return time_format(moment.astimezone(meeting.tz), "H:i")


def _label(registration: Registration) -> str:
    organisation = registration.organisation_label
    name = registration.full_name
    return f"{name} ({organisation})" if organisation else name


def _present(registration: Registration, checkin: CheckIn, created: bool) -> CheckinResult:
    meeting = registration.meeting
    when = _local_time(meeting, checkin.checked_in_at)
    by = _scanner_name(checkin.checked_in_by)
    if created:
        return CheckinResult(
            Outcome.CHECKED_IN,
            _("Welcome! %(person)s is checked in.") % {"person": _label(registration)},
            registration,
            checkin.checked_in_at,
            by,
        )
    return CheckinResult(
        Outcome.ALREADY_CHECKED_IN,
        _("Already checked in at %(time)s by %(by)s: %(person)s.")
        % {"time": when, "by": by, "person": _label(registration)},
        registration,
        checkin.checked_in_at,
        by,
    )


def _refusal(registration: Registration) -> CheckinResult | None:
    """The answer for a ticket that does not let its holder in, or None if it does."""
    if registration.status == Registration.Status.CANCELLED:
        return CheckinResult(
            Outcome.CANCELLED,
            _(
                "Cancelled ticket: %(person)s cancelled this registration. "
                "Please send them to the welcome desk."
            )
            % {"person": _label(registration)},
            registration,
        )
    if registration.status == Registration.Status.WAITLISTED:
        return CheckinResult(
            Outcome.WAITLISTED,
            _(
                "Waiting list: %(person)s has no confirmed seat. "
                "Please send them to the welcome desk."
            )
            % {"person": _label(registration)},
            registration,
        )
    return None


def _checkin_create(registration: Registration, by, method: str) -> CheckinResult:
    existing = _cached_checkin(registration)
    if existing is not None:
        return _present(registration, existing, created=False)
    # The constraint error of a concurrent scan must not break a transaction the caller
    # may hold: a savepoint then. In autocommit (a request at the door) the insert is a
    # transaction of its own already, and a BEGIN and a COMMIT would double its cost.
    alone = nullcontext() if connection.get_autocommit() else transaction.atomic()
    try:
        with alone:
            checkin = CheckIn.objects.create(
                registration=registration, checked_in_by=by, method=method
            )
    except IntegrityError:
        # Another device got there first; its row is committed, since our insert
        # waited on it. Report that one.
        checkin = CheckIn.objects.select_related("checked_in_by").get(registration=registration)
        return _present(registration, checkin, created=False)
    return _present(registration, checkin, created=True)


def _cached_checkin(registration: Registration) -> CheckIn | None:
    """The check-in loaded with the registration, if any, without another query."""
    try:
        return registration.checkin
    except CheckIn.DoesNotExist:
        return None


def _registration_for_checkin():
    return Registration.objects.select_related(
        "meeting", "organisation", "checkin", "checkin__checked_in_by"
    )


# What a scan's answer shows, and no more: the door's busiest read, a row of five
# tables, whose every other column costs the ORM time to select and load.
_TICKET_FIELDS = (
    "meeting_id",
    "first_name",
    "last_name",
    "status",
    "organisation_id",
    "organisation_name",
    "meeting__title_fr",
    "meeting__title_nl",
    "meeting__starts_at",
    "meeting__time_zone",
    "organisation__name",
    "checkin__checked_in_at",
    "checkin__checked_in_by__username",
    "checkin__checked_in_by__first_name",
    "checkin__checked_in_by__last_name",
)


@dataclass(frozen=True)
class Ticket:
    """A code read at a meeting's door, before anything is written: the meeting, and the
    registration the code belongs to (of any meeting), if any."""

    meeting: Meeting
    registration: Registration | None


def ticket_read(secret, meeting: Meeting | int) -> Ticket:
    """What `secret`, scanned or typed at the door of `meeting` (or its id), is.

    One query when the ticket is for that meeting (the usual scan: the meeting comes with
    the registration), two otherwise; `UnknownMeeting` if there is no such meeting.
    """
    normalised = normalise_secret(secret)
    registration = None
    if normalised is not None:
        registration = (
            _registration_for_checkin()
            .only(*_TICKET_FIELDS)
            .filter(ticket_secret=normalised)
            .order_by()
            .first()
        )
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    if registration is not None and registration.meeting_id == meeting_id:
        return Ticket(registration.meeting, registration)
    if not isinstance(meeting, Meeting):
        meeting = Meeting.objects.only("pk", "time_zone").filter(pk=meeting_id).first()
        if meeting is None:
            raise UnknownMeeting(_("There is no meeting with id %(id)s.") % {"id": meeting_id})
    return Ticket(meeting, registration)


def ticket_check_in(ticket: Ticket, *, by, method: str = CheckIn.Method.SCAN) -> CheckinResult:
    """Check in the holder of `ticket` (read by `ticket_read`), scanned or typed by `by`:
    one query (the insert) for a first scan, none for a repeat."""
    registration = ticket.registration
    if registration is None:
        return CheckinResult(
            Outcome.UNKNOWN,
            _("Unknown ticket. Check the code, or search the person by name."),
        )
    if registration.meeting_id != ticket.meeting.pk:
        other = registration.meeting
        return CheckinResult(
            Outcome.WRONG_MEETING,
            _("This ticket is for another meeting: %(meeting)s, %(day)s.")
            % {"meeting": other.title, "day": date_format(other.local_starts_at, "j F Y")},
        )
    return _refusal(registration) or _checkin_create(registration, by, method)


def checkin_scan(secret, *, meeting: Meeting | int, by, method: str = CheckIn.Method.SCAN):
    """Check in the holder of the ticket `secret` at `meeting`, scanned or typed by `by`.

    Two queries for a first scan (the lookup, the insert), one for a repeat. Callers who
    must check who may stand at that door first use `ticket_read`, then `ticket_check_in`.
    """
    return ticket_check_in(ticket_read(secret, meeting), by=by, method=method)


def checkin_manual(registration: Registration, by) -> CheckinResult:
    """Check someone in found by name: same answers as a scan, for the same reasons."""
    registration = _registration_for_checkin().get(pk=registration.pk)
    return _refusal(registration) or _checkin_create(registration, by, CheckIn.Method.MANUAL)


def checkin_undo(registration: Registration, by) -> CheckinResult:
    """Take back a check-in made by mistake (the wrong person picked, a test scan)."""
    registration = _registration_for_checkin().get(pk=registration.pk)
    deleted, _rows = CheckIn.objects.filter(registration=registration).delete()
    if not deleted:
        return CheckinResult(
            Outcome.NOT_CHECKED_IN,
            _("%(person)s was not checked in.") % {"person": _label(registration)},
            registration,
        )
    logger.info(
        "check-in of registration %s undone by %s", registration.pk, getattr(by, "pk", None)
    )
    return CheckinResult(
        Outcome.UNDONE,
        _("Check-in cancelled: %(person)s is no longer marked present.")
        % {"person": _label(registration)},
        registration,
    )


# --- Reads ---------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, without accents: "Élodie" is found as "elodie", and sorts with the Es."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def checkin_search(meeting: Meeting, query: str, *, limit: int = SEARCH_LIMIT):
    """Registrations of `meeting` whose name or organisation contains every word of `query`.

    Accent- and case-insensitive on every database: the meeting's registrations (a few
    hundred at most) are matched in Python, on a narrow query. Confirmed people come
    first, then the waiting list and cancellations, so a volunteer sees why someone
    cannot be checked in. At most `limit` results, each with `checkin` loaded.
    """
    words = fold(query[:SEARCH_MAX_LENGTH]).split()
    if not words:
        return []
    candidates = (
        Registration.objects.filter(meeting=meeting)
        .select_related("organisation", "checkin", "checkin__checked_in_by")
        .only(
            "pk",
            "meeting_id",
            "first_name",
            "last_name",
            "status",
            "function",
            "language",
            "organisation_name",
            "organisation_country",
            "organisation__name",
            "organisation__country",
            "checkin__checked_in_at",
            "checkin__method",
            "checkin__checked_in_by__username",
            "checkin__checked_in_by__first_name",
            "checkin__checked_in_by__last_name",
        )
    )
    order = {Registration.Status.CONFIRMED: 0, Registration.Status.WAITLISTED: 1}
    found = []
    for registration in candidates:
        haystack = fold(
            f"{registration.first_name} {registration.last_name} {registration.organisation_label}"
        )
        if all(word in haystack for word in words):
            found.append(registration)
    found.sort(key=lambda r: (order.get(r.status, 2), fold(r.last_name), fold(r.first_name), r.pk))
    return found[:limit]


@dataclass(frozen=True)
class DoorCounts:
    expected: int
    present: int


# The door's counter, after every scan: one statement written once from the models'
# names, as the ORM would take twice as long as the database to build it.
_COUNTS_SQL = (
    "SELECT COUNT(*), COUNT({checkin}.{checkin_id}) FROM {registration} "
    "LEFT JOIN {checkin} ON {checkin}.{checkin_registration} = {registration}.{id} "
    "WHERE {registration}.{meeting} = %s AND {registration}.{status} = %s"
)


@cache
def _counts_sql() -> str:
    quote = connection.ops.quote_name
    return _COUNTS_SQL.format(
        registration=quote(Registration._meta.db_table),
        id=quote(Registration._meta.pk.column),
        meeting=quote(Registration._meta.get_field("meeting").column),
        status=quote(Registration._meta.get_field("status").column),
        checkin=quote(CheckIn._meta.db_table),
        checkin_id=quote(CheckIn._meta.pk.column),
        checkin_registration=quote(CheckIn._meta.get_field("registration").column),
    )


def checkin_counts(meeting: Meeting | int) -> DoorCounts:
    """Confirmed registrations and how many of them came, in one query."""
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    with connection.cursor() as cursor:
        cursor.execute(_counts_sql(), [meeting_id, Registration.Status.CONFIRMED])
        expected, present = cursor.fetchone()
    return DoorCounts(expected=expected, present=present)


def checkin_info(registration: Registration) -> tuple[datetime | None, str | None]:
    """When and by whom `registration` was checked in, or (None, None)."""
    checkin = _cached_checkin(registration)
    if checkin is None:
        return None, None
    return checkin.checked_in_at, _scanner_name(checkin.checked_in_by)
