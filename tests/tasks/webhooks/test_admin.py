"""The webhooks' admin: why calls failed (the response code), for their owner only; "send
again" and "switch on"."""

import pytest
from django.urls import reverse

from tasks.models import Webhook, WebhookCall
from tasks.webhooks.services import webhook_create

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/hook"


@pytest.fixture
def calls(organiser, other_organiser):
    mine = webhook_create(organiser, url=PUBLIC, events=["checkin.created"], description="CRM")
    theirs = webhook_create(other_organiser, url=PUBLIC, events=["checkin.created"])
    failed = WebhookCall.objects.create(
        webhook=mine,
        event="checkin.created",
        payload={},
        status="failed",
        response_code=410,
        last_error="Gone <b>away</b>",
    )
    WebhookCall.objects.create(
        webhook=theirs, event="checkin.created", payload={}, status="failed", last_error="Theirs"
    )
    return mine, failed


def test_an_organiser_sees_their_calls_failures_with_the_response_code(organiser_client, calls):
    response = organiser_client.get(
        reverse("admin:tasks_webhookcall_changelist") + "?status=failed"
    )

    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert [(c.response_code, c.last_error) for c in rows] == [(410, "Gone <b>away</b>")]
    assert "Gone &lt;b&gt;away&lt;/b&gt;" in response.text
    assert "Theirs" not in response.text
    webhooks = organiser_client.get(reverse("admin:tasks_webhook_changelist"))
    assert [w.description for w in webhooks.context["cl"].result_list] == ["CRM"]
    assert (
        calls[0].secret
        not in organiser_client.get(reverse("admin:tasks_webhook_change", args=[calls[0].pk])).text
    )


def test_send_again_and_switch_on_from_the_admin(organiser_client, calls):
    webhook, failed = calls
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, failures=5)

    organiser_client.post(
        reverse("admin:tasks_webhook_changelist"),
        {"action": "switch_on", "_selected_action": [webhook.pk]},
    )
    organiser_client.post(
        reverse("admin:tasks_webhookcall_changelist"),
        {"action": "resend", "_selected_action": [failed.pk]},
    )

    webhook.refresh_from_db()
    failed.refresh_from_db()
    assert (webhook.is_active, webhook.failures) == (True, 0)
    assert (failed.status, failed.attempts) == ("queued", 0)
