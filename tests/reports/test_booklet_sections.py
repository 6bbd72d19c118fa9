"""The booklet's sections in seed 003's order, the organiser's words, and the two copies:
read from the data and from the PDF, in French, in Dutch and in both."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, Table

from events_site.kit import pdf
from meetings.models import Meeting, MeetingPicture
from meetings.services.agenda import agenda_item_create
from registrations.models import Registration
from reports.booklet import KEEP_LAST_ROWS, WIDTH, _chunks, _keep_last_rows, booklet_pdf
from reports.booklet_data import PARTICIPANTS, SECTION_KEYS, booklet_data, inputs_hash
from reports.models import BookletJob
from reports.services import STAGES, booklet_build, booklet_request, booklet_stage
from tests.booklet_review import booklet_approved_make
from tests.documents import document_make
from tests.reports.test_booklet import pdf_text, squeeze
from tests.reports.test_booklet import synthesis as synthesis
from tests.ticket_factories import RegistrationFactory, checkin_make
from workshops.models import Workshop
from workshops.services.postits import contribution_create, contribution_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def png(colour: str = "#1f4e79", size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def words(synthesis):
    """The synthesis meeting with everything the organiser writes for its booklet."""
    meeting = synthesis["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(
        context_fr="Le réseau se réunit deux fois par an.",
        context_nl="Het netwerk komt twee keer per jaar samen.",
        ambitions_fr="Se connaître\n\n- Agir ensemble\n",
        ambitions_nl="",
        principles_fr="Chaque atelier était co-animé par un maire et un bourgmestre.",
        principles_nl="Elke workshop werd geleid door een burgemeester en een maire.",
    )
    Workshop.objects.filter(pk=synthesis["workshop"].pk).update(
        synthesis_fr="Relier les gares des deux côtés de la frontière.", synthesis_nl=""
    )
    return synthesis


def keys(booklet) -> list[str]:
    return [section.anchor for section in booklet.sections()]


# --- The data ------------------------------------------------------------------------


def test_sections_follow_seed_003s_order_and_empty_ones_are_left_out(words):
    meeting, workshop = words["meeting"], words["workshop"]
    booklet = booklet_data(meeting)

    # No agenda; the "Culture" workshop has no question, post-it or strong idea.
    assert keys(booklet) == [
        "cover",
        "contents",
        "context",
        "figures",
        "principles",
        f"w{workshop.pk}",
        "next_steps",
        "annexes",
    ]
    order = [key for key in SECTION_KEYS if key in {s.key for s in booklet.sections()}]
    assert [s.key for s in booklet.sections() if s.key != "workshop"] == [
        key for key in order if key != "workshop"
    ]
    assert booklet.ambitions == {"fr": ["Se connaître", "Agir ensemble"]} | {
        "nl": ["Se connaître", "Agir ensemble"]  # falls back to French
    }
    assert booklet.sections()[5].title("nl") == "Mobiliteit"
    assert booklet.sections()[2].title("nl") != booklet.sections()[2].title("fr")


def test_a_meeting_with_nothing_written_has_no_empty_section(synthesis):
    Meeting.objects.filter(pk=synthesis["meeting"].pk).update(next_steps_fr="", next_steps_nl="")
    booklet = booklet_data(synthesis["meeting"])
    assert "context" not in keys(booklet)
    assert "principles" not in keys(booklet)
    assert "next_steps" not in keys(booklet)
    assert "contacts" not in keys(booklet)


def test_a_zero_key_figure_is_left_out(synthesis):
    figures = booklet_data(synthesis["meeting"]).figures
    assert dict(figures.headlines())["officers"] == 1
    officer = next(r for r in synthesis["registrations"] if r.function == "officer" and r.checkin)
    officer.checkin.delete()

    headlines = dict(booklet_data(synthesis["meeting"]).figures.headlines())
    assert "officers" not in headlines
    assert headlines["participants"] == 2


def test_strong_ideas_are_the_synthesis_and_highlights_the_most_supported(words):
    section = booklet_data(words["meeting"]).workshops[0]
    items = words["items"]

    assert section.strong_ideas == {
        "fr": "Relier les gares des deux côtés de la frontière.",
        "nl": "Relier les gares des deux côtés de la frontière.",
    }
    highlights = {
        group.title["fr"]: [item.id for item in group.items] for group in section.highlights
    }
    # Three dots on the train, one post-it merged into the bus: most supported first.
    assert highlights["Transports"] == [items["train"].pk, items["bus"].pk]
    assert highlights["Emploi"] == [items["jobs"].pk]
    assert None not in highlights


def test_a_duplicate_merged_into_its_twin_is_kept_once_and_still_counted(synthesis):
    items = synthesis["items"]
    twin = contribution_create(
        synthesis["workshop"], text="  UNE ligne de bus transfrontalière ", source="transcribed"
    )
    contribution_update(twin, merged_into=items["bus"])
    booklet = booklet_data(synthesis["meeting"])
    bus = booklet.workshops[0].groups[0].items[0]

    assert [m.text for m in bus.merged] == ["Des bus plus fréquents"]
    assert booklet.workshops[0].contributions == 10
    assert bus.support == 2

    text = squeeze(pdf_text(booklet_pdf(booklet, "fr")))
    # Highlighted, in the table and in the annex: never after a "+".
    assert text.count(squeeze("ligne de bus transfrontalière")) == 3
    assert "+UNEligne" not in text


def contact(meeting, organiser, *, share: bool, came: bool = True, **data) -> Registration:
    registration = RegistrationFactory(meeting=meeting, share_contact=share, **data)
    if came:
        checkin_make(registration, by=organiser)
    return registration


def test_contacts_are_only_in_the_participants_copy(synthesis, organiser):
    meeting = synthesis["meeting"]
    contact(meeting, organiser, share=True, first_name="Anna", last_name="<b>Deel & Co")
    contact(meeting, organiser, share=False, first_name="Bram", last_name="Geheim")
    contact(meeting, organiser, share=True, came=False, first_name="Carla", last_name="Afwezig")

    public = booklet_data(meeting)
    copy = booklet_data(meeting, audience=PARTICIPANTS)

    assert public.contacts == [] and "contacts" not in keys(public)
    assert [c.name for c in copy.contacts] == ["Anna <b>Deel & Co"]
    assert keys(copy)[-1] == "contacts"
    assert inputs_hash(public, "fr") != inputs_hash(copy, "fr")
    with pytest.raises(ValueError):
        booklet_data(meeting, audience="press")


def test_logos_and_photos_with_their_captions(synthesis, settings, tmp_path):
    meeting = synthesis["meeting"]
    document_make(meeting, kind="logo", content=png(), name="host.png", title_fr="Logo")
    photo = document_make(meeting, kind="photo", content=png("#c55a11"), name="room.png")
    MeetingPicture.objects.create(
        meeting=meeting, document=photo, caption_fr="La salle", caption_nl="De zaal"
    )
    network_logo = tmp_path / "network.png"
    network_logo.write_bytes(png("#548235"))
    settings.NETWORK_LOGO = str(network_logo)

    booklet = booklet_data(meeting)

    assert [logo.document_id for logo in booklet.logos] == [booklet.logos[0].document_id, None]
    assert [p.caption for p in booklet.photos] == [{"fr": "La salle", "nl": "De zaal"}]
    assert "Logo" not in [entry.title["fr"] for entry in booklet.documents]


def test_the_results_page_shows_strong_ideas_and_no_word_list(words, client, organiser):
    meeting = words["meeting"]
    booklet_approved_make(meeting, organiser)
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=meeting.ends_at)
    body = client.get(reverse("reports:meeting_results", args=[meeting.pk])).content.decode()
    assert "Relier les gares des deux côtés de la frontière." in body
    assert 'class="terms"' not in body


# --- The PDF ---------------------------------------------------------------------------


@pytest.fixture
def full(words, organiser):
    """Every section has something: an agenda, a photo, a shared contact."""
    meeting = words["meeting"]
    agenda_item_create(
        meeting,
        starts_at=meeting.starts_at,
        duration_min=30,
        kind="welcome",
        title_fr="Accueil des participants",
        title_nl="Onthaal",
    )
    photo = document_make(meeting, kind="photo", content=png("#c55a11"), name="room.png")
    MeetingPicture.objects.create(
        meeting=meeting, document=photo, caption_fr="La salle du conseil", caption_nl="De raadzaal"
    )
    contact(meeting, organiser, share=True, first_name="Anna", last_name="Deel")
    return words


def body_text(payload: bytes) -> str:
    """The text after the contents: where each section really is."""
    pages = PdfReader(io.BytesIO(payload)).pages
    return "\n".join(page.extract_text() for page in pages[2:])


def assert_in_order(text: str, titles: list[str]) -> int:
    position = -1
    for title in titles:
        found = text.find(title, position + 1)
        assert found > position, f"{title!r} not found after position {position}"
        position = found
    return position


@pytest.mark.parametrize("language", ["fr", "nl", "fr+nl"])
def test_each_section_is_printed_in_order(full, language):
    booklet = booklet_data(full["meeting"], audience=PARTICIPANTS)
    sections = [s for s in booklet.sections() if s.key not in ("cover", "contents")]
    assert [s.key for s in sections] == [
        "context",
        "figures",
        "agenda",
        "principles",
        "workshop",
        "next_steps",
        "annexes",
        "contacts",
    ]
    text = body_text(booklet_pdf(booklet, language))
    position = -1
    for lang in language.split("+"):
        half = text[position + 1 :]
        end = assert_in_order(half, [section.title(lang) for section in sections])
        position += end + 1
    for lang in language.split("+"):
        assert "Relier les gares des deux côtés de la frontière." in text  # strong ideas
        with translation.override(lang):
            assert translation.gettext("Strong ideas") in text
            assert translation.gettext("Key terms") not in text
    assert "La salle du conseil" in text or "De raadzaal" in text
    assert "Deel" in text


def test_the_public_copy_has_no_contacts(full):
    meeting = full["meeting"]
    public = pdf_text(booklet_pdf(booklet_data(meeting), "fr+nl"))
    copy = pdf_text(booklet_pdf(booklet_data(meeting, audience=PARTICIPANTS), "fr+nl"))
    for lang in ("fr", "nl"):
        with translation.override(lang):
            contacts = translation.gettext("Contacts")
        assert contacts not in public and contacts in copy
    assert "Anna Deel" not in public and "Anna Deel" in copy


def test_empty_sections_and_zero_figures_are_not_printed(synthesis):
    meeting = synthesis["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(next_steps_fr="", next_steps_nl="")
    officer = next(r for r in synthesis["registrations"] if r.function == "officer" and r.checkin)
    officer.checkin.delete()
    text = pdf_text(booklet_pdf(booklet_data(meeting), "fr"))
    with translation.override("fr"):
        for absent in ("Context and ambitions", "Next steps", "How the workshops were run"):
            assert translation.gettext(absent) not in text
        assert translation.gettext("municipal officers") not in text
        assert "Culture" not in text  # a workshop with nothing in it
        assert "(7)" not in text  # no word list
        not_yet = translation.gettext("The organisers have not written the next steps yet.")
        assert not_yet not in text


def test_the_bilingual_cover_is_labelled_in_both_languages(synthesis):
    cover = (
        PdfReader(io.BytesIO(booklet_pdf(booklet_data(synthesis["meeting"]), "fr+nl")))
        .pages[0]
        .extract_text()
    )
    for label in ("Date / Datum", "Lieu / Locatie", "Co-animateurs / Co-moderatoren"):
        assert squeeze(label) in squeeze(cover)
    assert "Sommaire" not in cover


def footer_lines(payload: bytes) -> list[list[tuple[float, str]]]:
    """Per page, the text drawn in the footer band, with where each piece starts."""
    pages = []
    for page in PdfReader(io.BytesIO(payload)).pages:
        pieces = []

        def visit(text, cm_, tm, font, size, pieces=pieces):
            x, y = tm[4] * cm_[0] + cm_[4], tm[5] * cm_[3] + cm_[5]
            if text.strip() and y < pdf.MARGIN:
                pieces.append((x, text))

        page.extract_text(visitor_text=visit)
        pages.append(pieces)
    return pages


def test_the_bilingual_footer_stops_before_the_page_number(programme):
    meeting = Meeting.objects.create(
        programme=programme,
        title_fr="Rencontre transfrontalière des maires et bourgmestres de la Lys " * 2,
        title_nl="Grensoverschrijdende ontmoeting van burgemeesters aan de Leie " * 2,
        starts_at=programme_day(programme),
        ends_at=programme_day(programme) + timedelta(hours=3),
        venue_name="Hôtel de ville",
        venue_city="Halluin",
        venue_country="FR",
    )
    Meeting.objects.filter(pk=meeting.pk).update(context_fr="Un contexte.")
    payload = booklet_pdf(booklet_data(meeting), "fr+nl")
    font = pdf.font_family().name
    for pieces in footer_lines(payload):
        number = [(x, t) for x, t in pieces if t.strip().startswith("page")]
        footer = [(x, t) for x, t in pieces if not t.strip().startswith("page")]
        assert number and footer
        footer_end = max(x + pdfmetrics.stringWidth(t, font, 7.5) for x, t in footer)
        assert footer_end < number[0][0]
        assert any("…" in t for _x, t in footer)


def programme_day(programme):
    return timezone.now().replace(year=programme.year, month=5, day=20, hour=8, minute=0)


def test_a_tables_last_rows_stay_with_the_row_before_them():
    style = pdf.styles()
    rows = [[Paragraph(f"Ligne {n}", style.cell)] * 3 for n in range(12)]
    table = Table(rows, colWidths=[WIDTH / 3] * 3, repeatRows=1)
    table.setStyle(_keep_last_rows(len(rows), header=1))
    _width, height = table.wrap(WIDTH, 100 * cm)
    row = height / len(rows)
    # Room for all rows but the last: without the rule it would go on alone.
    first, rest = table.split(WIDTH, height - row / 2)
    assert rest._nrows - 1 >= KEEP_LAST_ROWS
    assert first._nrows + rest._nrows - 1 == len(rows)


def test_long_orientations_are_cut_in_even_tables():
    assert [len(chunk) for _start, chunk in _chunks(list(range(81)), 40)] == [27, 27, 27]
    assert [len(chunk) for _start, chunk in _chunks(list(range(41)), 40)] == [21, 20]
    assert [start for start, _chunk in _chunks(list(range(41)), 40)] == [0, 21]
    assert _chunks([], 40) == []


def test_a_build_reports_each_stage_as_it_goes(synthesis, monkeypatch):
    seen = []
    real_update = BookletJob.objects.filter(pk=0).update.__func__

    def watch(queryset, **fields):
        if "progress" in fields:
            job = BookletJob(status=BookletJob.Status.RUNNING, progress=fields["progress"])
            seen.append((fields["progress"], booklet_stage(job)))
        return real_update(queryset, **fields)

    monkeypatch.setattr(type(BookletJob.objects.all()), "update", watch)
    job, _started = booklet_request(synthesis["meeting"], "fr")
    done = booklet_build(job.pk) or BookletJob.objects.get(pk=job.pk)

    assert done.status == BookletJob.Status.DONE and done.progress == 100
    stages = [stage for _progress, stage in seen]
    assert stages[0] == "data"
    for stage in ("sections", "layout", "copies", "saving"):
        assert stage in stages
    order = [stages.index(stage) for stage in ("sections", "layout", "copies", "saving")]
    assert order == sorted(order)
    progress = [value for value, _stage in seen]
    assert progress == sorted(progress)
    assert len([s for s in stages if s == "layout"]) >= 3  # the layout moves the bar
    assert set(STAGES) == {"data", "sections", "layout", "copies", "saving"}
