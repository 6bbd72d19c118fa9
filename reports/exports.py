"""Registrations and attendance of a meeting as CSV and XLSX, for the organisers' own tools.

One row per registration, whatever its status, with its check-in, needs and consents.
Headers and labels are in the active language; times are meeting-local.

Both formats end up in a spreadsheet, where a cell that starts with "=", "+", "-" or
"@" is a formula: a registrant named "=HYPERLINK(…)" would run it on the organiser's
machine. Such CSV cells get a leading apostrophe, as OWASP advises; XLSX cells
are written as typed text, which Excel never evaluates, and keep their value intact.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from meetings.models import Meeting
from registrations.models import Registration

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # what Excel expects in France and Belgium, where "," is the decimal mark
BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows "é", not "Ã©"


def neutralise(value: str) -> str:
    """A leading apostrophe for CSV cells that a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _columns() -> list[str]:
    return [
        _("last name"),
        _("first name"),
        _("email"),
        _("organisation"),
        _("country"),
        _("function"),
        _("language"),
        _("status"),
        _("registered at"),
        _("checked in at"),
        _("checked in by"),
        pgettext("check-in", "method"),
        _("needs interpretation"),
        _("interpretation into"),
        _("accessibility needs"),
        _("dietary needs"),
        _("appears in the participants' contact list"),
        _("privacy consent given at"),
    ]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# How often a long export reports its progress, in rows.
PROGRESS_EVERY = 500
Progress = Callable[[int, int], None]


def export_rows(meeting: Meeting, on_progress: Progress | None = None) -> Iterator[list]:
    """The export's rows: text, or times as meeting-local naive datetimes.
    `on_progress(done, total)` hears every `PROGRESS_EVERY` rows."""
    tz = meeting.tz
    registrations = list(
        Registration.objects.filter(meeting=meeting)
        .select_related("organisation", "checkin", "checkin__checked_in_by")
        .order_by("last_name", "first_name", "pk")
    )
    total = len(registrations)

    def local(moment: datetime | None):
        return moment.astimezone(tz).replace(tzinfo=None, microsecond=0) if moment else None

    for done, registration in enumerate(registrations):
        if on_progress is not None and done and done % PROGRESS_EVERY == 0:
            on_progress(done, total)
        try:
            checkin = registration.checkin
        except Registration.checkin.RelatedObjectDoesNotExist:
            checkin = None
        scanner = checkin.checked_in_by if checkin else None
        country = registration.country
        yield [
            registration.last_name,
            registration.first_name,
            registration.email,
            registration.organisation_label,
            str(country.name) if country else "",
            registration.get_function_display(),
            registration.language,
            registration.get_status_display(),
            local(registration.created_at),
            local(checkin.checked_in_at) if checkin else None,
            (scanner.get_full_name() or scanner.get_username()) if scanner else "",
            checkin.get_method_display() if checkin else "",
            _yes_no(registration.interpretation_needed),
            registration.interpretation_to,
            registration.accessibility_notes,
            registration.dietary_notes,
            _yes_no(registration.share_contact),
            local(registration.privacy_consent_at),
        ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    value = str(value)
    return neutralise(value) if value else value


def registrations_csv(meeting: Meeting, on_progress: Progress | None = None) -> bytes:
    """UTF-8 with a BOM, ";"-separated, CRLF line ends: opens as-is in Excel (FR, BE)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(_columns())
    for row in export_rows(meeting, on_progress):
        writer.writerow([_csv_cell(value) for value in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def registrations_xlsx(meeting: Meeting, on_progress: Progress | None = None) -> bytes:
    """One sheet, a bold frozen header row, times as real dates, user text as plain text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Registrations")[:31]
    columns = _columns()
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [len(title) for title in columns]
    for row_number, row in enumerate(export_rows(meeting, on_progress), start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, datetime):
                cell.value = value
                cell.number_format = "yyyy-mm-dd hh:mm"
                width = 16
            elif value is None:
                width = 0
            else:
                # Control characters are illegal in the XML of a sheet: dropped, not fatal.
                text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                cell.value = text
                # Set after the value: openpyxl would otherwise type "=…" as a formula.
                cell.data_type = "s"
                width = len(text)
            widths[column - 1] = max(widths[column - 1], min(width, 50))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(width, 8) + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
