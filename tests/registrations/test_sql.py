"""The registrations' hand-written statements keep the contract of their ORM twins: each
case runs on both (`registrations/sql.py`), with the same answers and the same rows
written, on whichever database the suite runs on."""

import threading
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connections, transaction
from django.db.models import F

from meetings.models import Meeting
from registrations import selectors, sql
from registrations.models import CheckIn, Consent, DoorCount, Registration
from tasks.models import Delivery, WebhookCall
from tasks.outbox import DeliverySpec
from tasks.webhooks import Event
from tasks.webhooks.services import webhook_create
from tests.factories import MeetingFactory, PersonFactory
from tests.ticket_factories import RegistrationFactory, checkin_make, seats_count

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/hook"
# An id no row can have: SQLite refuses to compare a column with it.
TOO_LARGE = 2**63


def both(name: str):
    """Parametrise a test over the primitive `name` and its ORM twin."""
    return pytest.mark.parametrize(
        name, [getattr(sql, name), getattr(sql, f"{name}_orm")], ids=["sql", "orm"]
    )


def seats(meeting) -> int:
    return Meeting.objects.get(pk=meeting.pk).seats_taken


# --- Seats ---------------------------------------------------------------------------------


def as_read(meeting) -> Meeting:
    """The meeting as a registration reads it before its lock (`address_lookup`)."""
    return Meeting.objects.only(*sql.SEAT_FIELDS).get(pk=meeting.pk)


@both("seat_take")
@pytest.mark.parametrize("window", [False, True], ids=["no-dates", "dates"])
def test_a_seat_is_taken_while_one_is_left(seat_take, programme, window):
    dates = {}
    if window:
        dates = {
            "registration_opens_at": datetime.fromisoformat("2026-01-05T09:00:00+01:00"),
            "registration_closes_at": datetime.fromisoformat("2027-01-05T09:00:00+01:00"),
        }
    meeting = MeetingFactory(programme=programme, capacity=2, seats_taken=1, **dates)
    read = as_read(meeting)

    assert seat_take(read, "jan@kortrijk.example") is True
    assert read.seats_taken == seats(meeting) == 2


@both("seat_take")
def test_a_full_meeting_gives_no_seat_and_keeps_its_count(seat_take, programme):
    meeting = MeetingFactory(programme=programme, capacity=2, seats_taken=2)

    assert seat_take(as_read(meeting), "jan@kortrijk.example") is False
    assert seats(meeting) == 2


# Each rule a write checks against the meeting as read, changed after the read.
rules_changed = pytest.mark.parametrize(
    "change",
    [
        {"status": Meeting.Status.CANCELLED},
        {"starts_at": F("starts_at") - timedelta(hours=1)},
        {"registration_opens_at": datetime.fromisoformat("2027-01-05T09:00:00+01:00")},
        {"registration_closes_at": datetime.fromisoformat("2026-01-05T09:00:00+01:00")},
    ],
    ids=["status", "start", "opening", "closing"],
)


@both("seat_take")
@rules_changed
def test_no_seat_is_taken_once_the_rules_read_have_changed(seat_take, programme, change):
    """What the caller decided on the meeting as read no longer holds: no seat."""
    meeting = MeetingFactory(programme=programme, capacity=2, seats_taken=1)
    read = as_read(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(**change)

    assert seat_take(read, "jan@kortrijk.example") is False
    assert seats(meeting) == 1


@both("seat_take")
@pytest.mark.parametrize("where", ["confirmed", "cancelled", "directory"])
def test_no_seat_is_taken_for_an_address_already_known(seat_take, programme, where):
    """Registered for the meeting (whatever its status) or in the directory, in any
    letter case: the caller must look at it first."""
    meeting = MeetingFactory(programme=programme, capacity=2)
    if where == "directory":
        PersonFactory(email="Jan@Kortrijk.example")
    else:
        RegistrationFactory(meeting=meeting, email="Jan@Kortrijk.example", status=where)
    read = as_read(meeting)
    taken = read.seats_taken

    assert seat_take(read, "jan@KORTRIJK.example") is False
    assert seats(meeting) == taken


def waiting(meeting, email: str, at: datetime) -> Registration:
    return RegistrationFactory(
        meeting=meeting, email=email, status=Registration.Status.WAITLISTED, waitlisted_at=at
    )


@both("waitlist_join")
def test_a_full_meeting_gives_the_next_place_on_its_waiting_list(waitlist_join, programme):
    """The list goes by moment, then key: a registration made before the last one in
    the list, which got the lock after it, joins it at its moment, behind it."""
    meeting = MeetingFactory(programme=programme, capacity=1, seats_taken=1)
    read = as_read(meeting)
    at = datetime.fromisoformat("2027-03-01T09:30:00+01:00")
    assert waitlist_join(read, "a@example.org", at) == (at, 1)
    waiting(meeting, "a@example.org", at)
    waiting(programme_meeting(programme), "elsewhere@example.org", at + timedelta(hours=1))
    RegistrationFactory(meeting=meeting, email="gone@example.org", status="cancelled")

    later = at + timedelta(seconds=1)
    assert waitlist_join(read, "b@example.org", later) == (later, 2)
    waiting(meeting, "b@example.org", later)
    assert waitlist_join(read, "c@example.org", at) == (later, 3)
    assert seats(meeting) == 1


def programme_meeting(programme) -> Meeting:
    return MeetingFactory(programme=programme, capacity=1, seats_taken=1)


@both("waitlist_join")
def test_a_meeting_with_a_seat_left_gives_no_place_on_its_waiting_list(waitlist_join, programme):
    """A seat freed since the meeting was read: the registration takes it, under the
    lock, rather than wait."""
    meeting = MeetingFactory(programme=programme, capacity=2, seats_taken=2)
    read = as_read(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(seats_taken=1)
    at = datetime.fromisoformat("2027-03-01T09:30:00+01:00")

    assert waitlist_join(read, "jan@kortrijk.example", at) is None


@both("waitlist_join")
@rules_changed
def test_no_place_is_given_once_the_rules_read_have_changed(waitlist_join, programme, change):
    meeting = MeetingFactory(programme=programme, capacity=1, seats_taken=1)
    read = as_read(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(**change)
    at = datetime.fromisoformat("2027-03-01T09:30:00+01:00")

    assert waitlist_join(read, "jan@kortrijk.example", at) is None


@both("waitlist_join")
@pytest.mark.parametrize("where", ["waitlisted", "cancelled", "directory"])
def test_no_place_is_given_to_an_address_already_known(waitlist_join, programme, where):
    meeting = MeetingFactory(programme=programme, capacity=1, seats_taken=1)
    if where == "directory":
        PersonFactory(email="Jan@Kortrijk.example")
    else:
        RegistrationFactory(
            meeting=meeting,
            email="Jan@Kortrijk.example",
            status=where,
            waitlisted_at=datetime.fromisoformat("2027-03-01T09:00:00+01:00"),
        )
    at = datetime.fromisoformat("2027-03-01T09:30:00+01:00")

    assert waitlist_join(as_read(meeting), "jan@KORTRIJK.example", at) is None


@both("meeting_lock")
def test_the_lock_gives_the_meeting_as_it_is(meeting_lock, programme):
    meeting = MeetingFactory(programme=programme, capacity=3, seats_taken=1)

    locked = meeting_lock(meeting.pk)

    stored = Meeting.objects.get(pk=meeting.pk)
    fields = [f.attname for f in Meeting._meta.concrete_fields]
    assert {name: getattr(locked, name) for name in fields} == {
        name: getattr(stored, name) for name in fields
    }
    assert (locked.pk, locked.capacity, locked.seats_taken) == (meeting.pk, 3, 1)
    assert meeting_lock(987654) is None
    assert meeting_lock(TOO_LARGE) is None


# --- Addresses -----------------------------------------------------------------------------


@both("address_lookup")
def test_an_address_is_found_in_the_directory_whatever_its_letter_case(address_lookup, meeting):
    person = PersonFactory(email="Marie.Dupont@Lille.example")

    assert address_lookup(meeting.pk, "marie.dupont@LILLE.example")[1:] == (person.pk, False)
    assert address_lookup(meeting.pk, "élu.🚲@mairie.example")[1:] == (None, False)


@both("address_lookup")
def test_the_meeting_comes_with_the_address_as_deciding_on_it_reads_it(address_lookup, meeting):
    read, _person, _known = address_lookup(meeting.pk, "jan@kortrijk.example")

    assert {name: getattr(read, name) for name in sql.SEAT_FIELDS} == {
        "id": meeting.pk,
        "starts_at": meeting.starts_at,
        "time_zone": meeting.time_zone,
        "capacity": meeting.capacity,
        "seats_taken": meeting.seats_taken,
        "registration_opens_at": meeting.registration_opens_at,
        "registration_closes_at": meeting.registration_closes_at,
        "status": meeting.status,
    }
    # Any other field is read when asked for.
    assert read.title_fr == meeting.title_fr


@both("address_lookup")
@pytest.mark.parametrize("status", list(Registration.Status))
def test_an_address_registered_for_the_meeting_is_known_whatever_its_status(
    address_lookup, meeting, status
):
    RegistrationFactory(meeting=meeting, email="jan@kortrijk.example", status=status)

    assert address_lookup(meeting.pk, "JAN@kortrijk.example")[1:] == (None, True)


@both("address_lookup")
def test_an_address_registered_for_another_meeting_is_not(address_lookup, meeting, programme):
    RegistrationFactory(meeting=MeetingFactory(programme=programme), email="jan@kortrijk.example")

    assert address_lookup(meeting.pk, "jan@kortrijk.example")[1:] == (None, False)


@both("address_lookup")
@pytest.mark.parametrize("meeting_id", [987654, TOO_LARGE])
def test_an_address_at_no_meeting_is_none(address_lookup, meeting_id):
    assert address_lookup(meeting_id, "jan@kortrijk.example") is None


# --- Registrations -------------------------------------------------------------------------


@both("registration_insert")
def test_a_new_registration_is_written_whole_and_given_its_key(registration_insert, meeting):
    registration = RegistrationFactory.build(
        meeting=meeting,
        organisation=None,
        organisation_name="Commune d’Écaussinnes",
        organisation_country="BE",
        first_name="Zoë",
        dietary_notes="végétarien",
        share_contact=True,
    )

    registration_insert(registration)

    assert registration.pk is not None
    assert not registration._state.adding
    stored = Registration.objects.get(pk=registration.pk)
    fields = [f.attname for f in Registration._meta.concrete_fields]
    assert {name: getattr(stored, name) for name in fields} == {
        name: getattr(registration, name) for name in fields
    }
    assert "zoe" in stored.search_text and "ecaussinnes" in stored.search_text
    assert stored.created_at is not None and stored.updated_at is not None
    assert stored.organisation_country.code == "BE"
    # The registration is a saved one now: a later save updates its row.
    registration.status = Registration.Status.WAITLISTED
    registration.waitlisted_at = registration.created_at
    registration.save(update_fields=["status", "waitlisted_at"])
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.WAITLISTED


@both("registration_insert")
def test_a_new_registration_owes_its_call_to_each_webhook_listening(
    registration_insert, meeting, organiser
):
    listening = webhook_create(organiser, url=PUBLIC, events=[Event.REGISTRATION_CREATED])
    webhook_create(organiser, url=PUBLIC, events=[Event.CHECKIN_CREATED])
    registration = RegistrationFactory.build(
        meeting=meeting, organisation=None, organisation_name="Mairie", organisation_country="FR"
    )
    told = {"registration": {"id": None, "first_name": "Zoë"}}

    calls = registration_insert(registration, tell=Event.REGISTRATION_CREATED, told=told)

    (call,) = WebhookCall.objects.all()
    assert calls == [call.pk]
    assert (call.webhook_id, call.event) == (listening.pk, Event.REGISTRATION_CREATED)
    assert call.payload["data"] == {"registration": {"id": registration.pk, "first_name": "Zoë"}}
    assert call.payload["event"] == Event.REGISTRATION_CREATED
    assert call.enqueued_at is not None
    assert told["registration"]["id"] is None  # the caller's, left as it was


def email_of(registration) -> DeliverySpec:
    """A registration's email, its key and context naming it as the service's do."""
    return DeliverySpec(
        kind="registration_confirmed",
        key=f"registration_confirmed:{registration.pk}:20270301T093000",
        to_email=registration.email,
        to_name=registration.full_name,
        language=registration.language,
        meeting_id=registration.meeting_id,
        context={"registration": registration.pk},
    )


def written(meeting, **fields) -> Registration:
    fields = {
        "organisation": None,
        "organisation_name": "Mairie de Tourcoing",
        "organisation_country": "FR",
        "first_name": "Zoë",
        **fields,
    }
    return RegistrationFactory.build(meeting=meeting, **fields)


@both("registration_write")
def test_a_new_registration_is_written_whole_in_one_go(
    registration_write, meeting, organiser, django_capture_on_commit_callbacks
):
    listening = webhook_create(organiser, url=PUBLIC, events=[Event.REGISTRATION_CREATED])
    registration = written(meeting, share_contact=True)
    now = datetime.fromisoformat("2027-03-01T09:30:00+01:00")
    told = {"registration": {"id": None, "first_name": "Zoë"}}

    with django_capture_on_commit_callbacks() as handed_on:
        assert registration_write(
            registration,
            consents=[("privacy_notice", "v3"), ("contact_sharing", "2026-12")],
            at=now,
            email=email_of,
            told=told,
        )

    stored = Registration.objects.get()
    assert stored.pk == registration.pk and not registration._state.adding
    fields = [f.attname for f in Registration._meta.concrete_fields]
    assert {name: getattr(stored, name) for name in fields} == {
        name: getattr(registration, name) for name in fields
    }
    assert "zoe" in stored.search_text and "tourcoing" in stored.search_text
    consents = stored.consents.order_by("kind")
    assert [(c.kind, c.version, c.given_at, c.withdrawn_at) for c in consents] == [
        ("contact_sharing", "2026-12", now, None),
        ("privacy_notice", "v3", now, None),
    ]
    email = Delivery.objects.get()
    assert email.idempotency_key == f"registration_confirmed:{stored.pk}:20270301T093000"
    assert email.context == {"registration": stored.pk}
    assert (email.to_email, email.to_name, email.status) == (
        stored.email,
        stored.full_name,
        Delivery.Status.QUEUED,
    )
    (call,) = WebhookCall.objects.all()
    assert call.webhook_id == listening.pk
    assert call.payload["data"] == {"registration": {"id": stored.pk, "first_name": "Zoë"}}
    assert len(handed_on) == 2  # the email and the call, once committed
    assert told["registration"]["id"] is None  # the caller's, left as it was


@both("registration_write")
def test_a_new_registration_is_written_with_its_seat_or_not_at_all(registration_write, programme):
    meeting = MeetingFactory(programme=programme, capacity=1)
    read = as_read(meeting)
    now = datetime.fromisoformat("2027-03-01T09:30:00+01:00")
    first, second = written(meeting, email="a@example.org"), written(meeting, email="b@example.org")
    write = {
        "consents": [("privacy_notice", "v3")],
        "at": now,
        "email": email_of,
        "told": {"registration": {"id": None}},
        "seat": read,
    }

    assert registration_write(first, **write) is True
    assert read.seats_taken == seats(meeting) == 1
    assert registration_write(second, **write) is False

    assert second.pk is None
    assert list(Registration.objects.values_list("email", flat=True)) == ["a@example.org"]
    assert Consent.objects.count() == Delivery.objects.count() == 1
    assert seats(meeting) == 1


@both("registration_write")
def test_a_new_registration_is_written_on_the_waiting_list_or_not_at_all(
    registration_write, programme
):
    """Its moment there is the list's (`waitlist_join`), and nothing is written without
    a place: not while a seat is left."""
    meeting = MeetingFactory(programme=programme, capacity=1, seats_taken=1)
    other = MeetingFactory(programme=programme, capacity=1)
    now = datetime.fromisoformat("2027-03-01T09:30:00+01:00")
    waiting(meeting, "first@example.org", now + timedelta(seconds=1))
    registration = written(
        meeting, email="a@example.org", status="waitlisted", confirmed_at=None, waitlisted_at=now
    )
    write = {
        "consents": [("privacy_notice", "v3")],
        "at": now,
        "email": email_of,
        "told": {"registration": {"id": None}},
    }

    assert registration_write(registration, **write, waitlist=as_read(meeting)) is True
    not_full = written(
        other, email="b@example.org", status="waitlisted", confirmed_at=None, waitlisted_at=now
    )
    assert registration_write(not_full, **write, waitlist=as_read(other)) is False

    stored = Registration.objects.get(email="a@example.org")
    assert (stored.pk, stored.status) == (registration.pk, Registration.Status.WAITLISTED)
    assert stored.waitlisted_at == registration.waitlisted_at == now + timedelta(seconds=1)
    assert registration.waitlist_place == selectors.waitlist_position(stored) == 2
    assert not_full.pk is None
    assert not Registration.objects.filter(meeting=other).exists()
    assert Consent.objects.count() == Delivery.objects.count() == 1
    assert seats(meeting) == 1 and seats(other) == 0


@both("registration_write")
@pytest.mark.parametrize("place", ["seat", "waitlist"])
def test_a_registration_the_database_refuses_writes_nothing(
    registration_write, programme, organiser, place
):
    """All or nothing: the row breaks a constraint (no organisation at all), and neither
    its consents, its email, its calls nor its seat are kept; the caller's transaction
    goes on."""
    webhook_create(organiser, url=PUBLIC, events=[Event.REGISTRATION_CREATED])
    meeting = MeetingFactory(programme=programme, capacity=1, seats_taken=int(place != "seat"))
    registration = written(meeting, organisation_name="", status="waitlisted")
    at = datetime.fromisoformat("2027-03-01T09:30:00+01:00")
    registration.waitlisted_at = at

    with pytest.raises(IntegrityError):
        registration_write(
            registration,
            consents=[("privacy_notice", "v3")],
            at=at,
            email=email_of,
            told={"registration": {"id": None}},
            **{place: as_read(meeting)},
        )

    assert registration.pk is None
    assert not Registration.objects.exists()
    assert Consent.objects.count() == Delivery.objects.count() == WebhookCall.objects.count() == 0
    assert seats(meeting) == int(place != "seat")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_refused_write_on_the_waiting_list_leaves_the_meeting_free(
    programme,
):
    """The lock and the write sent together are one transaction: the write refused,
    nothing is kept, the lock goes with it, and the connection takes the next one."""
    meeting = MeetingFactory(programme=programme, capacity=1, seats_taken=1)
    at = datetime.fromisoformat("2027-03-01T09:30:00+01:00")
    write = {
        "consents": [("privacy_notice", "v3")],
        "at": at,
        "email": email_of,
        "told": {"registration": {"id": None}},
        "waitlist": as_read(meeting),
    }
    refused = written(meeting, organisation_name="", status="waitlisted", waitlisted_at=at)

    with pytest.raises(IntegrityError):
        sql.registration_write(refused, **write)

    locked_elsewhere = []

    def lock_elsewhere():
        try:
            with transaction.atomic():
                locked_elsewhere.append(
                    Meeting.objects.select_for_update(nowait=True).get(pk=meeting.pk).pk
                )
        finally:
            connections.close_all()

    other = threading.Thread(target=lock_elsewhere)
    other.start()
    other.join(timeout=30)
    assert locked_elsewhere == [meeting.pk]
    assert not Registration.objects.exists() and not Delivery.objects.exists()
    accepted = written(meeting, status="waitlisted", waitlisted_at=at)
    assert sql.registration_write(accepted, **write) is True
    assert Registration.objects.get().pk == accepted.pk


# --- Consents ------------------------------------------------------------------------------


@both("consents_insert")
def test_a_registrations_consents_are_recorded_standing_each_with_its_text(
    consents_insert, meeting
):
    registration = RegistrationFactory(meeting=meeting)
    other = RegistrationFactory(meeting=meeting)
    now = datetime.fromisoformat("2027-03-01T09:30:00+01:00")

    consents_insert(
        registration.pk, [("privacy_notice", "v3"), ("contact_sharing", "2026-12")], now
    )
    consents_insert(other.pk, [("privacy_notice", "v3")], now)

    rows = Consent.objects.filter(registration=registration).order_by("kind")
    assert [(c.kind, c.version, c.person_id, c.given_at, c.withdrawn_at) for c in rows] == [
        ("contact_sharing", "2026-12", None, now, None),
        ("privacy_notice", "v3", None, now, None),
    ]
    assert other.consents.count() == 1


# --- Check-in ------------------------------------------------------------------------------


@both("checkin_insert")
def test_a_check_in_is_inserted_once(checkin_insert, meeting, organiser):
    registration = RegistrationFactory(meeting=meeting)
    other = User.objects.create_user("second-volunteer")

    at = checkin_insert(registration.pk, organiser.pk, CheckIn.Method.SCAN)
    again = checkin_insert(registration.pk, other.pk, CheckIn.Method.MANUAL)

    assert isinstance(at, datetime) and again is None
    checkin = CheckIn.objects.get()
    assert (checkin.registration_id, checkin.checked_in_by_id, checkin.method) == (
        registration.pk,
        organiser.pk,
        CheckIn.Method.SCAN,
    )
    assert checkin.checked_in_at == at


@both("checkin_insert")
def test_a_check_in_may_have_no_scanner(checkin_insert, meeting):
    registration = RegistrationFactory(meeting=meeting)

    assert checkin_insert(registration.pk, None, CheckIn.Method.MANUAL) is not None
    assert CheckIn.objects.get().checked_in_by is None


@both("checkin_insert")
def test_a_check_in_counts_on_its_door_once(checkin_insert, meeting, programme):
    registration = RegistrationFactory(meeting=meeting)
    other = MeetingFactory(programme=programme)

    assert checkin_insert(registration.pk, None, CheckIn.Method.SCAN) is not None
    assert checkin_insert(registration.pk, None, CheckIn.Method.SCAN) is None

    assert sql.door_counts(meeting.pk)[1] == 1
    assert sql.door_counts(other.pk)[1] == 0


# --- The door's counter --------------------------------------------------------------------


@both("door_count_add")
def test_the_door_counts_each_meeting_apart_and_may_go_down(door_count_add, meeting, programme):
    other = MeetingFactory(programme=programme)

    door_count_add(meeting.pk, 1)
    door_count_add(meeting.pk, 2)
    door_count_add(other.pk, 1)
    door_count_add(meeting.pk, -1)

    assert sql.door_counts(meeting.pk)[1] == sql.door_counts_orm(meeting.pk)[1] == 2
    assert sql.door_counts(other.pk)[1] == sql.door_counts_orm(other.pk)[1] == 1


@both("door_counts")
def test_the_door_counts_its_confirmed_and_the_sum_of_its_shares(door_counts, meeting, programme):
    empty = MeetingFactory(programme=programme, seats_taken=0)
    Meeting.objects.filter(pk=meeting.pk).update(seats_taken=5)
    DoorCount.objects.bulk_create(
        [
            DoorCount(meeting=meeting, slot=0, present=3),
            DoorCount(meeting=meeting, slot=7, present=-1),
            DoorCount(meeting=meeting, slot=63, present=2),
        ]
    )

    assert door_counts(meeting.pk) == (5, 4)
    assert door_counts(empty.pk) == (0, 0)
    assert door_counts(TOO_LARGE) is None
    assert door_counts(987654) is None


@pytest.fixture
def door(meeting, organiser, programme):
    """A door's tickets in every state, by name, and a scanner who has left."""
    gone = User.objects.create_user("gone", first_name="Parti", last_name="Depuis")
    organiser.first_name, organiser.last_name = "Anne", "Accueil"
    organiser.save()
    tickets = {
        "confirmed": RegistrationFactory(
            meeting=meeting, first_name="Marie", last_name="<b>&</b> 🚲"
        ),
        "typed organisation": RegistrationFactory(
            meeting=meeting, organisation=None, organisation_name="Stad Menen"
        ),
        "checked in": RegistrationFactory(meeting=meeting),
        "checked in by someone gone": RegistrationFactory(meeting=meeting),
        "cancelled": RegistrationFactory(meeting=meeting, status=Registration.Status.CANCELLED),
        "waitlisted": RegistrationFactory(meeting=meeting, status=Registration.Status.WAITLISTED),
        "another meeting": RegistrationFactory(meeting=MeetingFactory(programme=programme)),
    }
    checkin_make(tickets["checked in"], by=organiser)
    checkin_make(tickets["checked in by someone gone"], by=gone)
    gone.delete()
    seats_count(meeting)
    return tickets


READS = [
    "confirmed",
    "typed organisation",
    "checked in",
    "checked in by someone gone",
    "cancelled",
    "waitlisted",
    "another meeting",
]


@pytest.mark.parametrize("name", READS)
def test_a_ticket_reads_the_same_at_the_door_through_both(door, meeting, name):
    secret = door[name].ticket_secret

    read = sql.ticket_at_door(secret, meeting.pk)

    assert read == sql.ticket_at_door_orm(secret, meeting.pk)
    assert read.registration_id == door[name].pk
    assert read.inserted_at is None


def test_what_a_read_at_the_door_brings(door, meeting, organiser):
    confirmed = sql.ticket_at_door(door["confirmed"].ticket_secret, meeting.pk)
    checked_in = sql.ticket_at_door(door["checked in"].ticket_secret, meeting.pk)
    gone = sql.ticket_at_door(door["checked in by someone gone"].ticket_secret, meeting.pk)
    typed = sql.ticket_at_door(door["typed organisation"].ticket_secret, meeting.pk)

    assert (confirmed.time_zone, confirmed.expected, confirmed.present) == (
        meeting.time_zone,
        4,
        2,
    )
    assert (confirmed.first_name, confirmed.last_name) == ("Marie", "<b>&</b> 🚲")
    assert confirmed.organisation == door["confirmed"].organisation.name
    assert not confirmed.checked_in and confirmed.checked_in_at is None
    assert typed.organisation == "Stad Menen"
    assert checked_in.checked_in_at == door["checked in"].checkin.checked_in_at
    assert (checked_in.scanner_id, checked_in.scanner_first_name) == (organiser.pk, "Anne")
    assert gone.checked_in and gone.scanner_id is None


@pytest.mark.parametrize("secret", [None, "0123456789ABCDEFGHJKMNPQRS"])
def test_an_unknown_ticket_reads_as_the_door_alone(door, meeting, secret):
    read = sql.ticket_at_door(secret, meeting.pk)

    assert read == sql.ticket_at_door_orm(secret, meeting.pk)
    assert (read.registration_id, read.expected, read.present) == (None, 4, 2)


@both("ticket_at_door")
@pytest.mark.parametrize("meeting_id", [987654, TOO_LARGE])
def test_no_door_reads_nothing(ticket_at_door, door, meeting_id):
    assert ticket_at_door(door["confirmed"].ticket_secret, meeting_id) is None


@both("ticket_at_door")
def test_a_scan_checks_in_a_confirmed_ticket_once(ticket_at_door, door, meeting, organiser):
    secret = door["confirmed"].ticket_secret

    first = ticket_at_door(secret, meeting.pk, check_in_by=organiser.pk, method="scan")
    second = ticket_at_door(secret, meeting.pk, check_in_by=organiser.pk, method="scan")

    checkin = CheckIn.objects.get(registration=door["confirmed"])
    assert (checkin.checked_in_by_id, checkin.method) == (organiser.pk, "scan")
    assert first.inserted_at == checkin.checked_in_at
    # The counter is read before the check-in; the second read sees it.
    assert (first.present, first.checked_in) == (2, False)
    assert (second.present, second.checked_in, second.inserted_at) == (3, True, None)
    assert second.checked_in_at == checkin.checked_in_at


@both("ticket_at_door")
@pytest.mark.parametrize(
    "name",
    ["checked in", "checked in by someone gone", "cancelled", "waitlisted", "another meeting"],
)
def test_a_scan_checks_in_no_ticket_that_does_not_let_its_holder_in(
    ticket_at_door, door, meeting, organiser, name
):
    before = set(CheckIn.objects.values_list("pk", "registration_id", "checked_in_at"))

    read = ticket_at_door(door[name].ticket_secret, meeting.pk, check_in_by=organiser.pk)

    assert read.inserted_at is None
    assert set(CheckIn.objects.values_list("pk", "registration_id", "checked_in_at")) == before
