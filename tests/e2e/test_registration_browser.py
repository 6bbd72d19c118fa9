"""The whole door-to-door journey of a Flemish alderman, in a real browser."""

import pytest
from django.utils import translation

from registrations.models import CheckIn, Registration
from tests.e2e.conftest import sign_in
from tests.e2e.test_door_browser import door_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _nl(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def test_register_in_dutch_then_get_checked_in_once(live_server, page, meeting, organiser):
    page.goto(f"{live_server.url}/nl/meetings/{meeting.pk}/register/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.fill("input[name=first_name]", "Lotte")
    page.fill("input[name=last_name]", "De Smet <b>&")
    page.fill("input[name=email]", "lotte.desmet@example.be")
    page.select_option("select[name=function]", "alderman")
    page.fill("input[name=organisation_name]", "Gemeente Spiere-Helkijn")
    page.select_option("select[name=organisation_country]", "BE")
    page.check("input[name=language][value=nl]")
    page.check("input[name=privacy_consent]")
    page.click("form.registration-form button[type=submit]")

    page.wait_for_selector(".status-confirmed")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == _nl("My registration")
    assert page.locator(".registrant").inner_text() == "Lotte De Smet <b>&"
    assert (
        page.locator(".status-confirmed").inner_text().lower().startswith(_nl("confirmed").lower())
    )
    qr = page.locator("img.ticket-qr")
    # The page is shown before its image has loaded: wait for the image, which times out
    # (and fails) if it never decodes.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())

    registration = Registration.objects.get(email="lotte.desmet@example.be")
    assert registration.language == "nl"

    sign_in(page, live_server, organiser)
    page.goto(door_url(live_server, meeting, "nl"))
    for expected in ("checked_in", "already_checked_in"):
        page.locator("#door-code").fill(registration.ticket_secret)
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#door-result[data-outcome={expected}]")
    assert CheckIn.objects.filter(registration=registration).count() == 1
