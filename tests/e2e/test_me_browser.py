"""A participant outside the directory signs in by the link emailed to them, finds their
contact list in their own space, withdraws their consent, takes their data away and
erases it, in a real browser."""

import json

import pytest
from django.core import mail

from registrations.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_signs_in_by_email_withdraws_consent_takes_their_data_and_erases_it(
    live_server, page, contact_meeting
):
    page.goto(f"{live_server.url}/fr/signin/")
    page.fill("#signin-email", "Sofie.Claes@menen.example")
    page.click("button[type=submit]")
    page.wait_for_selector("p.notice[role=status]")

    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/signin/" in line).strip()
    page.goto(live_server.url + link.split("127.0.0.1:8000", 1)[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/nl/me/")

    assert page.locator("h1").inner_text() == "Mijn ruimte"
    meeting = contact_meeting["meeting"]
    pdf = page.locator(f"a[href='/nl/me/meetings/{meeting.pk}/contacts.pdf']")
    assert pdf.count() == 1
    response = page.request.get(live_server.url + pdf.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")

    page.click("text=Mijn toestemming om mijn gegevens te delen intrekken")
    page.wait_for_selector(".messages")
    assert "niet worden teruggehaald" in page.locator(".messages").inner_text()
    assert page.locator(f"a[href='/nl/me/meetings/{meeting.pk}/contacts.pdf']").count() == 0
    assert not Registration.objects.get(pk=contact_meeting["sofie"].pk).share_contact

    page.goto(f"{live_server.url}/nl/me/data/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Alles downloaden (JSON)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert [r["email"].lower() for r in data["registrations"]] == ["sofie.claes@menen.example"]

    page.get_by_role("link", name="Mijn gegevens wissen…").click()
    page.get_by_role("button", name="Mijn gegevens wissen", exact=True).click()
    assert page.get_by_role("heading", name="Uw gegevens werden gewist").is_visible()
    assert not Registration.objects.filter(email__iexact="sofie.claes@menen.example").exists()
    page.goto(f"{live_server.url}/nl/me/")
    assert "/nl/signin/" in page.url
