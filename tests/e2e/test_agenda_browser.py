import pytest

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organiser_adds_an_agenda_item_in_the_admin_and_sees_it_on_the_meeting_page(
    live_server, page, meeting, organiser
):
    sign_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/fr/admin/meetings/meeting/{meeting.pk}/change/")
    row = "#id_agenda_items-0"
    page.fill(f"{row}-start", "10:15")
    page.fill(f"{row}-duration_min", "45")
    page.select_option(f"{row}-kind", "site_visit")
    page.fill(f"{row}-title_fr", "Visite de la passerelle <b>&")
    page.fill(f"{row}-title_nl", "Bezoek aan de fietsbrug")
    page.fill(f"{row}-address", "Leiekaai 1, 8930 Menen")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/meetings/meeting/")

    page.goto(f"{live_server.url}/fr/meetings/{meeting.pk}/")
    item = page.locator(".agenda-item")
    assert item.count() == 1
    assert item.locator(".agenda-hours").inner_text() == "10:15–11:00"
    assert "Visite de la passerelle <b>&" in item.inner_text()
    link = item.locator("a", has_text="Voir sur une carte")
    assert link.get_attribute("href").startswith("https://www.openstreetmap.org/search?query=")

    page.click("a[hreflang=nl]")
    page.wait_for_url(f"**/nl/meetings/{meeting.pk}/")
    assert "Bezoek aan de fietsbrug" in page.locator(".agenda-item").inner_text()
