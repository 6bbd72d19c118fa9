"""A facilitator transcribes paper post-its and sorts them, in a real browser."""

import time

import pytest

from meetings.services.signin import person_user
from tests.e2e.conftest import sign_in
from workshops import devices, encoder
from workshops.models import Contribution
from workshops.services.embeddings import workshop_texts_embed
from workshops.services.orientations import orientation_create
from workshops.services.plan import question_create, round_create
from workshops.services.postits import contribution_create
from workshops.services.tables import table_create
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_transcribe_two_post_its_with_enter_then_sort_them(live_server, page, meeting, tmp_path):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    question = question_create(workshop, text_fr="Comment se déplacer ?")
    round_create(workshop, title_fr="Écriture", duration_s=120, question=question)
    transport = orientation_create(workshop, title_fr="Transports")
    health = orientation_create(workshop, title_fr="Santé")
    sign_in(page, live_server, person_user(meeting.cofacilitators.first().person))

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/en/facilitate/workshops/{workshop.pk}/")
    # The round on the clock gives the transcribed post-its their question.
    page.locator('[data-action="start"]').click()
    page.locator("#timer[data-phase=running]").wait_for()
    # The plan's line of the round says so too, without a reload.
    page.locator(".plan-item .round-state[data-state=running]", has_text="running").wait_for()
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


def test_new_post_its_appear_then_are_merged_hidden_and_filed_as_suggested(
    live_server, page, meeting
):
    workshop = workshop_create(meeting, title_fr="Mobilité")
    transport = orientation_create(workshop, title_fr="Transports en bus")
    first = contribution_create(workshop, text="Un bus de nuit le samedi entre Lille et Courtrai")
    table = table_create(workshop, "Table 1")
    sign_in(page, live_server, person_user(meeting.cofacilitators.first().person))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/en/facilitate/workshops/{workshop.pk}/")

    # A phone posts while the console is open: it appears without a reload. (Through
    # the live server: a write from the test's thread would lock SQLite's tables.)
    phone = page.context.browser.new_context()
    device = devices.device_issue(table.pk, table.token)
    posted = [
        phone.request.post(
            f"{live_server.url}/api/workshops/{workshop.pk}/contributions",
            headers={"X-Table-Token": table.token, "X-Device": device},
            data={"text": text},
        ).json()["id"]
        for text in [
            "Bus de nuit <script>",
            "La météo 🌧",
            "Een nachtbus op zaterdag tussen Rijsel en Kortrijk",
        ]
    ]
    phone.close()
    twin, off_topic, dutch = Contribution.objects.filter(pk__in=posted).order_by("pk")
    page.locator(f'.postit[data-contribution="{off_topic.pk}"]').wait_for()
    assert "Table 1" in page.locator(f'.postit[data-contribution="{twin.pk}"]').inner_text()

    # Merge the twin into the first one, with the keyboard-friendly dialog.
    page.locator(f'.postit[data-contribution="{twin.pk}"] .postit-merge').click()
    page.locator("#merge-target").select_option(str(first.pk))
    page.locator("#merge-dialog button[value=merge]").click()
    page.locator(f'.postit[data-contribution="{first.pk}"] [data-merged="{twin.pk}"]').wait_for()

    # Hide the off-topic one: it leaves the board for the hidden list.
    page.locator(f'.postit[data-contribution="{off_topic.pk}"] .postit-hide').click()
    page.locator(f'#hidden-items .postit[data-contribution="{off_topic.pk}"]').wait_for(
        state="attached"
    )
    assert page.locator("#hidden-count").inner_text() == "1"

    # The suggested grouping files the first one under "Transports en bus".
    page.locator("#suggestions-refresh").click()
    line = page.locator("#suggestions-list li", has_text="Un bus de nuit le samedi")
    line.get_by_role("button", name="Accept").click()
    page.locator(
        f'.board-column[data-orientation="{transport.pk}"] .postit[data-contribution="{first.pk}"]'
    ).wait_for()

    # The Dutch post-it says the same thing: marked on the board, merged in one click.
    if encoder.available():
        page.locator(f'.postit[data-contribution="{dutch.pk}"] .postit-same-idea').wait_for()
        pair = page.locator("#same-ideas-list li", has_text="Een nachtbus op zaterdag")
        pair.get_by_role("button", name="Merge them").click()
        page.locator(
            f'.postit[data-contribution="{first.pk}"] [data-merged="{dutch.pk}"]'
        ).wait_for()

    # The vote's answer is held back until the clock's poll has already shown the vote
    # open: the console must keep showing what was asked, not flip it once more.
    def answered_after_a_poll(route):
        answer = route.fetch()
        time.sleep(2.5)  # the page polls its clock every second meanwhile
        route.fulfill(response=answer)

    page.route("**/vote", answered_after_a_poll)
    with page.expect_response(lambda response: response.url.endswith("/vote")) as answer:
        page.locator("#vote-toggle").click()
    assert answer.value.ok
    page.wait_for_timeout(1500)  # the next polls see the same state: nothing to redraw
    assert page.locator("#vote-toggle").get_attribute("aria-pressed") == "true"

    assert errors == []
    twin.refresh_from_db()
    off_topic.refresh_from_db()
    first.refresh_from_db()
    workshop.refresh_from_db()
    assert twin.merged_into == first
    dutch.refresh_from_db()
    assert dutch.merged_into == (first if encoder.available() else None)
    assert off_topic.hidden
    assert first.orientation == transport
    assert workshop.vote_open


def test_a_facilitator_accepts_a_suggested_orientation_renamed_from_the_keyboard(
    live_server, page, meeting
):
    workshop = workshop_create(meeting, title_fr="Rivières", title_nl="Rivieren")
    for text in [
        "Un plan commun contre les inondations de la Lys",
        "Samen een noodplan tegen overstromingen van de Leie",
        "Un bus de nuit le samedi entre Lille et Courtrai",
        "Een nachtbus op zaterdag tussen Rijsel en Kortrijk",
    ]:
        contribution_create(workshop, text=text, source="transcribed")
    workshop_texts_embed(workshop.pk)
    sign_in(page, live_server, person_user(meeting.cofacilitators.first().person))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/en/facilitate/workshops/{workshop.pk}/")

    page.locator("#proposals-list", has_text="No orientation proposed").wait_for()
    page.get_by_role("button", name="Propose orientations").focus()
    page.keyboard.press("Enter")
    first = page.locator(".proposal").first
    first.locator("legend", has_text="Suggested orientation 1").wait_for()
    title_fr = first.get_by_label("Title in French")
    assert page.evaluate("document.activeElement.name") == "title_fr"
    assert title_fr.input_value()
    assert first.get_by_label("Title in Dutch").input_value()
    filed = [
        Contribution.objects.get(text=text).pk
        for text in first.locator(".proposal-postits li").all_inner_texts()
    ]
    assert len(filed) >= 2

    # Proposing again would replace the pending proposals: it asks first, and a "no"
    # keeps them.
    pending = sorted(workshop.orientation_proposals.values_list("pk", flat=True))
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Propose orientations").click()
    assert "replaces the" in dialogs[0]
    assert sorted(workshop.orientation_proposals.values_list("pk", flat=True)) == pending

    title_fr.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Nos rivières")
    page.keyboard.press("Enter")  # accepts: the page reloads with the new orientation

    page.locator(".board-column h4", has_text="Nos rivières").first.wait_for()
    # Back from the reload, the console says what was done and is on the new column.
    page.locator("#console-status", has_text="“Nos rivières” created").wait_for()
    assert page.evaluate("document.activeElement.textContent") == "Nos rivières"
    [orientation] = workshop.orientations.all()
    assert orientation.title_fr == "Nos rivières" and orientation.title_nl
    assert sorted(orientation.contributions.values_list("pk", flat=True)) == sorted(filed)
    assert errors == []
