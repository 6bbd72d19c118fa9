"""An organiser builds the booklet from its page, in a real browser."""

import pytest

from tests.e2e.conftest import sign_in
from workshops.services.postits import contribution_create
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_organiser_builds_the_booklet_and_gets_its_links(
    live_server,
    page,
    meeting,
    organiser,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url  # the link handed out is absolute, on the site's address
    workshop = workshop_create(meeting, title_fr="Mobilité <b>&", title_nl="Mobiliteit")
    contribution_create(workshop, text="Une ligne de bus 🚌", source="transcribed")
    sign_in(page, live_server, organiser)

    page.goto(f"{live_server.url}/en/meetings/{meeting.pk}/booklet/")
    page.locator("button[data-language='fr+nl']").click()
    link = page.locator("#booklet-link")
    link.wait_for(state="visible")
    assert page.locator("#booklet-status").inner_text() == "The booklet is ready."
    assert page.locator("#booklet-progress").get_attribute("value") == "100"

    href = link.get_attribute("href")
    assert href.startswith(f"{live_server.url}/")
    response = page.request.get(href)
    assert response.status == 200 and response.body().startswith(b"%PDF")
    # Its editable copies, beside it, from the same session.
    for kind in ("docx", "odt"):
        copy = page.locator(f"a[data-format='{kind}']")
        assert copy.is_visible()
        copy_href = copy.get_attribute("href")
        assert copy_href.startswith(f"{live_server.url}/") and copy_href.endswith(f".{kind}")
        response = page.request.get(copy_href)
        assert response.status == 200 and response.body().startswith(b"PK")
