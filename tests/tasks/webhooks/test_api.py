"""/api/webhooks and their calls: each organiser sees and touches only their own."""

import pytest
from django.contrib.auth.models import User

from meetings.auth import api_key_create
from tasks.models import Webhook, WebhookCall
from tasks.webhooks.services import webhook_create

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/hook"
BODY = {"url": PUBLIC, "events": ["registration.created", "checkin.created"]}


@pytest.fixture
def other_client(client, other_organiser):
    _key, raw = api_key_create(other_organiser, "other")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def call_of(webhook, **fields):
    return WebhookCall.objects.create(
        webhook=webhook, event="checkin.created", payload={"event": "checkin.created"}, **fields
    )


def test_an_organiser_makes_a_webhook_and_sees_its_secret_once(api_client, organiser):
    response = api_client.post(
        "/api/webhooks",
        {**BODY, "description": "CRM <b>&", "language": "nl"},
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    webhook = Webhook.objects.get()
    assert body["secret"] == webhook.secret and body["secret"].startswith("whsec_")
    assert len(body["secret"]) > 40
    assert body["events"] == ["registration.created", "checkin.created"]
    assert (body["description"], body["language"], body["is_active"]) == ("CRM <b>&", "nl", True)
    assert webhook.owner == organiser
    read = api_client.get(f"/api/webhooks/{webhook.pk}").json()
    assert "secret" not in read
    assert "secret" not in api_client.get("/api/webhooks").json()[0]


def test_two_webhooks_have_two_secrets(api_client):
    first = api_client.post("/api/webhooks", BODY, content_type="application/json").json()
    second = api_client.post("/api/webhooks", BODY, content_type="application/json").json()
    assert first["secret"] != second["secret"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "events": ["registration.exploded"]}, "events"),
        ({**BODY, "events": []}, "events"),
        ({**BODY, "url": "http://127.0.0.1:8000/hook"}, "url"),
        ({**BODY, "url": "http://169.254.169.254/latest/meta-data/"}, "url"),
        ({**BODY, "url": "javascript:alert(1)"}, "url"),
        ({**BODY, "url": "https://93.184.216.34/" + "a" * 2000}, "url"),
        ({**BODY, "language": "de"}, "language"),
        ({**BODY, "description": "x" * 201}, "description"),
    ],
)
def test_a_bad_webhook_is_refused_with_a_sentence_naming_the_field(api_client, body, field):
    response = api_client.post("/api/webhooks", body, content_type="application/json")

    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"]
    assert any(name.split(".")[0] == field for name in answer["errors"])
    assert not Webhook.objects.exists()


def test_a_private_address_is_refused_unless_the_setting_allows_it(api_client, settings):
    body = {**BODY, "url": "http://127.0.0.1:8000/hook"}
    refused = api_client.post("/api/webhooks", body, content_type="application/json").json()
    assert "inside this server's network" in refused["detail"]

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert api_client.post("/api/webhooks", body, content_type="application/json").status_code == (
        201
    )


def test_webhooks_are_for_organisers_only(client, organiser):
    webhook = webhook_create(organiser, url=PUBLIC, events=["checkin.created"])
    assert client.get("/api/webhooks").status_code == 401
    assert client.post("/api/webhooks", BODY, content_type="application/json").status_code == 401
    facilitator = User.objects.create_user("facilitator", "f@example.org")
    client.force_login(facilitator)
    assert client.get(f"/api/webhooks/{webhook.pk}/calls").status_code == 403


def test_an_organiser_sees_and_touches_only_their_own_webhooks(
    other_client, organiser, other_organiser
):
    mine = webhook_create(organiser, url=PUBLIC, events=["checkin.created"])
    theirs = webhook_create(other_organiser, url=PUBLIC, events=["meeting.cancelled"])
    failed = call_of(mine, status="failed")

    assert [w["id"] for w in other_client.get("/api/webhooks").json()] == [theirs.pk]
    for response in (
        other_client.get(f"/api/webhooks/{mine.pk}"),
        other_client.patch(
            f"/api/webhooks/{mine.pk}", {"is_active": False}, content_type="application/json"
        ),
        other_client.delete(f"/api/webhooks/{mine.pk}"),
        other_client.get(f"/api/webhooks/{mine.pk}/calls"),
        other_client.post(f"/api/webhook-calls/{failed.pk}/resend"),
    ):
        assert response.status_code == 404
        assert response.json()["detail"].startswith("You have no webhook")
    mine.refresh_from_db()
    failed.refresh_from_db()
    assert mine.is_active and failed.status == "failed"


def test_a_webhook_is_changed_and_switched_on_again(api_client, organiser, settings):
    webhook = webhook_create(organiser, url=PUBLIC, events=["checkin.created"])
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, failures=5)

    response = api_client.patch(
        f"/api/webhooks/{webhook.pk}",
        {"is_active": True, "events": ["meeting.changed", "checkin.created", "meeting.changed"]},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["events"] == ["checkin.created", "meeting.changed"]
    assert (body["is_active"], body["failures"], body["disabled_at"]) == (True, 0, None)
    refused = api_client.patch(
        f"/api/webhooks/{webhook.pk}",
        {"url": "http://10.0.0.1/"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    webhook.refresh_from_db()
    assert webhook.url == PUBLIC


def test_deleting_a_webhook_takes_its_calls(api_client, organiser):
    webhook = webhook_create(organiser, url=PUBLIC, events=["checkin.created"])
    call_of(webhook)

    assert api_client.delete(f"/api/webhooks/{webhook.pk}").status_code == 204
    assert not Webhook.objects.exists() and not WebhookCall.objects.exists()
    assert api_client.delete(f"/api/webhooks/{webhook.pk}").status_code == 404


def test_a_webhooks_calls_are_listed_with_their_answers_a_page_at_a_time(
    api_client, organiser, django_assert_max_num_queries
):
    webhook = webhook_create(organiser, url=PUBLIC, events=["checkin.created"])
    calls = [call_of(webhook, status="delivered", response_code=200) for _ in range(4)]
    failed = call_of(webhook, status="failed", response_code=410, last_error="Gone", attempts=1)

    with django_assert_max_num_queries(6):
        page = api_client.get(f"/api/webhooks/{webhook.pk}/calls?limit=3").json()
    assert page["count"] == 5
    assert [c["id"] for c in page["results"]] == [failed.pk, calls[3].pk, calls[2].pk]
    assert page["next"].endswith("offset=3")
    first = page["results"][0]
    assert (first["status"], first["response_code"], first["last_error"]) == ("failed", 410, "Gone")
    assert first["idempotency_key"] == str(failed.idempotency_key)
    only = api_client.get(f"/api/webhooks/{webhook.pk}/calls?status=failed").json()
    assert [c["id"] for c in only["results"]] == [failed.pk]
    assert api_client.get(f"/api/webhooks/{webhook.pk}/calls?status=lost").status_code == 422


def test_a_failed_call_is_sent_again_with_the_same_key(api_client, organiser):
    webhook = webhook_create(organiser, url=PUBLIC, events=["checkin.created"])
    failed = call_of(webhook, status="failed", response_code=500, attempts=8)
    delivered = call_of(webhook, status="delivered", response_code=200)

    response = api_client.post(f"/api/webhook-calls/{failed.pk}/resend")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["attempts"]) == ("queued", 0)
    assert body["idempotency_key"] == str(failed.idempotency_key)
    again = api_client.post(f"/api/webhook-calls/{delivered.pk}/resend")
    assert again.status_code == 409
    assert again.json()["detail"] == "Only a failed call can be sent again."


def test_a_call_of_a_switched_off_webhook_waits_for_it(api_client, organiser):
    webhook = webhook_create(organiser, url=PUBLIC, events=["checkin.created"])
    failed = call_of(webhook, status="failed")
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False)

    response = api_client.post(f"/api/webhook-calls/{failed.pk}/resend")

    assert response.status_code == 409
    assert "switched off" in response.json()["detail"]
