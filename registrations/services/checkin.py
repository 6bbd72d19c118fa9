"""Check-in at the door: what a scan, a name search and an undo do, and what they answer.

A scan never fails with an error: every ticket, even a forged one, gets an answer a door
volunteer can act on (`CheckinResult.outcome` and its `message`). The answers say no more
than the volunteer needs: an unknown code is just unknown, and a ticket for another
meeting names that meeting but not its holder.

Idempotence rests on the database: `CheckIn.registration` is one-to-one, so two phones
scanning the same ticket at the same instant insert one row; the second insert meets the
constraint, inserts nothing (`sql.checkin_insert`, `ON CONFLICT DO NOTHING`: no error,
so no savepoint in a caller's transaction) and answers "already checked in" with the
first one's time and scanner.

Who may check in is `checkin_allowed`: organisers, and the meeting's co-facilitators and
support staff once signed in with their one-time link.
"""

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from events_site.kit.text import fold
from meetings.auth import may_facilitate
from meetings.errors import UnknownMeeting
from meetings.models import Meeting
from tasks.webhooks import Event, webhooks_atomic

from .. import sql
from ..models import TICKET_ALPHABET, TICKET_LENGTH, CheckIn, Registration
from ..webhooks import checkin_webhook
from .seats import _meeting_lock, _seats_add

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
class DoorCounts:
    expected: int
    present: int


@dataclass(frozen=True)
class Holder:
    """Whose ticket it is, as the answer names them: their registration, name and
    organisation."""

    registration: int
    name: str
    organisation: str

    @classmethod
    def of(cls, registration: Registration) -> "Holder":
        return cls(registration.pk, registration.full_name, registration.organisation_label)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


@dataclass(frozen=True)
class CheckinResult:
    outcome: str
    message: str
    holder: Holder | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    # The door's counter after this answer, when the scan's read brought it along.
    counts: DoorCounts | None = None

    @property
    def ok(self) -> bool:
        """The person may come in (now, or already did)."""
        return self.outcome in (Outcome.CHECKED_IN, Outcome.ALREADY_CHECKED_IN)


def checkin_allowed(user, meeting: Meeting | int) -> bool:
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


def _full_name(first_name: str, last_name: str) -> str:
    """`User.get_full_name()` from the columns a hand-written read brings."""
    return f"{first_name} {last_name}".strip()


def _welcome(holder: Holder, at: datetime, by: str, counts=None) -> CheckinResult:
    return CheckinResult(
        Outcome.CHECKED_IN,
        _("Welcome! %(person)s is checked in.") % {"person": holder.label},
        holder,
        at,
        by,
        counts,
    )


def _already(holder: Holder, time_zone, at: datetime, by: str, counts=None) -> CheckinResult:
    """A second scan: when (in the meeting's time zone) and by whom the first one was."""
    when = time_format(at.astimezone(time_zone), "H:i")
    return CheckinResult(
        Outcome.ALREADY_CHECKED_IN,
        _("Already checked in at %(time)s by %(by)s: %(person)s.")
        % {"time": when, "by": by, "person": holder.label},
        holder,
        at,
        by,
        counts,
    )


def _refusal(status: str, holder: Holder, counts=None) -> CheckinResult | None:
    """The answer for a ticket that does not let its holder in, or None if it does."""
    if status == Registration.Status.CANCELLED:
        return CheckinResult(
            Outcome.CANCELLED,
            _(
                "Cancelled ticket: %(person)s cancelled this registration. "
                "Please send them to the welcome desk."
            )
            % {"person": holder.label},
            holder,
            counts=counts,
        )
    if status == Registration.Status.WAITLISTED:
        return CheckinResult(
            Outcome.WAITLISTED,
            _(
                "Waiting list: %(person)s has no confirmed seat. "
                "Please send them to the welcome desk."
            )
            % {"person": holder.label},
            holder,
            counts=counts,
        )
    return None


def _insert(registration_id: int, by, method: str) -> datetime | None:
    """Check `registration_id` in; its time, or None if it was checked in already."""
    return sql.checkin_insert(registration_id, by.pk, method)


def _existing(holder: Holder, time_zone, counts=None) -> CheckinResult:
    """The check-in another device made first (committed: our insert waited on it)."""
    checkin = CheckIn.objects.select_related("checked_in_by").get(registration=holder.registration)
    return _already(
        holder, time_zone, checkin.checked_in_at, _scanner_name(checkin.checked_in_by), counts
    )


def _checkin_create(registration: Registration, by, method: str) -> CheckinResult:
    holder = Holder.of(registration)
    existing = _cached_checkin(registration)
    if existing is not None:
        return _already(
            holder,
            registration.meeting.tz,
            existing.checked_in_at,
            _scanner_name(existing.checked_in_by),
        )
    at = _insert(registration.pk, by, method)
    if at is None:
        return _existing(holder, registration.meeting.tz)
    return _welcome(holder, at, _scanner_name(by))


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


@dataclass(frozen=True)
class Ticket:
    """A code read at a meeting's door: the door (its meeting, time zone and counter
    before this read) and the registration the code belongs to, of any meeting, if any;
    plain values, as the answer shows them."""

    meeting_id: int
    time_zone: ZoneInfo
    counts: DoorCounts
    holder: Holder | None = None
    holder_meeting_id: int | None = None
    status: str | None = None
    checked_in: bool = False
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    # When the read checked its holder in itself (`check_in_by`).
    inserted_at: datetime | None = None


def ticket_read(secret, meeting: Meeting | int, *, check_in_by=None, method: str = "") -> Ticket:
    """What `secret`, scanned or typed at the door of `meeting` (or its id), is.

    One query, the door's counter included; `UnknownMeeting` if there is no such meeting.
    With `check_in_by` (and the `method`), the read also checks in a holder the ticket
    lets in, by that user, and owes the webhooks their call (in the same query on
    PostgreSQL: `sql.ticket_at_door`): the caller has checked they may.
    """
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    read = sql.ticket_at_door(
        normalise_secret(secret),
        meeting_id,
        check_in_by=None if check_in_by is None else check_in_by.pk,
        method=method,
    )
    if read is None:
        raise UnknownMeeting.of(meeting_id)
    counts = DoorCounts(read.expected, read.present)
    if read.registration_id is None:
        return Ticket(meeting_id, ZoneInfo(read.time_zone), counts)
    by = None
    if read.checked_in:
        if read.scanner_id is None:
            by = _scanner_name(None)
        else:
            by = _full_name(read.scanner_first_name, read.scanner_last_name)
        by = by or read.scanner_username
    return Ticket(
        meeting_id,
        ZoneInfo(read.time_zone),
        counts,
        Holder(
            read.registration_id,
            _full_name(read.first_name, read.last_name),
            read.organisation,
        ),
        read.meeting_id,
        read.status,
        checked_in=read.checked_in,
        checked_in_at=read.checked_in_at,
        checked_in_by=by,
        inserted_at=read.inserted_at,
    )


def ticket_check_in(ticket: Ticket, *, by, method: str = CheckIn.Method.SCAN) -> CheckinResult:
    """Check in the holder of `ticket` (read by `ticket_read`), scanned or typed by `by`:
    one query (the insert) for a first scan, none for a repeat or when the read checked
    them in already. The answer carries the door's counter, this check-in included."""
    holder, counts = ticket.holder, ticket.counts
    if holder is None:
        return CheckinResult(
            Outcome.UNKNOWN,
            _("Unknown ticket. Check the code, or search the person by name."),
            counts=counts,
        )
    if ticket.holder_meeting_id != ticket.meeting_id:
        other = Meeting.objects.only("title_fr", "title_nl", "starts_at", "time_zone").get(
            pk=ticket.holder_meeting_id
        )
        return CheckinResult(
            Outcome.WRONG_MEETING,
            _("This ticket is for another meeting: %(meeting)s, %(day)s.")
            % {"meeting": other.title, "day": date_format(other.local_starts_at, "j F Y")},
            counts=counts,
        )
    refusal = _refusal(ticket.status, holder, counts)
    if refusal is not None:
        return refusal
    if ticket.checked_in:
        return _already(
            holder, ticket.time_zone, ticket.checked_in_at, ticket.checked_in_by, counts
        )
    at = ticket.inserted_at or _insert_told(holder, ticket.meeting_id, by, method)
    if at is None:
        return _existing(holder, ticket.time_zone, counts)
    counts = DoorCounts(counts.expected, counts.present + 1)
    return _welcome(holder, at, _scanner_name(by), counts)


def _insert_told(holder: Holder, meeting_id: int, by, method: str) -> datetime | None:
    """`_insert`, and the webhooks' calls with it: for a ticket whose read did not check
    its holder in (another device's check-in, undone since)."""
    with webhooks_atomic(Event.CHECKIN_CREATED):
        at = _insert(holder.registration, by, method)
        if at is not None:
            checkin_webhook(holder.registration, meeting_id, at, method)
    return at


def checkin_scan(secret, *, meeting: Meeting | int, by, method: str = CheckIn.Method.SCAN):
    """Check in the holder of the ticket `secret` at `meeting`, scanned or typed by `by`,
    who may check people in there (`checkin_allowed`).

    One query on PostgreSQL, the webhooks' calls included (`sql.ticket_at_door`);
    elsewhere two for a first scan (the read, the insert), one for a repeat.
    """
    ticket = ticket_read(secret, meeting, check_in_by=by, method=method)
    return ticket_check_in(ticket, by=by, method=method)


def _checked_in_tell(result: CheckinResult, meeting_id: int, method: str) -> None:
    """Tell the webhooks of a check-in made now (not of a repeat, nor of a refusal)."""
    if result.outcome == Outcome.CHECKED_IN:
        checkin_webhook(result.holder.registration, meeting_id, result.checked_in_at, method)


def checkin_manual(registration: Registration, by) -> CheckinResult:
    """Check someone in found by name: same answers as a scan, for the same reasons."""
    with webhooks_atomic(Event.CHECKIN_CREATED):
        registration = _registration_for_checkin().get(pk=registration.pk)
        result = _refusal(registration.status, Holder.of(registration)) or _checkin_create(
            registration, by, CheckIn.Method.MANUAL
        )
        _checked_in_tell(result, registration.meeting_id, CheckIn.Method.MANUAL)
    return result


@transaction.atomic
def checkin_undo(registration: Registration, by) -> CheckinResult:
    """Take back a check-in made by mistake (the wrong person picked, a test scan).

    Under the meeting's lock, as a cancellation: the door's counter goes down only for a
    registration it counted (confirmed), whichever of the two comes first.
    """
    meeting = _meeting_lock(registration.meeting_id)
    registration = _registration_for_checkin().get(pk=registration.pk)
    holder = Holder.of(registration)
    deleted, _rows = CheckIn.objects.filter(registration=registration).delete()
    if not deleted:
        return CheckinResult(
            Outcome.NOT_CHECKED_IN,
            _("%(person)s was not checked in.") % {"person": holder.label},
            holder,
        )
    if registration.status == Registration.Status.CONFIRMED:
        _seats_add(meeting, 0, present=-1)
    logger.info(
        "check-in of registration %s undone by %s", registration.pk, getattr(by, "pk", None)
    )
    return CheckinResult(
        Outcome.UNDONE,
        _("Check-in cancelled: %(person)s is no longer marked present.") % {"person": holder.label},
        holder,
    )


# --- Reads ---------------------------------------------------------------------------------


def checkin_search(meeting: Meeting, query: str, *, limit: int = SEARCH_LIMIT):
    """Registrations of `meeting` whose name, organisation or address contains every word
    of `query`.

    Accent- and case-insensitive on every database: each word, folded, is a substring of
    the row's folded `search_text`, which PostgreSQL finds through its trigram index and
    SQLite by reading the meeting's rows. Confirmed people come first, then the waiting
    list and cancellations, so a volunteer sees why someone cannot be checked in. At most
    `limit` results, each with `checkin` loaded.
    """
    words = fold(query[:SEARCH_MAX_LENGTH]).split()
    if not words:
        return []
    matches = Q()
    for word in words:
        matches &= Q(search_text__contains=word)
    first = Case(
        When(status=Registration.Status.CONFIRMED, then=Value(0)),
        When(status=Registration.Status.WAITLISTED, then=Value(1)),
        default=Value(2),
    )
    found = list(
        Registration.objects.filter(matches, meeting=meeting)
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
        .order_by(first, "last_name", "first_name", "pk")[:limit]
    )
    # The page shows them as people read names: "Élodie" with the Es.
    order = {Registration.Status.CONFIRMED: 0, Registration.Status.WAITLISTED: 1}
    found.sort(key=lambda r: (order.get(r.status, 2), fold(r.last_name), fold(r.first_name), r.pk))
    return found


def checkin_counts(meeting: Meeting | int) -> DoorCounts:
    """Confirmed registrations and how many of them came (`sql.door_counts`, the scan's
    own count), one query whatever the door's size; nobody for a meeting that does not
    exist."""
    counts = sql.door_counts(meeting.pk if isinstance(meeting, Meeting) else meeting)
    return DoorCounts(*(counts or (0, 0)))


def checkin_info(registration: Registration) -> tuple[datetime | None, str | None]:
    """When and by whom `registration` was checked in, or (None, None)."""
    checkin = _cached_checkin(registration)
    if checkin is None:
        return None, None
    return checkin.checked_in_at, _scanner_name(checkin.checked_in_by)
