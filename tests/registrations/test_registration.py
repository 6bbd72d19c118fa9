"""Registering: seats, refusals that write nothing, duplicates that reveal nothing,
invitations answered, changes by the registrant.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events_site.kit.http_errors import http_status
from events_site.kit.memo import BoundedMemo
from meetings.errors import InvalidData
from meetings.models import Meeting
from meetings.services.meetings import meeting_update
from registrations import selectors
from registrations.errors import (
    InvalidRegistration,
    RegistrationClosed,
    RegistrationConflict,
    RegistrationNotChangeable,
)
from registrations.models import Invitation, Registration
from registrations.services import registration as registration_services
from registrations.services.invitations import meeting_invite
from registrations.services.registration import (
    registration_cancel,
    registration_create,
    registration_update,
)
from tasks.models import Delivery
from tests.factories import MeetingFactory, OrganisationFactory
from tests.mail import recipient

from .conftest import fresh, kinds_to, registration_data, seats

pytestmark = pytest.mark.django_db

CONFIRMED = Registration.Status.CONFIRMED
WAITLISTED = Registration.Status.WAITLISTED
CANCELLED = Registration.Status.CANCELLED


def test_seats_are_confirmed_up_to_capacity_then_people_wait_in_order(small_meeting, register):
    people = [register(small_meeting) for _ in range(5)]

    assert [p.status for p in people] == [CONFIRMED] * 2 + [WAITLISTED] * 3
    assert seats(small_meeting) == 2
    assert [selectors.waitlist_position(p) for p in people] == [None, None, 1, 2, 3]
    assert kinds_to(people[0].email) == ["registration_confirmed"]
    assert kinds_to(people[2].email) == ["registration_waitlisted"]


def test_the_capacity_cannot_go_below_the_people_confirmed(small_meeting, register):
    register(small_meeting)
    register(small_meeting)

    with pytest.raises(InvalidData) as refusal:
        meeting_update(small_meeting, capacity=1)

    assert http_status(refusal.value) == 422
    assert refusal.value.message == "More people are already confirmed than this capacity allows."
    assert Meeting.objects.get(pk=small_meeting.pk).capacity == 2


def test_a_seat_freed_between_the_full_answer_and_the_lock_is_taken(
    small_meeting, register, monkeypatch
):
    """The statement with the seat found the meeting full, then a cancellation with
    nobody waiting freed a seat before this registration got the lock: it takes the
    seat, confirmed, with its confirmation email, and the counter counts it."""
    write = registration_services.sql.registration_write

    def full(registration, *, seat=None, **rest):
        return False if seat is not None else write(registration, **rest)

    monkeypatch.setattr(registration_services.sql, "registration_write", full)

    registration = register(small_meeting)

    stored = fresh(registration)
    assert (stored.status, stored.waitlisted_at) == (CONFIRMED, None)
    assert stored.confirmed_at == registration.confirmed_at
    assert seats(small_meeting) == 1
    assert kinds_to(registration.email) == ["registration_confirmed"]


@pytest.mark.parametrize(
    ("meeting_fields", "message"),
    [
        (
            {"status": Meeting.Status.CANCELLED},
            "This meeting is cancelled: it takes no registrations.",
        ),
        (
            {"status": Meeting.Status.DRAFT},
            "This meeting is not published yet: registration is not open.",
        ),
        (
            {"registration_opens_at": timezone.now() + timedelta(days=3)},
            "Registration for this meeting opens on",
        ),
        (
            {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
            "Registration for this meeting closed on",
        ),
    ],
    ids=["cancelled", "draft", "not-open-yet", "closed"],
)
def test_registration_outside_its_window_is_refused_and_writes_nothing(
    programme, register, meeting_fields, message
):
    meeting = MeetingFactory(programme=programme, **meeting_fields)

    with pytest.raises(RegistrationClosed) as refusal:
        register(meeting)

    assert http_status(refusal.value) == 409
    assert refusal.value.message.startswith(message)
    assert not Registration.objects.exists()
    assert not Delivery.objects.exists()
    assert seats(meeting) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"status": Meeting.Status.CANCELLED},
        {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
        {"registration_opens_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["cancelled", "closed", "opens-later"],
)
@pytest.mark.parametrize("remembered", [False, True], ids=["looked-up", "remembered"])
@pytest.mark.parametrize("full", [False, True], ids=["seats-left", "full"])
def test_a_meeting_changed_after_it_was_read_is_decided_on_as_it_is_now(
    programme, register, monkeypatch, change, remembered, full
):
    """The meeting is read before its lock, with the address, or remembered from an
    earlier registration: a change committed since takes no seat, nor a place on the
    waiting list, and the registration is refused as it would have been if read under
    the lock, writing nothing."""
    meeting = MeetingFactory(
        programme=programme, capacity=1 if full else 50, seats_taken=int(full and not remembered)
    )
    if remembered:
        register(meeting)
        if full:  # the second one finds it full, and the process remembers it so
            assert register(meeting).status == WAITLISTED
        Meeting.objects.filter(pk=meeting.pk).update(**change)
    else:
        lookup = registration_services.sql.address_lookup

        def changed_meanwhile(meeting_id, email):
            found = lookup(meeting_id, email)
            Meeting.objects.filter(pk=meeting_id).update(**change)
            return found

        monkeypatch.setattr(registration_services.sql, "address_lookup", changed_meanwhile)

    with pytest.raises(RegistrationClosed):
        register(meeting)

    before = int(remembered) * (2 if full else 1)
    assert Registration.objects.count() == Delivery.objects.count() == before
    assert seats(meeting) == int(remembered or full)


def test_registration_closes_when_the_meeting_starts_unless_told_otherwise(programme, register):
    started = MeetingFactory(
        programme=programme,
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=2),
    )

    with pytest.raises(RegistrationClosed):
        register(started)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "sofie@"}, "email", "Email: Enter a valid email address."),
        ({"first_name": "S" * 101}, "first_name", "First name: Ensure this value has at most"),
        ({"dietary_notes": "x" * 1001}, "dietary_notes", "Dietary needs: Keep it under 1000"),
        ({"organisation_name": ""}, "organisation", "Organisation: Choose your organisation"),
        ({"organisation_country": ""}, "organisation_country", "Country: Give the country"),
        ({"interpretation_needed": True}, "interpretation_to", "Interpretation into: Say into"),
        ({"privacy_consent": False}, "privacy_consent", "Privacy consent: Accept the privacy"),
        ({"last_name": "Claes\r\nBcc: x@example.org"}, "last_name", "Last name: A line break"),
        ({"language": "de"}, "language", "Language: Value 'de' is not a valid choice."),
        ({"organisation_country": "ZZ"}, "organisation_country", "Country: Value 'ZZ' is not"),
        ({"organisation_country": "<b>&"}, "organisation_country", "Country: Value '<b>&' is"),
    ],
)
def test_invalid_input_names_its_field_and_writes_nothing(meeting, overrides, field, message):
    with pytest.raises(InvalidRegistration) as refusal:
        registration_create(meeting, data=registration_data(**overrides))

    assert http_status(refusal.value) == 422
    assert refusal.value.message.startswith(message)
    assert field in refusal.value.errors
    assert not Registration.objects.exists()
    assert not Delivery.objects.exists()


def test_an_organisation_of_the_directory_replaces_a_typed_one(meeting, register):
    lille = OrganisationFactory(name="Ville de Lille", country="FR")

    registration = register(meeting, organisation=lille.pk)

    assert registration.organisation == lille
    assert (registration.organisation_name, registration.organisation_country) == ("", "")
    assert registration.organisation_label == "Ville de Lille"
    assert registration.country.code == "FR"


def test_the_same_address_in_other_letters_makes_no_second_registration_and_gets_its_link(
    meeting, register, committed
):
    first = register(meeting, email="Sofie.Claes@Menen.example")

    again, created = committed(
        registration_create, meeting, data=registration_data(email="sofie.claes@MENEN.example")
    )
    committed(
        registration_create, meeting, data=registration_data(email="SOFIE.CLAES@menen.example")
    )

    assert (again.pk, created) == (first.pk, False)
    assert Registration.objects.count() == 1
    # One resend an hour, to the address registered, whoever typed it.
    links = Delivery.objects.filter(kind="registration_link")
    assert [(d.to_email, d.status) for d in links] == [("Sofie.Claes@Menen.example", "sent")]
    (message,) = mail.outbox
    assert recipient(message) == "Sofie.Claes@Menen.example"
    assert f"/nl/r/{first.manage_token}/" in message.body


def test_a_twin_registering_the_same_address_meanwhile_gets_a_conflict_and_takes_no_seat(
    small_meeting, register, monkeypatch
):
    register(small_meeting, email="sofie.claes@menen.example")
    seats = Meeting.objects.get(pk=small_meeting.pk).seats_taken
    # The address is looked up before the meeting's lock: here the twin's registration
    # commits between that look-up and the lock.
    monkeypatch.setattr(registration_services, "_registration_for_email", lambda *args: None)

    with pytest.raises(RegistrationConflict, match="send it again"):
        registration_create(small_meeting, data=registration_data())

    assert Registration.objects.count() == 1
    assert Meeting.objects.get(pk=small_meeting.pk).seats_taken == seats
    assert (
        not Delivery.objects.filter(kind="registration_confirmed")
        .exclude(context__registration=Registration.objects.get().pk)
        .exists()
    )


def test_a_twin_committed_after_the_look_up_of_a_new_address_gets_a_conflict_and_no_seat(
    small_meeting, register, monkeypatch
):
    """The look-up found the address new; the twin's registration commits before this
    one's statement, whose seat then goes back with it."""
    register(small_meeting, email="sofie.claes@menen.example")
    taken = seats(small_meeting)
    lookup = registration_services.sql.address_lookup
    monkeypatch.setattr(
        registration_services.sql,
        "address_lookup",
        lambda meeting_id, email: (*lookup(meeting_id, email)[:2], False),
    )

    with pytest.raises(RegistrationConflict, match="send it again"):
        registration_create(small_meeting, data=registration_data())

    assert Registration.objects.count() == 1
    assert seats(small_meeting) == taken
    assert Delivery.objects.count() == 1


def test_a_twin_committed_after_the_look_up_gets_a_conflict_and_no_place_on_the_waiting_list(
    small_meeting, register, monkeypatch
):
    """As with a seat: the meeting is full, the look-up found the address new, and the
    twin's registration is there before this one's statement, which writes nothing."""
    register(small_meeting)
    register(small_meeting)
    register(small_meeting, email="sofie.claes@menen.example")
    lookup = registration_services.sql.address_lookup
    monkeypatch.setattr(
        registration_services.sql,
        "address_lookup",
        lambda meeting_id, email: (*lookup(meeting_id, email)[:2], False),
    )
    monkeypatch.setattr(registration_services, "_RULES_READ", BoundedMemo(1000))

    with pytest.raises(RegistrationConflict, match="send it again"):
        registration_create(small_meeting, data=registration_data())

    assert Registration.objects.count() == Delivery.objects.count() == 3
    assert seats(small_meeting) == 2


def test_a_seat_freed_after_the_meeting_was_read_full_is_taken(small_meeting, register):
    """The process remembers the meeting full; both people with a seat cancel since,
    nobody waits: the next registration takes a seat, confirmed, not a place on the
    waiting list."""
    first, second = register(small_meeting), register(small_meeting)
    assert register(small_meeting).status == WAITLISTED  # remembered full from here
    registration_cancel(first)
    registration_cancel(second)
    registration_cancel(Registration.objects.get(status=CONFIRMED))
    assert seats(small_meeting) == 0

    registration = register(small_meeting)

    assert fresh(registration).status == CONFIRMED
    assert seats(small_meeting) == 1
    assert kinds_to(registration.email) == ["registration_confirmed"]


def test_someone_who_cancelled_registers_again_as_a_new_registration_would(small_meeting, register):
    first = register(small_meeting, email="sofie@example.org")
    old_token, old_secret = first.manage_token, first.ticket_secret
    register(small_meeting)
    registration_cancel(first)
    register(small_meeting)  # takes the seat freed

    again, created = registration_create(
        small_meeting, data=registration_data(email="SOFIE@example.org", dietary_notes="Vegan")
    )

    assert (again.pk, created) == (first.pk, True)
    assert (again.status, selectors.waitlist_position(again)) == (WAITLISTED, 1)
    assert again.dietary_notes == "Vegan"
    assert again.cancelled_at is None
    assert old_token != again.manage_token and old_secret != again.ticket_secret
    assert Registration.objects.count() == 3


def test_registering_from_the_invitation_link_records_the_answer(
    meeting, organiser, marie, register
):
    meeting_invite(meeting, people=[marie], invited_by=organiser)
    invitation = Invitation.objects.get()

    registration = register(
        meeting, invitation_token=invitation.token, email="marie.dupont@lille.example"
    )

    invitation.refresh_from_db()
    assert registration.invitation == invitation
    assert registration.person == marie, "linked to the directory by address"
    assert invitation.answered_at is not None


def test_an_invitation_answers_one_registration_only(meeting, organiser, marie, register):
    meeting_invite(meeting, people=[marie], invited_by=organiser)
    token = Invitation.objects.get().token

    register(meeting, invitation_token=token, email="marie.dupont@lille.example")
    forwarded = register(meeting, invitation_token=token, email="colleague@lille.example")

    assert forwarded.invitation is None
    assert forwarded.person is None


def test_language_needs_and_consent_can_be_changed_and_nothing_else(meeting, register):
    registration = register(meeting)

    changed = registration_update(
        registration,
        {"language": "fr", "interpretation_needed": True, "interpretation_to": "nl"},
    )
    with pytest.raises(InvalidRegistration) as refusal:
        registration_update(registration, {"email": "other@example.org", "language": "en"})

    assert (changed.language, changed.interpretation_to) == ("fr", "nl")
    assert refusal.value.message.startswith("Only the language, the needs and the contact-list")
    assert fresh(registration).email == registration.email
    assert fresh(registration).language == "fr"


def test_a_cancelled_registration_cannot_be_changed(meeting, register):
    registration = registration_cancel(register(meeting))

    with pytest.raises(RegistrationNotChangeable):
        registration_update(registration, {"language": "fr"})


def test_cancelling_deletes_the_notes_at_once_and_keeps_the_rest(meeting, register):
    registration = register(meeting, accessibility_notes="fauteuil", dietary_notes="sans porc")
    registration_cancel(registration)
    registration.refresh_from_db()
    assert (registration.accessibility_notes, registration.dietary_notes) == ("", "")
    assert registration.last_name == "Claes" and registration.anonymised_at is None
