"""Registering, changing and cancelling a registration, and the emails each is owed.

A new registration takes the meeting's lock with its seat, or its place on the waiting
list, in the round trip that writes it (`_registration_new`): the lock serialises every
registration of the meeting, and what it covers sets the rate of a rush.
"""

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_countries import countries

from events_site.kit.memo import BoundedMemo
from meetings.errors import UnknownMeeting
from meetings.models import Meeting, Organisation
from tasks.outbox import DeliverySpec, deliveries_queue
from tasks.webhooks import Event

from .. import sql
from ..errors import (
    InvalidRegistration,
    RegistrationClosed,
    RegistrationConflict,
    RegistrationNotChangeable,
)
from ..models import Invitation, Registration, manage_token, search_text, ticket_secret
from ..webhooks import registration_data, registrations_webhook
from .consents import (
    contact_sharing_record,
    registration_consents_given,
    registration_consents_record,
)
from .delivery import _event_key, registration_delivery
from .seats import _checked_in, _meeting_lock, _seats_add, meeting_over
from .waitlist import waitlist_promote

REGISTRATION_CONFIRMED = "registration_confirmed"
REGISTRATION_WAITLISTED = "registration_waitlisted"
REGISTRATION_CANCELLED = "registration_cancelled"
REGISTRATION_LINK = "registration_link"

# Whoever types an address already registered has its manage link sent to that address
# again, at most once an hour: retrying is harmless, and the form cannot be used to
# flood someone's mailbox.
LINK_RESEND_KEY = "manage-link:{registration}:{hour}"

# What a registrant may change afterwards, and everything they give when registering.
UPDATABLE_FIELDS = (
    "language",
    "interpretation_needed",
    "interpretation_to",
    "accessibility_notes",
    "dietary_notes",
    "share_contact",
)

FIELDS = (
    "first_name",
    "last_name",
    "email",
    "function",
    "organisation",
    "organisation_name",
    "organisation_country",
    *UPDATABLE_FIELDS,
)

PRIVACY_CONSENT = "privacy_consent"

# The meetings as this process last read them to decide on a registration (their
# `sql.SEAT_FIELDS`), by id: a rush's registrations decide from here and take their seat,
# or their place on the waiting list once the meeting was read full, in the statement
# that writes them, which holds only while the meeting's rules are still these
# (`sql.seat_take`, `sql.waitlist_join`). Never trusted, only tried: a meeting changed
# since (or filled, or with a seat freed) costs a registration a look-up more, which
# reads it again.
_RULES_READ = BoundedMemo(1000)


def _local(moment: datetime, meeting: Meeting) -> str:
    return date_format(moment.astimezone(meeting.tz), "DATETIME_FORMAT")


def registration_problem(meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why nobody can register for `meeting` now, in words; None while it is open."""
    state = meeting.registration_state(now)
    if state == Meeting.REGISTRATION_CANCELLED:
        return _("This meeting is cancelled: it takes no registrations.")
    if state == Meeting.REGISTRATION_DRAFT:
        return _("This meeting is not published yet: registration is not open.")
    if state == Meeting.REGISTRATION_NOT_YET:
        return _("Registration for this meeting opens on %(date)s.") % {
            "date": _local(meeting.registration_opens_at, meeting)
        }
    if state == Meeting.REGISTRATION_CLOSED:
        return _("Registration for this meeting closed on %(date)s.") % {
            "date": _local(meeting.registration_closes, meeting)
        }
    return None


def _invalid(errors: dict[str, list[str]]) -> InvalidRegistration:
    """The first problem as a sentence that names its field, and all of them by field."""
    name, messages = next(iter(errors.items()))
    if name == NON_FIELD_ERRORS:
        return InvalidRegistration(messages[0], errors)
    if name == PRIVACY_CONSENT:
        label = _("privacy consent")
    else:
        label = Registration._meta.get_field(name).verbose_name
    return InvalidRegistration(f"{capfirst(label)}: {messages[0]}", errors)


def _fields(data: Mapping[str, Any], allowed: Iterable[str], refusal: str) -> dict[str, Any]:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InvalidRegistration(refusal, {name: [refusal] for name in unknown})
    return {
        name: value.strip() if isinstance(value, str) else value for name, value in data.items()
    }


def _organisation(value) -> Organisation | None:
    if value is None or isinstance(value, Organisation):
        return value
    organisation = Organisation.objects.filter(pk=value).first()
    if organisation is None:
        raise _invalid({"organisation": [_("There is no organisation with id %s.") % value]})
    return organisation


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


def _country_check(registration: Registration, errors: dict[str, list[str]]) -> None:
    """The country field's rule: a code of django-countries' list, or nothing. Its own
    check rebuilds the list of 249 choices every time, which a rush pays per registration."""
    code = registration.organisation_country.code
    if code and code not in _country_codes():
        field = Registration._meta.get_field("organisation_country")
        errors.setdefault("organisation_country", []).append(
            field.error_messages["invalid_choice"] % {"value": code}
        )


def _registration_check(
    registration: Registration, *, only: Iterable[str] | None = None, consent: bool = True
) -> None:
    """Every field rule and the rules between fields, without a query."""
    errors: dict[str, list[str]] = {}
    checked = set(FIELDS if only is None else only)
    # The organisation was looked up already: its foreign key check would cost a query.
    # The country is checked below, faster.
    exclude = [
        f.name
        for f in Registration._meta.fields
        if f.name not in checked - {"organisation", "organisation_country"}
    ]
    try:
        registration.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "organisation_country" in checked:
        _country_check(registration, errors)
    # A TextField's max_length only sizes the form widget: the model does not enforce it.
    for name in ("accessibility_notes", "dietary_notes"):
        limit = Registration._meta.get_field(name).max_length
        if name in checked and len(getattr(registration, name)) > limit:
            errors.setdefault(name, []).append(
                _("Keep it under %(limit)d characters (it has %(count)d).")
                % {"limit": limit, "count": len(getattr(registration, name))}
            )
    if "organisation" in checked and registration.organisation_id is None:
        if not registration.organisation_name:
            errors.setdefault("organisation", []).append(
                _("Choose your organisation or type its name.")
            )
        elif not registration.organisation_country:
            errors.setdefault("organisation_country", []).append(
                _("Give the country of your organisation.")
            )
    if registration.interpretation_needed and not registration.interpretation_to:
        errors.setdefault("interpretation_to", []).append(
            _("Say into which language you need interpretation.")
        )
    if not consent:
        errors[PRIVACY_CONSENT] = [
            _("Accept the privacy notice: we cannot register you without it.")
        ]
    if errors:
        raise _invalid(errors)


def _registration_for_email(meeting: Meeting, email: str) -> Registration | None:
    """Compared the way the unique index compares, so that it can serve the lookup."""
    return (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(meeting=meeting, email_lower=Lower(Value(email)))
        .first()
    )


def _address_lookup(meeting_id: int, email: str) -> tuple[Meeting, int | None, bool]:
    """The meeting as it is now, the directory's person with this address, and whether
    the address is registered for the meeting already, in one query; `UnknownMeeting` if
    there is no meeting."""
    found = sql.address_lookup(meeting_id, email)
    if found is None:
        raise UnknownMeeting.of(meeting_id)
    _RULES_READ.remember(meeting_id, copy.copy(found[0]))
    return found


def _invitation_answer(
    meeting_id: int, registration: Registration, token: str | None, now: datetime
) -> None:
    """Link the invitation this registration answers: the one of the link followed, else
    the one sent to the same person. An invitation answers one registration only."""
    if not token and not registration.person_id:
        return
    invitations = Invitation.objects.filter(meeting_id=meeting_id)
    invitation = invitations.filter(token=token).first() if token else None
    if invitation is None and registration.person_id:
        invitation = invitations.filter(person_id=registration.person_id).first()
    if invitation is None:
        return
    if Registration.objects.filter(invitation=invitation).exclude(pk=registration.pk).exists():
        return
    registration.invitation = invitation
    if invitation.answered_at is None:
        Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
            answered_at=now
        )


def _seat_or_waitlist(
    meeting: Meeting, registration: Registration, now: datetime, *, checked_in: bool = False
) -> None:
    """Confirm while a seat is left, else put on the waiting list; the meeting is locked.
    `checked_in`: a cancelled registration made again kept its check-in, which the door
    counts again once it is confirmed."""
    _placed(registration, now, confirmed=meeting.seats_left > 0)
    if registration.status == Registration.Status.CONFIRMED:
        _seats_add(meeting, 1, present=int(checked_in))


def _placed(registration: Registration, now: datetime, *, confirmed: bool) -> None:
    """The registration confirmed from `now`, or on the waiting list from `now`."""
    if confirmed:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at, registration.waitlisted_at = now, None
    else:
        registration.status = Registration.Status.WAITLISTED
        registration.confirmed_at, registration.waitlisted_at = None, now


def already_registered_message() -> str:
    """The one answer to a registration for an address already registered: the same
    whoever asks, and whatever the state of that registration."""
    return _(
        "This email address is already registered for this meeting, so no second "
        "registration was made. We have emailed the link to manage that registration "
        "to this address."
    )


def _manage_link_resend(registration: Registration, now: datetime) -> None:
    key = LINK_RESEND_KEY.format(registration=registration.pk, hour=f"{now:%Y%m%d%H}")
    deliveries_queue([registration_delivery(registration, kind=REGISTRATION_LINK, key=key)])


def registration_create(
    meeting: Meeting | int, *, data: Mapping[str, Any], invitation_token: str | None = None
) -> tuple[Registration, bool]:
    """Register someone for `meeting`: confirmed while seats are left, else waitlisted.

    `meeting` may be its id: it is read under its lock in any case (`UnknownMeeting`
    if there is none), so the API need not read it first.

    `data` holds the registration's fields (`organisation` as an Organisation or its
    id) and `privacy_consent`. Returns the registration and whether it was made now.

    An address already registered (in any letter case) makes no second registration:
    the existing one is returned with `created=False` and its manage link is emailed
    to that address again; callers must answer without revealing anything of it. A
    cancelled registration of the address is made again instead, as a new one would be.
    Refusals (`RegistrationClosed`, `InvalidRegistration`) write nothing.
    """
    fields = _fields(
        data, (*FIELDS, PRIVACY_CONSENT), _("This field cannot be given when registering.")
    )
    consent = bool(fields.pop(PRIVACY_CONSENT, False))
    fields["organisation"] = _organisation(fields.get("organisation"))
    if fields["organisation"] is not None:
        fields["organisation_name"], fields["organisation_country"] = "", ""
    if not fields.get("interpretation_needed"):
        fields["interpretation_to"] = ""
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    candidate = Registration(meeting_id=meeting_id, **fields)
    # Everything that needs no lock is done before taking it: the lock serialises every
    # registration of the meeting, and what it covers sets the rate of a rush.
    _registration_check(candidate, consent=consent)
    # Almost every registration of a rush is a new address, for a meeting whose rules this
    # process has read before: written with its seat, or on the waiting list when the
    # meeting was full as last read, in one round trip, its address checked there
    # (`sql.registration_write`). Otherwise the address is looked up, not under the
    # lock: a twin registering the same address meanwhile is stopped by the unique index
    # (and answered with the conflict below); an address found is read again under it.
    remembered = _RULES_READ.get(meeting_id)
    try:
        tried = None if remembered is None or invitation_token else copy.copy(remembered)
        if tried is not None and _registration_new(tried, candidate):
            return candidate, True
        read, person_id, known = _address_lookup(meeting_id, candidate.email)
        candidate.person_id = person_id
        new = not (known or person_id or invitation_token)
        # Tried first with a seat, found full since: the waiting list, as the meeting is.
        filled = tried is not None and not read.seats_left and tried.seats_left > 0
        if new and (tried is None or filled) and _registration_new(read, candidate):
            return candidate, True
        with transaction.atomic():
            return _registration_place(meeting_id, candidate, invitation_token, known)
    except IntegrityError as exc:
        raise RegistrationConflict(
            _("Your registration crossed another change to this meeting; send it again.")
        ) from exc


def _registration_new(meeting: Meeting, registration: Registration) -> bool:
    """A new address for the meeting as read before: written confirmed with its seat
    while the meeting had seats left, else on its waiting list, in one round trip
    (`sql.registration_write`), when it takes registrations and still has the rules read
    as the lock is taken; False, with nothing written, otherwise.

    Every registration of a rush queues on the meeting's lock: in autocommit, the round
    trip is its own transaction, and the lock covers the rest of it and the commit,
    inside the server. Anything else (the last seat taken, or one freed, since the
    meeting was read, an address registered or in the directory, whose registration may
    answer an invitation, a refusal) is left to the caller: the waiting list as the
    meeting is now, or the way of a known address (`_registration_place`).
    """
    now = timezone.now()
    if registration_problem(meeting, now):
        return False
    registration.meeting = meeting
    registration.privacy_consent_at = now
    confirmed = meeting.seats_left > 0
    _placed(registration, now, confirmed=confirmed)
    return _registration_write(registration, now, **{"seat" if confirmed else "waitlist": meeting})


def _registration_write(registration: Registration, now: datetime, **place: Meeting) -> bool:
    """`sql.registration_write`, with what the registration's consents, email and calls
    are as it stands, and its `place` (a `seat` or the `waitlist`), if any."""
    return sql.registration_write(
        registration,
        consents=registration_consents_given(registration),
        at=now,
        email=lambda written: _placement_email(written, now),
        told=_told(registration),
        **place,
    )


def _registration_place(
    meeting_id: int, candidate: Registration, token: str | None, known: bool
) -> tuple[Registration, bool]:
    """Lock first, decide after: for a known address, which may be answered without a
    seat, for a new one that may answer an invitation, and for a new one whose meeting
    is no longer as read (a seat freed since, its rules changed)."""
    meeting = _meeting_lock(meeting_id)
    now = timezone.now()
    _problem_refuse(meeting, now)
    registration = _registration_for_email(meeting, candidate.email) if known else None
    if registration is not None and registration.status != Registration.Status.CANCELLED:
        _manage_link_resend(registration, now)
        return registration, False
    if registration is None:
        registration = candidate
        registration.meeting = meeting
        registration.privacy_consent_at = now
        _invitation_answer(meeting_id, registration, token, now)
        # Usually the waiting list; a seat freed meanwhile, with nobody waiting, is taken.
        _seat_or_waitlist(meeting, registration, now)
        _registration_write(registration, now)
        return registration, True
    checked_in = bool(_checked_in([registration.pk]))
    for name in FIELDS:
        setattr(registration, name, getattr(candidate, name))
    # Links and tickets of the cancelled registration stay dead.
    registration.manage_token, registration.ticket_secret = manage_token(), ticket_secret()
    registration.cancelled_at = None
    registration.meeting = meeting
    registration.person_id = candidate.person_id
    registration.privacy_consent_at = now
    _invitation_answer(meeting_id, registration, token, now)
    _seat_or_waitlist(meeting, registration, now, checked_in=checked_in)
    registration.save()
    registration_consents_record(registration, now)
    _placement_email_queue(registration, now)
    registrations_webhook(Event.REGISTRATION_CREATED, [registration])
    return registration, True


def _told(registration: Registration) -> dict:
    """What a registration's calls say of it (`registrations_webhook`'s data)."""
    return {"registration": registration_data(registration)}


def _problem_refuse(meeting: Meeting, now: datetime) -> None:
    problem = registration_problem(meeting, now)
    if problem:
        raise RegistrationClosed(problem)


def _placement_email(registration: Registration, now: datetime) -> DeliverySpec:
    """The confirmation, or the waiting-list notice, of a registration placed `now`."""
    if registration.status == Registration.Status.CONFIRMED:
        kind = REGISTRATION_CONFIRMED
    else:
        kind = REGISTRATION_WAITLISTED
    return registration_delivery(registration, kind=kind, key=_event_key(kind, registration, now))


def _placement_email_queue(registration: Registration, now: datetime) -> None:
    deliveries_queue([_placement_email(registration, now)], fresh=True, drain=True)


def _meeting_over_refuse(meeting: Meeting, now: datetime) -> None:
    if meeting_over(meeting, now):
        raise RegistrationNotChangeable(
            _("This meeting is over: its registrations can no longer be changed.")
        )


@transaction.atomic
def registration_cancel(registration: Registration) -> Registration:
    """Cancel; a freed seat goes to the next person waiting, in the same transaction.
    The needs' notes are deleted (retention: the rest of the row is anonymised later).

    Cancelling again is a no-op; the person is emailed the calendar cancellation once.
    """
    meeting = _meeting_lock(registration.meeting_id)
    registration = Registration.objects.get(pk=registration.pk)
    registration.meeting = meeting
    if registration.status == Registration.Status.CANCELLED:
        return registration
    now = timezone.now()
    _meeting_over_refuse(meeting, now)
    held_a_seat = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    # Accessibility and dietary notes can reveal health: not kept a day longer than needed.
    registration.accessibility_notes = registration.dietary_notes = ""
    registration.save(
        update_fields=[
            "status",
            "cancelled_at",
            "accessibility_notes",
            "dietary_notes",
            "updated_at",
        ]
    )
    deliveries_queue(
        [
            registration_delivery(
                registration,
                kind=REGISTRATION_CANCELLED,
                key=_event_key(REGISTRATION_CANCELLED, registration, now),
            )
        ]
    )
    registrations_webhook(Event.REGISTRATION_CANCELLED, [registration])
    if held_a_seat:
        _seats_add(meeting, -1, present=-_checked_in([registration.pk]))
        waitlist_promote(meeting)
    return registration


@transaction.atomic
def registration_update(registration: Registration, data: Mapping[str, Any]) -> Registration:
    """Change the language, the needs or the contact-list consent; nothing else.

    Seats are not involved, so the meeting is not locked: only the fields given are
    written, and a cancellation at the same moment is not undone.
    """
    fields = _fields(
        data,
        UPDATABLE_FIELDS,
        _(
            "Only the language, the needs and the contact-list consent can be changed; "
            "for anything else, cancel and register again."
        ),
    )
    registration = (
        Registration.objects.select_for_update().select_related("meeting").get(pk=registration.pk)
    )
    if registration.status == Registration.Status.CANCELLED:
        raise RegistrationNotChangeable(
            _("This registration is cancelled: register again to take part.")
        )
    _meeting_over_refuse(registration.meeting, timezone.now())
    before = {name: getattr(registration, name) for name in UPDATABLE_FIELDS}
    for name, value in fields.items():
        setattr(registration, name, value)
    if not registration.interpretation_needed:
        registration.interpretation_to = ""
    changed = {*fields, "interpretation_to"} if "interpretation_needed" in fields else set(fields)
    _registration_check(registration, only=changed)
    if changed:
        registration.save(update_fields=[*sorted(changed), "updated_at"])
    differs = {name for name in changed if getattr(registration, name) != before[name]}
    if differs:
        registrations_webhook(Event.REGISTRATION_CHANGED, [registration], changed=differs)
    if "share_contact" in changed:
        contact_sharing_record(registration, timezone.now())
    return registration


def registrations_search_text_refresh(registrations) -> int:
    """Write `search_text` again for `registrations`, after a change `Registration.save`
    did not see (an organisation renamed); in batches, whatever their number."""
    changed = []
    for registration in (
        registrations.select_related("organisation")
        .only(
            "first_name",
            "last_name",
            "email",
            "organisation_name",
            "organisation__name",
            "search_text",
        )
        .iterator(chunk_size=2000)
    ):
        text = search_text(
            registration.first_name,
            registration.last_name,
            registration.organisation_label,
            registration.email,
        )
        if text != registration.search_text:
            registration.search_text = text
            changed.append(registration)
    Registration.objects.bulk_update(changed, ["search_text"], batch_size=2000)
    return len(changed)
