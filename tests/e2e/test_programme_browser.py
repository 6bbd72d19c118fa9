import pytest

from tests.factories import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_burgomaster_filters_the_programme_and_reads_it_in_dutch(live_server, page, meeting):
    french = MeetingFactory(
        programme=meeting.programme,
        venue_country="FR",
        venue_city="Halluin",
        title_fr="Rencontre à Halluin",
        title_nl="Ontmoeting in Halluin",
    )

    page.goto(f"{live_server.url}/fr/programme/2027/")
    assert page.locator("h1").inner_text().startswith("Rencontres de proximité")
    assert page.locator(".meeting").count() == 2

    page.select_option("select[name=country]", "FR")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**country=FR**")
    assert page.locator(".meeting h3 a").all_inner_texts() == [french.title_fr]

    page.click("a[hreflang=nl]")
    page.wait_for_url("**/nl/programme/2027/**")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator(".meeting h3 a").all_inner_texts() == [french.title_nl]

    page.click(f"text={french.title_nl}")
    page.wait_for_url(f"**/nl/meetings/{french.pk}/")
    assert "Halluin" in page.locator(".where").inner_text()
