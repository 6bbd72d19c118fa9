"""Check-in at the door: every answer of a scan, manual check-in and undo, the API and
the scanner page, and who may use them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from ninja.operation import Operation

from meetings.services.signin import person_user
from registrations.checkin_api import CheckinOut
from registrations.models import CheckIn, Registration
from registrations.services.checkin import (
    SEARCH_LIMIT,
    DoorCounts,
    Outcome,
    checkin_allowed,
    checkin_counts,
    checkin_manual,
    checkin_scan,
    checkin_search,
    checkin_undo,
    normalise_secret,
    ticket_check_in,
    ticket_read,
)
from registrations.services.registration import registration_cancel
from tests.factories import MeetingFactory
from tests.ticket_factories import RegistrationFactory, checkin_make, seats_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def marie(meeting):
    marie = RegistrationFactory(
        meeting=meeting,
        first_name="Marie",
        last_name="Dupont",
        organisation__name="Ville de Lille",
    )
    seats_count(meeting)
    return marie


@pytest.fixture
def volunteer(organiser):
    organiser.first_name, organiser.last_name = "Anne", "Accueil"
    organiser.save()
    return organiser


# --- Secrets as people type them -------------------------------------------------------------


def test_a_typed_code_is_normalised_the_way_crockford_reads_it():
    secret = "0123456789ABCDEFGHJKMNPQRS"
    assert normalise_secret(secret) == secret
    assert normalise_secret(" o123-4567 89ab cdef-ghjk mnpq rs\n") == secret
    assert normalise_secret("O1234567" + "89ABCDEFGHJKMNPQRS") == secret
    assert normalise_secret("0I23456789ABCDEFGHJKMNPQRS") == "0123456789ABCDEFGHJKMNPQRS"
    assert normalise_secret("0L23456789ABCDEFGHJKMNPQRS") == "0123456789ABCDEFGHJKMNPQRS"


@pytest.mark.parametrize(
    "raw",
    ["", "short", "U" * 26, "0123456789ABCDEFGHJKMNPQR!", "0123456789ABCDEFGHJKMNPQRST", None, 42],
)
def test_what_cannot_be_a_ticket_is_refused_before_the_database(raw):
    assert normalise_secret(raw) is None


# --- Scans -----------------------------------------------------------------------------------


def test_a_confirmed_ticket_checks_in_once(meeting, marie, volunteer):
    result = checkin_scan(marie.ticket_secret, meeting=meeting, by=volunteer)

    assert result.outcome == Outcome.CHECKED_IN
    assert result.ok
    assert result.holder.registration == marie.pk
    assert result.checked_in_by == "Anne Accueil"
    assert "Marie Dupont (Ville de Lille)" in result.message
    row = CheckIn.objects.get()
    assert (row.registration, row.checked_in_by, row.method) == (marie, volunteer, "scan")


def test_a_second_scan_says_when_and_by_whom_and_writes_nothing(meeting, marie, volunteer):
    first = checkin_scan(marie.ticket_secret, meeting=meeting, by=volunteer)
    CheckIn.objects.filter(pk=CheckIn.objects.get().pk).update(
        checked_in_at=datetime(2027, 3, 12, 8, 12, tzinfo=ZoneInfo("UTC"))
    )
    other = User.objects.create_user("pierre", first_name="Pierre", last_name="Porte")

    second = checkin_scan(marie.ticket_secret.lower(), meeting=meeting, by=other)

    assert first.outcome == Outcome.CHECKED_IN
    assert second.outcome == Outcome.ALREADY_CHECKED_IN
    assert second.ok
    # 08:12 UTC is 09:12 in Brussels, the meeting's time zone.
    assert (
        second.message
        == "Already checked in at 09:12 by Anne Accueil: Marie Dupont (Ville de Lille)."
    )
    assert second.checked_in_by == "Anne Accueil"
    assert CheckIn.objects.count() == 1


def test_the_check_in_time_is_given_in_the_meetings_time_zone(programme, organiser):
    meeting = MeetingFactory(programme=programme, time_zone="America/Montreal")
    registration = RegistrationFactory(meeting=meeting)
    checkin_make(registration, by=organiser)
    CheckIn.objects.update(checked_in_at=datetime(2027, 3, 12, 14, 5, tzinfo=ZoneInfo("UTC")))

    result = checkin_scan(registration.ticket_secret, meeting=meeting, by=organiser)

    # Montreal is on standard time (UTC-5) until 14 March 2027.
    assert "at 09:05 by organiser" in result.message


def test_a_cancelled_ticket_is_refused_with_the_reason(meeting, organiser):
    registration = RegistrationFactory(meeting=meeting, status="cancelled", first_name="Paul")

    result = checkin_scan(registration.ticket_secret, meeting=meeting, by=organiser)

    assert result.outcome == Outcome.CANCELLED
    assert not result.ok
    assert "Cancelled ticket" in result.message and "Paul" in result.message
    assert not CheckIn.objects.exists()


def test_a_waitlisted_ticket_is_sent_to_the_desk(meeting, organiser):
    registration = RegistrationFactory(meeting=meeting, status="waitlisted")

    result = checkin_scan(registration.ticket_secret, meeting=meeting, by=organiser)

    assert result.outcome == Outcome.WAITLISTED
    assert "waiting list" in result.message.lower()
    assert not CheckIn.objects.exists()


def test_a_ticket_for_another_meeting_names_that_meeting_but_not_its_holder(
    meeting, programme, organiser
):
    other = MeetingFactory(programme=programme, title_fr="Rencontre de Tournai")
    registration = RegistrationFactory(meeting=other, first_name="Secrète")

    result = checkin_scan(registration.ticket_secret, meeting=meeting, by=organiser)

    assert result.outcome == Outcome.WRONG_MEETING
    assert "Rencontre de Tournai" in result.message
    assert "12 March 2027" in result.message
    assert "Secrète" not in result.message
    assert result.holder is None
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("code", ["", "hello", "<b>&", "🎉" * 26, "Z" * 26, "x" * 10_000])
def test_an_unknown_or_forged_code_is_just_unknown(meeting, marie, organiser, code):
    result = checkin_scan(code, meeting=meeting, by=organiser)

    assert result.outcome == Outcome.UNKNOWN
    assert result.holder is None
    assert result.message == "Unknown ticket. Check the code, or search the person by name."
    assert not CheckIn.objects.exists()


# A first scan: the read, the insert, the door's counter and the webhooks' calls, one
# statement on PostgreSQL; on SQLite the insert and the counter are one transaction
# (here a savepoint).
FIRST_SCAN_QUERIES = 1 if connection.vendor == "postgresql" else 5


def test_a_first_scan_costs_one_statement_on_postgresql_and_a_repeat_one(meeting, marie, organiser):
    # The door's first scan reads who listens to check-ins into the cache (webhooks).
    checkin_scan(RegistrationFactory(meeting=meeting).ticket_secret, meeting=meeting, by=organiser)
    with CaptureQueriesContext(connection) as first:
        checkin_scan(marie.ticket_secret, meeting=meeting, by=organiser)
    with CaptureQueriesContext(connection) as repeat:
        checkin_scan(marie.ticket_secret, meeting=meeting, by=organiser)

    # On PostgreSQL no savepoint even in the test's transaction: the constraint decides
    # without an error, and the counter is in the same statement.
    assert len(first.captured_queries) == FIRST_SCAN_QUERIES
    assert len(repeat.captured_queries) == 1
    assert CheckIn.objects.filter(registration=marie).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite prepares nothing")
def test_the_door_scan_is_prepared_once_a_connection_has_run_it_five_times(
    meeting, marie, organiser
):
    """The settings' server-side binding: PostgreSQL plans the scan once per connection,
    not once per ticket (the planning was a fifth of a scan's database time)."""
    for _ in range(6):
        checkin_scan(marie.ticket_secret, meeting=meeting, by=organiser)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%ON CONFLICT%"],
        )
        assert cursor.fetchone()[0] == 1
    assert CheckIn.objects.count() == 1


def test_a_scan_that_loses_the_race_reports_the_winner(meeting, marie, organiser):
    """Our read saw no check-in, but another device inserted one before our insert."""
    other = User.objects.create_user("pierre", first_name="Pierre", last_name="Porte")
    ticket = ticket_read(marie.ticket_secret, meeting.pk)
    checkin_make(marie, by=other)

    result = ticket_check_in(ticket, by=organiser)

    assert result.outcome == Outcome.ALREADY_CHECKED_IN
    assert result.checked_in_by == "Pierre Porte"
    assert result.counts == DoorCounts(expected=1, present=0)
    assert CheckIn.objects.get().checked_in_by == other


def test_a_check_in_by_a_deleted_account_names_a_former_organiser(meeting, marie, organiser):
    gone = User.objects.create_user("gone", first_name="Ex", last_name="Bénévole")
    checkin_make(marie, by=gone)
    gone.delete()

    result = checkin_scan(marie.ticket_secret, meeting=meeting, by=organiser)

    assert result.outcome == Outcome.ALREADY_CHECKED_IN
    assert result.checked_in_by == "a former organiser"
    assert "by a former organiser" in result.message


# --- Manual check-in, undo, search -----------------------------------------------------------


def test_manual_check_in_and_undo(meeting, marie, volunteer):
    result = checkin_manual(marie, volunteer)
    again = checkin_manual(marie, volunteer)

    assert result.outcome == Outcome.CHECKED_IN
    assert again.outcome == Outcome.ALREADY_CHECKED_IN
    assert CheckIn.objects.get().method == CheckIn.Method.MANUAL

    undone = checkin_undo(marie, volunteer)
    twice = checkin_undo(marie, volunteer)

    assert undone.outcome == Outcome.UNDONE
    assert "no longer marked present" in undone.message
    assert twice.outcome == Outcome.NOT_CHECKED_IN
    assert not CheckIn.objects.exists()
    assert checkin_scan(marie.ticket_secret, meeting=meeting, by=volunteer).outcome == (
        Outcome.CHECKED_IN
    )


def test_manual_check_in_refuses_what_a_scan_refuses(meeting, organiser):
    cancelled = RegistrationFactory(meeting=meeting, status="cancelled")
    waitlisted = RegistrationFactory(meeting=meeting, status="waitlisted")

    assert checkin_manual(cancelled, organiser).outcome == Outcome.CANCELLED
    assert checkin_manual(waitlisted, organiser).outcome == Outcome.WAITLISTED
    assert not CheckIn.objects.exists()


def test_search_by_name_or_organisation_ignores_accents_and_case(meeting, programme):
    elodie = RegistrationFactory(
        meeting=meeting, first_name="Élodie", last_name="Lefèvre", organisation__name="Roubaix"
    )
    roubaix = RegistrationFactory(
        meeting=meeting, first_name="Ahmed", last_name="Benali", organisation=elodie.organisation
    )
    waiting = RegistrationFactory(
        meeting=meeting, first_name="Eloi", last_name="Aaron", status="waitlisted"
    )
    RegistrationFactory(
        meeting=MeetingFactory(programme=programme), first_name="Elodie", last_name="Ailleurs"
    )

    assert checkin_search(meeting, "elodie LEFEVRE") == [elodie]
    assert checkin_search(meeting, "roubaix") == [roubaix, elodie]
    # Confirmed people first, then the waiting list.
    assert checkin_search(meeting, "elo") == [elodie, waiting]
    assert checkin_search(meeting, "   ") == []
    assert checkin_search(meeting, "nobody") == []


def test_search_finds_folded_names_markup_emoji_and_addresses(meeting, organiser):
    sofie = RegistrationFactory(
        meeting=meeting,
        first_name="Søfie <b>&",
        last_name="D'Hondt 🌻",
        email="Sofie.DHONDT@Kortrijk.example",
        organisation=None,
        organisation_name="Œuvre de Courtrai",
        organisation_country="BE",
    )
    RegistrationFactory(meeting=meeting, first_name="Paul", last_name="Martin")

    for query in ("<b>&", "🌻", "d'hondt", "oeuvre COURTRAI", "kortrijk.example", "søfie"):
        assert checkin_search(meeting, query) == [sofie], query
    assert checkin_search(meeting, "%") == []
    assert checkin_search(meeting, "_") == []
    assert checkin_search(meeting, "é" * 2000) == []


def test_the_search_follows_renamed_organisations_and_forgets_anonymised_names(meeting, organiser):
    from meetings.services.directory import organisation_update
    from registrations.models import Registration
    from registrations.services.privacy import registrations_anonymise

    marie = RegistrationFactory(
        meeting=meeting, first_name="Marie", last_name="Dupont", organisation__name="Lille"
    )
    organisation_update(marie.organisation, name="Métropole Européenne de Lille")
    assert checkin_search(meeting, "metropole europeenne") == [marie]

    registrations_anonymise(Registration.objects.filter(pk=marie.pk))
    assert checkin_search(meeting, "dupont") == []
    assert checkin_search(meeting, "marie") == []
    assert checkin_search(meeting, "participant") == [marie]


def test_search_results_are_bounded(meeting):
    RegistrationFactory.create_batch(30, meeting=meeting, last_name="Martin")
    assert len(checkin_search(meeting, "martin")) == SEARCH_LIMIT


def test_counts_are_confirmed_and_present(meeting, marie, organiser):
    RegistrationFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, status="waitlisted")
    seats_count(meeting)
    checkin_scan(marie.ticket_secret, meeting=meeting, by=organiser)

    assert checkin_counts(meeting) == DoorCounts(expected=2, present=1)
    assert checkin_counts(987654) == DoorCounts(expected=0, present=0)


def counted(meeting) -> DoorCounts:
    """The door's counter, checked against a count of the rows it stands for."""
    confirmed = Registration.objects.filter(meeting=meeting, status="confirmed")
    truth = DoorCounts(confirmed.count(), confirmed.filter(checkin__isnull=False).count())
    assert checkin_counts(meeting) == truth
    return truth


def test_the_door_counter_follows_scans_undo_and_cancellations(small_meeting, register, organiser):
    """Scan, double scan, undo, a cancelled ticket, a cancellation after coming in, the
    waiting list's promotion and a re-registration: the counter on the meeting row always
    equals the rows it counts."""
    meeting = small_meeting
    anne, bram, chloe = (register(meeting, first_name=name) for name in ("Anne", "Bram", "Chloé"))
    assert chloe.status == "waitlisted"
    assert counted(meeting) == DoorCounts(2, 0)

    checkin_scan(anne.ticket_secret, meeting=meeting, by=organiser)
    checkin_scan(anne.ticket_secret, meeting=meeting, by=organiser)
    checkin_manual(bram, organiser)
    assert counted(meeting) == DoorCounts(2, 2)

    assert checkin_undo(bram, organiser).outcome == Outcome.UNDONE
    assert checkin_undo(bram, organiser).outcome == Outcome.NOT_CHECKED_IN
    assert counted(meeting) == DoorCounts(2, 1)

    # Anne came, then cancels: her seat goes to Chloé, who has not come yet.
    registration_cancel(anne)
    assert counted(meeting) == DoorCounts(2, 0)
    cancelled = checkin_scan(anne.ticket_secret, meeting=meeting, by=organiser)
    assert cancelled.outcome == Outcome.CANCELLED
    assert checkin_undo(anne, organiser).outcome == Outcome.UNDONE
    assert counted(meeting) == DoorCounts(2, 0)

    result = checkin_scan(
        Registration.objects.get(pk=chloe.pk).ticket_secret, meeting=meeting, by=organiser
    )
    assert result.counts == DoorCounts(2, 1)
    assert counted(meeting) == DoorCounts(2, 1)


def test_a_registration_made_again_is_counted_with_the_check_in_it_kept(
    small_meeting, register, organiser
):
    meeting = small_meeting
    anne = register(meeting, email="anne@example.org")
    checkin_scan(anne.ticket_secret, meeting=meeting, by=organiser)
    registration_cancel(anne)
    assert counted(meeting) == DoorCounts(0, 0)

    again = register(meeting, email="ANNE@example.org")

    assert again.pk == anne.pk and again.status == "confirmed"
    assert counted(meeting) == DoorCounts(1, 1)


def test_only_organisers_may_check_people_in(meeting, organiser):
    staff = User.objects.create_user("staff", is_staff=True)
    assert checkin_allowed(organiser, meeting)
    assert not checkin_allowed(staff, meeting)
    assert not checkin_allowed(User(), meeting)


# --- API -------------------------------------------------------------------------------------


def scan(client, secret, meeting_id, **extra):
    return client.post(
        "/api/checkins",
        {"secret": secret, "meeting": meeting_id},
        content_type="application/json",
        **extra,
    )


def test_a_scan_at_the_door_of_a_meeting_beyond_any_key_is_a_404(api_client, marie):
    response = scan(api_client, marie.ticket_secret, 2**64)

    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_the_api_answers_every_outcome_with_200(api_client, meeting, programme, marie):
    cancelled = RegistrationFactory(meeting=meeting, status="cancelled")
    waitlisted = RegistrationFactory(meeting=meeting, status="waitlisted")
    elsewhere = RegistrationFactory(meeting=MeetingFactory(programme=programme))
    cases = [
        (marie.ticket_secret, "checked_in"),
        (marie.ticket_secret, "already_checked_in"),
        (cancelled.ticket_secret, "cancelled"),
        (waitlisted.ticket_secret, "waitlisted"),
        (elsewhere.ticket_secret, "wrong_meeting"),
        ("NOT-A-TICKET", "unknown"),
    ]
    for secret, outcome in cases:
        response = scan(api_client, secret, meeting.pk)
        assert response.status_code == 200, response.content
        assert response.json()["outcome"] == outcome
        # Serialised by hand: still exactly what the OpenAPI document promises.
        assert response.json().keys() == CheckinOut.model_fields.keys()
        CheckinOut.model_validate(response.json())

    body = scan(api_client, marie.ticket_secret, meeting.pk).json()
    assert body == {
        "outcome": "already_checked_in",
        "message": body["message"],
        "ok": True,
        "registration": marie.pk,
        "name": "Marie Dupont",
        "organisation": "Ville de Lille",
        "checked_in_at": body["checked_in_at"],
        "checked_in_by": "organiser",
        "present": 1,
        "expected": 1,
    }
    at = datetime.fromisoformat(body["checked_in_at"])
    assert abs((timezone.now() - at).total_seconds()) < 60
    unknown = scan(api_client, "NOT-A-TICKET", meeting.pk).json()
    assert unknown["name"] is None and unknown["registration"] is None
    wrong = scan(api_client, elsewhere.ticket_secret, meeting.pk).json()
    assert wrong["name"] is None and wrong["organisation"] is None


def test_the_openapi_document_describes_the_scans_answer(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/checkins"]["post"]

    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/CheckinOut"}


def test_the_api_speaks_the_request_language(api_client, meeting, marie):
    with translation.override("nl"):
        expected = gettext("Unknown ticket. Check the code, or search the person by name.")

    by_query = scan(api_client, "nope", meeting.pk, QUERY_STRING="lang=nl")
    by_header = scan(api_client, "nope", meeting.pk, HTTP_ACCEPT_LANGUAGE="nl")

    assert by_query.json()["message"] == by_header.json()["message"] == expected


def test_the_api_refuses_malformed_input_with_422(api_client, meeting):
    for body in ({}, {"secret": "X"}, {"meeting": meeting.pk}, {"secret": "", "meeting": 1}):
        response = api_client.post("/api/checkins", body, content_type="application/json")
        assert response.status_code == 422, body
    response = scan(api_client, "X" * 201, meeting.pk)
    assert response.status_code == 422
    assert scan(api_client, "X", 999_999).status_code == 404


def test_only_a_scan_with_an_organisers_key_skips_the_operation_and_gets_the_same_answer(
    client, organiser_key, meeting, marie, monkeypatch
):
    """`registrations.door_scan` answers a scan with an organiser's key and a body in order;
    every other scan reaches the documented operation, which says what is wrong."""
    runs = []
    checks = Operation._run_checks

    # Its first step, as `Operation.run` itself is wrapped for good by `@idempotent`.
    def counted(self, request):
        runs.append(self.view_func.__name__)
        return checks(self, request)

    monkeypatch.setattr(Operation, "_run_checks", counted)
    key = {"HTTP_AUTHORIZATION": f"Bearer {organiser_key}", "HTTP_ACCEPT_LANGUAGE": "en"}

    answers = [
        scan(client, marie.ticket_secret, meeting.pk, **key),
        scan(client, marie.ticket_secret.lower(), meeting.pk, **key),
        scan(client, marie.ticket_secret, str(meeting.pk), **key),  # as `ScanIn` reads it
        scan(client, "NOT-A-TICKET", meeting.pk, **key),
    ]
    outcomes = [answer.json()["outcome"] for answer in answers]
    expected = ["checked_in", "already_checked_in", "already_checked_in", "unknown"]
    assert (outcomes, runs) == (expected, [])
    assert answers[0].json().keys() == CheckinOut.model_fields.keys()
    # An error inside is the API's own answer, as inside the operation.
    beyond = scan(client, marie.ticket_secret, 2**64, **key)
    assert (beyond.status_code, runs) == (404, [])

    retried = scan(client, marie.ticket_secret, meeting.pk, HTTP_IDEMPOTENCY_KEY="k-1", **key)
    assert retried.json() == answers[1].json() and runs == ["checkin_scan"]
    assert retried["Content-Type"] == answers[1]["Content-Type"]
    refused = [
        scan(client, marie.ticket_secret, meeting.pk),
        scan(client, marie.ticket_secret, meeting.pk, HTTP_AUTHORIZATION="Bearer pm_made-up"),
        client.post("/api/checkins", {"secret": "X"}, content_type="application/json", **key),
        scan(client, 5, meeting.pk, **key),
        scan(client, "X" * 201, meeting.pk, **key),
    ]
    statuses = [response.status_code for response in refused]
    assert (statuses, runs) == ([401, 401, 422, 422, 422], ["checkin_scan"] * 6)
    client.force_login(person_user(meeting.cofacilitators.first().person))
    assert scan(client, marie.ticket_secret, meeting.pk).status_code == 200
    assert runs == ["checkin_scan"] * 7


def test_anonymous_people_and_participants_cannot_check_anyone_in(client, meeting, marie):
    participant = User.objects.create_user("participant")
    staff = User.objects.create_user("staff", is_staff=True)
    for user, status in ((None, 401), (participant, 403), (staff, 403)):
        if user:
            client.force_login(user)
        calls = [
            scan(client, marie.ticket_secret, meeting.pk),
            client.get(f"/api/meetings/{meeting.pk}/checkins/search?q=marie"),
            client.post(f"/api/registrations/{marie.pk}/checkin"),
            client.delete(f"/api/registrations/{marie.pk}/checkin"),
        ]
        assert [response.status_code for response in calls] == [status] * 4
    assert not CheckIn.objects.exists()


def test_the_meetings_facilitators_check_people_in_but_not_at_other_doors(client, meeting, marie):
    from tests.factories import MeetingFactory, cross_border_pair

    mayor = meeting.cofacilitators.first().person
    client.force_login(person_user(mayor))
    response = scan(client, marie.ticket_secret, meeting.pk)
    assert response.status_code == 200
    assert response.json()["outcome"] == "checked_in"
    assert CheckIn.objects.get().checked_in_by.person == mayor

    other = MeetingFactory(programme=meeting.programme)
    cross_border_pair(other)
    assert scan(client, marie.ticket_secret, other.pk).status_code == 403
    assert client.get(f"/fr/door/meetings/{other.pk}/").status_code == 403
    assert client.get(f"/fr/door/meetings/{meeting.pk}/").status_code == 200


def test_the_session_api_needs_the_csrf_token(meeting, marie, organiser):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    assert scan(client, marie.ticket_secret, meeting.pk).status_code == 403
    client.get(f"/en/door/meetings/{meeting.pk}/")
    token = client.cookies["csrftoken"].value
    response = scan(client, marie.ticket_secret, meeting.pk, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["outcome"] == "checked_in"


def test_search_manual_check_in_and_undo_through_the_api(api_client, meeting, marie):
    found = api_client.get(f"/api/meetings/{meeting.pk}/checkins/search?q=dupont").json()
    assert found["results"] == [
        {
            "registration": marie.pk,
            "name": "Marie Dupont",
            "organisation": "Ville de Lille",
            "function": "mayor",
            "status": "confirmed",
            "status_label": "confirmed",
            "checked_in_at": None,
            "checked_in_by": None,
        }
    ]
    assert (found["present"], found["expected"]) == (0, 1)

    checked = api_client.post(f"/api/registrations/{marie.pk}/checkin").json()
    assert (checked["outcome"], checked["present"]) == ("checked_in", 1)
    after = api_client.get(f"/api/meetings/{meeting.pk}/checkins/search?q=marie").json()
    assert after["results"][0]["checked_in_by"] == "organiser"

    undone = api_client.delete(f"/api/registrations/{marie.pk}/checkin").json()
    assert (undone["outcome"], undone["present"]) == ("undone", 0)
    assert api_client.delete(f"/api/registrations/{marie.pk}/checkin").json()["outcome"] == (
        "not_checked_in"
    )
    assert api_client.post("/api/registrations/999999/checkin").status_code == 404
    assert api_client.get("/api/meetings/999999/checkins/search?q=x").status_code == 404


# --- Scanner page ----------------------------------------------------------------------------


def test_the_scanner_page_sends_anonymous_people_to_the_login(client, meeting):
    response = client.get(f"/fr/door/meetings/{meeting.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/signin/?next=/fr/door/meetings/")


def test_the_scanner_page_is_forbidden_to_non_organisers(client, meeting):
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get(f"/fr/door/meetings/{meeting.pk}/").status_code == 403


def test_the_scanner_page_holds_no_ticket(organiser_client, meeting, marie):
    response = organiser_client.get(f"/nl/door/meetings/{meeting.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="door-code"' in html and "BarcodeDetector" not in html
    assert "registrations/vendor/jsQR.js" in html and "registrations/door.js" in html
    assert 'data-scan-url="/api/checkins"' in html
    assert marie.ticket_secret not in html
    assert 'lang="nl"' in html
    assert organiser_client.get("/nl/door/meetings/999999/").status_code == 404


def test_a_scan_reads_the_ticket_with_the_door_and_its_counts_in_one_query(
    api_client, meeting, programme, marie, django_assert_num_queries
):
    # The door's first scan: the organiser's key (and, off PostgreSQL, who listens to
    # check-ins) are remembered now.
    first = RegistrationFactory(meeting=meeting)
    seats_count(meeting)
    scan(api_client, first.ticket_secret, meeting.pk)
    # The ticket with the door's meeting and counts, and the check-in.
    with django_assert_num_queries(FIRST_SCAN_QUERIES):
        body = scan(api_client, marie.ticket_secret, meeting.pk).json()
    assert (body["outcome"], body["present"], body["expected"]) == ("checked_in", 2, 2)
    with django_assert_num_queries(1):
        body = scan(api_client, marie.ticket_secret, meeting.pk).json()
    assert (body["outcome"], body["present"]) == ("already_checked_in", 2)

    other = MeetingFactory(programme=programme, title_fr="Autre <b>& 🚲")
    elsewhere = RegistrationFactory(meeting=other)
    # The ticket with the door, the ticket's own meeting for its title and day.
    with django_assert_num_queries(2):
        body = scan(api_client, elsewhere.ticket_secret, meeting.pk).json()
    assert body["outcome"] == "wrong_meeting"
    assert "Autre <b>& 🚲" in body["message"]
