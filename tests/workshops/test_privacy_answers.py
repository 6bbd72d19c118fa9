"""Poll answers and words in each person's data rights: shown and downloaded with the
rest, made anonymous by an erasure and by retention, still counted afterwards."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Erasure
from workshops import selectors
from workshops.models import PollAnswer, Round, WordEntry, Workshop
from workshops.services.plan import round_create
from workshops.services.polls import poll_answer, poll_option_create, words_send
from workshops.services.postits import contribution_create
from workshops.services.privacy import ANONYMOUS_VOTER, subject_erase
from workshops.services.retention import retention_apply
from workshops.services.timer import timer_act
from workshops.subject import subject_export, subject_of_user

pytestmark = pytest.mark.django_db

MARIE_PHONE, JAN_PHONE = "phone:1.marie-phone", "phone:1.jan-phone"


def _started(workshop, **fields) -> Round:
    round_ = round_create(workshop, **fields)
    if fields.get("kind") == "poll":
        for fr, nl in [("Bus", "Bus"), ("Vélo", "Fiets")]:
            poll_option_create(round_, label_fr=fr, label_nl=nl)
    timer_act(workshop, "start", round_id=round_.pk)
    return Round.objects.select_related("workshop").get(pk=round_.pk)


@pytest.fixture
def answers(subject_world):
    """Marie answers a poll from her account and words from the phone that posted her
    signed post-it; Jan from his own phone."""
    world = subject_world
    workshop = Workshop.objects.get(meeting=world["meeting"])
    contribution_create(
        workshop, text="Un tram", author="Marie <b>& Dupont 🌻", device=MARIE_PHONE[6:]
    )
    contribution_create(workshop, text="Een tram", author="Jan Peeters", device=JAN_PHONE[6:])
    poll = _started(workshop, title_fr="Sondage", kind="poll")
    bus, bike = poll.poll_options.order_by("order", "pk")
    poll_answer(poll, f"user:{world['user'].pk}", options=[bus.pk])
    poll_answer(poll, JAN_PHONE, options=[bike.pk])
    words = _started(workshop, title_fr="Nuage", kind="words")
    words_send(words, MARIE_PHONE, ["tram", "vélo"])
    words_send(words, JAN_PHONE, ["fiets"])
    return world, poll, words


def test_the_export_and_the_page_hold_her_answers_and_words_only(answers, client):
    world, _poll, _words = answers
    data = subject_export(subject_of_user(world["user"]))
    assert [(a["round"], a["answer"]) for a in data["poll_answers"]] == [("Sondage", "Bus")]
    assert sorted(w["word"] for w in data["words"]) == ["tram", "vélo"]
    assert data["words"][0]["meeting"]["id"] == world["meeting"].pk

    client.force_login(world["user"])
    page = client.get(reverse("me_data"), headers={"Accept-Language": "en"}).content.decode()
    assert "Your poll answers and words" in page and "vélo" in page and "fiets" not in page
    download = json.loads(client.get(reverse("me_data_json")).content)
    assert download["poll_answers"][0]["answer"] == "Bus"
    assert {w["word"] for w in download["words"]} == {"tram", "vélo"}


def test_an_erasure_makes_her_answers_anonymous_and_they_still_count(answers):
    world, poll, words = answers
    subject = subject_of_user(world["user"])
    voters = selectors.poll_results(poll).voters

    erasure = subject_erase(subject, by=None, channel=Erasure.Channel.SELF)

    assert erasure.answers == 3  # one poll answer, two words
    assert selectors.poll_results(poll).voters == voters == 2
    marie_words = WordEntry.objects.filter(round=words, text__in=["tram", "vélo"])
    assert {w.voter for w in marie_words} == {marie_words[0].voter}  # still one voter
    assert marie_words[0].voter.startswith(ANONYMOUS_VOTER)
    assert not PollAnswer.objects.filter(voter=f"user:{world['user'].pk}").exists()
    assert not WordEntry.objects.filter(voter=MARIE_PHONE).exists()
    assert WordEntry.objects.get(text="fiets").voter == JAN_PHONE
    assert PollAnswer.objects.filter(voter=JAN_PHONE).count() == 1
    assert subject.poll_answers().count() == subject.word_entries().count() == 0


def test_retention_makes_a_held_meetings_answers_anonymous_once(answers):
    _world, poll, words = answers
    early = retention_apply(timezone.now())
    assert (early["poll_answers_anonymised"], early["words_anonymised"]) == (0, 0)
    later = timezone.now() + timedelta(days=800)
    done = retention_apply(later)
    assert (done["poll_answers_anonymised"], done["words_anonymised"]) == (2, 3)
    assert all(a.voter.startswith(ANONYMOUS_VOTER) for a in PollAnswer.objects.all())
    assert len({w.voter for w in WordEntry.objects.all()}) == 2
    assert selectors.poll_results(poll).voters == 2
    again = retention_apply(later)
    assert (again["poll_answers_anonymised"], again["words_anonymised"]) == (0, 0)
    assert words.word_entries.count() == 3
