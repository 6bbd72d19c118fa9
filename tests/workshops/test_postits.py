"""Post-its from phones and from paper, their sorting and merging, the suggestions,
and the limits on what phones post.
"""

import pytest
from django.db.models import Count

from workshops.models import Contribution, Vote, Workshop, room_sees
from workshops.services.postits import contribution_update
from workshops.services.tables import table_create
from workshops.services.timer import timer_act
from workshops.services.votes import vote_cast, workshop_vote_set
from workshops.services.workshops import workshop_close, workshop_create

from .conftest import HOSTILE, JSON, device_of, postit

pytestmark = pytest.mark.django_db


def postits_url(workshop) -> str:
    return f"/workshops/{workshop.pk}/contributions"


@pytest.mark.parametrize(
    "text", [HOSTILE, "<b>&amp;</b> & ; , \n second line", "🚲🚌🚆", "é" * 1000]
)
def test_a_phone_post_it_is_stored_as_typed(
    workshop, phone, phones, committed, text, django_assert_max_num_queries
):
    committed(timer_act, workshop, "start")

    # One statement: the INSERT reads the table, its workshop and the round on the clock.
    with django_assert_max_num_queries(1):
        response = phones(postits_url(workshop), {"text": text, "objective": "Moins de voitures"})

    assert response.status_code == 201
    body = response.json()
    stored = Contribution.objects.get()
    assert body["text"] == stored.text == text
    first_round = workshop.rounds.get(order=1)
    table = workshop.tables.order_by("pk").first()
    assert (stored.source, stored.table, stored.round, stored.question_id) == (
        "phone",
        table,
        first_round,
        first_round.question_id,
    )
    assert (body["table_name"], body["votes"], body["voted"]) == (table.name, None, False)
    assert stored.device == device_of(phone())


@pytest.mark.parametrize("actions", [(), ("start", "next")])
def test_a_phone_post_it_answers_the_question_of_the_round_on_the_clock(
    workshop, phones, committed, actions
):
    for action in actions:
        committed(timer_act, workshop, action)
    workshop.refresh_from_db()
    current = workshop.current_round

    response = phones(postits_url(workshop), {"text": "Un bus"})

    assert response.status_code == 201
    stored = Contribution.objects.get()
    expected = (current.pk, current.question_id) if current else (None, None)
    assert (stored.round_id, stored.question_id) == expected
    assert (response.json()["round"], response.json()["question"]) == expected


def test_a_nul_character_is_refused_with_the_field_it_is_in(workshop, phones):
    response = phones(postits_url(workshop), {"text": "Un bus", "author": "\x00Marie"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"author": [response.json()["detail"]]}
    assert "control character" in response.json()["detail"]
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("text", "objective", "author", "message"),
    [
        ("", "", "", "The post-it is empty: write something first."),
        ("  \n ", "", "", "The post-it is empty: write something first."),
        ("é" * 1001, "", "", "A post-it holds at most 1000 characters; this one has 1001."),
        ("Un bus", "x" * 1001, "", "A post-it holds at most 1000 characters; this one has 1001."),
        ("Un bus", "", "M" * 201, "Sign with at most 200 characters."),
    ],
)
def test_an_empty_or_too_long_post_it_is_refused(
    workshop, phones, text, objective, author, message
):
    body = {"text": text, "objective": objective, "author": author}
    response = phones(postits_url(workshop), body)

    assert response.status_code == 422
    assert response.json()["detail"] == message
    assert not Contribution.objects.exists()


def test_a_closed_workshop_takes_no_more_post_its(workshop, phones, facilitator_client):
    workshop_close(workshop)

    from_phone = phones(postits_url(workshop), {"text": "Trop tard"})
    from_paper = facilitator_client.post(
        f"/api{postits_url(workshop)}", {"text": "Trop tard"}, content_type=JSON
    )

    assert from_phone.status_code == from_paper.status_code == 409
    assert from_phone.json()["detail"] == "This workshop is closed: it takes no more changes."
    assert not Contribution.objects.exists()


def test_a_facilitator_transcribes_a_paper_post_it(facilitator_client, workshop, meeting):
    table = workshop.tables.order_by("pk").last()
    question = workshop.questions.get(order=2)
    body = {"text": HOSTILE, "author": "Marie D.", "table": table.pk, "question": question.pk}

    response = facilitator_client.post(f"/api{postits_url(workshop)}", body, content_type=JSON)

    assert response.status_code == 201
    stored = Contribution.objects.get()
    assert (stored.source, stored.table, stored.question, stored.author) == (
        "transcribed",
        table,
        question,
        "Marie D.",
    )
    assert response.json()["votes"] == 0
    foreign = table_create(workshop_create(meeting, title_fr="B"), "Table X")
    refused = facilitator_client.post(
        f"/api{postits_url(workshop)}", {"text": "x", "table": foreign.pk}, content_type=JSON
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"table": ["Unknown id."]}


def test_facilitators_see_every_post_it_and_phones_the_visible_ones_with_their_dots(
    facilitator_client, workshop, phone, phones, django_assert_max_num_queries
):
    kept, hidden, merged, other = (postit(workshop, text) for text in "ABCD")
    contribution_update(hidden, hidden=True)
    contribution_update(merged, merged_into=kept)
    workshop_vote_set(workshop, True)
    vote_cast(kept, f"phone:{device_of(phone())}")
    vote_cast(other, "phone:someone-else")

    with django_assert_max_num_queries(5):
        everything = facilitator_client.get(f"/api{postits_url(workshop)}").json()
    assert [(c["text"], c["hidden"], c["merged_into"], c["votes"]) for c in everything] == [
        ("A", False, None, 1),
        ("B", True, None, 0),
        ("C", False, kept.pk, 0),
        ("D", False, None, 1),
    ]
    # The workshop, the table's token (a cold cache) and the post-its with this phone's dots.
    with django_assert_max_num_queries(3):
        visible = phones(postits_url(workshop), method="get").json()
    assert [(c["text"], c["voted"], c["votes"]) for c in visible] == [
        ("A", True, None),
        ("D", False, None),
    ]
    newer = facilitator_client.get(f"/api{postits_url(workshop)}?since={hidden.pk}").json()
    assert [c["text"] for c in newer] == ["C", "D"]


def test_the_room_sees_a_post_it_neither_hidden_nor_merged_in_a_query_as_in_memory(workshop):
    kept, hidden, merged, hidden_and_merged = (postit(workshop, text) for text in "ABCD")
    contribution_update(hidden, hidden=True)
    contribution_update(merged, merged_into=kept)
    contribution_update(hidden_and_merged, hidden=True, merged_into=kept)

    assert list(workshop.contributions.visible()) == [kept]
    assert [item for item in workshop.contributions.all() if item.is_visible] == [kept]
    counted = Workshop.objects.annotate(
        n=Count("contributions", filter=room_sees("contributions__"))
    )
    assert counted.get(pk=workshop.pk).n == 1


def patch(client, contribution, body):
    return client.patch(f"/api/contributions/{contribution.pk}", body, content_type=JSON)


def test_sort_reword_hide_and_unsort_a_post_it(facilitator_client, workshop):
    item = postit(workshop)
    orientation = workshop.orientations.first()

    sorted_ = patch(facilitator_client, item, {"orientation": orientation.pk}).json()
    assert sorted_["orientation"] == orientation.pk
    reworded = patch(facilitator_client, item, {"text": HOSTILE, "objective": "🙂"}).json()
    assert (reworded["text"], reworded["objective"], reworded["orientation"]) == (
        HOSTILE,
        "🙂",
        orientation.pk,
    )
    assert patch(facilitator_client, item, {"hidden": True}).json()["hidden"] is True
    assert patch(facilitator_client, item, {"orientation": None}).json()["orientation"] is None


def test_merging_moves_the_dots_once_per_voter_and_unmerging_undoes_it(
    facilitator_client, workshop
):
    target, duplicate, third = (postit(workshop, text) for text in ("Bus", "Bus de nuit", "Car"))
    workshop_vote_set(workshop, True)
    for voter in ("phone:a", "phone:b"):
        vote_cast(duplicate, voter)
    vote_cast(target, "phone:a")
    contribution_update(third, merged_into=duplicate)

    merged = patch(facilitator_client, duplicate, {"merged_into": target.pk}).json()

    assert merged["merged_into"] == target.pk
    # The chain is flattened: what was merged into the duplicate now hangs under the target.
    assert Contribution.objects.get(pk=third.pk).merged_into == target
    assert sorted(Vote.objects.filter(contribution=target).values_list("voter", flat=True)) == [
        "phone:a",
        "phone:b",
    ]
    assert patch(facilitator_client, duplicate, {"merged_into": None}).json()["merged_into"] is None


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"merged_into": "self"}, 422, "A post-it cannot be merged into itself."),
        ({"merged_into": 999999}, 422, "There is no contribution with id 999999 in this workshop."),
        ({"orientation": 999999}, 422, "There is no orientation with id 999999 in this workshop."),
        ({"text": " "}, 422, "The post-it is empty: write something first."),
        ({"author": "Moi"}, 422, None),
    ],
)
def test_impossible_sorting_is_refused_and_changes_nothing(
    facilitator_client, workshop, body, status, message
):
    item = postit(workshop)
    if body.get("merged_into") == "self":
        body = {"merged_into": item.pk}
    before = list(Contribution.objects.values())

    response = patch(facilitator_client, item, body)

    assert response.status_code == status
    if message:
        assert response.json()["detail"] == message
    assert list(Contribution.objects.values()) == before


def test_a_phone_posting_to_a_workshop_beyond_any_key_is_told_its_table_is_elsewhere(
    workshop, phones
):
    response = phones(f"/workshops/{2**64}/contributions", {"text": "Un bus de nuit"})

    assert response.status_code == 404
    assert not Contribution.objects.exists()


def test_phones_are_throttled_per_device_and_per_table(workshop, phones, settings):
    settings.WORKSHOP_DEVICE_THROTTLE_RATE = "2/m"
    settings.WORKSHOP_TABLE_THROTTLE_RATE = "3/m"
    url = postits_url(workshop)

    statuses = [phones(url, {"text": f"Idée {n}"}).status_code for n in range(3)]
    assert statuses == [201, 201, 429]
    # The refused third one is not counted against the table: its neighbours still post.
    assert phones(url, {"text": "Autre téléphone"}, device="phone-0002").status_code == 201
    table_full = phones(url, {"text": "Encore"}, device="phone-0003")
    assert table_full.status_code == 429
    assert table_full.json()["detail"] and int(table_full["Retry-After"]) > 0
    assert phones(url, {"text": "Autre table"}, table=1, device="phone-0003").status_code == 201
    assert Contribution.objects.count() == 4


def test_facilitators_are_not_throttled_and_an_empty_rate_turns_the_limit_off(
    facilitator_client, workshop, phones, settings
):
    settings.WORKSHOP_DEVICE_THROTTLE_RATE = "1/m"
    settings.WORKSHOP_TABLE_THROTTLE_RATE = ""
    url = f"/api{postits_url(workshop)}"
    for n in range(3):
        assert facilitator_client.post(url, {"text": f"{n}"}, content_type=JSON).status_code == 201
    assert phones(postits_url(workshop), {"text": "1"}).status_code == 201
    assert phones(postits_url(workshop), {"text": "2"}).status_code == 429
    settings.WORKSHOP_DEVICE_THROTTLE_RATE = ""
    assert phones(postits_url(workshop), {"text": "3"}).status_code == 201


def test_suggestions_are_offered_then_accepted_or_turned_down(facilitator_client, workshop):
    transports = workshop.orientations.get(title_fr="Transports")
    accepted = postit(workshop, "Plus de transports entre les communes")
    declined = postit(workshop, "Des transports la nuit")

    offered = facilitator_client.get(f"/api/workshops/{workshop.pk}/suggestions").json()
    assert {(s["contribution"], s["orientation"]) for s in offered} == {
        (accepted.pk, transports.pk),
        (declined.pk, transports.pk),
    }
    assert all(0 < s["score"] <= 1 for s in offered)

    answer = "/api/contributions/{}/suggestion"
    taken = facilitator_client.post(
        answer.format(accepted.pk),
        {"orientation": transports.pk, "accept": True},
        content_type=JSON,
    ).json()
    assert taken["orientation"] == transports.pk
    refused = facilitator_client.post(
        answer.format(declined.pk),
        {"orientation": transports.pk, "accept": False},
        content_type=JSON,
    ).json()
    assert refused["orientation"] is None
    assert facilitator_client.get(f"/api/workshops/{workshop.pk}/suggestions").json() == []
