"""Erasing a person through the API: the admin's erasure, logged as the API's."""

import pytest
from django.test import Client

from meetings.models import Erasure, Person
from registrations.models import Registration
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
