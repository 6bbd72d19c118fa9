"""The booklet's editable copies (DOCX, ODT): read back, their headings are the PDF's
sections in order, their tables repeat their header rows, their charts are images, and
LibreOffice opens them."""

import os
import re
import shutil
import subprocess
import zipfile
from io import BytesIO

import docx
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from odf import opendocument
from odf import table as odf_table
from odf import text as odf_text
from odf.namespaces import TEXTNS
from PIL import Image

from events_site.kit import charts, office
from meetings.models import MeetingPicture
from reports.booklet_data import PARTICIPANTS, booklet_data
from reports.booklet_office import booklet_office
from reports.models import BookletJob
from reports.services import booklet_request
from tests.documents import document_make
from tests.factories import MeetingFactory
from tests.reports.test_booklet import HOSTILE
from tests.reports.test_booklet import synthesis as synthesis
from tests.reports.test_booklet_polls import voices as voices
from tests.reports.test_booklet_sections import contact, png
from tests.reports.test_booklet_sections import words as words

pytestmark = pytest.mark.django_db

# The `words` meeting's sections after the cover and the contents (no agenda; the
# "Culture" workshop, with nothing in it, is left out), as the PDF has them.
SECTIONS = {
    "fr": [
        "Contexte et ambitions",
        "Chiffres clés",
        "Principes des ateliers",
        "Mobilité",
        "Prochaines étapes",
        "Annexes",
    ],
    "nl": [
        "Context en ambities",
        "Kerncijfers",
        "Werkwijze van de workshops",
        "Mobiliteit",
        "Volgende stappen",
        "Bijlagen",
    ],
}
PARTS = {"fr": "Version française", "nl": "Nederlandstalige versie"}


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def docx_headings(payload: bytes) -> list[tuple[int, str]]:
    document = docx.Document(BytesIO(payload))
    return [
        (int(p.style.name.rsplit(" ", 1)[1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]


def odt_headings(payload: bytes) -> list[tuple[int, str]]:
    document = opendocument.load(BytesIO(payload))
    return [
        (int(h.getAttrNS(TEXTNS, "outline-level")), str(h))
        for h in document.text.getElementsByType(odf_text.H)
    ]


HEADINGS = {"docx": docx_headings, "odt": odt_headings}
TBL_HEADER = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"


def in_order(found: list[str], expected: list[str]) -> bool:
    """`expected` appear in `found` in this order (others may come between)."""
    position = 0
    for text in found:
        if position < len(expected) and text == expected[position]:
            position += 1
    return position == len(expected)


@pytest.mark.parametrize("kind", office.WRITERS)
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_each_section_is_a_heading_1_in_the_pdfs_order(words, kind, language):
    booklet = booklet_data(words["meeting"])
    headings = HEADINGS[kind](booklet_office(booklet, language, kind))
    top = [text for level, text in headings if level == 1]
    assert top == SECTIONS[language]
    assert top == [s.title(language) for s in booklet.sections()[2:]]
    with translation.override(language):
        below = [translation.gettext(t) for t in ("Strong ideas", "Most supported ideas")]
    assert in_order([text for level, text in headings if level == 2], below)


@pytest.mark.parametrize("kind", office.WRITERS)
def test_a_bilingual_copy_has_both_halves_each_with_its_sections(words, kind):
    payload = booklet_office(booklet_data(words["meeting"]), "fr+nl", kind)
    headings = HEADINGS[kind](payload)
    assert [text for level, text in headings if level == 1] == [PARTS["fr"], PARTS["nl"]]
    assert [text for level, text in headings if level == 2] == SECTIONS["fr"] + SECTIONS["nl"]


def document_text(payload: bytes, kind: str) -> str:
    if kind == "docx":
        document = docx.Document(BytesIO(payload))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    with zipfile.ZipFile(BytesIO(payload)) as archive:
        return re.sub(r"<text:line-break/>", "\n", archive.read("content.xml").decode())


@pytest.mark.parametrize("kind", office.WRITERS)
def test_the_organisers_words_strong_ideas_and_bilingual_cover_labels(words, kind):
    booklet = booklet_data(words["meeting"])
    text = document_text(booklet_office(booklet, "fr+nl", kind), kind)
    for said in (
        "Le réseau se réunit deux fois par an.",
        "Het netwerk komt twee keer per jaar samen.",
        "Agir ensemble",
        "Relier les gares des deux côtés de la frontière.",
        "Elke workshop werd geleid door een burgemeester en een maire.",
        "Date / Datum",
        "Lieu / Locatie",
    ):
        assert said in text, said
    assert "Mots clés" not in text and "Trefwoorden" not in text


def test_without_written_strong_ideas_each_orientations_most_supported_stand_in(synthesis):
    text = document_text(booklet_office(booklet_data(synthesis["meeting"]), "fr", "docx"), "docx")
    assert "Les contributions les plus soutenues de chaque orientation." in text
    highlights = text.split("Idées fortes", 1)[1].split("Idées les plus soutenues", 1)[0]
    assert in_order(
        highlights.splitlines(),
        ["Transports", "Un train toutes les heures", "Une ligne de bus transfrontalière"],
    )


@pytest.mark.parametrize("kind", office.WRITERS)
def test_contacts_only_in_the_participants_copy(synthesis, organiser, kind):
    meeting = synthesis["meeting"]
    contact(meeting, organiser, share=True, first_name="Anna", last_name="<b>Deel & Co")
    contact(meeting, organiser, share=False, first_name="Bram", last_name="Geheim")
    public = booklet_office(booklet_data(meeting), "nl", kind)
    copy = booklet_office(booklet_data(meeting, audience=PARTICIPANTS), "nl", kind)
    assert "Nuttige contacten" not in [text for _level, text in HEADINGS[kind](public)]
    assert [text for _level, text in HEADINGS[kind](copy) if _level == 1][-1] == (
        "Nuttige contacten"
    )
    assert "Anna" not in document_text(public, kind)
    copy_text = document_text(copy, kind)
    assert "Anna" in copy_text and "Geheim" not in copy_text


@pytest.mark.parametrize("kind", office.WRITERS)
def test_logos_and_photos_are_images_a_missing_or_unreadable_one_is_left_out(
    words, settings, tmp_path, kind
):
    meeting = words["meeting"]
    document_make(meeting, kind="logo", content=png(), name="host.png", title_fr="Logo")
    photo = document_make(meeting, kind="photo", content=png("#c55a11", (3000, 2000)), name="a.png")
    MeetingPicture.objects.create(
        meeting=meeting, document=photo, caption_fr="La salle", caption_nl="De zaal"
    )
    settings.NETWORK_LOGO = str(tmp_path / "gone.png")
    payload = booklet_office(booklet_data(meeting), "nl", kind)
    folder = "word/media/" if kind == "docx" else "Pictures/"
    with zipfile.ZipFile(BytesIO(payload)) as archive:
        images = [archive.read(n) for n in archive.namelist() if n.startswith(folder)]
    # The host's logo, the photo (scaled down to 2 000 pixels), four charts; no network
    # logo, its file is gone.
    assert len(images) == 6
    sizes = [Image.open(BytesIO(image)).size for image in images]
    photo_width, photo_height = max(sizes)
    assert office.MAX_PIXELS - 2 <= photo_width <= office.MAX_PIXELS
    assert photo_height == pytest.approx(photo_width * 2 / 3, abs=2)
    assert "De zaal" in document_text(payload, kind)
    assert office.Picture.of(b"<svg/>", width_cm=3) is None


@pytest.mark.parametrize("kind", office.WRITERS)
def test_polls_and_word_clouds_are_headed_charts_under_their_workshop(voices, kind):
    payload = booklet_office(booklet_data(voices.meeting), "nl", kind)
    headings = [text for level, text in HEADINGS[kind](payload) if level == 2]
    assert in_order(headings, ["Hoe komt u naar het werk?", "Satisfaction", "Eén woord"])
    assert "Sondage oublié" not in headings
    folder = "word/media/" if kind == "docx" else "Pictures/"
    with zipfile.ZipFile(BytesIO(payload)) as archive:
        images = [archive.read(n) for n in archive.namelist() if n.startswith(folder)]
    # Two polls and one cloud; the key figures have no chart (nobody registered).
    assert len(images) == 3
    cloud_picture = max(images, key=lambda image: Image.open(BytesIO(image)).size[1])
    assert Image.open(BytesIO(cloud_picture)).size == (1920, 1080)
    # Their counts and words as text too, to edit and to read aloud.
    text = document_text(payload, kind)
    assert "Met de bus: 1" in text and "Met de fiets: 2" in text
    assert "mobilité (2)" in text and "idiot" not in text


def test_the_docx_has_a_toc_field_header_rows_images_and_the_text_as_typed(synthesis):
    payload = booklet_office(booklet_data(synthesis["meeting"]), "fr", "docx")
    document = docx.Document(BytesIO(payload))
    body = document.element.body.xml
    assert re.search(r'TOC \\o "1-1"', body)
    assert 'w:fldCharType="begin"' in body and 'w:dirty="true"' in body
    assert "updateFields" in document.settings.element.xml
    tables = document.tables
    orientations = [t for t in tables if t.rows[0].cells[0].text == "Pistes d’orientation"]
    assert orientations
    for table in orientations:
        header = table.rows[0]._tr
        assert header.trPr is not None and header.trPr.find(TBL_HEADER) is not None
        assert all(row._tr.trPr.find(TBL_HEADER) is None for row in table.rows[1:])
    text = "\n".join(cell.text for t in tables for row in t.rows for cell in row.cells)
    for hostile in HOSTILE:
        assert hostile in text
    assert "+ Des bus plus fréquents" in text
    assert len(document.inline_shapes) >= 2
    with zipfile.ZipFile(BytesIO(payload)) as archive:
        images = [name for name in archive.namelist() if name.startswith("word/media/")]
        assert images and all(archive.read(name)[:4] == b"\x89PNG" for name in images)


def test_the_odt_has_a_toc_index_header_rows_and_images(words):
    payload = booklet_office(booklet_data(words["meeting"]), "nl", "odt")
    document = opendocument.load(BytesIO(payload))
    toc = document.text.getElementsByType(odf_text.TableOfContent)
    assert len(toc) == 1
    entries = [str(p) for p in toc[0].getElementsByType(odf_text.P)]
    assert entries == ["Inhoud", *SECTIONS["nl"]]
    tables = document.text.getElementsByType(odf_table.Table)
    orientation_tables = 0
    for table in tables:
        headers = table.getElementsByType(odf_table.TableHeaderRows)
        assert len(headers) == 1
        if str(headers[0]).startswith("Oriëntaties"):
            orientation_tables += 1
    assert orientation_tables == 1
    with zipfile.ZipFile(BytesIO(payload)) as archive:
        pictures = [name for name in archive.namelist() if name.startswith("Pictures/")]
        manifest = archive.read("META-INF/manifest.xml").decode()
    assert len(pictures) >= 2
    assert all(name in manifest for name in pictures)


def test_a_meeting_with_nothing_in_it_gives_valid_copies_with_the_contents_hint(programme):
    meeting = MeetingFactory(programme=programme)
    for kind in office.WRITERS:
        payload = booklet_office(booklet_data(meeting), "fr", kind)
        assert HEADINGS[kind](payload) == []
        assert "Mettez à jour la table des matières" in document_text(payload, kind)


def test_text_xml_cannot_hold_is_dropped_and_lines_are_kept():
    assert office.xml_text("a\x00b\x1fc\r\nd\ud800") == "abc\nd"
    for writer_class in office.WRITERS.values():
        writer = writer_class("fr")
        writer.heading("Titre\x0b", 1)
        writer.table(["A\x01", "B"], [["x\x00", "y\nz"]], (3, 3))
        assert writer.finish("t\x02")[:2] == b"PK"


def test_charts_leave_out_zero_and_draw_the_others():
    assert charts.pie_png([("a", 0)]) is None
    assert charts.bars_png([]) is None
    bars = charts.bars_png([(f"Commune {n} 🚲 " * 3, n + 1) for n in range(20)])
    picture = office.Picture.of(bars, width_cm=10)
    assert bars[:4] == b"\x89PNG" and picture.width_cm == 10 and 0 < picture.height_cm < 10
    assert Image.open(BytesIO(bars)).size[1] < Image.open(BytesIO(bars)).size[0]


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.fixture
def libreoffice():
    """LibreOffice, which CI installs (.ci/run): without it, the test fails under CI and
    is skipped elsewhere."""
    if LIBREOFFICE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("libreoffice is not installed: .ci/run installs libreoffice-writer-nogui.")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui).")
    return LIBREOFFICE


def test_libreoffice_opens_both_copies_and_prints_their_text(words, libreoffice, tmp_path):
    """The copies open without repair: LibreOffice converts each to a PDF whose text
    holds every section, in order, and the post-its as typed."""
    data = booklet_data(words["meeting"])
    names = []
    for kind in office.WRITERS:
        path = tmp_path / f"booklet-{kind}.{kind}"
        path.write_bytes(booklet_office(data, "fr+nl", kind))
        names.append(path.name)
    subprocess.run(  # noqa: S603 - LibreOffice on our own files
        [
            libreoffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *names,
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=180,
    )
    for kind in office.WRITERS:
        text = subprocess.run(  # noqa: S603 - poppler on our own file
            [shutil.which("pdftotext"), str(tmp_path / "pdf" / f"booklet-{kind}.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert in_order(
            [line.strip() for line in text.splitlines()],
            [PARTS["fr"], *SECTIONS["fr"], PARTS["nl"], *SECTIONS["nl"]],
        ), kind
        assert "Un train toutes les heures" in text


# --- Built with the PDF, downloaded like it --------------------------------------------


def test_the_job_stores_both_copies_and_the_api_hands_out_absolute_links(
    synthesis,
    api_client,
    client,
    django_capture_on_commit_callbacks,
):
    meeting = synthesis["meeting"]
    staff = User.objects.create_user("staff", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        started = api_client.post(
            f"/api/meetings/{meeting.pk}/booklet", {"language": "fr+nl"}, "application/json"
        )
    job = api_client.get(f"/api/booklets/{started.json()['id']}").json()
    assert job["status"] == "done"
    downloads = job["downloads"]
    assert downloads["pdf"] == job["download_url"]
    for kind, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("odt", b"PK")):
        url = downloads[kind]
        assert url.startswith(settings.SITE_URL + "/") and url.endswith(f".{kind}")
        path = url.removeprefix(settings.SITE_URL)
        # The key that asked for the booklet downloads each copy; nobody else does.
        response = api_client.get(path)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(magic)
        if kind != "pdf":
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["Content-Type"] == office.WRITERS[kind].content_type
            assert response["Cache-Control"] == "private, no-store"
        assert api_client.get(path, HTTP_AUTHORIZATION="Bearer pm_forged").status_code == 401
        client.logout()
        assert client.get(path, HTTP_AUTHORIZATION="").status_code == 302
        client.force_login(staff)
        assert client.get(path, HTTP_AUTHORIZATION="").status_code == 403
    stored = BookletJob.objects.get(pk=job["id"])
    names = [stored.stored(kind).name for kind in ("pdf", "docx", "odt")]
    assert [name.rsplit(".", 1)[0] for name in names] == [names[0].rsplit(".", 1)[0]] * 3
    assert all(default_storage.exists(name) for name in names)


def test_a_build_without_its_copies_is_built_again_and_a_bad_kind_is_not_found(
    synthesis,
    organiser_client,
    django_capture_on_commit_callbacks,
):
    meeting = synthesis["meeting"]
    with django_capture_on_commit_callbacks(execute=True):
        job, _started = booklet_request(meeting, "fr")
    BookletJob.objects.filter(pk=job.pk).update(docx_file="", odt_file="")
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again, started = booklet_request(meeting, "fr")
    assert started and again.pk != job.pk
    old_copy = f"/meetings/{meeting.pk}/booklet/{job.pk}.docx"
    assert organiser_client.get(f"/en{old_copy}").status_code == 404
    assert organiser_client.get(f"/en/meetings/{meeting.pk}/booklet/{job.pk}.doc").status_code == (
        404
    )
    page = organiser_client.get(reverse("reports:meeting_booklet", args=[meeting.pk]))
    assert reverse("reports:booklet_copy_download", args=[meeting.pk, again.pk, "odt"]) in (
        page.content.decode()
    )
    assert 'data-format="docx"' in page.content.decode()
