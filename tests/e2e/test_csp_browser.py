"""The main pages work under the Content-Security-Policy: the browser refuses nothing
they ask for (the `page` fixture fails a test on any refusal it reports)."""

import pytest

from registrations.services.registration import registration_create
from tests.e2e.conftest import csp_violations, sign_in
from tests.registrations.conftest import registration_data
from workshops.services.plan import round_create
from workshops.services.tables import table_create
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_browser_reports_a_refused_inline_script(live_server, browser):
    """The watch the `page` fixture keeps works: an inline script without a nonce is
    refused, and reported."""
    context = browser.new_context()
    page = context.new_page()
    page.route(
        f"{live_server.url}/inline",
        lambda route: route.fulfill(
            body="<!doctype html><script>document.title = 'ran'</script>",
            headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'"},
        ),
    )
    violations = csp_violations(page)

    page.goto(f"{live_server.url}/inline")

    assert page.title() != "ran"
    assert len(violations) == 1
    context.close()


def test_the_main_pages_run_under_the_policy(live_server, page, meeting, organiser):
    registration, _created = registration_create(meeting, data=registration_data())
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    round_create(workshop, title_fr="Écriture", duration_s=120)
    table = table_create(workshop, "Table 1")
    pages = [
        f"/fr/programme/{meeting.programme.year}/",
        f"/fr/meetings/{meeting.pk}/",
        "/nl/archive/",
        f"/nl/meetings/{meeting.pk}/register/",
        f"/fr/r/{registration.manage_token}/",
        "/fr/signin/",
        "/fr/admin/login/",
        f"/nl/t/{table.token}/",
    ]
    for path in pages:
        assert page.goto(live_server.url + path).status == 200, path

    sign_in(page, live_server, organiser)
    for path in [
        "/fr/admin/",
        f"/fr/admin/meetings/meeting/{meeting.pk}/change/",
        f"/fr/door/meetings/{meeting.pk}/",
        f"/fr/meetings/{meeting.pk}/booklet/",
        f"/fr/facilitate/workshops/{workshop.pk}/",
        f"/fr/screen/workshops/{workshop.pk}/",
    ]:
        assert page.goto(live_server.url + path).status == 200, path
        page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/api/docs")
    page.locator("#swagger-ui .info").wait_for()
