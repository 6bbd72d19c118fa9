"""ninja's own refusals come out as sentences a person can act on, in their language."""

from django.test import Client


def test_a_body_of_the_wrong_shape_names_the_field(api_client, programme):
    response = api_client.post(
        "/api/meetings", {"capacity": "many"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Check “")
    assert "capacity" in body["errors"]


def test_a_body_that_is_not_json_says_so(api_client, db):
    response = api_client.post("/api/meetings", "{oops", content_type="application/json")
    assert response.status_code == 400
    assert "JSON object" in response.json()["detail"]


def test_anonymous_writes_are_told_to_sign_in_in_their_language(client, db):
    response = client.post(
        "/api/organisations", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Sign in first")
    dutch = client.post(
        "/api/organisations", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert dutch.json()["detail"] != response.json()["detail"]


def test_a_session_write_without_its_token_is_told_to_reload(organiser, db):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(organiser)
    response = client.post("/api/organisations", {}, content_type="application/json")
    assert response.status_code == 403
    assert "reload the page" in response.json()["detail"]


# --- Failures before or beside any operation: JSON all the same ----------------------


def test_an_unexpected_failure_answers_json_and_keeps_its_text_to_the_log(
    meeting, monkeypatch, caplog
):
    def broken(meeting_id):
        raise RuntimeError("relation meetings_secret does not exist")

    monkeypatch.setattr("meetings.selectors.meeting_get_public", broken)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")

    response = client.get(f"/api/meetings/{meeting.pk}")

    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side; it has been logged. Try again in a moment."
    }
    assert "meetings_secret" in caplog.text


def test_a_page_failure_stays_a_page(db, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr("meetings.programme_page.selectors.programme_index", broken)
    response = Client(raise_request_exception=False).get("/fr/programme/2027/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_a_body_too_large_answers_json_with_the_limit(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = api_client.post(
        "/api/organisations", {"name": "x" * 2048}, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "The request is larger than 1.0\xa0KB: send less at once."}


def test_too_many_fields_answer_json_with_the_limit(api_client, meeting, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10

    response = api_client.get(f"/api/meetings/{meeting.pk}", {f"f{n}": n for n in range(11)})

    assert response.status_code == 400
    assert response.json() == {"detail": "The request has more than 10 fields: send fewer at once."}


def test_an_address_the_api_does_not_have_answers_json(client, db):
    response = client.get("/api/nothing-here", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no such address in the API."}


def test_a_value_outside_the_choices_is_refused_with_the_values_to_use(api_client, db):
    response = api_client.post(
        "/api/organisations",
        {"name": "Kortrijk", "kind": "town hall", "country": "BE"},
        content_type="application/json",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Check “kind”")
    assert "'municipality'" in body["detail"] and "'other'" in body["detail"]


def test_an_unknown_country_points_to_the_documented_codes_rather_than_listing_them(api_client, db):
    response = api_client.post(
        "/api/organisations",
        {"name": "Kortrijk", "kind": "municipality", "country": "<b>&" * 500},
        content_type="application/json",
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("Check “country”")
    assert "/api/docs" in detail
    assert len(detail) < 300
