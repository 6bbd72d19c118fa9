"""Polls and word clouds: one answer per voter, the mode's limits, results hidden until
revealed, words folded and merged across languages (by the encoder, or by spelling)."""

import pytest

from tests.ticket_factories import RegistrationFactory
from workshops import encoder, selectors
from workshops.errors import InvalidWorkshopData, NotAllowed, VoteRefused, WorkshopClosed
from workshops.models import PollAnswer, Round, TableSeat, WordEntry
from workshops.services.embeddings import workshop_texts_embed
from workshops.services.plan import round_create
from workshops.services.polls import (
    poll_answer,
    poll_option_create,
    poll_option_delete,
    round_results_reveal,
    word_hide,
    word_key,
    words_send,
)
from workshops.services.timer import timer_act
from workshops.services.workshops import workshop_close
from workshops.words import word_groups

pytestmark = pytest.mark.django_db

needs_encoder = pytest.mark.skipif(
    not encoder.available(), reason="the `grouping` extra is not installed"
)


def started(workshop, **fields) -> Round:
    round_ = round_create(workshop, title_fr="Sondage", title_nl="Peiling", **fields)
    timer_act(workshop, "start", round_id=round_.pk)
    return Round.objects.select_related("workshop").get(pk=round_.pk)


def poll(workshop, *labels, **fields) -> tuple[Round, list[int]]:
    round_ = round_create(workshop, title_fr="Sondage", kind="poll", **fields)
    options = [poll_option_create(round_, label_fr=fr, label_nl=nl).pk for fr, nl in labels]
    timer_act(workshop, "start", round_id=round_.pk)
    return Round.objects.select_related("workshop").get(pk=round_.pk), options


BUS_TRAIN = [("Bus", "Bus"), ("Train", "Trein"), ("Vélo", "Fiets")]


def test_one_answer_per_voter_and_the_bars_count_them(workshop):
    round_, (bus, train, _bike) = poll(workshop, *BUS_TRAIN)

    poll_answer(round_, "phone:1", options=[bus])
    poll_answer(round_, "phone:2", options=[bus])
    poll_answer(round_, "user:7", options=[train])
    with pytest.raises(VoteRefused, match="already answered"):
        poll_answer(round_, "phone:1", options=[train])

    results = selectors.poll_results(round_)
    assert results.voters == 3
    assert [(bar.label["nl"], bar.count) for bar in results.bars] == [
        ("Bus", 2),
        ("Trein", 1),
        ("Fiets", 0),
    ]
    assert results.bars[0].share(results.voters) == pytest.approx(2 / 3)


def test_single_choice_takes_one_known_option(workshop, meeting):
    round_, (bus, train, _bike) = poll(workshop, *BUS_TRAIN)
    other = round_create(workshop, title_fr="Autre", kind="poll")
    foreign = poll_option_create(other, label_fr="Autre").pk

    with pytest.raises(InvalidWorkshopData, match="single choice"):
        poll_answer(round_, "phone:1", options=[bus, train])
    with pytest.raises(InvalidWorkshopData, match="not in this poll"):
        poll_answer(round_, "phone:1", options=[foreign])
    with pytest.raises(InvalidWorkshopData, match="Tick an option"):
        poll_answer(round_, "phone:1", options=[])
    with pytest.raises(InvalidWorkshopData, match="Tick an option"):
        poll_answer(round_, "phone:1", value=3)
    with pytest.raises(NotAllowed):
        poll_answer(round_, "", options=[bus])
    assert not PollAnswer.objects.exists()


def test_multiple_choice_up_to_its_limit(workshop):
    round_, (bus, train, bike) = poll(
        workshop, *BUS_TRAIN, poll_mode="multiple", poll_max_choices=2
    )

    with pytest.raises(InvalidWorkshopData, match="at most 2 options"):
        poll_answer(round_, "phone:1", options=[bus, train, bike])
    rows = poll_answer(round_, "phone:1", options=[bus, bike, bike])

    assert len(rows) == 2
    results = selectors.poll_results(round_)
    assert results.voters == 1
    assert [bar.count for bar in results.bars] == [1, 0, 1]


def test_a_limit_only_for_multiple_choice_and_between_1_and_20(workshop):
    with pytest.raises(InvalidWorkshopData, match="Only a multiple-choice poll"):
        round_create(workshop, title_fr="S", kind="poll", poll_max_choices=2)
    with pytest.raises(InvalidWorkshopData, match="between 1 and 20"):
        round_create(workshop, title_fr="S", kind="poll", poll_mode="multiple", poll_max_choices=0)


def test_the_scale_takes_1_to_5_and_its_mean(workshop):
    round_, _ = poll(workshop, poll_mode="scale")

    for value in (0, 6, -1):
        with pytest.raises(InvalidWorkshopData, match="from 1 to 5"):
            poll_answer(round_, "phone:1", value=value)
    with pytest.raises(InvalidWorkshopData, match="with a value from 1 to 5"):
        poll_answer(round_, "phone:1", value=None)
    poll_answer(round_, "phone:1", value=5)
    poll_answer(round_, "phone:2", value=2)
    with pytest.raises(VoteRefused):
        poll_answer(round_, "phone:2", value=4)
    with pytest.raises(InvalidWorkshopData, match="no options to write"):
        poll_option_create(round_, label_fr="Non")

    results = selectors.poll_results(round_)
    assert [bar.count for bar in results.bars] == [0, 1, 0, 0, 1]
    assert results.mean == 3.5


def test_answers_only_while_the_round_is_on_the_clock_and_the_workshop_open(workshop):
    planned = round_create(workshop, title_fr="Plus tard", kind="poll", poll_mode="scale")
    with pytest.raises(VoteRefused, match="not on the clock"):
        poll_answer(planned, "phone:1", value=3)
    round_, _ = poll(workshop, poll_mode="scale")
    timer_act(workshop, "finish")
    with pytest.raises(VoteRefused, match="not on the clock"):
        poll_answer(round_, "phone:1", value=3)
    silent = started(workshop, kind="silent")
    with pytest.raises(InvalidWorkshopData, match="not a poll round"):
        poll_answer(silent, "phone:1", value=3)
    workshop_close(workshop)
    with pytest.raises(WorkshopClosed):
        poll_answer(round_, "phone:2", value=3)


def test_a_tables_phones_answer_at_most_once_per_seat(workshop, meeting):
    table = workshop.tables.first()
    registration = RegistrationFactory(meeting=meeting)
    TableSeat.objects.create(workshop=workshop, table=table, registration=registration)
    round_, _ = poll(workshop, poll_mode="scale")

    poll_answer(round_, "phone:1", value=3, table_id=table.pk)
    with pytest.raises(VoteRefused, match="once per seat"):
        poll_answer(round_, "phone:fresh-identity", value=3, table_id=table.pk)


def test_results_hidden_until_the_facilitator_reveals_them(workshop):
    round_, _ = poll(workshop, *BUS_TRAIN, results_hidden=True)
    assert not round_.results_shown
    assert selectors.timer_state_build(workshop.pk)["round"]["results_shown"] is False

    round_ = round_results_reveal(round_)

    assert round_.results_shown
    assert selectors.timer_state_build(workshop.pk)["round"]["results_shown"] is True
    assert not round_results_reveal(round_, False).results_shown
    silent = started(workshop, kind="silent")
    with pytest.raises(InvalidWorkshopData, match="Only a poll or a word cloud"):
        round_results_reveal(silent)


def test_deleting_an_option_takes_its_answers(workshop):
    round_, (bus, _train, _bike) = poll(workshop, *BUS_TRAIN)
    poll_answer(round_, "phone:1", options=[bus])
    poll_option_delete(round_.poll_options.get(pk=bus))
    assert not PollAnswer.objects.exists()
    assert selectors.poll_results(round_).voters == 0


# --- Words -------------------------------------------------------------------------------


def test_words_are_folded_and_a_voter_sends_three(workshop):
    round_ = started(workshop, kind="words")

    assert words_send(round_, "phone:1", ["Mobilité !", "  mobilite ", "vélo"]) == 1
    assert words_send(round_, "phone:1", ["VÉLO", "Bus"]) == 0
    with pytest.raises(VoteRefused, match="at most 3 words"):
        words_send(round_, "phone:1", ["train"])
    with pytest.raises(InvalidWorkshopData, match="at most 40 characters"):
        words_send(round_, "phone:2", ["x" * 41])
    with pytest.raises(InvalidWorkshopData, match="Write a word"):
        words_send(round_, "phone:2", ["  ", ""])
    words_send(round_, "phone:2", ["mobilité"])

    assert word_key("  Œuvre   d'Art ") == "oeuvre d'art"
    assert word_key("🚲") == "🚲"
    cloud = selectors.word_cloud(round_)
    assert [(g.label, g.count) for g in cloud] == [("Mobilité !", 2), ("Bus", 1), ("vélo", 1)]


def test_hostile_words_are_kept_as_written(workshop):
    round_ = started(workshop, kind="words")
    words_send(round_, "phone:1", ["<b>&</b>", "🚲 vélo"])
    assert {g.label for g in selectors.word_cloud(round_)} == {"<b>&</b>", "🚲 vélo"}


def test_a_hidden_word_stays_hidden_under_later_entries(workshop):
    round_ = started(workshop, kind="words")
    words_send(round_, "phone:1", ["idiot", "bus"])

    assert word_hide(round_, ["IDIOT"]) == 1
    words_send(round_, "phone:2", ["Idiot"])

    assert [g.label for g in selectors.word_cloud(round_)] == ["bus"]
    everything = selectors.word_cloud(round_, with_hidden=True)
    assert [(g.label, g.count, g.hidden) for g in everything] == [
        ("idiot", 2, True),
        ("bus", 1, False),
    ]
    word_hide(round_, everything[0].keys, hidden=False)
    assert not WordEntry.objects.filter(hidden=True).exists()
    with pytest.raises(InvalidWorkshopData):
        word_hide(round_, ["  "])


class Entry:
    def __init__(self, voter, text, hidden=False):
        self.voter, self.text, self.key, self.hidden = voter, text, word_key(text), hidden


def test_without_vectors_spelling_merges_a_word_and_its_neighbour_language():
    entries = [
        Entry("a", "mobilité"),
        Entry("b", "mobiliteit"),
        Entry("c", "Mobiliteit"),
        Entry("b", "mobilité"),  # one voter, both spellings: one voice
        Entry("d", "culture"),
        Entry("e", "cultuur"),
        Entry("f", "bus"),
        Entry("g", "but"),
        Entry("h", "fiets"),
    ]

    groups = word_groups(entries)

    assert [(g.label, g.count) for g in groups] == [
        ("mobilité", 3),
        ("culture", 2),
        ("bus", 1),
        ("but", 1),
        ("fiets", 1),
    ]
    assert groups[0].keys == ["mobilite", "mobiliteit"]  # the first sent of equals leads


@needs_encoder
def test_the_encoder_merges_translations_that_spelling_cannot_see(workshop):
    round_ = started(workshop, kind="words")
    for voter, words in [
        ("phone:1", ["vélo", "emploi"]),
        ("phone:2", ["fiets", "mobilité"]),
        ("phone:3", ["voiture", "mobiliteit"]),
    ]:
        words_send(round_, voter, words)
    before = {g.label: g.count for g in selectors.word_cloud(round_)}
    assert before["vélo"] == 1  # not embedded yet: spelling alone

    workshop_texts_embed(workshop.pk)
    cloud = {g.label: g.count for g in selectors.word_cloud(round_)}

    assert cloud == {"vélo": 2, "mobilité": 2, "emploi": 1, "voiture": 1}
