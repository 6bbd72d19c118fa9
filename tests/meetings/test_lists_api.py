"""Organisers' lists and reads of the directory and the programme: pages, filters,
a fixed number of queries, and nobody else."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetings.models import AgendaItem, Document, Meeting, Organisation, Person, Programme
from meetings.services.agenda import agenda_item_create
from meetings.services.signin import person_user
from tests.documents import document_make
from tests.factories import MeetingFactory, OrganisationFactory, PersonFactory, ProgrammeFactory
from tests.ticket_factories import RegistrationFactory

LISTS = ["/api/people", "/api/organisations", "/api/programmes", "/api/meetings"]


@pytest.fixture
def directory(db):
    """Lille and Kortrijk, and three people: a mayor, a burgomaster with markup and an
    emoji in her name, and an officer with no organisation."""
    lille = OrganisationFactory(name="Ville de Lille", country="FR")
    kortrijk = OrganisationFactory(name="Stad Kortrijk", country="BE")
    return {
        "lille": lille,
        "kortrijk": kortrijk,
        "anne": PersonFactory(
            first_name="Anne", last_name="Martin", email="anne@lille.example", organisation=lille
        ),
        "sofie": PersonFactory(
            first_name="Sofie <b>&",
            last_name="Claes 🌷",
            email="sofie@kortrijk.example",
            function=Person.Function.BURGOMASTER,
            organisation=kortrijk,
        ),
        "paul": PersonFactory(
            first_name="Paul",
            last_name="Durand",
            email="paul@agence.example",
            function=Person.Function.OFFICER,
            organisation=None,
        ),
    }


def names(response) -> list[str]:
    return [row["last_name"] for row in response.json()["results"]]


@pytest.mark.parametrize("path", LISTS)
def test_only_organisers_read_the_lists(client, meeting, path):
    assert client.get(path).status_code == 401
    assert client.get(path, HTTP_AUTHORIZATION="Bearer pm_forged").status_code == 401
    client.force_login(person_user(meeting.cofacilitators.first().person))
    refused = client.get(path)
    assert refused.status_code == 403
    assert refused.json()["detail"]


def test_people_page_by_page_with_an_absolute_next(api_client, directory, settings):
    settings.SITE_URL = "https://rencontres.example"
    first = api_client.get("/api/people", {"limit": 2}).json()
    assert first["count"] == 3
    assert [row["last_name"] for row in first["results"]] == ["Claes 🌷", "Durand"]
    assert first["next"].startswith("https://rencontres.example/api/people?")
    assert "offset=2" in first["next"] and "limit=2" in first["next"]
    second = api_client.get(first["next"].removeprefix(settings.SITE_URL)).json()
    assert [row["last_name"] for row in second["results"]] == ["Martin"]
    assert second["next"] is None
    assert api_client.get("/api/people", {"offset": 10}).json()["results"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "ANNE@"}, ["Martin"]),
        ({"q": "<b>&"}, ["Claes 🌷"]),
        ({"country": "be"}, ["Claes 🌷"]),
        ({"function": "officer"}, ["Durand"]),
    ],
)
def test_people_filters(api_client, directory, query, expected):
    assert names(api_client.get("/api/people", query)) == expected


def test_people_by_organisation_and_since_a_change(api_client, directory):
    lille = directory["lille"].pk
    assert names(api_client.get("/api/people", {"organisation": lille})) == ["Martin"]
    later = timezone.now() + timedelta(seconds=1)
    Person.objects.filter(pk=directory["paul"].pk).update(updated_at=later + timedelta(hours=1))
    since = api_client.get("/api/people", {"updated_since": later.isoformat()})
    assert names(since) == ["Durand"]


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"function": "Kortrijk"}]
)
def test_a_list_refuses_what_it_cannot_page_or_filter(api_client, directory, query):
    response = api_client.get("/api/people", query)
    assert response.status_code == 422
    assert response.json()["errors"]


@pytest.mark.parametrize(("path", "make"), [("/api/people", 1), ("/api/organisations", 0)])
def test_a_list_costs_the_same_queries_whatever_its_size(
    api_client, db, django_assert_max_num_queries, path, make
):
    PersonFactory.create_batch(60) if make else OrganisationFactory.create_batch(60)
    api_client.get(path, {"limit": 1})  # the key, read once and remembered
    with django_assert_max_num_queries(2):
        response = api_client.get(path, {"limit": 200})
    assert response.json()["count"] == 60


def test_organisations_filter_and_read(api_client, directory):
    listed = api_client.get("/api/organisations", {"country": "BE", "kind": "municipality"})
    assert [row["name"] for row in listed.json()["results"]] == ["Stad Kortrijk"]
    assert api_client.get("/api/organisations", {"q": "ville"}).json()["count"] == 1
    one = api_client.get(f"/api/organisations/{directory['kortrijk'].pk}")
    assert (one.status_code, one.json()["country"]) == (200, "BE")
    assert api_client.get("/api/organisations/999999").status_code == 404


def test_a_person_is_read_with_their_organisation(api_client, directory, client):
    sofie = directory["sofie"]
    answer = api_client.get(f"/api/people/{sofie.pk}").json()
    assert (answer["first_name"], answer["organisation"]["name"]) == ("Sofie <b>&", "Stad Kortrijk")
    assert api_client.get("/api/people/999999").status_code == 404


def test_programmes_newest_first_with_drafts(api_client, programme):
    ProgrammeFactory(year=2028, status=Programme.Status.DRAFT)
    listed = api_client.get("/api/programmes").json()
    assert [row["year"] for row in listed["results"]] == [2028, 2027]
    drafts = api_client.get("/api/programmes", {"status": "draft"}).json()
    assert [row["year"] for row in drafts["results"]] == [2028]


def test_meetings_include_drafts_for_organisers(
    api_client, meeting, programme, django_assert_max_num_queries
):
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT, venue_city="Tournai")
    MeetingFactory.create_batch(20, programme=ProgrammeFactory(year=2028))
    api_client.get("/api/meetings", {"limit": 1})
    with django_assert_max_num_queries(5):
        listed = api_client.get("/api/meetings", {"limit": 200}).json()
    assert listed["count"] == 22
    mine = api_client.get("/api/meetings", {"year": 2027}).json()["results"]
    assert [row["id"] for row in mine] == [meeting.pk, draft.pk]
    drafts = api_client.get("/api/meetings", {"status": "draft", "q": "tourn"}).json()
    assert [row["id"] for row in drafts["results"]] == [draft.pk]
    assert drafts["results"][0]["status"] == "draft"


def test_meetings_by_host_and_country(api_client, programme):
    host = OrganisationFactory(country="FR")
    hosted = MeetingFactory(programme=programme, host_organisation=host, venue_country="FR")
    MeetingFactory(programme=programme, venue_country="BE")
    by_host = api_client.get("/api/meetings", {"organisation": host.pk}).json()["results"]
    assert [row["id"] for row in by_host] == [hosted.pk]
    assert api_client.get("/api/meetings", {"country": "FR"}).json()["count"] == 1


def test_an_organisations_change_shows_in_updated_since(api_client, directory):
    cut = timezone.now() + timedelta(minutes=1)
    Organisation.objects.filter(pk=directory["lille"].pk).update(updated_at=cut)
    since = api_client.get("/api/organisations", {"updated_since": cut.isoformat()}).json()
    assert [row["name"] for row in since["results"]] == ["Ville de Lille"]


# --- A meeting's agenda and documents ------------------------------------------------------


@pytest.fixture
def agenda(meeting):
    """Three items of the 09:30–12:30 meeting, the second with markup and an emoji."""
    return [
        agenda_item_create(
            meeting,
            starts_at=meeting.starts_at + timedelta(minutes=offset),
            duration_min=30,
            title_fr=title,
            kind=AgendaItem.Kind.PLENARY,
            speakers=[{"name": "Jo Peeters", "role": "ingénieur"}],
        )
        for offset, title in [(0, "Accueil"), (30, "Plénière <b>&</b> 🌷"), (60, "Clôture")]
    ]


def test_the_agenda_a_page_at_a_time_for_everybody(client, meeting, agenda, settings):
    settings.SITE_URL = "https://rencontres.example"
    first = client.get(f"/api/meetings/{meeting.pk}/agenda", {"limit": 2}).json()
    assert first["count"] == 3
    assert [row["title"] for row in first["results"]] == ["Accueil", "Plénière <b>&</b> 🌷"]
    assert first["results"][0]["speakers"][0]["name"] == "Jo Peeters"
    assert first["next"].startswith(f"https://rencontres.example/api/meetings/{meeting.pk}/agenda?")
    second = client.get(first["next"].removeprefix(settings.SITE_URL)).json()
    assert ([row["title"] for row in second["results"]], second["next"]) == (["Clôture"], None)


def test_a_drafts_agenda_and_documents_are_the_organisers_only(api_client, programme, media_root):
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
    document_make(draft)
    client = Client()
    for part in ("agenda", "documents"):
        assert client.get(f"/api/meetings/{draft.pk}/{part}").status_code == 404
        assert client.get(f"/api/meetings/{draft.pk}/{part}", {"limit": 0}).status_code == 422
    assert api_client.get(f"/api/meetings/{draft.pk}/agenda").json()["count"] == 0
    assert api_client.get(f"/api/meetings/{draft.pk}/documents").json()["count"] == 1
    assert api_client.get("/api/meetings/999999/agenda").status_code == 404


def test_documents_a_page_at_a_time_with_absolute_urls_that_open_with_the_key(
    api_client, meeting, media_root, settings
):
    settings.SITE_URL = "https://rencontres.example"
    made = [document_make(meeting, visibility=Document.Visibility.MEMBERS) for _ in range(3)]
    first = api_client.get(f"/api/meetings/{meeting.pk}/documents", {"limit": 2}).json()
    assert (first["count"], [row["id"] for row in first["results"]]) == (
        3,
        [d.pk for d in made[:2]],
    )
    url = first["results"][0]["url"]
    assert url == f"https://rencontres.example/en/documents/{made[0].pk}/"
    download = api_client.get(url.removeprefix(settings.SITE_URL))
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert first["next"].endswith("offset=2")


@pytest.mark.parametrize("part", ["agenda", "documents"])
def test_a_meetings_agenda_and_documents_cost_the_same_queries_whatever_their_size(
    api_client, meeting, media_root, django_assert_max_num_queries, part
):
    for number in range(20):
        if part == "agenda":
            agenda_item_create(
                meeting,
                starts_at=meeting.starts_at + timedelta(minutes=5 * number),
                duration_min=5,
                title_fr=f"Point {number}",
                kind=AgendaItem.Kind.PLENARY,
                speakers=[{"name": f"Orateur {number}"}],
            )
        else:
            document_make(meeting)
    url = f"/api/meetings/{meeting.pk}/{part}"
    api_client.get(url, {"limit": 1})  # the key, read once and remembered
    with django_assert_max_num_queries(4):
        response = api_client.get(url, {"limit": 200})
    assert response.json()["count"] == 20


# --- Deleting an organisation ---------------------------------------------------------


def test_an_organisation_nothing_refers_to_is_deleted(api_client, db):
    twice = OrganisationFactory(name="Ville de Lille (doublon)")
    assert api_client.delete(f"/api/organisations/{twice.pk}").status_code == 204
    assert not Organisation.objects.filter(pk=twice.pk).exists()
    assert api_client.delete(f"/api/organisations/{twice.pk}").status_code == 404


def test_an_organisation_in_use_is_refused_with_what_refers_to_it(api_client, directory, programme):
    lille = directory["lille"]
    PersonFactory(organisation=lille)
    MeetingFactory(programme=programme, host_organisation=lille)

    refused = api_client.delete(f"/api/organisations/{lille.pk}", HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "“Ville de Lille” cannot be deleted while 1 meeting, 2 people refer to it: "
        "give them another organisation first."
    )
    assert Organisation.objects.filter(pk=lille.pk).exists()
    assert (
        "1 persoon"
        in api_client.delete(
            f"/api/organisations/{directory['kortrijk'].pk}", HTTP_ACCEPT_LANGUAGE="nl"
        ).json()["detail"]
    )


def test_a_registration_in_an_organisations_name_keeps_it(api_client, meeting):
    registration = RegistrationFactory(meeting=meeting, organisation=OrganisationFactory())

    refused = api_client.delete(f"/api/organisations/{registration.organisation_id}")

    assert refused.status_code == 409
    assert "1 " in refused.json()["detail"]


def test_only_organisers_delete(client, directory):
    assert client.delete(f"/api/organisations/{directory['lille'].pk}").status_code == 401
    assert Organisation.objects.filter(pk=directory["lille"].pk).exists()


@pytest.mark.parametrize(
    "path", ["/api/people", "/api/meetings", "/api/workshops", "/api/meetings/{id}/checkins"]
)
@pytest.mark.parametrize("number", ["0.5", "1700000000", " 17 "])
def test_a_time_filter_is_iso_8601_not_a_number_of_seconds(api_client, meeting, path, number):
    name = "since" if path.endswith("checkins") else "updated_since"
    url = path.format(id=meeting.pk)

    refused = api_client.get(url, {name: number}, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 422
    assert refused.json()["errors"][name] == [
        "an ISO 8601 date and time is expected, such as 2027-03-12T09:30:00+01:00"
    ]
    assert api_client.get(url, {name: "2027-03-12T09:30:00+01:00"}).status_code == 200
