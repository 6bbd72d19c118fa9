"""The outbox admin: each email's status and failure reason, and "send again"."""

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse

from tasks.models import Delivery
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def delivery(meeting, email, **fields):
    return Delivery.objects.create(
        kind="invitation",
        idempotency_key=f"invite:{meeting.pk}:{email}",
        to_email=email,
        language="fr",
        meeting=meeting,
        **fields,
    )


def test_the_emails_of_one_meeting_show_why_they_failed(organiser_client, meeting):
    delivery(meeting, "gone@example.org", status="failed", last_error="550 5.1.1 No such user")
    delivery(meeting, "fine@example.org", status="sent")
    delivery(MeetingFactory(programme=meeting.programme), "other@example.org")
    url = reverse("admin:tasks_delivery_changelist")

    response = organiser_client.get(f"{url}?meeting__id__exact={meeting.pk}")

    assert response.status_code == 200
    assert "550 5.1.1 No such user" in response.text
    assert "fine@example.org" in response.text
    assert "other@example.org" not in response.text
    found = organiser_client.get(f"{url}?q=gone@")
    assert [d.to_email for d in found.context["cl"].result_list] == ["gone@example.org"]


def test_a_delivery_is_read_only(organiser_client, meeting):
    row = delivery(meeting, "a@example.org")

    response = organiser_client.get(reverse("admin:tasks_delivery_change", args=[row.pk]))

    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert organiser_client.get(reverse("admin:tasks_delivery_add")).status_code == 403


def test_send_again_requeues_failures_and_says_why_the_others_were_not(organiser_client, meeting):
    failed = delivery(meeting, "gone@example.org", status="failed", attempts=3)
    sent = delivery(meeting, "fine@example.org", status="sent")

    response = organiser_client.post(
        reverse("admin:tasks_delivery_changelist"),
        {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Delivery.Status.QUEUED, 0)
    sent_messages = {(m.level, m.message) for m in get_messages(response.wsgi_request)}
    assert sent_messages == {
        (messages.ERROR, "fine@example.org: Only a failed email can be sent again."),
        (messages.SUCCESS, "1 email queued again."),
    }
