"""The workshops' lists: every meeting's for organisers, one meeting's for its
facilitators too, paged and filtered in a fixed number of queries."""

import pytest

from tests.factories import MeetingFactory, ProgrammeFactory
from workshops.models import Workshop
from workshops.services.workshops import workshop_close, workshop_create

from .conftest import HOSTILE


@pytest.fixture
def workshops(workshop, meeting):
    """The plan's workshop, a closed one with markup and an emoji in its title, and one
    of another year's meeting."""
    closed = workshop_create(meeting, title_fr=HOSTILE, room="Salle 2")
    workshop_close(closed)
    elsewhere = MeetingFactory(programme=ProgrammeFactory(year=2028))
    return {
        "plan": workshop,
        "closed": closed,
        "elsewhere": workshop_create(elsewhere, title_nl="Zorg"),
    }


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_only_organisers_list_every_meetings_workshops(client, facilitator, workshops):
    assert client.get("/api/workshops").status_code == 401
    client.force_login(facilitator)
    refused = client.get("/api/workshops")
    assert refused.status_code == 403
    assert refused.json()["detail"]


def test_every_workshop_by_meeting_a_page_at_a_time(api_client, workshops, settings):
    settings.SITE_URL = "https://rencontres.example"
    first = api_client.get("/api/workshops", {"limit": 2}).json()
    assert first["count"] == 3
    assert [row["id"] for row in first["results"]] == [
        workshops["plan"].pk,
        workshops["closed"].pk,
    ]
    assert first["results"][0]["contribution_count"] == 0
    assert len(first["results"][0]["rounds"]) == 3
    assert first["next"].startswith("https://rencontres.example/api/workshops?")
    second = api_client.get(first["next"].removeprefix(settings.SITE_URL)).json()
    assert ([row["id"] for row in second["results"]], second["next"]) == (
        [workshops["elsewhere"].pk],
        None,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "closed"}, ["closed"]),
        ({"q": "<b>&"}, ["closed"]),
        ({"q": "SALLE 1"}, ["plan"]),
        ({"q": "zorg"}, ["elsewhere"]),
        ({"year": 2028}, ["elsewhere"]),
    ],
)
def test_workshops_filters(api_client, workshops, query, expected):
    assert ids(api_client.get("/api/workshops", query)) == [workshops[n].pk for n in expected]


def test_workshops_of_one_meeting_and_since_a_change(api_client, workshops, meeting):
    by_meeting = api_client.get("/api/workshops", {"meeting": meeting.pk})
    assert ids(by_meeting) == [workshops["plan"].pk, workshops["closed"].pk]
    later = workshops["plan"].updated_at
    Workshop.objects.filter(pk=workshops["closed"].pk).update(updated_at=later.replace(year=2030))
    since = api_client.get("/api/workshops", {"updated_since": "2029-01-01T00:00:00Z"})
    assert ids(since) == [workshops["closed"].pk]


@pytest.mark.parametrize("query", [{"status": "running"}, {"limit": 201}, {"meeting": "x"}])
def test_a_workshop_filter_out_of_its_values_is_refused(api_client, workshops, query):
    response = api_client.get("/api/workshops", query)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_a_meetings_facilitator_lists_its_workshops_not_anothers(
    facilitator_client, workshops, meeting
):
    listed = facilitator_client.get(f"/api/meetings/{meeting.pk}/workshops", {"status": "open"})
    assert ids(listed) == [workshops["plan"].pk]
    other = workshops["elsewhere"].meeting_id
    assert facilitator_client.get(f"/api/meetings/{other}/workshops").status_code == 403
    assert facilitator_client.get("/api/meetings/999999/workshops").status_code == 404


@pytest.mark.parametrize("path", ["/api/workshops", "/api/meetings/{meeting}/workshops"])
def test_a_workshop_list_costs_the_same_queries_whatever_its_size(
    api_client, meeting, django_assert_max_num_queries, path
):
    for number in range(30):
        workshop_create(meeting, title_fr=f"Atelier {number}")
    url = path.format(meeting=meeting.pk)
    api_client.get(url, {"limit": 1})  # the key, read once and remembered
    with django_assert_max_num_queries(5):
        response = api_client.get(url, {"limit": 200})
    assert response.json()["count"] == 30
