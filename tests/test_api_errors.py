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
    assert response.status_code in (400, 422)
    assert isinstance(response.json()["detail"], str)


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
