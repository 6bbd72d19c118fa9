"""An organiser checks people in at the door, in a real browser."""

from io import BytesIO

import pytest
from PIL import Image

from registrations.models import CheckIn
from registrations.tickets import ticket_qr_png
from tests.e2e.conftest import CHROMIUM, sign_in
from tests.ticket_factories import RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def door_url(live_server, meeting, lang="fr") -> str:
    return f"{live_server.url}/{lang}/door/meetings/{meeting.pk}/"


def test_a_handheld_scanner_checks_a_ticket_in_then_says_it_already_was(
    live_server, page, meeting, organiser
):
    registration = RegistrationFactory(
        meeting=meeting,
        first_name="Jan",
        last_name="Peeters",
        language="nl",
        organisation__name="Stad Kortrijk",
    )
    sign_in(page, live_server, organiser)

    page.goto(door_url(live_server, meeting, "en"))
    banner = page.locator("#door-result")
    assert banner.get_attribute("data-outcome") == "idle"
    assert page.locator("#door-present").inner_text() == "0"

    # A handheld scanner types the code and presses Enter.
    page.locator("#door-code").fill(registration.ticket_secret)
    page.keyboard.press("Enter")
    page.wait_for_selector("#door-result[data-outcome=checked_in]")
    assert "Checked in" in page.locator("#door-result-title").inner_text()
    assert "Jan Peeters (Stad Kortrijk)" in page.locator("#door-result-message").inner_text()
    assert page.locator("#door-present").inner_text() == "1"
    assert page.locator("#door-code").input_value() == ""
    assert CheckIn.objects.get().registration_id == registration.pk

    # The same ticket again, typed the way a person reads it off a printout.
    typed = " ".join(registration.ticket_secret[i : i + 4] for i in range(0, 26, 4)).lower()
    page.locator("#door-code").fill(typed)
    page.keyboard.press("Enter")
    page.wait_for_selector("#door-result[data-outcome=already_checked_in]")
    assert "Already checked in" in page.locator("#door-result-title").inner_text()
    assert "by organiser" in page.locator("#door-result-message").inner_text()
    assert CheckIn.objects.count() == 1


def test_refusals_search_manual_check_in_and_undo(live_server, page, meeting, organiser):
    confirmed = RegistrationFactory(
        meeting=meeting, first_name="Élodie", last_name="Lefèvre", organisation__name="Roubaix"
    )
    cancelled = RegistrationFactory(meeting=meeting, status="cancelled")
    sign_in(page, live_server, organiser)
    page.goto(door_url(live_server, meeting))

    page.locator("#door-code").fill("NOT A TICKET")
    page.keyboard.press("Enter")
    page.wait_for_selector("#door-result[data-outcome=unknown]")

    page.locator("#door-code").fill(cancelled.ticket_secret)
    page.keyboard.press("Enter")
    page.wait_for_selector("#door-result[data-outcome=cancelled]")

    page.locator("#door-search").fill("elodie")
    row = page.locator(".door-person", has_text="Élodie Lefèvre")
    row.locator("button.door-checkin").click()
    page.wait_for_selector("#door-result[data-outcome=checked_in]")
    assert CheckIn.objects.get().method == CheckIn.Method.MANUAL

    page.locator("#door-result-undo").click()
    page.wait_for_selector("#door-result[data-outcome=undone]")
    assert not CheckIn.objects.exists()
    assert page.locator("#door-present").inner_text() == "0"
    page.locator(".door-person button.door-checkin").wait_for()
    assert confirmed.pk


def test_the_door_asks_for_a_sign_in(live_server, page, meeting):
    page.goto(door_url(live_server, meeting))
    page.wait_for_url("**/signin/**")


def _y4m(png: bytes, path) -> None:
    """A one-frame YUV4MPEG2 video of the QR code, for chromium's fake camera."""
    image = Image.open(BytesIO(png)).convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(image.resize((400, 400)), (120, 40))
    chroma = bytes([128]) * (320 * 240)
    header = b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n"
    path.write_bytes(header + b"FRAME\n" + frame.tobytes() + chroma + chroma)


def test_the_camera_reads_a_ticket(live_server, browser, meeting, organiser, tmp_path):
    """Chromium's fake camera films the emailed QR code; the page decodes it (jsQR where
    the browser has no BarcodeDetector, as on desktop Linux) and checks the ticket in."""
    registration = RegistrationFactory(meeting=meeting, first_name="Camille")
    video = tmp_path / "ticket.y4m"
    _y4m(ticket_qr_png(registration), video)
    # A second chromium of the same Playwright, with a camera that films the ticket.
    filming = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = filming.new_context(locale="fr-FR", permissions=["camera"])
        page = context.new_page()
        sign_in(page, live_server, organiser)
        page.goto(door_url(live_server, meeting, "en"))
        page.locator("#door-camera-start").click()
        page.wait_for_selector("#door-result[data-outcome=checked_in]", timeout=20_000)
        assert "Camille" in page.locator("#door-result-message").inner_text()
        # The code stays in front of the camera: it is not sent again and again.
        page.wait_for_timeout(1500)
        assert page.locator("#door-result").get_attribute("data-outcome") == "checked_in"
        page.locator("#door-camera-stop").click()
    finally:
        filming.close()
    assert CheckIn.objects.get().registration == registration
