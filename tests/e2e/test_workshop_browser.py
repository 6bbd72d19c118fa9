"""A workshop round in a real browser: the console starts it, the projector and a phone
count down together, and a post-it typed on the phone reaches the console's board."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from meetings.services.signin import person_user
from tests.e2e.conftest import sign_in
from workshops.models import Contribution
from workshops.services.plan import question_create, round_create
from workshops.services.tables import table_create
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POSTIT = "Un bus Menin–Halluin toutes les 20 min <b>& 🚌"

# The time left on a page, as the local time its round ends at: two pages read one
# after the other still compare exactly.
ENDS_AT = """() => {
  const el = document.getElementById("countdown");
  return Number(el.dataset.measuredAt) + Number(el.dataset.remainingMs);
}"""


def _url(live_server, name, arg, lang="fr"):
    with translation.override(lang):
        return live_server.url + reverse(name, args=[arg])


# timer.js is a module: its Countdown is reached through the page's own clock.
THROWING_CALLBACK_POLLS = """async () => {
    const clock = new window.workshopClock.constructor({
        url: window.workshopClock.url,
        onChange: () => { throw new Error("a page's bug"); },
    });
    await clock.poll();
    await clock.poll();
    clock.stop();
    return [clock.inFlight, clock.samples.length];
}"""


def test_a_round_runs_on_the_console_projector_and_phone_together(live_server, browser, meeting):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    question = question_create(
        workshop, text_fr="Comment se déplacer ?", text_nl="Hoe verplaatsen we ons?"
    )
    round_create(
        workshop, title_fr="Écriture", title_nl="Schrijven", duration_s=120, question=question
    )
    table = table_create(workshop, "Table 1")
    facilitator = person_user(meeting.cofacilitators.first().person)

    facilitating = browser.new_context(locale="fr-FR")
    phone_context = browser.new_context(
        locale="nl-BE", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        console = facilitating.new_page()
        sign_in(console, live_server, facilitator)
        console.goto(_url(live_server, "facilitate:console", workshop.pk))
        projector = facilitating.new_page()
        projector.goto(_url(live_server, "screen:projector", workshop.pk))
        phone = phone_context.new_page()
        phone.goto(_url(live_server, "screen:phone", table.token, "nl"))
        assert projector.locator("#screen").get_attribute("data-phase") == "idle"

        # 1. The facilitator starts the 2-minute round on the console.
        console.locator('[data-action="start"]').click()

        # 2. Both screens pick it up, and count down to the same instant.
        projector.wait_for_selector('#screen[data-phase="running"]')
        phone.wait_for_selector('#screen[data-phase="running"]')
        projector.wait_for_function("() => window.workshopClock.samples.length >= 2")
        phone.wait_for_function("() => window.workshopClock.samples.length >= 2")
        assert projector.locator("#question-nl").inner_text() == "Hoe verplaatsen we ons?"
        assert phone.locator("#question").inner_text() == "Hoe verplaatsen we ons?"
        projector_end, phone_end = projector.evaluate(ENDS_AT), phone.evaluate(ENDS_AT)
        assert abs(projector_end - phone_end) < 500, (projector_end, phone_end)
        remaining = int(phone.locator("#countdown").get_attribute("data-remaining-ms"))
        assert 60_000 < remaining <= 120_000
        # A page callback that throws does not stop a clock from polling.
        assert projector.evaluate(THROWING_CALLBACK_POLLS) == [False, 2]
        assert re.fullmatch(r"2:00|1:[0-5][0-9]", phone.locator("#countdown").inner_text())

        # 3. A post-it typed on the phone reaches the console's board, as typed.
        phone.locator("#postit-text").fill(POSTIT)
        assert phone.locator("#postit-count").inner_text().endswith(str(1000 - len(POSTIT)))
        phone.locator("#postit-submit").click()
        phone.wait_for_selector("#postit-sent:not([hidden])")
        phone.wait_for_function("() => !document.getElementById('postit-text').value")
        contribution = Contribution.objects.get()
        assert (contribution.text, contribution.table_id) == (POSTIT, table.pk)
        board_item = console.locator(f'.postit[data-contribution="{contribution.pk}"]')
        board_item.wait_for(timeout=15_000)
        assert POSTIT in board_item.inner_text()
        projector.locator(f'#postits .postit[data-contribution="{contribution.pk}"]').wait_for(
            timeout=15_000
        )
    finally:
        phone_context.close()
        facilitating.close()


def test_the_phone_shows_a_refusal_and_sends_a_post_it_whose_answer_was_lost_once(
    live_server, browser, meeting
):
    """A 4xx is the server's sentence, the words kept; a lost answer (the server wrote
    the post-it, the phone heard nothing) is sent again with the same Idempotency-Key
    and answered without a second post-it."""
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    table = table_create(workshop, "Table 1")
    keys, lose_next_answer = [], [False]

    def contributions(route):
        if route.request.method != "POST":
            return route.continue_()
        keys.append(route.request.headers.get("idempotency-key"))
        if lose_next_answer[0]:
            lose_next_answer[0] = False
            route.fetch()  # the server writes it...
            return route.abort("connectionreset")  # ...and the answer never arrives
        return route.continue_()

    context = browser.new_context(locale="fr-FR")
    try:
        phone = context.new_page()
        phone.route(f"**/api/workshops/{workshop.pk}/contributions", contributions)
        phone.goto(_url(live_server, "screen:phone", table.token))
        error = phone.locator("#postit-error")

        too_long = "é" * 1001
        phone.locator("#postit-text").fill(too_long)
        phone.locator("#postit-submit").click()
        error.wait_for()
        assert "1001" in error.inner_text()
        assert phone.locator("#postit-text").input_value() == too_long
        assert not Contribution.objects.exists()

        phone.locator("#postit-text").fill("Un bus de nuit <b>&")
        lose_next_answer[0] = True
        phone.locator("#postit-submit").click()
        with translation.override("fr"):
            no_answer = translation.gettext(
                "No answer from the server: the countdown may be out of date."
            )
        phone.locator("#postit-error", has_text=no_answer).wait_for()
        assert phone.locator("#postit-text").input_value() == "Un bus de nuit <b>&"
        assert Contribution.objects.count() == 1

        phone.locator("#postit-submit").click()
        phone.wait_for_function("() => !document.getElementById('postit-text').value")
        assert Contribution.objects.get().text == "Un bus de nuit <b>&"
        assert keys[1] == keys[2] and keys[0] != keys[1]
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", keys[1]
        )

        # The next post-it, even with the same words, is a new one.
        phone.locator("#postit-text").fill("Un bus de nuit <b>&")
        phone.locator("#postit-submit").click()
        phone.wait_for_function("() => !document.getElementById('postit-text').value")
        assert Contribution.objects.count() == 2
        assert keys[3] != keys[1]
    finally:
        context.close()
