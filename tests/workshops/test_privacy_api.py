"""Erasing a person through the API: the admin's erasure, logged as the API's."""

import json

import pytest
from django.test import Client

from meetings.models import Erasure, Person
from registrations.models import Registration
from registrations.webhooks import registrations_webhook
from tasks.models import Webhook, WebhookCall
from tasks.webhooks.services import webhook_create
from workshops.models import Contribution

pytestmark = pytest.mark.django_db


def test_an_organisers_key_erases_a_person_and_gets_the_log_entry(
    subject_world, api_client, organiser
):
    world = subject_world

    response = api_client.delete(f"/api/people/{world['marie'].pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["channel"], body["person"]) == ("api", world["marie"].pk)
    assert (body["registrations"], body["contributions"], body["deliveries"]) == (2, 1, 2)
    erasure = Erasure.objects.get()
    assert (erasure.channel, erasure.erased_by) == (Erasure.Channel.API, organiser)
    marie = Person.objects.get(pk=world["marie"].pk)
    assert (marie.first_name, marie.phone, marie.user) == ("", "", None)
    assert not Registration.objects.filter(email__icontains="lille").exists()
    assert Contribution.objects.get(pk=world["posts"]["marie"].pk).author == ""
    later = Registration.objects.get(pk=world["registrations"]["waiting"].pk)
    assert later.status == "confirmed"  # her upcoming seat went to the waiting list
    # The entry stays, anonymised, for past figures: read, not erased again.
    assert api_client.get(f"/api/people/{marie.pk}").json()["first_name"] == ""
    again = api_client.delete(f"/api/people/{marie.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("This person's data was already erased on ")
    assert Erasure.objects.count() == 1


def test_only_organisers_erase(subject_world, client):
    marie = subject_world["marie"]
    assert Client().delete(f"/api/people/{marie.pk}").status_code == 401
    client.force_login(subject_world["user"])
    assert client.delete(f"/api/people/{marie.pk}").status_code in (401, 403)
    assert not Erasure.objects.exists()
    assert Person.objects.get(pk=marie.pk).phone


def test_an_unknown_person_is_a_404(api_client):
    assert api_client.delete("/api/people/999999").status_code == 404


def test_the_webhook_calls_that_told_of_her_no_longer_name_her(
    subject_world, api_client, organiser
):
    """Owed or already sent, a call keeps its event and what it told, but her names and
    address read as her anonymised registrations do; the calls about others stay."""
    registrations = subject_world["registrations"]
    webhook = webhook_create(
        organiser, url="https://93.184.216.34/hook", events=Webhook.Event.values
    )
    registrations_webhook(
        Webhook.Event.REGISTRATION_CREATED,
        [registrations["marie"], registrations["later"], registrations["jan"]],
    )
    WebhookCall.objects.filter(payload__data__registration__id=registrations["marie"].pk).update(
        status=WebhookCall.Status.DELIVERED
    )

    response = api_client.delete(f"/api/people/{subject_world['marie'].pk}")

    assert response.status_code == 200, response.content
    calls = {
        (call.event, call.payload["data"]["registration"]["id"]): call
        for call in WebhookCall.objects.filter(webhook=webhook)
    }
    marie = [registrations["marie"].pk, registrations["later"].pk]
    assert sorted(calls) == sorted(
        [
            ("registration.created", marie[0]),
            ("registration.created", marie[1]),
            ("registration.created", registrations["jan"].pk),
            # Her upcoming seat, cancelled by the erasure: still told, without her name.
            ("registration.cancelled", marie[1]),
            # …and the waiting list moved up.
            ("registration.promoted", registrations["waiting"].pk),
        ]
    )
    for key, call in calls.items():
        told = call.payload["data"]["registration"]
        if key[1] in marie:
            anonymised = Registration.objects.get(pk=key[1])
            assert (told["first_name"], told["last_name"], told["email"]) == (
                anonymised.first_name,
                anonymised.last_name,
                anonymised.email,
            )
            assert "Dupont" not in json.dumps(call.payload)
            assert "lille" not in json.dumps(call.payload).lower()
    assert calls[("registration.created", marie[0])].status == "delivered"
    assert calls[("registration.cancelled", marie[1])].payload["data"]["registration"][
        "status"
    ] == ("cancelled")
    jan = calls[("registration.created", registrations["jan"].pk)].payload["data"]
    assert jan["registration"]["email"] == registrations["jan"].email
