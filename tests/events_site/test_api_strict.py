"""The API takes exactly what its document says: a JSON flag is true or false, a whole
number is a number, an id or an offset stays within what a key can be, and each bound
the server holds is in the document. A value outside them is a 422 that names the field,
never a 500 and never a silent guess."""

import json

import pytest

from events_site.kit.sql import KEY_MAX
from tests.factories import PersonFactory
from workshops.models import Contribution
from workshops.services.postits import contribution_create
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.django_db


def _property(api_client, schema: str, name: str) -> dict:
    document = api_client.get("/api/openapi.json").json()
    return document["components"]["schemas"][schema]["properties"][name]


@pytest.mark.parametrize("sent", ["yes", "true", 1, 0, "0"])
def test_a_flag_is_true_or_false_as_json_writes_it(api_client, meeting, sent):
    workshop = workshop_create(meeting, title_fr="Mobilité")
    postit = contribution_create(workshop, text="Un bus de nuit")

    response = api_client.patch(
        f"/api/contributions/{postit.pk}", {"hidden": sent}, content_type="application/json"
    )

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"].startswith("Check “hidden”")
    assert list(body["errors"]) == ["hidden"]
    assert Contribution.objects.get(pk=postit.pk).hidden is False
    assert api_client.patch(
        f"/api/contributions/{postit.pk}", {"hidden": True}, content_type="application/json"
    ).json()["hidden"]


def test_the_directory_flag_is_strict_too(api_client, db):
    person = PersonFactory()
    response = api_client.patch(
        f"/api/people/{person.pk}", {"accepts_network_news": "on"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "accepts_network_news" in response.json()["errors"]


@pytest.mark.parametrize("seconds", ["60", 60.5, True])
def test_the_timer_takes_a_whole_number_of_seconds_within_its_documented_bounds(
    api_client, meeting, seconds
):
    workshop = workshop_create(meeting, title_fr="Mobilité")

    response = api_client.post(
        f"/api/workshops/{workshop.pk}/timer",
        {"action": "extend", "seconds": seconds},
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert "seconds" in response.json()["errors"]
    documented = json.dumps(_property(api_client, "TimerIn", "seconds"))
    assert '"minimum": 1' in documented and '"maximum": 3600' in documented


@pytest.mark.parametrize(
    "query",
    [
        {"meeting": -919152668575532434063360},
        {"meeting": KEY_MAX + 1},
        {"offset": 49725193263194642836180959232},
        {"year": 10**20},
    ],
)
def test_a_filter_beyond_any_key_is_refused_not_a_server_error(api_client, db, query):
    response = api_client.get("/api/workshops", query)

    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == list(query)


def test_the_document_bounds_the_offset_and_the_ids_filtered_on(api_client, db):
    document = api_client.get("/api/openapi.json").json()
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in document["paths"]["/api/workshops"]["get"]["parameters"]
    }
    assert parameters["offset"]["maximum"] == KEY_MAX
    assert (
        parameters["meeting"]["anyOf"][0]["minimum"],
        parameters["meeting"]["anyOf"][0]["maximum"],
    ) == (
        1,
        KEY_MAX,
    )


def test_a_flag_in_the_document_is_a_boolean(api_client, db):
    assert _property(api_client, "ContributionPatch", "hidden")["anyOf"][0] == {"type": "boolean"}
