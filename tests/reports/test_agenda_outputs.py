"""The agenda and the host in the printed outputs: the programme brochure (a compact line
per item), the synthesis booklet ("how the meeting went") and the results page."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from meetings.models import Meeting
from meetings.services.agenda import agenda_item_create
from meetings.services.meetings import meeting_update
from reports.booklet import booklet_pdf
from reports.booklet_data import booklet_data
from reports.brochure import programme_brochure
from tests.booklet_review import booklet_approved_make
from tests.factories import OrganisationFactory, PersonFactory
from workshops.services.workshops import workshop_create, workshop_update

pytestmark = pytest.mark.django_db


def squeeze(text: str) -> str:
    """Text without its whitespace: where lines wrap does not matter."""
    return "".join(text.split())


def pdf_text(payload: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(payload)).pages)


@pytest.fixture
def day(meeting):
    """Seed 003's launch day in small: welcome, plenary, two workshops in parallel, closing,
    in a meeting hosted by a commune."""
    meeting_update(meeting, host_organisation=OrganisationFactory(name="Département <b>&"))
    start = meeting.starts_at

    def item(minutes, duration, kind, fr, nl, **data):
        return agenda_item_create(
            meeting,
            starts_at=start + timedelta(minutes=minutes),
            duration_min=duration,
            kind=kind,
            title_fr=fr,
            title_nl=nl,
            **data,
        )

    item(0, 30, "welcome", "Accueil des participants", "Onthaal")
    item(
        30,
        45,
        "plenary",
        "Séance plénière 🌱",
        "Plenaire zitting 🌱",
        room="Salle du conseil",
        speakers=[
            {"person": PersonFactory(first_name="Anne", last_name="Lefèvre")},
            {"name": "Jo <i>Peeters</i>", "role": "DREAL"},
        ],
    )
    slot = item(75, 75, "workshops", "Ateliers", "Workshops")
    for fr, nl, room in (
        ("Se connaître", "Elkaar kennen", "Salle A"),
        ("Informer", "Informeren", "Salle B"),
    ):
        workshop_update(
            workshop_create(meeting, title_fr=fr, title_nl=nl, room=room), agenda_item_id=slot.pk
        )
    item(150, 30, "closing", "Clôture", "Afsluiting")
    return meeting


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "fr",
            [
                "En partenariat avec Département <b>&",
                "09:30–10:00 Accueil des participants",
                "10:00–10:45 Séance plénière",
                "Salle du conseil · Anne Lefèvre, Jo <i>Peeters</i>",
                "12:00–12:30 Clôture",
            ],
        ),
        (
            "nl",
            [
                "In samenwerking met Département <b>&",
                "09:30–10:00 Onthaal",
                "10:00–10:45 Plenaire zitting",
                "12:00–12:30 Afsluiting",
            ],
        ),
    ],
)
def test_the_brochure_has_a_compact_line_per_item_and_the_partnership(programme, day, lang, lines):
    text = squeeze(pdf_text(programme_brochure(programme, lang)))
    for line in lines:
        assert squeeze(line) in text


def test_the_brochure_reads_agendas_in_two_more_queries_whatever_the_number(
    programme, day, django_assert_max_num_queries
):
    from tests.factories import MeetingFactory

    for _ in range(3):
        other = MeetingFactory(programme=programme)
        agenda_item_create(
            other, starts_at=other.starts_at, duration_min=15, kind="welcome", title_fr="Café"
        )
    with django_assert_max_num_queries(6):
        programme_brochure(programme, "fr")


@pytest.mark.parametrize(
    ("lang", "heading", "expected"),
    [
        (
            "fr",
            "Déroulé de la rencontre",
            [
                "09:30–10:00",
                "Accueil des participants",
                "Se connaître (Salle A)",
                "Informer (Salle B)",
            ],
        ),
        (
            "nl",
            "Verloop van de ontmoeting",
            ["09:30–10:00", "Onthaal", "Elkaar kennen (Salle A)", "Informeren (Salle B)"],
        ),
    ],
)
def test_the_booklet_has_the_section_how_the_meeting_went(day, lang, heading, expected):
    text = pdf_text(booklet_pdf(booklet_data(day), lang))
    assert heading in text
    section = text[text.index(heading, text.index(heading) + 1) :]
    for part in expected:
        assert part in section
    assert "Jo <i>Peeters</i>, DREAL" in section
    partnership = "En partenariat avec" if lang == "fr" else "In samenwerking met"
    assert f"{partnership} Département <b>&" in text


def test_the_agenda_costs_the_booklet_two_queries(day, django_assert_max_num_queries):
    # 15: one more than before polls, for the workshops' polls and words rounds.
    with django_assert_max_num_queries(15):
        booklet = booklet_data(day)
    assert [line.hours for line in booklet.agenda] == [
        "09:30–10:00",
        "10:00–10:45",
        "10:45–12:00",
        "12:00–12:30",
    ]


def test_the_bilingual_booklet_has_the_section_in_each_half(day):
    text = pdf_text(booklet_pdf(booklet_data(day), "fr+nl"))
    assert text.count("Déroulé de la rencontre") >= 2
    assert text.count("Verloop van de ontmoeting") >= 2


def test_the_results_page_shows_how_the_meeting_went(client, day, organiser, media_root):
    booklet_approved_make(day, organiser)
    Meeting.objects.filter(pk=day.pk).update(closed_at=timezone.now())
    body = client.get(f"/fr/meetings/{day.pk}/results/").content.decode()
    assert "Déroulé de la rencontre" in body
    assert "Se connaître (Salle A)" in body
    assert "En partenariat avec Département &lt;b&gt;&amp;" in body
