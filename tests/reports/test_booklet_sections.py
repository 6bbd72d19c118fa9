"""The booklet's sections in seed 003's order, the organiser's words, and the two copies:
read from the data and from the PDF, in French, in Dutch and in both."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from meetings.models import Meeting, MeetingPicture
from registrations.models import Registration
from reports.booklet import booklet_pdf
from reports.booklet_data import PARTICIPANTS, SECTION_KEYS, booklet_data, inputs_hash
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
    assert text.count(squeeze("ligne de bus transfrontalière")) == 2  # table and annex
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
