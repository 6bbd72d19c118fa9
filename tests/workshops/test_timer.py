"""The shared countdown: its actions and their refusals, what screens poll (cheaply,
with 304s), and two facilitators pressing at once."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from ninja.operation import Operation

from workshops import selectors
from workshops.models import ROUND_MAX_DURATION_S, Round
from workshops.services import timer
from workshops.services.plan import question_update, round_create, round_update
from workshops.services.timer import timer_act, timer_state
from workshops.services.workshops import workshop_create, workshop_update

pytestmark = pytest.mark.django_db


def timer_url(workshop) -> str:
    return f"/api/workshops/{workshop.pk}/timer"


def press(client, workshop, action, **body):
    return client.post(
        timer_url(workshop), {"action": action, **body}, content_type="application/json"
    )


def test_before_the_first_start_screens_see_an_idle_clock(facilitator_client, workshop):
    body = facilitator_client.get(timer_url(workshop)).json()

    assert body["round"] is None
    assert (body["state"], body["remaining_s"], body["version"]) == ("idle", 0.0, 0)
    assert (body["workshop_status"], body["vote_open"], body["vote_limit"]) == ("open", False, 2)
    assert body["server_now"] and body["ends_at"] is None


def test_start_runs_the_first_round_with_its_question_in_both_languages(
    facilitator_client, workshop
):
    body = press(facilitator_client, workshop, "start").json()

    first = workshop.rounds.get(order=1)
    assert body["round"] == {
        "id": first.pk,
        "title": {"fr": "Écriture", "nl": "Écriture"},
        "kind": "silent",
        "results_shown": True,
        "question": {
            "id": first.question_id,
            "text": {"fr": "Comment relier nos communes ?", "nl": "Hoe verbinden we?"},
        },
    }
    assert body["state"] == "running"
    assert 299 < body["remaining_s"] <= 300
    assert body["ends_at"] and body["version"] == 2


def test_pause_extend_resume_finish_next_and_reset(facilitator_client, workshop, committed):
    press(facilitator_client, workshop, "start")

    paused = press(facilitator_client, workshop, "pause").json()
    assert (paused["state"], paused["ends_at"]) == ("paused", None)
    extended = press(facilitator_client, workshop, "extend", seconds=60).json()
    assert extended["remaining_s"] == pytest.approx(paused["remaining_s"] + 60)
    assert press(facilitator_client, workshop, "resume").json()["state"] == "running"
    assert press(facilitator_client, workshop, "finish").json()["state"] == "finished"
    after = press(facilitator_client, workshop, "next").json()
    assert (after["round"]["title"]["fr"], after["state"]) == ("Discussion", "running")
    reset = press(facilitator_client, workshop, "reset").json()
    assert (reset["state"], reset["remaining_s"]) == ("planned", 300.0)
    chosen = workshop.rounds.get(order=3)
    started = press(facilitator_client, workshop, "start", round=chosen.pk).json()
    assert started["round"]["id"] == chosen.pk
    assert workshop.rounds.get(order=2).state == Round.State.PLANNED


@pytest.mark.parametrize(
    ("setup", "action", "body", "status", "message"),
    [
        (["start", "finish"], "pause", {}, 409, "This round is finished"),
        (["start", "finish"], "extend", {"seconds": 30}, 409, "This round is finished"),
        (["start"], "extend", {"seconds": -30}, 422, "Add between 1 second and 60 minutes."),
        (["start"], "extend", {"seconds": 3601}, 422, "Add between 1 second and 60 minutes."),
        (["start"], "extend", {}, 422, "Add between 1 second and 60 minutes."),
        ([], "pause", {}, 409, "No round has started yet"),
        (["start", "next", "next"], "next", {}, 409, "There is no next round"),
    ],
)
def test_what_the_rounds_state_does_not_allow_is_refused_and_changes_nothing(
    facilitator_client, workshop, setup, action, body, status, message
):
    for step in setup:
        assert press(facilitator_client, workshop, step).status_code == 200
    before = list(workshop.rounds.values_list("state", "version", "ends_at"))

    response = press(facilitator_client, workshop, action, **body)

    assert response.status_code == status
    assert response.json()["detail"].startswith(message)
    assert list(workshop.rounds.values_list("state", "version", "ends_at")) == before


def test_unknown_actions_and_other_workshops_rounds_are_refused(
    facilitator_client, workshop, meeting
):
    other = workshop_create(meeting, title_fr="Autre")
    foreign = round_create(other, title_fr="Ailleurs")

    assert press(facilitator_client, workshop, "explode").status_code == 422
    response = press(facilitator_client, workshop, "start", round=foreign.pk)
    assert response.status_code == 422
    assert response.json()["errors"] == {"round": ["Not found."]}


def test_a_closed_workshop_keeps_its_clock_stopped(facilitator_client, workshop):
    press(facilitator_client, workshop, "start")
    facilitator_client.post(f"/api/workshops/{workshop.pk}/close")

    response = press(facilitator_client, workshop, "resume")

    assert response.status_code == 409
    assert response.json()["detail"] == "This workshop is closed: it takes no more changes."
    assert workshop.rounds.get(order=1).state == Round.State.FINISHED


# --- Polling --------------------------------------------------------------------------


def test_phones_poll_with_no_query_once_warm_and_get_304_while_nothing_changes(
    client, workshop, phone, committed, django_assert_max_num_queries
):
    committed(timer_act, workshop, "start")
    first = client.get(timer_url(workshop), headers=phone())
    assert first.status_code == 200
    etag = first["ETag"]

    with django_assert_max_num_queries(0):
        again = client.get(timer_url(workshop), headers=phone(0, "other-phone"))
        unchanged = client.get(timer_url(workshop), headers={**phone(), "If-None-Match": etag})

    assert again.status_code == 200 and again["ETag"] == etag
    assert unchanged.status_code == 304 and unchanged.content == b""
    committed(timer_act, workshop, "pause")
    changed = client.get(timer_url(workshop), headers={**phone(), "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["state"] == "paused" and changed["ETag"] != etag


def test_a_phone_holding_the_clock_it_was_just_given_costs_no_cache_read(
    client, workshop, phone, committed, monkeypatch
):
    """Without a memory Redis keeps true (LocMem, or several Redis servers), the process
    that read the clock for a table answers a phone sending that ETag from memory for
    `TIMER_LOCAL_S`; a phone without it, or with another one, reads the cache, so none is
    ever given an older clock than it holds. (With one Redis,
    tests/integration/test_tracked_memory.py.) Run on whichever cache the suite has."""
    monkeypatch.setattr(timer._clocks, "tracking", lambda cache=None: False)
    committed(timer_act, workshop, "start")
    reads = []
    shared = timer.cache

    class Counted:
        def get_many(self, keys):
            reads.append(keys)
            return shared.get_many(keys)

        def __getattr__(self, name):
            return getattr(shared, name)

    monkeypatch.setattr(timer, "cache", Counted())
    etag = client.get(timer_url(workshop), headers=phone())["ETag"]
    assert len(reads) == 1

    holding = {**phone(0, "another-phone"), "If-None-Match": etag}
    assert client.get(timer_url(workshop), headers=holding).status_code == 304
    assert len(reads) == 1
    assert client.get(timer_url(workshop), headers=phone()).status_code == 200
    older = {**phone(), "If-None-Match": '"0-older"'}
    assert client.get(timer_url(workshop), headers=older).status_code == 200
    other_table = {**phone(1), "If-None-Match": etag}
    assert client.get(timer_url(workshop), headers=other_table).status_code == 304
    assert len(reads) == 4

    # A change made in another process reaches this one's phones once the memory ends.
    before = timer_state(workshop.pk)
    state = dict(before, etag='"changed"', version=before["version"] + 1)
    shared.set(timer._timer_key(workshop.pk), state)
    assert client.get(timer_url(workshop), headers=holding).status_code == 304
    later = timer.monotonic() + timer.TIMER_LOCAL_S
    monkeypatch.setattr(timer, "monotonic", lambda: later)
    changed = client.get(timer_url(workshop), headers=holding)
    assert changed.status_code == 200 and changed.json()["version"] == state["version"]


def test_only_a_phone_in_order_skips_the_operation_and_gets_the_same_answer(
    client, facilitator_client, workshop, phone, committed, monkeypatch
):
    """`workshops.timer_poll` answers a phone of this workshop with a valid identity;
    every other caller reaches the documented operation, which says what is wrong."""
    committed(timer_act, workshop, "start")
    runs = []
    run = Operation.run

    def counted(self, request, *args, **kwargs):
        runs.append(self.view_func.__name__)
        return run(self, request, *args, **kwargs)

    monkeypatch.setattr(Operation, "run", counted)
    polled = client.get(timer_url(workshop), headers=phone())
    etag = polled["ETag"]
    held = client.get(timer_url(workshop), headers={**phone(), "If-None-Match": etag})
    assert (polled.status_code, held.status_code, held["ETag"], runs) == (200, 304, etag, [])

    seen = facilitator_client.get(timer_url(workshop))
    assert seen.json()["state"] == polled.json()["state"] == "running"
    assert seen["ETag"] == etag and runs == ["timer_read"]
    forged = client.get(timer_url(workshop), headers={**phone(), "X-Device": "made-up"})
    assert forged.status_code == 422 and runs[-1] == "timer_read"
    assert press(facilitator_client, workshop, "pause").status_code == 200
    assert runs[-1] == "timer_act"


def test_a_facilitator_poll_costs_only_the_session_and_the_meeting_check(
    facilitator_client, workshop, django_assert_max_num_queries
):
    facilitator_client.get(timer_url(workshop))
    with django_assert_max_num_queries(3):
        assert facilitator_client.get(timer_url(workshop)).status_code == 200


def test_changes_to_the_plan_reach_the_screens(facilitator_client, workshop, committed):
    press(facilitator_client, workshop, "start")
    first = workshop.rounds.get(order=1)
    assert timer_state(workshop.pk)["vote_limit"] == 2

    committed(workshop_update, workshop, vote_limit=5)
    committed(round_update, first, title_nl="Schrijven")
    committed(question_update, first.question, text_fr="Quels trajets ?")

    state = timer_state(workshop.pk)
    assert state["vote_limit"] == 5
    assert state["round"]["title"] == {"fr": "Écriture", "nl": "Schrijven"}
    assert state["round"]["question"]["text"]["fr"] == "Quels trajets ?"


def test_a_poll_that_read_before_a_change_cannot_put_the_old_state_back(
    workshop, committed, monkeypatch
):
    """The poll misses the cache and reads the database; the change commits and caches
    its state; only then does the poll write what it read."""
    build = selectors.timer_state_build

    def poll_read_then_change(workshop_id):
        monkeypatch.setattr(selectors, "timer_state_build", build)
        old = build(workshop_id)
        committed(timer_act, workshop, "start")
        return old

    monkeypatch.setattr(selectors, "timer_state_build", poll_read_then_change)

    assert timer_state(workshop.pk)["state"] == "idle"
    assert timer_state(workshop.pk)["state"] == "running"


def test_screens_count_down_from_the_same_time_left_as_the_round_itself(workshop):
    """The cached state and the row compute the time left with the same rule."""
    later = timezone.now() + timedelta(seconds=42)
    for action in ("start", "pause", "extend", "resume", "finish"):
        round_ = timer_act(workshop, action, **({"seconds": 60} if action == "extend" else {}))
        cached = selectors.timer_remaining_s(selectors.timer_state_build(workshop.pk), later)
        assert cached == round_.remaining_s(later), action
    assert round_.remaining_s(later) == 0.0


def test_the_polled_json_is_the_body_the_pages_paint_as_each_clock_changes(workshop):
    """Its fixed part is serialised once per clock: each change must show in it."""
    later = timezone.now() + timedelta(seconds=42)
    for action in ("start", "pause", "extend", "resume", "finish", "next"):
        timer_act(workshop, action, **({"seconds": 60} if action == "extend" else {}))
        state = selectors.timer_state_build(workshop.pk)
        polled = json.loads(selectors.timer_json(state, later))
        assert polled == selectors.timer_body(state, later), action


def test_time_added_to_a_reset_round_stops_at_the_longest_a_round_may_last(workshop):
    timer_act(workshop, "start")
    timer_act(workshop, "reset")
    for _press in range(ROUND_MAX_DURATION_S // 3600 + 1):
        round_ = timer_act(workshop, "extend", seconds=3600)
    assert round_.duration_s == ROUND_MAX_DURATION_S


# --- Two facilitators at once -------------------------------------------------------------


def test_a_second_press_of_pause_changes_nothing(workshop):
    timer_act(workshop, "start")
    first = timer_act(workshop, "pause")
    second = timer_act(workshop, "pause")

    assert (second.state, second.version) == (Round.State.PAUSED, first.version)
    assert second.paused_remaining_s == first.paused_remaining_s


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writes: no race to test"
)
def test_two_facilitators_pressing_pause_at_once_leave_one_paused_round(meeting):
    workshop = workshop_create(meeting, title_fr="Course")
    round_create(workshop, title_fr="Tour")
    timer_act(workshop, "start")
    barrier, results = threading.Barrier(2), []

    def facilitator_presses():
        barrier.wait()
        try:
            results.append(timer_act(workshop, "pause"))
        finally:
            connection.close()

    threads = [threading.Thread(target=facilitator_presses) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    round_ = workshop.rounds.get()
    assert round_.state == Round.State.PAUSED
    # One press paused (version 2 → 3); the other found it paused and left it.
    assert round_.version == 3
    assert {r.version for r in results} == {3}
    assert {r.paused_remaining_s for r in results} == {round_.paused_remaining_s}


@pytest.mark.parametrize("action", ["start", "pause", "extend"])
def test_seconds_outside_their_bounds_are_refused_whatever_the_action(
    facilitator_client, workshop, action
):
    """The document bounds `seconds` on every action: 3601 is no value a start ignores."""
    response = facilitator_client.post(
        f"/api/workshops/{workshop.pk}/timer",
        {"action": action, "seconds": 3601},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "Add between 1 second and 60 minutes."
    assert not workshop.rounds.exclude(state="planned").exists()
