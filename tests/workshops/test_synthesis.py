"""A workshop's strong ideas ("idées fortes"): written by its facilitators from the
console or by an organiser (API, admin), closed workshops included."""

import pytest
from django.urls import reverse

from workshops.models import Workshop
from workshops.services.workshops import workshop_close

pytestmark = pytest.mark.django_db


def synthesis_url(workshop) -> str:
    return f"/api/workshops/{workshop.pk}/synthesis"


def test_an_organiser_writes_them_through_the_api_even_once_closed(workshop, api_client):
    workshop_close(workshop)
    response = api_client.put(
        synthesis_url(workshop),
        {"synthesis_fr": "  Relier les gares <b>& les bus</b> 🚌  ", "synthesis_nl": ""},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["synthesis_fr"] == "Relier les gares <b>& les bus</b> 🚌"
    assert body["synthesis"] == body["synthesis_fr"]  # no Dutch: the French
    assert body["workshop"] == workshop.pk
    workshop.refresh_from_db()
    assert workshop.synthesis_nl in ("", None)


def test_too_long_unknown_and_anonymous_are_refused(workshop, api_client, client):
    too_long = api_client.put(
        synthesis_url(workshop),
        {"synthesis_fr": "x" * 4001},
        content_type="application/json",
    )
    assert too_long.status_code == 422
    assert too_long.json()["detail"]
    unknown = api_client.put(
        "/api/workshops/999999/synthesis", {"synthesis_fr": "a"}, content_type="application/json"
    )
    assert unknown.status_code == 404
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    assert client.put(synthesis_url(workshop), {}, content_type="application/json").status_code in (
        401,
        403,
    )


def test_a_facilitator_saves_them_from_the_console(workshop, facilitator_client):
    console = facilitator_client.get(reverse("facilitate:console", args=[workshop.pk]))
    assert 'id="synthesis"' in console.content.decode()

    response = facilitator_client.post(
        reverse("facilitate:synthesis", args=[workshop.pk]),
        {"synthesis_fr": "Des lignes de bus.", "synthesis_nl": "Buslijnen."},
    )
    assert response.status_code == 302 and response["Location"].endswith("#synthesis")
    workshop = Workshop.objects.get(pk=workshop.pk)
    assert (workshop.synthesis_fr, workshop.synthesis_nl) == ("Des lignes de bus.", "Buslijnen.")


def test_someone_else_cannot_write_them(workshop, client, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", "s@example.org", "pw-stranger-1")
    client.force_login(stranger)
    response = client.post(
        reverse("facilitate:synthesis", args=[workshop.pk]), {"synthesis_fr": "Non."}
    )
    assert response.status_code == 403
    assert not Workshop.objects.get(pk=workshop.pk).synthesis_fr


def test_an_organiser_writes_them_in_the_admin(workshop, organiser_client, organiser):
    organiser.is_superuser = True
    organiser.save()
    url = reverse("admin:workshops_workshop_change", args=[workshop.pk])
    assert organiser_client.get(url).status_code == 200
    response = organiser_client.post(url, {"synthesis_fr": "Idée forte.", "synthesis_nl": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Workshop.objects.get(pk=workshop.pk).synthesis_fr == "Idée forte."
