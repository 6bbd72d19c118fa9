import pytest

from meetings.models import Meeting, Organisation, Programme
from tests.factories import MeetingFactory, PersonFactory, ProgrammeFactory, ThemeFactory

pytestmark = pytest.mark.django_db

MEETING = {
    "programme": 2027,
    "title_fr": "Rencontre de la Lys",
    "title_nl": "Ontmoeting aan de Leie",
    "starts_at": "2027-05-20T09:30:00",
    "ends_at": "2027-05-20T12:30:00",
    "time_zone": "Europe/Paris",
    "venue_name": "Hôtel de ville",
    "venue_city": "Halluin",
    "venue_country": "FR",
    "capacity": 50,
}


def test_public_programme_lists_published_and_cancelled_meetings_only(client, meeting):
    MeetingFactory(programme=meeting.programme, status=Meeting.Status.DRAFT, title_fr="Brouillon")
    MeetingFactory(programme=meeting.programme, status=Meeting.Status.CANCELLED)

    response = client.get("/api/programmes/2027")

    assert response.status_code == 200
    body = response.json()
    assert [m["status"] for m in body["meetings"]] == ["published", "cancelled"]
    assert "Brouillon" not in response.content.decode()
    first = body["meetings"][0]
    assert first["starts_at"].endswith("+01:00"), "times are given in the meeting's own zone"
    assert {c["country"] for c in first["cofacilitators"]} == {"FR", "BE"}
    assert "email" not in first["cofacilitators"][0]


def test_language_comes_from_query_or_accept_language_and_unknown_falls_back_to_fr(client, meeting):
    assert client.get("/api/programmes/2027?lang=nl").json()["title"].startswith("Nabijheid")
    nl = client.get("/api/programmes/2027", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9")
    assert nl.json()["title"].startswith("Nabijheid")
    assert client.get("/api/programmes/2027?lang=xx").json()["title"].startswith("Rencontres")


def test_dutch_falls_back_to_french_when_a_title_is_missing(client, programme):
    meeting = MeetingFactory(programme=programme, title_nl="")
    assert client.get(f"/api/meetings/{meeting.pk}?lang=nl").json()["title"] == meeting.title_fr


def test_draft_programme_and_unknown_year_are_404(client, db):
    ProgrammeFactory(year=2029, status=Programme.Status.DRAFT)
    for year in (2029, 2031):
        response = client.get(f"/api/programmes/{year}")
        assert response.status_code == 404
        assert str(year) in response.json()["detail"]


def test_draft_meeting_is_404(client, programme):
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
    assert client.get(f"/api/meetings/{draft.pk}").status_code == 404


def test_writes_need_an_organiser(client, programme, organiser):
    assert (
        client.post("/api/programmes", {"year": 2030}, content_type="application/json").status_code
        == 401
    )
    bad_key = {"HTTP_AUTHORIZATION": "Bearer pm_forged"}
    assert (
        client.post(
            "/api/programmes", {"year": 2030}, content_type="application/json", **bad_key
        ).status_code
        == 401
    )


def test_session_writes_need_the_csrf_token(organiser, db):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(organiser)
    payload = {"year": 2030, "title_fr": "Programme 2030"}
    refused = browser.post("/api/programmes", payload, content_type="application/json")
    assert refused.status_code == 403
    browser.get("/fr/admin/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/programmes", payload, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201


def test_a_staff_user_outside_the_organisers_group_cannot_write(client, db):
    from django.contrib.auth.models import User

    from meetings.auth import api_key_create

    staff = User.objects.create_user("intern", is_staff=True)
    _key, raw = api_key_create(staff)
    response = client.post(
        "/api/programmes",
        {"year": 2030},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 401


def test_organiser_builds_and_publishes_a_meeting_end_to_end(api_client, programme):
    theme = ThemeFactory(slug="mobilite")
    mayor = PersonFactory(organisation__country="FR")
    burgomaster = PersonFactory(organisation__country="BE")

    response = api_client.post(
        "/api/meetings", {**MEETING, "themes": ["mobilite"]}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["starts_at"] == "2027-05-20T09:30:00+02:00"
    assert created["themes"] == [{"slug": "mobilite", "name": theme.name_fr}]
    url = f"/api/meetings/{created['id']}"

    refused = api_client.post(f"{url}/publish")
    assert refused.status_code == 409
    assert "Belg" in refused.json()["detail"] and "France" in refused.json()["detail"]

    for person in (mayor, burgomaster):
        added = api_client.post(
            f"{url}/cofacilitators", {"person": person.pk}, content_type="application/json"
        )
        assert added.status_code == 201
    published = api_client.post(f"{url}/publish")
    assert published.status_code == 200 and published.json()["sequence"] == 1

    moved = api_client.patch(url, {"venue_city": "Menen"}, content_type="application/json")
    assert moved.json()["sequence"] == 2

    cancelled = api_client.post(
        f"{url}/cancel", {"reason": "Grève"}, content_type="application/json"
    )
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["sequence"] == 3


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ends_at": "2027-05-20T08:00:00"}, "__all__", "end after it starts"),
        ({"capacity": 0}, "__all__", "at least 1"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "/api/docs"),
        ({"time_zone": "../../etc/passwd"}, "time_zone", "/api/docs"),
        ({"host_organisation": 999999}, "host_organisation", "999999"),
        ({"themes": ["nope"]}, "themes", "nope"),
        ({"working_languages": ["de"]}, "working_languages.0", "'nl'"),
    ],
)
def test_bad_meeting_input_is_a_422_and_writes_nothing(
    api_client, programme, change, field, message
):
    response = api_client.post(
        "/api/meetings", {**MEETING, **change}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert message in body["detail"]
    assert field in body["errors"]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "}ä\x8b-þ\U000b4a7f", ""])
def test_a_meeting_moved_to_an_unknown_time_zone_is_a_422_and_stays(api_client, meeting, zone):
    response = api_client.patch(
        f"/api/meetings/{meeting.pk}", {"time_zone": zone}, content_type="application/json"
    )

    assert response.status_code == 422, response.content
    assert "time_zone" in response.json()["errors"]
    assert Meeting.objects.get(pk=meeting.pk).time_zone == meeting.time_zone


def test_unknown_programme_year_on_create_is_404(api_client, programme):
    response = api_client.post(
        "/api/meetings", {**MEETING, "programme": 2042}, content_type="application/json"
    )
    assert response.status_code == 404


def test_organisations_and_people_are_created_and_patched(api_client, db):
    org = api_client.post(
        "/api/organisations",
        {"name": "Comines-Warneton", "kind": "municipality", "country": "BE", "postcode": "7780"},
        content_type="application/json",
    )
    assert org.status_code == 201
    org_id = org.json()["id"]
    person = api_client.post(
        "/api/people",
        {
            "first_name": "Lotte",
            "last_name": "<b>&",
            "email": "lotte@example.be",
            "function": "burgomaster",
            "organisation": org_id,
            "preferred_language": "nl",
        },
        content_type="application/json",
    )
    assert person.status_code == 201 and person.json()["last_name"] == "<b>&"
    patched = api_client.patch(
        f"/api/people/{person.json()['id']}",
        {"phone": "+32 56 00 00 00"},
        content_type="application/json",
    )
    assert patched.json()["phone"] == "+32 56 00 00 00"
    renamed = api_client.patch(
        f"/api/organisations/{org_id}", {"city": "Comines"}, content_type="application/json"
    )
    assert renamed.json()["city"] == "Comines"
    assert Organisation.objects.get().city == "Comines"


def test_bad_person_input_is_explained(api_client, db):
    response = api_client.post(
        "/api/people",
        {
            "first_name": "A",
            "last_name": "B",
            "email": "not-an-email",
            "function": "mayor",
            "preferred_language": "de",
        },
        content_type="application/json",
    )
    # The language is refused by the schema, before the service reads the email.
    assert response.status_code == 422
    assert "preferred_language" in response.json()["errors"]


def test_programme_create_publish_and_duplicate_year(api_client, db):
    created = api_client.post(
        "/api/programmes",
        {"year": 2030, "title_nl": "Programma 2030"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    again = api_client.post(
        "/api/programmes", {"year": 2030, "title_fr": "x"}, content_type="application/json"
    )
    assert again.status_code == 422
    published = api_client.post("/api/programmes/2030/publish")
    assert published.json()["status"] == "published"
    assert api_client.get("/api/programmes/2030?lang=fr").json()["title"] == "Programma 2030"


def test_openapi_documents_the_schemas(client, db):
    schema = client.get("/api/openapi.json").json()
    assert "/api/meetings/{meeting_id}/publish" in schema["paths"]
    assert "MeetingIn" in schema["components"]["schemas"]
    assert client.get("/api/docs").status_code == 200


def test_errors_are_explained_in_the_organisers_language(api_client, programme):
    nl = api_client.post(
        "/api/meetings?lang=nl", {**MEETING, "capacity": 0}, content_type="application/json"
    )
    fr = api_client.post(
        "/api/meetings",
        {**MEETING, "capacity": 0},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert nl.status_code == fr.status_code == 422
    assert "1" in nl.json()["detail"] and "1" in fr.json()["detail"]
    assert (
        len({nl.json()["detail"], fr.json()["detail"], "The capacity must be at least 1 seat."})
        == 3
    )


def test_a_line_break_in_a_name_is_refused_because_names_reach_email_headers(api_client, db):
    response = api_client.post(
        "/api/people",
        {
            "first_name": "Jean\r\nBcc: everyone@example.org",
            "last_name": "Dupont",
            "email": "jean@example.org",
            "function": "mayor",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "first_name" in response.json()["errors"]


def test_cancelling_a_meeting_that_has_started_is_refused_with_a_sentence(
    api_client, started_meeting
):
    response = api_client.post(
        f"/api/meetings/{started_meeting.pk}/cancel",
        {"reason": "Trop tard"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 409
    assert "al begonnen" in response.json()["detail"]
    started_meeting.refresh_from_db()
    assert started_meeting.status == Meeting.Status.PUBLISHED
