"""Ticket secrets, QR codes, the PDF ticket and the badge sheet."""

import json
import math
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
import qrcode
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from registrations.models import TICKET_ALPHABET, TICKET_LENGTH, Registration, ticket_secret
from registrations.tickets import (
    BADGE_HEIGHT,
    BADGE_QR_MASK,
    BADGE_WIDTH,
    _badge_origin,
    badge_qr_rows,
    badges_pdf,
    format_secret,
    qr_svg,
    ticket_pdf,
    ticket_qr_matrix,
    ticket_qr_png,
)
from tests.ticket_factories import RegistrationFactory

JSQR = Path(__file__).resolve().parents[2] / "registrations/static/registrations/vendor/jsQR.js"


def pdf_pages(payload: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(payload)).pages]


# --- Secrets ---------------------------------------------------------------------------------


def test_ticket_secrets_carry_at_least_128_random_bits_without_look_alikes():
    assert TICKET_LENGTH * math.log2(len(TICKET_ALPHABET)) >= 128
    assert len(set(TICKET_ALPHABET)) == len(TICKET_ALPHABET) == 32
    assert not set("ILOU") & set(TICKET_ALPHABET)
    secrets = {ticket_secret() for _ in range(2000)}
    assert len(secrets) == 2000
    for secret in secrets:
        assert len(secret) == TICKET_LENGTH
        assert set(secret) <= set(TICKET_ALPHABET)


@pytest.mark.django_db
def test_every_registration_gets_its_own_secret(meeting):
    registrations = RegistrationFactory.create_batch(20, meeting=meeting)
    assert len({r.ticket_secret for r in registrations}) == 20


def test_the_printed_secret_is_grouped_for_typing():
    assert format_secret("ABCDEFGHJKMNPQRSTVWXYZ0123") == "ABCD EFGH JKMN PQRS TVWX YZ01 23"


# --- QR code ---------------------------------------------------------------------------------


def _modules_of_png(png: bytes, count: int) -> list[list[bool]]:
    """Read a rendered QR back, module by module, from the pixels at their centres."""
    image = Image.open(BytesIO(png)).convert("L")
    assert image.width == image.height
    box = image.width / count
    return [
        [image.getpixel((int((x + 0.5) * box), int((y + 0.5) * box))) < 128 for x in range(count)]
        for y in range(count)
    ]


@pytest.mark.django_db
def test_the_qr_png_renders_exactly_the_code_of_the_secret_alone(meeting):
    registration = RegistrationFactory(meeting=meeting)
    png = ticket_qr_png(registration)
    assert png.startswith(b"\x89PNG")

    # What an independent encoder makes of the bare secret, with error correction M…
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    reference.add_data(registration.ticket_secret)
    reference.make(fit=True)
    expected = reference.get_matrix()
    assert ticket_qr_matrix(registration.ticket_secret) == expected
    # … is what the PNG shows, pixel for pixel.
    assert _modules_of_png(png, len(expected)) == expected


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_qr_png_decodes_back_to_the_secret_with_the_pages_own_decoder(meeting, tmp_path):
    """The vendored jsQR (the scanner page's fallback) reads the emailed PNG."""
    registration = RegistrationFactory(meeting=meeting)
    image = Image.open(BytesIO(ticket_qr_png(registration))).convert("RGBA")
    (tmp_path / "pixels").write_bytes(image.tobytes())  # RGBA, as a canvas gives it
    script = (
        "const jsQR = require(process.argv[1]);"
        "const data = require('fs').readFileSync(process.argv[2]);"
        "const found = jsQR(new Uint8ClampedArray(data), +process.argv[3], +process.argv[4]);"
        "console.log(JSON.stringify(found && found.data));"
    )
    pixels = tmp_path / "pixels"
    result = subprocess.run(  # noqa: S603 - node with our own script
        [shutil.which("node"), "-e", script, str(JSQR), str(pixels), *map(str, image.size)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == registration.ticket_secret


@pytest.mark.django_db
def test_the_qr_svg_is_inline_markup(meeting):
    svg = qr_svg(RegistrationFactory(meeting=meeting).ticket_secret)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg


# --- PDF ticket ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pdf_ticket_is_in_the_registrants_language(meeting):
    meeting.title_fr, meeting.title_nl = "Rencontre à Mouscron", "Ontmoeting in Moeskroen"
    meeting.save()
    dutch = RegistrationFactory(
        meeting=meeting, first_name="Jan", last_name="Peeters", language="nl"
    )
    french = RegistrationFactory(
        meeting=meeting, first_name="Marie", last_name="Dupont", language="fr"
    )

    (dutch_text,) = pdf_pages(ticket_pdf(dutch))
    (french_text,) = pdf_pages(ticket_pdf(french))

    assert "Jan Peeters" in dutch_text
    assert "Ontmoeting in Moeskroen" in dutch_text
    assert "maart 2027" in dutch_text and "09:30" in dutch_text
    assert "Rencontre à Mouscron" not in dutch_text
    assert format_secret(dutch.ticket_secret) in dutch_text
    assert "Marie Dupont" in french_text
    assert "Rencontre à Mouscron" in french_text
    assert "mars 2027" in french_text
    reader = PdfReader(BytesIO(ticket_pdf(dutch)))
    assert reader.trailer["/Root"]["/Lang"] == "nl"


@pytest.mark.django_db
def test_the_pdf_ticket_prints_markup_literally_and_emoji_as_a_placeholder(meeting):
    registration = RegistrationFactory(
        meeting=meeting,
        first_name="<b>&",
        last_name="Zoë 🎉",
        organisation=None,
        organisation_name="Cœur & <i>Ville</i>",
        organisation_country="BE",
    )

    (text,) = pdf_pages(ticket_pdf(registration))

    assert "<b>& Zoë □" in text
    assert "Cœur & <i>Ville</i>" in text
    assert "🎉" not in text


# --- Badges ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_badges_eight_a_page_for_confirmed_people_by_last_name(meeting):
    names = ["Zwart", "Étienne", "Dupont", "Van Acker", "Martin", "Lefebvre", "Claes", "Bernard"]
    names.append("Aerts")
    for name in names:
        RegistrationFactory(meeting=meeting, last_name=name)
    RegistrationFactory(meeting=meeting, last_name="Waitlisted", status="waitlisted")
    RegistrationFactory(meeting=meeting, last_name="Cancelled", status="cancelled")
    RegistrationFactory(last_name="Elsewhere")

    pages = pdf_pages(badges_pdf(meeting, lang="fr"))

    assert len(pages) == 2
    on_first = [name for name in names if name.upper() in pages[0]]
    assert len(on_first) == 8
    assert "ZWART" in pages[1] and "ZWART" not in pages[0]
    order = sorted(names, key=lambda n: n.replace("É", "E"))
    positions = [pages[0].index(name.upper()) for name in order[:8]]
    assert positions == sorted(positions)
    text = "".join(pages)
    for absent in ("WAITLISTED", "CANCELLED", "ELSEWHERE"):
        assert absent not in text
    assert Registration.objects.count() == 12


@pytest.mark.django_db
def test_a_badge_shows_function_organisation_country_and_language_in_the_wearers_words(meeting):
    RegistrationFactory(
        meeting=meeting,
        first_name="Jan",
        last_name="Peeters <b>&",
        function="burgomaster",
        language="nl",
        organisation__name="Stad Kortrijk 🎉",
        organisation__country="BE",
    )

    (text,) = pdf_pages(badges_pdf(meeting, lang="fr"))

    assert "PEETERS <B>&" in text
    assert "burgemeester" in text
    assert "Stad Kortrijk □" in text
    assert "België" in text and "Nederlands" in text


@pytest.mark.django_db
def test_a_badge_sheet_without_anyone_confirmed_says_so(meeting):
    (text,) = pdf_pages(badges_pdf(meeting, lang="en"))
    assert "Nobody is confirmed" in text


@pytest.mark.django_db
@pytest.mark.skipif(
    not (shutil.which("node") and shutil.which("pdftoppm")), reason="needs node and poppler"
)
def test_the_badge_sheet_is_a4_and_each_badge_carries_its_wearers_qr_code(meeting, tmp_path):
    """Printed as the organiser prints it, each badge's code scans as its wearer's ticket."""
    wearers = [RegistrationFactory(meeting=meeting, last_name=f"Badge{n}") for n in range(9)]
    payload = badges_pdf(meeting, lang="fr")

    pages = PdfReader(BytesIO(payload)).pages
    assert len(pages) == 2
    for page in pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4, abs=0.5), "A4 portrait"

    dpi = 150
    (tmp_path / "badges.pdf").write_bytes(payload)
    pdftoppm = [shutil.which("pdftoppm"), "-r", str(dpi), "-l", "1", "-singlefile", "-png"]
    subprocess.run(  # noqa: S603 - poppler on our own file
        [*pdftoppm, str(tmp_path / "badges.pdf"), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    sheet = Image.open(tmp_path / "page.png").convert("RGBA")
    scale = dpi / 72
    crops = []
    for index in range(8):
        x, y = _badge_origin(index)
        top = A4[1] - y - BADGE_HEIGHT  # PDF y goes up, pixels go down
        box = (x, top, x + BADGE_WIDTH, top + BADGE_HEIGHT)
        badge = sheet.crop(tuple(round(v * scale) for v in box))
        path = tmp_path / f"badge{index}"
        path.write_bytes(badge.tobytes())
        crops.append([str(path), *badge.size])
    script = (
        "const jsQR = require(process.argv[1]); const fs = require('fs');"
        "console.log(JSON.stringify(JSON.parse(process.argv[2]).map(([file, w, h]) => {"
        "  const found = jsQR(new Uint8ClampedArray(fs.readFileSync(file)), w, h);"
        "  return found && found.data; })));"
    )
    result = subprocess.run(  # noqa: S603 - node with our own script
        [shutil.which("node"), "-e", script, str(JSQR), json.dumps(crops)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    # Badges go by last name, row by row: Badge0 … Badge7 on the first page.
    assert json.loads(result.stdout) == [wearer.ticket_secret for wearer in wearers[:8]]


@pytest.mark.django_db
def test_an_overlong_name_shrinks_on_its_own_badge_and_leaves_its_neighbour_alone(meeting):
    RegistrationFactory(
        meeting=meeting,
        first_name="Jean-Baptiste 🎉",
        # Nearly as long as the fields take (100 and 120 characters), the name in one word.
        last_name="Vandenbroucke-" + "Oosterlinck" * 7,
        organisation__name="Communauté <b>& Métropole</b> " * 3,
    )
    RegistrationFactory(meeting=meeting, last_name="Zwart")

    (text,) = pdf_pages(badges_pdf(meeting, lang="fr"))

    assert "VANDENBROUCKE-" in text
    assert "Jean-Baptiste □" in text
    assert "Communauté <b>& Métropole</b>" in text
    assert "ZWART" in text


@pytest.mark.django_db
def test_badge_codes_are_vector_paths_not_images(meeting):
    """One path per code, no raster: the sheet stays small and sharp at any size."""
    RegistrationFactory.create_batch(3, meeting=meeting)

    (page,) = PdfReader(BytesIO(badges_pdf(meeting, lang="fr"))).pages

    assert "/XObject" not in page["/Resources"]
    assert page.get_contents().get_data().count(b"\nf") >= 3


@pytest.mark.parametrize(
    "secret",
    [
        *(ticket_secret() for _ in range(30)),
        ticket_secret()[:25],  # an odd length: its last character is packed alone
        "12345678901234567890123456",  # all digits: a numeric code, not the template's
        "lower-case secret",  # not alphanumeric in QR's sense: bytes
    ],
)
def test_a_badges_code_is_qrcodes_own_with_the_badge_mask(secret):
    """The template of the badge sheet (codes laid out from the patterns of their data
    bits) draws the very modules qrcode lays out for that mask."""
    reference = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=BADGE_QR_MASK
    )
    reference.add_data(secret)
    reference.make(fit=True)

    rows = badge_qr_rows(secret)

    assert rows == [
        "".join("1" if module else "0" for module in row) for row in reference.get_matrix()
    ]
