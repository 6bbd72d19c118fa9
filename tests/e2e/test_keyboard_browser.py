"""Without a mouse: a registration, a door check-in by search, a post-it sorted and
merged, with the Tab, arrow, Space and Enter keys only."""

import pytest

from meetings.services.signin import person_user
from registrations.models import CheckIn, Registration
from tests.e2e.conftest import sign_in
from workshops.models import Contribution
from workshops.services.orientations import orientation_create
from workshops.services.plan import question_create, round_create
from workshops.services.postits import contribution_create
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, most: int = 400) -> None:
    """Press Tab until the focus is on `selector`: the control is reachable by keyboard,
    and the focus shows where it is."""
    for _press in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has no visible focus"
            return
    pytest.fail(f"{selector} is not reachable with Tab")


def test_register_check_in_and_sort_with_the_keyboard_only(live_server, page, meeting, organiser):
    workshop = workshop_create(meeting, title_fr="Mobilité")
    question = question_create(workshop, text_fr="Comment se déplacer ?")
    round_create(workshop, title_fr="Écriture", duration_s=120, question=question)
    transport = orientation_create(workshop, title_fr="Transports")
    bus = contribution_create(workshop, text="Un bus de nuit", question=question)
    twin = contribution_create(workshop, text="Des bus la nuit", question=question)

    # The form: the skip link first, then every field in order.
    page.goto(f"{live_server.url}/nl/meetings/{meeting.pk}/register/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    for selector, typed in [
        ("#id_first_name", "Lotte"),
        ("#id_last_name", "De Smet"),
        ("#id_email", "lotte@kortrijk.example"),
    ]:
        tab_to(page, selector)
        page.keyboard.type(typed)
    tab_to(page, "#id_function")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_organisation_name")
    page.keyboard.type("Stad Kortrijk")
    tab_to(page, "#id_organisation_country")
    page.keyboard.type("Belgi")
    tab_to(page, "#id_privacy_consent")
    page.keyboard.press("Space")
    tab_to(page, "form.registration-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".errorlist").all_inner_texts() == []
    page.locator(".status-confirmed").wait_for()
    registration = Registration.objects.get(email="lotte@kortrijk.example")
    assert registration.function

    # The door: search by name, then check in from the results.
    sign_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/nl/door/meetings/{meeting.pk}/")
    tab_to(page, "#door-search")
    page.keyboard.type("lotte")
    page.keyboard.press("Enter")
    page.locator(".door-person", has_text="Lotte De Smet").wait_for()
    tab_to(page, "button.door-checkin")
    page.keyboard.press("Enter")
    page.locator("#door-result[data-outcome=checked_in]").wait_for()
    assert CheckIn.objects.get().registration == registration

    # The console: a post-it moved with its "Move to" list, its twin merged into it.
    sign_in(page, live_server, person_user(meeting.cofacilitators.first().person))
    page.goto(f"{live_server.url}/nl/facilitate/workshops/{workshop.pk}/")
    tab_to(page, f'.postit[data-contribution="{bus.pk}"] .postit-move')
    page.keyboard.press("ArrowDown")
    page.locator(
        f'.board-column[data-orientation="{transport.pk}"] .postit[data-contribution="{bus.pk}"]'
    ).wait_for()
    tab_to(page, f'.postit[data-contribution="{twin.pk}"] .postit-merge')
    page.keyboard.press("Enter")
    page.locator("#merge-dialog[open]").wait_for()
    if not page.evaluate("document.activeElement.id === 'merge-target'"):
        tab_to(page, "#merge-target")
    page.keyboard.press("ArrowDown")
    assert page.locator("#merge-target").input_value() == str(bus.pk)
    tab_to(page, "#merge-dialog button[value=merge]")
    page.keyboard.press("Enter")
    page.locator(f'.postit[data-contribution="{bus.pk}"] [data-merged="{twin.pk}"]').wait_for()
    bus.refresh_from_db()
    twin.refresh_from_db()
    assert (bus.orientation, twin.merged_into) == (transport, bus)
    assert Contribution.objects.visible().count() == 1
