"""The polls' and word clouds' API: a facilitator builds and reveals, phones answer."""

import xml.dom.minidom

import pytest
from django.test import Client

from meetings.services.signin import person_user
from tests.factories import MeetingFactory, cross_border_pair
from workshops import cloud
from workshops.models import PollAnswer, Round, WordEntry
from workshops.services.plan import round_create
from workshops.services.timer import timer_act
from workshops.services.workshops import workshop_create

from .conftest import HOSTILE, JSON

pytestmark = pytest.mark.django_db


def create_round(client, workshop, **body):
    response = client.post(
        f"/api/workshops/{workshop.pk}/rounds",
        {"title_fr": "Sondage", "title_nl": "Peiling", **body},
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    return response.json()


def add_options(client, round_id, *labels):
    ids = []
    for fr, nl in labels:
        response = client.post(
            f"/api/rounds/{round_id}/options", {"label_fr": fr, "label_nl": nl}, content_type=JSON
        )
        assert response.status_code == 201, response.json()
        ids.append(response.json()["id"])
    return ids


def test_a_multiple_choice_poll_from_creation_to_revealed_bars(
    facilitator_client, workshop, phones
):
    poll = create_round(
        facilitator_client,
        workshop,
        kind="poll",
        poll_mode="multiple",
        poll_max_choices=2,
        results_hidden=True,
    )
    assert (poll["poll_mode"], poll["poll_max_choices"], poll["results_hidden"]) == (
        "multiple",
        2,
        True,
    )
    bus, train, bike = add_options(
        facilitator_client, poll["id"], ("Bus", "Bus"), ("Train", "Trein"), ("Vélo", "Fiets")
    )
    off_the_clock = phones(f"/rounds/{poll['id']}/answers", {"options": [bus]})
    assert off_the_clock.status_code == 409
    timer_act(workshop, "start", round_id=poll["id"])

    read = phones(f"/rounds/{poll['id']}/poll", method="get").json()
    assert [o["label_nl"] for o in read["options"]] == ["Bus", "Trein", "Fiets"]
    assert (read["answered"], read["results_shown"]) == (False, False)
    too_many = phones(f"/rounds/{poll['id']}/answers", {"options": [bus, train, bike]})
    assert too_many.status_code == 422
    assert too_many.json()["detail"] == "Tick at most 2 options."
    answered = phones(f"/rounds/{poll['id']}/answers", {"options": [bus, bike]})
    assert answered.status_code == 201
    assert answered.json()["answered"] is True
    again = phones(f"/rounds/{poll['id']}/answers", {"options": [train]})
    assert again.status_code == 409
    assert again.json()["detail"] == "You have already answered this poll."
    phones(f"/rounds/{poll['id']}/answers", {"options": [bus]}, device="phone-0002")

    results = facilitator_client.get(f"/api/rounds/{poll['id']}/results").json()
    assert results["results_shown"] is False
    assert results["voters"] == 2
    assert [(b["label"]["nl"], b["count"], b["share"]) for b in results["bars"]] == [
        ("Bus", 2, 1.0),
        ("Trein", 0, 0.0),
        ("Fiets", 1, 0.5),
    ]
    revealed = facilitator_client.post(
        f"/api/rounds/{poll['id']}/reveal", {"revealed": True}, content_type=JSON
    )
    assert revealed.json()["results_revealed"] is True
    timer = facilitator_client.get(f"/api/workshops/{workshop.pk}/timer").json()
    assert timer["round"]["results_shown"] is True


def test_a_scale_answered_by_a_facilitator_as_themself(facilitator_client, facilitator, workshop):
    scale = create_round(facilitator_client, workshop, kind="poll", poll_mode="scale")
    timer_act(workshop, "start", round_id=scale["id"])

    off = facilitator_client.post(
        f"/api/rounds/{scale['id']}/answers", {"value": 6}, content_type=JSON
    )
    assert off.status_code == 422
    assert off.json()["errors"] == {"value": ["Off the scale."]}
    facilitator_client.post(f"/api/rounds/{scale['id']}/answers", {"value": 4}, content_type=JSON)

    assert PollAnswer.objects.get().voter == f"user:{facilitator.pk}"
    results = facilitator_client.get(f"/api/rounds/{scale['id']}/results").json()
    assert ([b["count"] for b in results["bars"]], results["mean"]) == ([0, 0, 0, 1, 0], 4.0)


def test_bad_choices_are_refused_with_a_sentence(facilitator_client, workshop):
    bad_mode = facilitator_client.post(
        f"/api/workshops/{workshop.pk}/rounds",
        {"title_fr": "S", "kind": "poll", "poll_mode": "ranking"},
        content_type=JSON,
    )
    assert bad_mode.status_code == 422
    silent = workshop.rounds.get(order=1)
    no_options = facilitator_client.post(
        f"/api/rounds/{silent.pk}/options", {"label_fr": "Oui"}, content_type=JSON
    )
    assert no_options.status_code == 422
    assert no_options.json()["detail"] == "This round is not a poll round."
    no_results = facilitator_client.get(f"/api/rounds/{silent.pk}/results")
    assert no_results.status_code == 422
    assert facilitator_client.get("/api/rounds/999999/results").status_code == 404


def test_phones_answer_but_only_its_facilitators_read_results_and_hide(
    client, facilitator_client, workshop, phones
):
    words = create_round(facilitator_client, workshop, kind="words")
    timer_act(workshop, "start", round_id=words["id"])
    other = MeetingFactory(programme=workshop.meeting.programme)
    foreign = round_create(workshop_create(other, title_fr="Autre"), title_fr="S", kind="poll")

    assert phones(f"/rounds/{words['id']}/results", method="get").status_code == 401
    assert phones(f"/rounds/{words['id']}/words/hide", {"keys": ["x"]}).status_code == 401
    assert Client().get(f"/api/rounds/{words['id']}/poll").status_code == 401
    assert phones(f"/rounds/{foreign.pk}/poll", method="get").status_code == 404
    assert facilitator_client.get(f"/api/rounds/{foreign.pk}/results").status_code == 403
    mayor, _burgomaster = cross_border_pair(other)
    client.force_login(person_user(mayor.person))
    refused = client.post(f"/api/rounds/{words['id']}/reveal", {}, content_type=JSON)
    assert refused.status_code == 403
    assert not Round.objects.get(pk=words["id"]).results_revealed


def test_words_from_phones_make_a_cloud_with_hostile_words_escaped(
    facilitator_client, workshop, phones
):
    words = create_round(facilitator_client, workshop, kind="words")
    timer_act(workshop, "start", round_id=words["id"])

    sent = phones(f"/rounds/{words['id']}/words", {"words": ["Mobilité", HOSTILE[:40]]})
    assert sent.json() == {"words_left": 1}
    phones(f"/rounds/{words['id']}/words", {"words": ["mobilite", "🚲"]}, device="phone-0002")
    over = phones(f"/rounds/{words['id']}/words", {"words": ["a", "b"]})
    assert over.status_code == 409
    too_long = phones(f"/rounds/{words['id']}/words", {"words": ["x" * 41]}, device="p3")
    assert too_long.status_code == 422

    results = facilitator_client.get(f"/api/rounds/{words['id']}/results").json()
    assert results["voters"] == 2
    assert results["words"][0] == {
        "label": "Mobilité",
        "count": 2,
        "keys": ["mobilite"],
        "hidden": False,
    }
    # The site's own output, parsed to prove it is well-formed XML.
    picture = xml.dom.minidom.parseString(results["svg"])  # noqa: S318
    texts = [node.firstChild.data for node in picture.getElementsByTagName("text")]
    assert set(texts) == {"Mobilité", HOSTILE[:40], "🚲"}
    assert "<script>" not in results["svg"]

    hidden = facilitator_client.post(
        f"/api/rounds/{words['id']}/words/hide", {"keys": ["mobilite"]}, content_type=JSON
    )
    assert hidden.json() == {"entries": 2}
    after = facilitator_client.get(f"/api/rounds/{words['id']}/results").json()
    assert [w["hidden"] for w in after["words"] if w["label"] == "Mobilité"] == [True]
    assert "Mobilité" not in after["svg"]
    assert WordEntry.objects.filter(hidden=True).count() == 2


def test_reading_results_costs_the_same_for_many_answers(
    facilitator_client, workshop, django_assert_max_num_queries
):
    poll = create_round(facilitator_client, workshop, kind="poll")
    options = add_options(facilitator_client, poll["id"], *[(f"O{n}", "") for n in range(8)])
    round_ = Round.objects.get(pk=poll["id"])
    PollAnswer.objects.bulk_create(
        PollAnswer(round=round_, voter=f"phone:{n}", option_id=options[n % 8]) for n in range(80)
    )

    # Two of them make its ETag, which spares the rest while nothing changed.
    with django_assert_max_num_queries(9):
        results = facilitator_client.get(f"/api/rounds/{poll['id']}/results").json()
    assert sum(bar["count"] for bar in results["bars"]) == 80


def test_unchanged_results_are_a_304_and_the_cloud_is_not_laid_out_again(
    facilitator_client, workshop, phones, monkeypatch
):
    words = create_round(facilitator_client, workshop, kind="words", results_hidden=True)
    timer_act(workshop, "start", round_id=words["id"])
    phones(f"/rounds/{words['id']}/words", {"words": ["Mobilité", "vélo"]})
    path = f"/api/rounds/{words['id']}/results"

    first = facilitator_client.get(path)
    etag = first["ETag"]
    assert first.status_code == 200 and etag and first["Cache-Control"] == "no-cache"

    def no_layout(*args):
        raise AssertionError("laid out for nothing")

    with monkeypatch.context() as patched:
        patched.setattr(cloud, "svg", no_layout)
        same = facilitator_client.get(path, headers={"If-None-Match": etag})
    assert (same.status_code, same.content, same["ETag"]) == (304, b"", etag)

    seen = {etag}
    for change in [
        lambda: phones(f"/rounds/{words['id']}/words", {"words": ["bus"]}, device="phone-2"),
        lambda: facilitator_client.post(
            f"/api/rounds/{words['id']}/words/hide", {"keys": ["velo"]}, content_type=JSON
        ),
        lambda: facilitator_client.post(
            f"/api/rounds/{words['id']}/reveal", {"revealed": True}, content_type=JSON
        ),
    ]:
        done = change()
        assert done.status_code == 200, done.content
        changed = facilitator_client.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed["ETag"] not in seen
        etag = changed["ETag"]
        seen.add(etag)
    dutch = facilitator_client.get(path, headers={"If-None-Match": etag, "Accept-Language": "nl"})
    assert dutch.status_code == 200  # the cloud's title is in the answer's language


def test_a_new_poll_answer_or_option_changes_the_etag(facilitator_client, workshop, phones):
    poll = create_round(facilitator_client, workshop, kind="poll")
    bus, _train = add_options(facilitator_client, poll["id"], ("Bus", "Bus"), ("Train", "Trein"))
    timer_act(workshop, "start", round_id=poll["id"])
    path = f"/api/rounds/{poll['id']}/results"
    etag = facilitator_client.get(path)["ETag"]
    assert facilitator_client.get(path, headers={"If-None-Match": etag}).status_code == 304
    phones(f"/rounds/{poll['id']}/answers", {"options": [bus]})
    answered = facilitator_client.get(path, headers={"If-None-Match": etag})
    assert answered.status_code == 200 and answered.json()["voters"] == 1
    facilitator_client.patch(f"/api/poll-options/{bus}", {"label_nl": "Autobus"}, content_type=JSON)
    renamed = facilitator_client.get(path, headers={"If-None-Match": answered["ETag"]})
    assert renamed.status_code == 200 and renamed.json()["bars"][0]["label"]["nl"] == "Autobus"


def test_hiding_one_word_and_showing_another_changes_the_etag(facilitator_client, workshop):
    """Which words are hidden, not how many nor any sum of them: the ETag of the cloud with
    "bus" and "train" hidden is not that of the same cloud with "velo" hidden, even where
    the rows' ids add up alike."""
    words = create_round(facilitator_client, workshop, kind="words")
    round_ = Round.objects.get(pk=words["id"])
    for pk, key in ((1001, "bus"), (1002, "train"), (2003, "velo")):
        WordEntry.objects.create(pk=pk, round=round_, voter=f"phone:{key}", text=key, key=key)
    path = f"/api/rounds/{words['id']}/results"

    def hide(keys, hidden=True):
        answer = facilitator_client.post(
            f"/api/rounds/{words['id']}/words/hide",
            {"keys": keys, "hidden": hidden},
            content_type=JSON,
        )
        assert answer.status_code == 200, answer.content
        return facilitator_client.get(path)["ETag"]

    two_hidden = hide(["bus", "train"])
    hide(["bus", "train"], hidden=False)
    one_hidden = hide(["velo"])
    assert two_hidden != one_hidden
    assert facilitator_client.get(path, headers={"If-None-Match": two_hidden}).status_code == 200
