"""A participant, signed in, downloads their data, then erases it and is signed out."""

import json

import pytest

from registrations.models import Registration
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_then_erase(live_server, page, subject_world):
    sign_in(page, live_server, subject_world["user"])
    page.goto(f"{live_server.url}/fr/me/data/")
    assert page.get_by_role("heading", name="Vos données", exact=True).is_visible()
    assert page.get_by_text("Marie <b>& Dupont 🌻").first.is_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Tout télécharger (JSON)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert len(data["registrations"]) == 2 and data["contributions"][0]["text"] == "Un bus de nuit"

    page.get_by_role("link", name="Effacer mes données…").click()
    page.get_by_role("button", name="Effacer mes données", exact=True).click()
    assert page.get_by_role("heading", name="Vos données ont été effacées").is_visible()
    assert not Registration.objects.filter(email__iexact="marie.dupont@lille.example").exists()

    page.goto(f"{live_server.url}/fr/me/data/")
    assert "/fr/signin/" in page.url
