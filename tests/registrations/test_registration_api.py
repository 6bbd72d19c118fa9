"""The public registration API: 201 with the token, 200 neutral for a duplicate, and
404/409/422 refusals that write nothing."""

import pytest
from celery import current_app
from django.db import connection
from ninja.operation import Operation

from meetings.models import Meeting
from registrations.models import Registration
from registrations.schemas import NeutralOut, RegistrationCreatedOut
from tasks.models import Delivery
from tasks.outbox.enqueue import DRAIN_TASK, deliveries_drain
from tests.factories import MeetingFactory, OrganisationFactory

from .conftest import registration_data

pytestmark = pytest.mark.django_db


def post(client, meeting_id, headers=None, **overrides):
    data = registration_data(**overrides)
    return client.post(
        f"/api/meetings/{meeting_id}/registrations?lang=en",
        data,
        content_type="application/json",
        **(headers or {}),
    )


def token_of(response) -> str:
    return response.json()["manage_token"]


def test_a_registration_answers_its_status_position_and_token_but_not_the_ticket(client, programme):
    meeting = MeetingFactory(programme=programme, capacity=1)

    first = post(client, meeting.pk, email="one@example.org")
    second = post(client, meeting.pk, email="two@example.org")

    assert first.status_code == second.status_code == 201
    registration = Registration.objects.get(email="one@example.org")
    assert first.json() == {
        "status": "confirmed",
        "waitlist_position": None,
        "manage_token": registration.manage_token,
        "manage_url": f"http://127.0.0.1:8000/nl/r/{registration.manage_token}/",
    }
    assert (second.json()["status"], second.json()["waitlist_position"]) == ("waitlisted", 1)
    assert registration.ticket_secret not in first.content.decode()


@pytest.fixture
def operation_runs(monkeypatch) -> list[str]:
    """The API operations that ran, by name: a request a fast path answered runs none."""
    runs = []
    checks = Operation._run_checks

    # Its first step, as `Operation.run` itself is wrapped for good by `@idempotent`.
    def counted(self, request):
        runs.append(self.view_func.__name__)
        return checks(self, request)

    monkeypatch.setattr(Operation, "_run_checks", counted)
    return runs


def test_only_a_registration_in_order_skips_the_operation_and_gets_the_same_answer(
    client, programme, operation_runs
):
    """`registrations.registration_rush` answers a registration whose body is in order,
    sent without an `Idempotency-Key`; every other request at the address reaches the
    documented operation, which says what is wrong."""
    meeting = MeetingFactory(programme=programme, capacity=1)

    answers = [
        post(client, meeting.pk, email="one@example.org"),
        post(client, meeting.pk, email="two@example.org"),
        post(client, meeting.pk, email="ONE@example.org"),
    ]
    # Errors inside are the API's own answers, as inside the operation.
    refusals = [post(client, 424242), post(client, 2**64), post(client, meeting.pk, email="x")]

    assert [answer.status_code for answer in answers] == [201, 201, 200]
    assert [answer.status_code for answer in refusals] == [404, 404, 422]
    assert operation_runs == []
    for answer, schema in zip(answers, (RegistrationCreatedOut,) * 2 + (NeutralOut,), strict=True):
        assert answer.json().keys() == schema.model_fields.keys()  # serialised by hand
        schema.model_validate(answer.json())
    retried = post(client, meeting.pk, {"HTTP_IDEMPOTENCY_KEY": "k-1"}, email="three@example.org")
    again = post(client, meeting.pk, {"HTTP_IDEMPOTENCY_KEY": "k-2"}, email="Two@example.org")
    invalid = post(client, meeting.pk, {"HTTP_IDEMPOTENCY_KEY": "k-3"}, email="x")
    assert operation_runs == ["registration_create"] * 3
    assert (invalid.status_code, invalid.content) == (422, refusals[2].content)
    assert (retried.status_code, retried.json()["waitlist_position"]) == (201, 2)
    assert retried.json().keys() == answers[1].json().keys()
    assert retried["Content-Type"] == answers[1]["Content-Type"]
    assert (again.status_code, again.content) == (200, answers[2].content)
    assert again["Content-Type"] == answers[2]["Content-Type"]
    url = f"/api/meetings/{meeting.pk}/registrations"
    handed_on = [
        client.post(url, {"first_name": ["a list"]}, content_type="application/json"),
        post(client, meeting.pk, email="four@example.org", function="king"),
        post(client, meeting.pk, email="four@example.org", share_contact="yes"),
        client.get(url),  # the organisers' list, at the same address
    ]
    assert [answer.status_code for answer in handed_on] == [422, 422, 422, 401]
    assert operation_runs == ["registration_create"] * 6 + ["meeting_registrations"]


def test_over_its_allowance_a_registration_is_refused_by_the_operation_and_counted_once(
    client, meeting, settings, operation_runs
):
    """The fast path keeps the operation's throttle: a request it hands on (a body the
    operation refuses) is counted once, and one over the allowance gets the operation's
    429 with its `Retry-After`."""
    settings.REGISTRATION_THROTTLE_RATE = "3/m"

    answers = [
        post(client, meeting.pk, email="p0@example.org"),
        post(client, meeting.pk, email="p1@example.org", function="king"),
        post(client, meeting.pk, email="p2@example.org"),
        post(client, meeting.pk, email="p3@example.org"),
    ]

    assert [answer.status_code for answer in answers] == [201, 422, 201, 429]
    assert operation_runs == ["registration_create"] * 2
    assert int(answers[3]["Retry-After"]) > 0
    assert Registration.objects.count() == 2


def test_a_new_address_is_registered_in_a_fixed_number_of_queries(
    client, meeting, django_assert_num_queries
):
    """For a meeting the process has read already (the first registration reads it),
    the seat, for a new address, the registration, its two consents, its email and its
    webhooks' calls: one statement on PostgreSQL (its own transaction, in autocommit),
    one transaction elsewhere; a rush pays each of them."""
    post(client, meeting.pk, email="warm@example.org")
    written = 1 if connection.vendor == "postgresql" else 4
    # With the savepoint that the test's own transaction puts around them, and its release.
    with django_assert_num_queries(written + 2):
        response = post(client, meeting.pk, email="new@example.org", share_contact=True)

    assert response.json()["status"] == "confirmed"
    registration = Registration.objects.get(email="new@example.org")
    assert sorted(registration.consents.values_list("kind", flat=True)) == [
        "contact_sharing",
        "privacy_notice",
    ]


def test_a_new_address_is_waitlisted_in_a_fixed_number_of_queries(
    client, programme, django_assert_num_queries
):
    """Once the process has read the meeting full (the second registration finds it so):
    the meeting's lock, then the registration with its place on the waiting list, its
    consents, its email and its calls, sent together on PostgreSQL (one transaction in
    autocommit), one transaction elsewhere, its place counted there for the answer."""
    meeting = MeetingFactory(programme=programme, capacity=1)
    post(client, meeting.pk, email="seated@example.org")
    post(client, meeting.pk, email="first@example.org")
    written = 2 if connection.vendor == "postgresql" else 6
    # With the savepoint that the test's own transaction puts around them, and its release.
    with django_assert_num_queries(written + 2):
        response = post(client, meeting.pk, email="new@example.org", share_contact=True)

    assert response.json()["status"] == "waitlisted"
    assert response.json()["waitlist_position"] == 2


def test_a_rush_hands_its_emails_to_the_broker_in_one_drain_job(
    client, programme, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """One broker message for a burst of registrations, not one each: the drain hands the
    confirmation and the waiting-list notices on together, each in its own language."""
    settings.OUTBOX_DRAIN = True
    meeting = MeetingFactory(programme=programme, capacity=1)
    published = {DRAIN_TASK: [], "tasks.deliver": []}
    for name, sent in published.items():
        monkeypatch.setattr(
            current_app.tasks[name],
            "apply_async",
            lambda args, countdown=None, sent=sent: sent.append(args),
        )

    with django_capture_on_commit_callbacks(execute=True):
        for email, language in (("a@example.org", "fr"), ("b@example.org", "nl")):
            post(client, meeting.pk, email=email, language=language)
        post(client, meeting.pk, email="c@example.org", language="fr")

    assert published == {DRAIN_TASK: [()], "tasks.deliver": []}
    assert deliveries_drain() == 3
    ((ids,),) = published["tasks.deliver"]
    assert [
        Delivery.objects.values_list("to_email", "kind", "language").get(pk=pk) for pk in ids
    ] == [
        ("a@example.org", "registration_confirmed", "fr"),
        ("c@example.org", "registration_waitlisted", "fr"),
        ("b@example.org", "registration_waitlisted", "nl"),
    ]


def test_names_at_their_longest_are_accepted(client, meeting):
    response = post(client, meeting.pk, first_name="É" * 100, last_name="ë" * 100)

    assert response.status_code == 201
    assert Delivery.objects.get().to_name == "É" * 100 + " " + "ë" * 99


def test_a_duplicate_answers_the_same_neutral_message_whatever_its_state(client, programme):
    meeting = MeetingFactory(programme=programme, capacity=1)
    post(client, meeting.pk, email="one@example.org")
    post(client, meeting.pk, email="two@example.org")

    answers = [
        post(client, meeting.pk, email=email) for email in ("ONE@example.org", "Two@Example.org")
    ]

    assert [a.status_code for a in answers] == [200, 200]
    assert (
        answers[0].json()
        == answers[1].json()
        == {
            "detail": "This email address is already registered for this meeting, so no second "
            "registration was made. We have emailed the link to manage that registration to "
            "this address."
        }
    )
    assert Registration.objects.count() == 2
    assert Delivery.objects.filter(kind="registration_link").count() == 2


def test_the_token_reads_changes_and_cancels_the_registration(client, meeting):
    token = token_of(post(client, meeting.pk))
    url = f"/api/registrations/{token}"

    read = client.get(url).json()
    patched = client.patch(
        url,
        {"dietary_notes": "Végétarien", "share_contact": False},
        content_type="application/json",
    )
    cancelled = client.delete(url)

    registration = Registration.objects.get()
    assert read["ticket_secret"] == registration.ticket_secret
    assert read["status"] == "confirmed" and read["organisation_name"] == "Stad Menen"
    assert read["ticket_pdf_url"].endswith(f"/nl/r/{token}/ticket.pdf")
    assert patched.status_code == 200
    assert (patched.json()["dietary_notes"], patched.json()["share_contact"]) == (
        "Végétarien",
        False,
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.delete(url).json()["status"] == "cancelled", "cancelling again is harmless"
    assert Meeting.objects.get(pk=meeting.pk).seats_taken == 0


def test_an_organisation_of_the_directory_is_given_by_id(client, meeting):
    lille = OrganisationFactory(name="Ville de Lille", country="FR")

    response = post(client, meeting.pk, organisation=lille.pk, organisation_name="")
    unknown = post(client, meeting.pk, organisation=987654, email="other@example.org")

    read = client.get(f"/api/registrations/{token_of(response)}").json()
    assert (read["organisation"], read["organisation_country"]) == (lille.pk, "FR")
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "Organisation: There is no organisation with id 987654."


def test_unknown_tokens_and_meetings_are_404(client, db):
    assert client.get("/api/registrations/nope").status_code == 404
    assert (
        client.patch("/api/registrations/nope", {}, content_type="application/json").status_code
        == 404
    )
    assert client.delete("/api/registrations/nope").status_code == 404
    assert post(client, 424242).status_code == 404
    # Beyond any key: SQLite cannot even compare it; still a meeting that does not exist.
    beyond = post(client, 2**64)
    assert beyond.status_code == 404
    assert beyond.json()["detail"] == f"There is no meeting with id {2**64}."


def test_a_cancelled_meeting_is_409_and_nothing_is_written(client, programme):
    meeting = MeetingFactory(programme=programme, status=Meeting.Status.CANCELLED)

    response = post(client, meeting.pk)

    assert response.status_code == 409
    assert response.json() == {"detail": "This meeting is cancelled: it takes no registrations."}
    assert not Registration.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"accessibility_notes": "x" * 1001}, "accessibility_notes"),
        ({"function": "king"}, "function"),
        ({"privacy_consent": False}, "privacy_consent"),
    ],
)
def test_bad_input_is_422_with_the_field_named_and_nothing_written(
    client, meeting, overrides, field
):
    response = post(client, meeting.pk, **overrides)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert not Registration.objects.exists() and not Delivery.objects.exists()


def test_a_body_of_the_wrong_shape_is_422_not_500(client, meeting):
    response = client.post(
        f"/api/meetings/{meeting.pk}/registrations",
        {"first_name": ["a list"]},
        content_type="application/json",
    )

    assert response.status_code == 422


def test_only_the_language_needs_and_consent_can_be_patched(client, meeting):
    token = token_of(post(client, meeting.pk))

    response = client.patch(
        f"/api/registrations/{token}?lang=en",
        {"email": "thief@example.org"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Check “email”: Extra inputs are not permitted",
        "errors": {"email": ["Extra inputs are not permitted"]},
    }
    assert Registration.objects.get().email == "sofie.claes@menen.example"


def test_a_field_patched_to_null_is_left_as_it_is(client, meeting):
    token = token_of(post(client, meeting.pk, dietary_notes="Végétarien"))

    response = client.patch(
        f"/api/registrations/{token}",
        {"dietary_notes": None, "interpretation_needed": None, "language": "fr"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    registration = Registration.objects.get()
    assert (registration.dietary_notes, registration.language) == ("Végétarien", "fr")


def test_a_cancelled_registration_cannot_be_patched(client, meeting):
    token = token_of(post(client, meeting.pk))
    client.delete(f"/api/registrations/{token}")

    response = client.patch(
        f"/api/registrations/{token}", {"language": "fr"}, content_type="application/json"
    )

    assert response.status_code == 409


def test_registrations_from_one_address_are_throttled(client, meeting, settings):
    settings.REGISTRATION_THROTTLE_RATE = "2/m"

    answers = [post(client, meeting.pk, email=f"p{n}@example.org").status_code for n in range(3)]

    assert answers == [201, 201, 429]
    assert Registration.objects.count() == 2


def test_a_rotating_forwarded_for_does_not_buy_a_fresh_allowance(client, meeting, settings):
    settings.REGISTRATION_THROTTLE_RATE = "2/m"

    answers = [
        client.post(
            f"/api/meetings/{meeting.pk}/registrations",
            registration_data(email=f"p{n}@example.org"),
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]

    assert answers == [201, 201, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_allowance(client, meeting, settings):
    settings.REGISTRATION_THROTTLE_RATE = "1/m"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def post_from(client_address, spoofed):
        return client.post(
            f"/api/meetings/{meeting.pk}/registrations",
            registration_data(email=f"{spoofed}@example.org"),
            content_type="application/json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"{spoofed}, {client_address}, 10.0.0.1",
        ).status_code

    answers = [
        post_from("203.0.113.7", "1.1.1.1"),
        post_from("203.0.113.7", "2.2.2.2"),
        post_from("203.0.113.8", "3.3.3.3"),
    ]

    assert answers == [201, 429, 201]


def test_changes_and_cancellations_by_token_count_against_the_same_allowance(
    client, meeting, settings
):
    settings.REGISTRATION_THROTTLE_RATE = "3/m"
    token = post(client, meeting.pk).json()["manage_token"]
    url = f"/api/registrations/{token}"

    change = client.patch(url, {"language": "fr"}, content_type="application/json")
    cancel = client.delete(url)
    again = client.delete(url)

    assert (change.status_code, cancel.status_code, again.status_code) == (200, 200, 429)
    assert "detail" in again.json()


def test_the_throttle_keeps_what_it_remembers_per_thread():
    """ninja shares one throttle per endpoint; a threaded server must not mix two
    requests' keys and histories up between `allow_request` and `wait`."""
    import threading

    from registrations.throttles import RegistrationThrottle

    throttle = RegistrationThrottle()
    throttle.key = "address-of-this-request"
    seen = []
    other = threading.Thread(target=lambda: seen.append(getattr(throttle, "key", None)))
    other.start()
    other.join()
    assert seen == [None]
    assert throttle.key == "address-of-this-request"
