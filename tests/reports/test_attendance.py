"""The attendance figures and the bilingual attendance sheet."""

import re
from io import BytesIO
from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from pypdf import PdfReader
from reportlab.lib.units import cm

from meetings.auth import api_key_create
from meetings.models import ApiKey, Person
from registrations.models import CheckIn, Registration
from reports import figures
from reports.attendance import TITLE, attendance_registrations, attendance_sheet_pdf
from tests.factories import MeetingFactory, OrganisationFactory
from tests.ticket_factories import RegistrationFactory, checkin_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(meeting, organiser):
    """Twelve people of both sides, in every state, some of them checked in."""
    lille = OrganisationFactory(name="Ville de Lille", country="FR")
    kortrijk = OrganisationFactory(name="Stad Kortrijk", country="BE")
    mel = OrganisationFactory(name="Métropole européenne de Lille", country="FR")
    people = [
        # (first, last, organisation, function, language, interpretation into, present)
        ("Marie", "Dupont", lille, "mayor", "fr", "nl", True),
        ("Luc", "Arnaud", lille, "officer", "fr", "", True),
        ("Jan", "Peeters", kortrijk, "burgomaster", "nl", "fr", True),
        ("Els", "Claes", kortrijk, "alderman", "nl", "fr", False),
        ("Wim", "Aerts", kortrijk, "officer", "nl", "", True),
        ("Élodie", "Lefèvre", mel, "agency_staff", "fr", "", False),
        ("Ahmed", "Benali", mel, "councillor", "en", "fr", True),
    ]
    registrations = []
    for first, last, organisation, function, language, to, present in people:
        registration = RegistrationFactory(
            meeting=meeting,
            first_name=first,
            last_name=last,
            organisation=organisation,
            function=function,
            language=language,
            interpretation_needed=bool(to),
            interpretation_to=to,
        )
        if present:
            checkin_make(registration, by=organiser)
        registrations.append(registration)
    registrations.append(
        RegistrationFactory(
            meeting=meeting,
            first_name="Typed",
            last_name="Organisation",
            organisation=None,
            organisation_name="Gemeente Menen",
            organisation_country="BE",
            language="nl",
        )
    )
    RegistrationFactory(meeting=meeting, status="waitlisted", last_name="Wachtlijst")
    RegistrationFactory(meeting=meeting, status="waitlisted", last_name="Attente")
    RegistrationFactory(meeting=meeting, status="cancelled", last_name="Annulé")
    RegistrationFactory(meeting=MeetingFactory(programme=meeting.programme), last_name="Autre")
    return registrations


def _database_counts(meeting, **filters):
    confirmed = Registration.objects.filter(meeting=meeting, status="confirmed", **filters)
    return confirmed.count(), confirmed.filter(checkin__isnull=False).count()


def test_the_figures_equal_the_database(meeting, crowd):
    result = figures.attendance_figures(meeting)

    assert (result.registered, result.present) == _database_counts(meeting) == (8, 5)
    assert (result.waitlisted, result.cancelled, result.absent) == (2, 1, 3)
    assert result.rate == 5 / 8
    for split in result.by_country:
        country_filter = {"organisation__country": split.key}
        if split.key == "BE":
            # Gemeente Menen was typed, with its country, not picked from the directory.
            assert (split.registered, split.present) == (4, 2)
        else:
            assert (split.registered, split.present) == _database_counts(meeting, **country_filter)
    assert [s.key for s in result.by_country] == ["BE", "FR"]
    for split in result.by_language:
        assert (split.registered, split.present) == _database_counts(meeting, language=split.key)
    for split in result.by_function:
        assert (split.registered, split.present) == _database_counts(meeting, function=split.key)
    groups = {split.key: (split.registered, split.present) for split in result.by_function_group}
    elected = _database_counts(meeting, function__in=Person.ELECTED_FUNCTIONS)
    assert groups == {"elected": elected, "officers": (2, 2), "other": (1, 0)}
    assert elected == (5, 3)
    to = {split.key: (split.registered, split.present) for split in result.interpretation}
    assert to == {"fr": (3, 2), "nl": (1, 1)}
    assert result.as_dict()["by_function_group"][0] == {
        "key": "elected",
        "registered": 5,
        "present": 3,
    }


def test_the_figures_of_an_empty_meeting_are_zeros(meeting):
    result = figures.attendance_figures(meeting)
    assert (result.registered, result.present, result.rate) == (0, 0, None)
    assert [(s.key, s.registered) for s in result.by_function_group] == [
        ("elected", 0),
        ("officers", 0),
        ("other", 0),
    ]
    assert result.by_country == result.interpretation == []


def test_the_figures_take_one_query(meeting, crowd, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures.attendance_figures(meeting)


def test_keys_have_labels_in_the_active_language():
    with translation.override("nl"):
        assert figures.country_label("BE") == "België"
        assert figures.language_label("fr") == "Frans"
    with translation.override("fr"):
        assert figures.country_label("BE") == "Belgique"
    assert figures.function_label("mayor") == "mayor"


def test_the_sheet_lists_confirmed_people_by_organisation_then_name(meeting, crowd):
    ordered = [r.full_name for r in attendance_registrations(meeting)]
    assert ordered == [
        "Typed Organisation",  # Gemeente Menen
        "Ahmed Benali",  # Métropole européenne de Lille, accents ignored
        "Élodie Lefèvre",
        "Wim Aerts",  # Stad Kortrijk
        "Els Claes",
        "Jan Peeters",
        "Luc Arnaud",  # Ville de Lille
        "Marie Dupont",
    ]


def pdf_text(payload: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(payload))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_sheet_is_headed_in_french_and_dutch_whatever_the_request_language(meeting, crowd):
    meeting.title_fr, meeting.title_nl = "Rencontre de Mouscron", "Ontmoeting in Moeskroen"
    meeting.save()
    with translation.override("en"):
        reader, text = pdf_text(attendance_sheet_pdf(meeting))

    assert TITLE == "Feuille d'émargement / Presentielijst"
    assert TITLE in text
    assert "Rencontre de Mouscron / Ontmoeting in Moeskroen" in text
    assert "vendredi 12 mars 2027 / vrijdag 12 maart 2027, 09:30 – 12:30" in text
    assert "Nom / Naam" in text or "Name / Naam" in text or "Nom / naam" in text
    # Names in sheet order.
    positions = [
        text.index(name)
        for name in ("MENEN", "BENALI", "AERTS", "ARNAUD", "DUPONT")
        if name in text
    ]
    assert positions == sorted(positions)
    for absent in ("WACHTLIJST", "ATTENTE", "ANNULÉ", "AUTRE"):
        assert absent not in text
    # Each line in its person's language.
    assert "burgemeester" in text and "België" in text and "Nederlands" in text
    assert "maire" in text and "Français" in text
    assert reader.metadata.title.startswith(TITLE)


def test_the_sheet_repeats_its_header_and_numbers_its_pages(meeting, organiser):
    for n in range(40):
        RegistrationFactory(meeting=meeting, last_name=f"Personne{n:02}")

    reader, _text = pdf_text(attendance_sheet_pdf(meeting))
    pages = [page.extract_text() for page in reader.pages]

    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        if "PERSONNE" in page:
            assert re.search(r"nom\s*/\s*naam", page, re.I), page
        assert f"page {number} / {len(pages)}" in page
    assert sum("PERSONNE" in page for page in pages) >= 3


def test_the_first_page_holds_nearly_as_many_lines_as_the_next(meeting):
    """34 people once took four pages of lines, the first half empty under its heading."""
    for n in range(34):
        RegistrationFactory(meeting=meeting, last_name=f"Personne{n:02}")

    reader, _text = pdf_text(attendance_sheet_pdf(meeting))
    lines = [page.extract_text().count("PERSONNE") for page in reader.pages]

    assert lines[0] >= lines[1] - 1
    assert sum(1 for count in lines if count) == 3


def test_a_long_sheet_numbers_every_person_once_in_order_across_its_pages(meeting):
    """Each page is a table of its own rows: none is lost or repeated between them."""
    for n in range(40):
        RegistrationFactory(
            meeting=meeting,
            last_name=f"Personne{n:02}",
            organisation__name="Communauté d'agglomération " * 4 + f"n° {n:02}",
        )

    reader, _text = pdf_text(attendance_sheet_pdf(meeting))
    names = [re.findall(r"PERSONNE(\d\d)", page.extract_text()) for page in reader.pages]

    assert [int(n) for page in names for n in page] == list(range(40))
    assert sum(1 for page in names if page) == 4
    assert "n° 39" in _text, "a long organisation wraps within its cell, whole"


def test_the_sheet_ends_with_the_figures(meeting, crowd):
    _reader, text = pdf_text(attendance_sheet_pdf(meeting))
    tail = text[text.rindex("Jan") :]
    result = figures.attendance_figures(meeting)
    figures_part = text[text.index("Belgique / België", text.index("DUPONT")) - 400 :]
    assert str(result.registered) in figures_part and str(result.present) in figures_part
    assert "Belgique / België" in tail
    assert "France / Frankrijk" in tail


def test_hostile_names_print_literally(meeting):
    RegistrationFactory(
        meeting=meeting,
        first_name="<b>&",
        last_name="Zoë 🎉",
        organisation__name="<script>x</script> & Cie",
    )
    _reader, text = pdf_text(attendance_sheet_pdf(meeting))
    assert "ZOË □ <b>&" in text
    assert "<script>x</script> & Cie" in text


# --- Views -----------------------------------------------------------------------------------

URLS = ["attendance.pdf", "badges.pdf", "registrations.csv", "registrations.xlsx"]


@pytest.mark.parametrize("document", URLS)
def test_documents_are_for_organisers_only(client, meeting, document):
    url = f"/fr/meetings/{meeting.pk}/{document}"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/signin/")

    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("document", "content_type", "magic"),
    [
        ("attendance.pdf", "application/pdf", b"%PDF"),
        ("badges.pdf", "application/pdf", b"%PDF"),
        ("registrations.csv", "text/csv; charset=utf-8", "\ufeff".encode()),
        ("registrations.xlsx", "application/vnd.openxmlformats", b"PK"),
    ],
)
def test_organisers_download_the_documents(
    client, organiser, meeting, document, content_type, magic
):
    RegistrationFactory(meeting=meeting)
    client.force_login(organiser)

    response = client.get(f"/nl/meetings/{meeting.pk}/{document}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response.content.startswith(magic)
    assert "no-store" in response["Cache-Control"]
    assert client.get(f"/nl/meetings/999999/{document}").status_code == 404


@pytest.mark.parametrize("document", URLS)
def test_an_api_key_downloads_the_documents(client, organiser_key, meeting, document):
    RegistrationFactory(meeting=meeting, first_name="Zoë <b>&")
    response = client.get(
        f"/fr/meetings/{meeting.pk}/{document}", HTTP_AUTHORIZATION=f"Bearer {organiser_key}"
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    if document == "attendance.pdf":
        _reader, text = pdf_text(response.content)
        assert "Zoë <b>&" in text
    if document == "registrations.csv":
        assert "Zoë <b>&" in response.content.decode("utf-8-sig")


def test_a_wrong_or_revoked_key_is_refused_not_sent_to_sign_in(
    client, organiser, organiser_key, meeting
):
    url = f"/fr/meetings/{meeting.pk}/attendance.pdf"
    forged = client.get(url, HTTP_AUTHORIZATION="Bearer pm_forged")
    assert (forged.status_code, forged["WWW-Authenticate"]) == (401, "Bearer")
    key = ApiKey.objects.get(user=organiser)
    key.revoked_at = timezone.now()
    key.save()  # forgets the remembered check at once
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {organiser_key}").status_code == 401
    _key, staff_key = api_key_create(User.objects.create_user("intern", is_staff=True))
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {staff_key}").status_code == 403


def test_the_meeting_admin_links_to_the_door_and_the_documents(client, organiser, meeting):
    organiser.is_superuser = True
    organiser.save()
    client.force_login(organiser)
    response = client.get(f"/en/admin/meetings/meeting/{meeting.pk}/change/")
    html = response.content.decode()
    for url in [f"/en/door/meetings/{meeting.pk}/"] + [
        f"/en/meetings/{meeting.pk}/{document}" for document in URLS
    ]:
        assert f'href="{url}"' in html
    assert CheckIn.objects.count() == 0


def _words_at(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of each piece of text on `page`, in points from its lower left."""
    found = []

    def visit(text, ctm, tm, _font, _size):
        if text.strip():
            x = tm[4] * ctm[0] + tm[5] * ctm[2] + ctm[4]
            y = tm[4] * ctm[1] + tm[5] * ctm[3] + ctm[5]
            found.append((x, y, text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def test_each_person_has_a_blank_signature_box_big_enough_to_sign(meeting, crowd):
    reader, _text = pdf_text(attendance_sheet_pdf(meeting))
    page = reader.pages[0]  # the list; the figures follow
    words = _words_at(page)

    (header,) = [(x, y) for x, y, text in words if text.startswith("Signature / Handtekening")]
    signature_x, header_y = header
    # The column runs from its header to the right margin: room for a signature.
    assert float(page.mediabox.width) - signature_x >= 5 * cm
    # One line per person, each tall enough to sign on.
    (number_x,) = [x for x, y, text in words if text == "#"]
    rows = sorted({y for x, y, text in words if text.isdigit() and x == number_x})
    assert len(rows) == len(attendance_registrations(meeting)) == 8
    assert min(b - a for a, b in pairwise(rows)) >= 1.2 * cm
    # Nothing is printed in it on those lines: the box is left to the pen.
    table = [(x, text) for x, y, text in words if rows[0] - cm < y < header_y]
    assert [text for x, text in table if x >= signature_x - 1] == []
    assert any("DUPONT" in text for x, text in table), "the lines were found"
