"""A retry never registers twice: `Idempotency-Key` on registrations, check-ins,
invitations and post-its (`events_site.kit.idempotency`)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from events_site.kit.idempotency import idempotent_requests_purge
from events_site.models import IdempotentRequest
from meetings.auth import api_key_create
from registrations.models import CheckIn, Registration
from tasks.models import Delivery
from tasks.tasks import idempotency_purge
from tests.factories import PersonFactory
from tests.registrations.conftest import registration_data
from tests.ticket_factories import RegistrationFactory
from workshops import devices
from workshops.models import Contribution
from workshops.services.tables import table_create
from workshops.services.workshops import workshop_close, workshop_create, workshop_reopen

pytestmark = pytest.mark.django_db

KEY = "5f0c6a52-8d0e-4c55-9b7e-3f1f6d2f9a10"


@dataclass
class Write:
    """One of the four operations: `send(client, key, variant)` posts it (variant 1 is
    another body), `written()` counts what it writes, `caller()` is a client of its kind
    and `other()` one of another caller."""

    send: Callable
    written: Callable[[], int]
    caller: Callable[[], Client]
    other: Callable[[], Client]


def _post(client, path, body, key):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, body, content_type="application/json", headers=headers)


def _with_key(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


@pytest.fixture(params=["registration", "checkin", "invitation", "postit"])
def write(request, meeting, organiser, organiser_key) -> Write:
    def organiser_client() -> Client:
        return _with_key(organiser_key)

    def other_organiser() -> Client:
        user = User.objects.create_user("second-organiser", is_staff=True)
        user.groups.add(*organiser.groups.all())
        return _with_key(api_key_create(user, "tests")[1])

    if request.param == "registration":

        def send(client, key, variant=0):
            body = registration_data(email=f"sofie{variant}@menen.example")
            return _post(client, f"/api/meetings/{meeting.pk}/registrations", body, key)

        def signed_in() -> Client:
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(organiser)
            return client

        def anonymous() -> Client:
            return Client(HTTP_ACCEPT_LANGUAGE="en")

        return Write(send, Registration.objects.count, anonymous, signed_in)
    if request.param == "checkin":
        tickets = [RegistrationFactory(meeting=meeting).ticket_secret for _n in range(2)]

        def send(client, key, variant=0):
            body = {"secret": tickets[variant], "meeting": meeting.pk}
            return _post(client, "/api/checkins", body, key)

        return Write(send, CheckIn.objects.count, organiser_client, other_organiser)
    if request.param == "invitation":
        people = [PersonFactory().pk for _n in range(2)]

        def send(client, key, variant=0):
            body = {"people": [people[variant]]}
            return _post(client, f"/api/meetings/{meeting.pk}/invitations", body, key)

        return Write(send, Delivery.objects.count, organiser_client, other_organiser)
    workshop = workshop_create(meeting, title_fr="Mobilité")
    table = table_create(workshop, "Table 1")

    def phone() -> Client:
        device = devices.device_issue(table.pk, table.token)
        return Client(
            headers={"X-Table-Token": table.token, "X-Device": device, "Accept-Language": "en"}
        )

    def send(client, key, variant=0):
        body = {"text": ["Un bus de nuit", "Un train"][variant]}
        return _post(client, f"/api/workshops/{workshop.pk}/contributions", body, key)

    return Write(send, Contribution.objects.count, phone, phone)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing(write):
    client = write.caller()
    first = write.send(client, KEY)
    written = write.written()

    again = write.send(client, KEY)

    assert first.status_code in (200, 201)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert write.written() == written > 0
    assert IdempotentRequest.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(write):
    client = write.caller()
    write.send(client, KEY)
    written = write.written()

    other = write.send(client, KEY, variant=1)

    assert other.status_code == 422
    assert other.json()["detail"] == (
        "This Idempotency-Key was already used for another request: send a new key with "
        "each new request."
    )
    assert write.written() == written


def test_without_a_key_each_request_runs(write):
    client = write.caller()
    first = write.send(client, None)
    second = write.send(client, None, variant=1)

    assert first.status_code == second.status_code
    assert "Idempotent-Replayed" not in second
    assert not IdempotentRequest.objects.exists()


def test_two_callers_keys_are_their_own(write):
    first = write.send(write.caller(), KEY)
    other = write.send(write.other(), KEY, variant=1)

    assert first.status_code == other.status_code
    assert "Idempotent-Replayed" not in other
    assert IdempotentRequest.objects.count() == 2


def _phone_at_a_table(meeting) -> tuple:
    """A workshop with one table, a phone there, and where the phone posts its post-its."""
    workshop = workshop_create(meeting, title_fr="Mobilité")
    table = table_create(workshop, "Table 1")
    phone = Client(
        headers={
            "X-Table-Token": table.token,
            "X-Device": devices.device_issue(table.pk, table.token),
        }
    )
    return workshop, phone, f"/api/workshops/{workshop.pk}/contributions"


def test_a_key_is_kept_24_hours_then_runs_again_and_is_purged(meeting):
    _workshop, phone, path = _phone_at_a_table(meeting)
    _post(phone, path, {"text": "Un bus"}, KEY)
    stored = IdempotentRequest.objects.get()

    IdempotentRequest.objects.update(created_at=stored.created_at - timedelta(hours=23))
    assert "Idempotent-Replayed" in _post(phone, path, {"text": "Un bus"}, KEY)
    IdempotentRequest.objects.update(created_at=stored.created_at - timedelta(hours=25))
    assert "Idempotent-Replayed" not in _post(phone, path, {"text": "Un bus"}, KEY)
    assert Contribution.objects.count() == 2

    fresh = IdempotentRequest.objects.get()
    IdempotentRequest.objects.create(
        scope=fresh.scope, key="old", fingerprint="", created_at=timezone.now() - timedelta(days=2)
    )
    idempotency_purge()
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == [KEY]
    assert idempotent_requests_purge(timezone.now() + timedelta(hours=25)) == 1


def test_a_refusal_is_not_kept_the_same_key_runs_once_the_cause_is_gone(meeting):
    workshop, phone, path = _phone_at_a_table(meeting)
    workshop_close(workshop)

    assert _post(phone, path, {"text": "Un bus"}, KEY).status_code == 409
    assert not IdempotentRequest.objects.exists()
    workshop_reopen(workshop)
    assert _post(phone, path, {"text": "Un bus"}, KEY).status_code == 201
    assert Contribution.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "a b"])
def test_a_malformed_key_is_refused_with_a_sentence(client, meeting, key):
    response = _post(
        client, f"/api/meetings/{meeting.pk}/registrations?lang=en", registration_data(), key
    )

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Registration.objects.exists()


def test_the_api_document_describes_the_header_on_the_four_writes(client):
    schema = client.get("/api/openapi.json").json()
    for path in [
        "/api/meetings/{meeting_id}/registrations",
        "/api/checkins",
        "/api/meetings/{meeting_id}/invitations",
        "/api/workshops/{workshop_id}/contributions",
    ]:
        names = [p["name"] for p in schema["paths"][path]["post"]["parameters"]]
        assert "Idempotency-Key" in names, path
    assert "Idempotency-Key" in schema["info"]["description"]
