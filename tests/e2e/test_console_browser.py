"""A facilitator transcribes paper post-its and sorts them, in a real browser."""

import pytest
from django.conf import settings
from django.test import Client

from meetings.auth import facilitator_user
from workshops import services
from workshops.models import Contribution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    """Give the browser the facilitator's session, as if they had used their emailed link."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


def test_transcribe_two_post_its_with_enter_then_sort_them(live_server, page, meeting, tmp_path):
    workshop = services.workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    question = services.question_create(workshop, text_fr="Comment se déplacer ?")
    services.round_create(workshop, title_fr="Écriture", duration_s=120, question=question)
    transport = services.orientation_create(workshop, title_fr="Transports")
    health = services.orientation_create(workshop, title_fr="Santé")
    sign_in(page, live_server, facilitator_user(meeting.cofacilitators.first().person))

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/en/facilitate/workshops/{workshop.pk}/")
    # The round on the clock gives the transcribed post-its their question.
    page.locator('[data-action="start"]').click()
    page.locator("#timer[data-phase=running]").wait_for()
    assert page.locator("#timer-question").inner_text() == "Comment se déplacer ?"
    field = page.locator("#transcribe-text")
    field.click()
    for words in ["Un bus <b>de nuit</b> & 🚌", "Une maison de santé partagée"]:
        page.keyboard.type(words)
        page.keyboard.press("Enter")
        page.locator(".postit", has_text=words).wait_for()
        assert field.input_value() == ""
        assert page.evaluate("document.activeElement.id") == "transcribe-text"

    bus, house = Contribution.objects.order_by("pk")
    assert (bus.text, bus.source) == ("Un bus <b>de nuit</b> & 🚌", "transcribed")
    assert bus.question == question
    assert house.text == "Une maison de santé partagée"

    # Drag the first onto its orientation's column (the board in view first: a scroll
    # between the press and the move would make the browser drag another post-it).
    page.locator("#board-heading").evaluate("heading => heading.scrollIntoView()")
    unsorted = f'.board-question[data-question="{question.pk}"]'
    page.locator(f'.postit[data-contribution="{bus.pk}"] .postit-text').drag_to(
        page.locator(f'{unsorted} .board-column[data-orientation="{transport.pk}"]')
    )
    page.locator(
        f'.board-column[data-orientation="{transport.pk}"] .postit[data-contribution="{bus.pk}"]'
    ).wait_for()

    # The second by keyboard: its "Move to" list.
    move = page.locator(f'.postit[data-contribution="{house.pk}"] .postit-move')
    move.focus()
    move.select_option(str(health.pk))
    page.locator(
        f'.board-column[data-orientation="{health.pk}"] .postit[data-contribution="{house.pk}"]'
    ).wait_for()
    page.locator("#console-status", has_text="Post-it moved.").wait_for()

    # A reload shows the same board: the server has it all.
    page.reload()
    page.locator(
        f'.board-column[data-orientation="{transport.pk}"] .postit[data-contribution="{bus.pk}"]'
    ).wait_for()
    assert errors == []
    bus.refresh_from_db()
    house.refresh_from_db()
    assert (bus.orientation, house.orientation) == (transport, health)
