"""The room's voice in a real browser: two phones answer a poll and send words, the
projector shows the bars once revealed, then the cloud drawn on the server."""

import pytest
from django.urls import reverse
from django.utils import translation

from meetings.services.signin import person_user
from tests.e2e.conftest import csp_violations, sign_in
from workshops.models import PollAnswer, WordEntry
from workshops.services.plan import round_create
from workshops.services.polls import poll_option_create, round_results_reveal
from workshops.services.tables import table_create
from workshops.services.timer import timer_act
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _url(live_server, name, arg, lang="fr"):
    with translation.override(lang):
        return live_server.url + reverse(name, args=[arg])


def test_two_phones_answer_a_poll_and_a_words_round_on_the_projector(live_server, browser, meeting):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    poll = round_create(
        workshop, title_fr="Votre mode", title_nl="Uw vervoer", kind="poll", results_hidden=True
    )
    for fr, nl in [("Bus", "Bus"), ("Vélo", "Fiets"), ("Voiture", "Auto")]:
        poll_option_create(poll, label_fr=fr, label_nl=nl)
    words = round_create(workshop, title_fr="Un mot", title_nl="Eén woord", kind="words")
    table = table_create(workshop, "Table 1")
    facilitator = person_user(meeting.cofacilitators.first().person)
    timer_act(workshop, "start", round_id=poll.pk)

    facilitating = browser.new_context(locale="fr-FR")
    phones = [
        browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True)
        for locale in ("fr-FR", "nl-BE")
    ]
    try:
        projector = facilitating.new_page()
        refused = csp_violations(projector)
        sign_in(projector, live_server, facilitator)
        projector.goto(_url(live_server, "screen:projector", workshop.pk))
        french, dutch = (context.new_page() for context in phones)
        french.goto(_url(live_server, "screen:phone", table.token, "fr"))
        dutch.goto(_url(live_server, "screen:phone", table.token, "nl"))

        # 1. Both phones get the poll, each in its language, and answer it once.
        dutch.locator("#poll-choices label", has_text="Fiets").click()
        dutch.locator("#poll-submit").click()
        dutch.wait_for_selector("#poll-done:not([hidden])")
        assert dutch.locator("#postit-form").is_hidden()
        french.locator("#poll-choices label", has_text="Vélo").click()
        french.locator("#poll-submit").click()
        french.wait_for_selector("#poll-done:not([hidden])")
        assert PollAnswer.objects.count() == 2
        # A reload keeps the phone's identity: it is told it has answered.
        dutch.reload()
        dutch.wait_for_selector("#poll-done:not([hidden])")
        assert dutch.locator("#poll-form").is_hidden()

        # 2. The projector counts the answers, and shows the bars once revealed.
        projector.wait_for_selector("#voice-count:has-text('2')")
        assert projector.locator("#voice-waiting").is_visible()
        assert projector.locator("#poll-chart li").count() == 0
        round_results_reveal(poll)
        projector.wait_for_selector("#poll-chart li", timeout=15_000)
        bars = projector.locator("#poll-chart li").all_inner_texts()
        assert [bar.split("\n")[-1] for bar in bars] == ["0 (0 %)", "2 (100 %)", "0 (0 %)"]
        assert "Vélo / Fiets" in bars[1]

        # 3. The words round: each phone sends words in its language; the cloud merges
        # "mobilité" and "mobiliteit" into one word with two voices.
        timer_act(workshop, "start", round_id=words.pk)
        french.wait_for_selector("#poll-word-3")
        french.locator("#poll-word-1").fill("Mobilité")
        french.locator("#poll-word-2").fill("<b>& 🚲")
        french.locator("#poll-submit").click()
        french.wait_for_selector("#poll-done:not([hidden])")
        dutch.wait_for_selector("#poll-word-1")
        dutch.locator("#poll-word-1").fill("mobiliteit")
        dutch.locator("#poll-submit").click()
        dutch.wait_for_selector("#poll-done:not([hidden])")
        assert WordEntry.objects.count() == 3

        cloud = projector.locator("#voice-cloud")
        projector.wait_for_function(
            "() => document.getElementById('voice-cloud').alt.includes('Mobilité (2)')",
            timeout=15_000,
        )
        projector.wait_for_function(
            "() => document.getElementById('voice-cloud').complete"
            " && document.getElementById('voice-cloud').naturalWidth > 0"
        )
        assert cloud.is_visible()
        alt = cloud.get_attribute("alt")
        assert "Mobilité (2)" in alt and "<b>& 🚲 (1)" in alt
        assert "mobiliteit" not in alt

        # While nothing changes, the projector's polls are answered 304: nothing is
        # redrawn and the cloud's picture is not fetched again.
        # (From the first 304 on: the words' vectors, stored by a job after their commit,
        # may still change the results once before that.)
        projector.wait_for_event(
            "response", lambda r: r.url.endswith("/results") and r.status == 304, timeout=15_000
        )
        answers = []
        projector.on("response", lambda r: answers.append((r.url, r.status)))
        projector.wait_for_timeout(6_000)
        results = [status for url, status in answers if url.endswith("/results")]
        assert results and set(results) == {304}
        assert not [url for url, _status in answers if "cloud.svg" in url]
        assert cloud.get_attribute("alt") == alt
        assert refused == []
    finally:
        for context in (*phones, facilitating):
            context.close()
