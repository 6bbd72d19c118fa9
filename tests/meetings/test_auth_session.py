"""Writes through a session: a caller with none is told to sign in (401), a signed-in
one whose page token is stale to reload (403)."""

import pytest
from django.test import Client


@pytest.fixture
def browser(db):
    """A browser as it really is: Django's CSRF check on, in English."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    "path", ["/api/organisations", "/api/meetings/{meeting}/invitations", "/api/checkins"]
)
def test_an_anonymous_write_is_told_to_sign_in_not_to_reload(browser, meeting, path):
    response = browser.post(path.format(meeting=meeting.pk), {}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Sign in first")


def test_a_signed_in_write_with_a_bad_token_is_told_to_reload(browser, organiser):
    browser.force_login(organiser)

    response = browser.post(
        "/api/organisations", {}, content_type="application/json", HTTP_X_CSRFTOKEN="forged"
    )

    assert response.status_code == 403
    assert "reload the page" in response.json()["detail"]
