"""GET /api/meetings/{id}/deliveries and POST /api/deliveries/{id}/resend."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem

from registrations.services.invitations import meeting_invite
from tasks.models import Delivery
from tests.factories import MeetingFactory, PersonFactory
from tests.mail import recipient

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "kind",
    "to_email",
    "to_name",
    "language",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "sent_at",
}


def delivery(meeting, n, **fields):
    return Delivery.objects.create(
        kind="invitation",
        idempotency_key=f"invite:{meeting.pk}:{n}",
        to_email=f"person{n}@example.org",
        to_name=f"Person {n}",
        language="fr",
        meeting=meeting,
        **fields,
    )


def test_the_deliveries_of_a_meeting_are_for_organisers_only(client, meeting):
    assert client.get(f"/api/meetings/{meeting.pk}/deliveries").status_code == 401


def test_organisers_see_each_email_of_a_meeting_with_its_failure(api_client, meeting):
    sent = delivery(meeting, 1, status=Delivery.Status.SENT, attempts=1)
    failed = delivery(
        meeting, 2, status=Delivery.Status.FAILED, attempts=1, last_error="550 No such user"
    )
    delivery(MeetingFactory(programme=meeting.programme), 3)

    response = api_client.get(f"/api/meetings/{meeting.pk}/deliveries")

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body] == [failed.pk, sent.pk]
    assert set(body[0]) == FIELDS
    assert (body[0]["status"], body[0]["last_error"]) == ("failed", "550 No such user")
    only_failed = api_client.get(f"/api/meetings/{meeting.pk}/deliveries?status=failed")
    assert [row["id"] for row in only_failed.json()] == [failed.pk]
    assert api_client.get("/api/meetings/424242/deliveries").status_code == 404


def test_a_failed_email_is_sent_again(
    api_client, meeting, organiser, monkeypatch, django_capture_on_commit_callbacks
):
    person = PersonFactory(email="ancien@example.org")

    def mailbox_gone(backend, messages):
        raise smtplib.SMTPRecipientsRefused({person.email: (550, b"5.1.1 No such user")})

    with monkeypatch.context() as patched, django_capture_on_commit_callbacks(execute=True):
        patched.setattr(locmem.EmailBackend, "send_messages", mailbox_gone)
        meeting_invite(meeting, people=[person], invited_by=organiser)
    failed = Delivery.objects.get()
    assert (failed.status, failed.last_error) == (
        Delivery.Status.FAILED,
        "ancien@example.org: 550 5.1.1 No such user",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/deliveries/{failed.pk}/resend")

    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    failed.refresh_from_db()
    assert (failed.status, failed.last_error) == (Delivery.Status.SENT, "")
    assert [recipient(m) for m in mail.outbox] == [person.email]


def test_only_a_failed_email_can_be_sent_again(api_client, meeting):
    sent = delivery(meeting, 1, status=Delivery.Status.SENT)

    response = api_client.post(f"/api/deliveries/{sent.pk}/resend")

    assert response.status_code == 409
    assert response.json() == {"detail": "Only a failed email can be sent again."}
    assert api_client.post("/api/deliveries/424242/resend").status_code == 404
