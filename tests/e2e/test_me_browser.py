"""A participant outside the directory signs in by the link emailed to them, finds their
contact list in their own space, and withdraws their consent, in a real browser."""

import pytest
from django.core import mail

from registrations.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_signs_in_by_email_and_withdraws_contact_sharing(
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
