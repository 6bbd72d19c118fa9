"""A workshop's polls and word clouds in the booklet and on the results page: a chart per
poll, the cloud as a picture, read back from the PDF and the page."""

import xml.dom.minidom

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from reports.booklet import booklet_pdf
from reports.booklet_data import booklet_data
from tests.booklet_review import booklet_approved_make
from workshops.services.plan import round_create
from workshops.services.polls import poll_answer, poll_option_create, word_hide, words_send
from workshops.services.timer import timer_act
from workshops.services.workshops import workshop_create

from .test_booklet import pdf_text, squeeze

pytestmark = pytest.mark.django_db

HOSTILE = "<b>Vélo & co</b> 🚲"


@pytest.fixture
def voices(meeting):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    poll = round_create(
        workshop,
        title_fr="Comment venez-vous au travail ?",
        title_nl="Hoe komt u naar het werk?",
        kind="poll",
    )
    options = [
        poll_option_create(poll, label_fr=fr, label_nl=nl).pk
        for fr, nl in [("En bus", "Met de bus"), (HOSTILE, "Met de fiets")]
    ]
    unanswered = round_create(workshop, title_fr="Sondage oublié", kind="poll")
    poll_option_create(unanswered, label_fr="Oui")
    scale = round_create(workshop, title_fr="Satisfaction", kind="poll", poll_mode="scale")
    words = round_create(workshop, title_fr="Un mot", title_nl="Eén woord", kind="words")
    timer_act(workshop, "start", round_id=poll.pk)
    for voter, option in enumerate([0, 1, 1]):
        poll_answer(poll, f"phone:{voter}", options=[options[option]])
    timer_act(workshop, "start", round_id=scale.pk)
    poll_answer(scale, "phone:1", value=4)
    timer_act(workshop, "start", round_id=words.pk)
    words_send(words, "phone:1", ["mobilité", "idiot"])
    words_send(words, "phone:2", ["mobiliteit", "<b>&"])
    word_hide(words, ["idiot"])
    return workshop


def test_the_booklet_data_holds_the_answered_polls_and_the_clouds(voices):
    (section,) = booklet_data(voices.meeting).workshops

    assert [(p.title["nl"], p.voters) for p in section.polls] == [
        ("Hoe komt u naar het werk?", 3),
        ("Satisfaction", 1),
    ]
    assert [(bar.label["fr"], bar.count) for bar in section.polls[0].bars] == [
        ("En bus", 1),
        (HOSTILE, 2),
    ]
    assert section.polls[1].mean == 4.0
    (cloud,) = section.clouds
    assert (cloud.voters, [(w.label, w.count) for w in cloud.words]) == (
        2,
        [("mobilité", 2), ("<b>&", 1)],
    )
    assert section.has_content


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_pdf_reads_back_the_poll_its_options_and_the_cloud(voices, language):
    text = pdf_text(booklet_pdf(booklet_data(voices.meeting), language))

    question = {"fr": "Comment venez-vous au travail ?", "nl": "Hoe komt u naar het werk?"}
    assert squeeze(question[language]) in squeeze(text)
    assert "Met de fiets" in text if language == "nl" else "<b>Vélo & co</b>" in text
    assert "En bus" in text if language == "fr" else "Met de bus" in text
    assert "mobilité" in text and "<b>&" in text
    assert "idiot" not in text
    assert "Sondage oublié" not in text


def test_the_results_page_shows_the_bars_and_the_cloud(voices, client, organiser, media_root):
    booklet_approved_make(voices.meeting, organiser)
    Meeting.objects.filter(pk=voices.meeting.pk).update(closed_at=timezone.now())

    response = client.get(reverse("reports:meeting_results", args=[voices.meeting.pk]))

    body = response.content.decode()
    assert "Comment venez-vous au travail ?" in body
    assert "&lt;b&gt;Vélo &amp; co&lt;/b&gt; 🚲" in body
    assert HOSTILE not in body
    start = body.index("<svg")
    picture = body[start : body.index("</svg>", start) + len("</svg>")]
    # The site's own output, parsed to prove it is well-formed XML.
    document = xml.dom.minidom.parseString(picture)  # noqa: S318
    texts = [node.firstChild.data for node in document.getElementsByTagName("text")]
    assert texts == ["mobilité", "<b>&"]
