"""The organisers' documents of a meeting: what each one counts, how it is built, who may
have it, and up to which size its link still builds it in the request.

Each builder takes `on_progress(done, total)`, in the document's own unit (badges, rows,
tables), which a job turns into its progress bar.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from meetings.models import Meeting
from registrations.models import Registration
from registrations.tickets import badges_pdf
from workshops.models import Table, Workshop
from workshops.printouts import table_cards_pdf

from .attendance import attendance_sheet_pdf
from .exports import registrations_csv, registrations_xlsx
from .models import DocumentJob

Progress = Callable[[int, int], None] | None
PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Kind = DocumentJob.Kind


@dataclass(frozen=True)
class DocumentKind:
    filename: str  # the stem and extension its download is named after
    content_type: str
    inline: bool  # shown in the browser (PDF) rather than saved (spreadsheets)
    size: Callable[[Meeting, Workshop | None], int]
    build: Callable[[Meeting, Workshop | None, str, Progress], bytes]
    # The meeting's facilitators may have it too, not only the organisers.
    facilitators: bool = False


def _confirmed(meeting: Meeting, workshop: Workshop | None) -> int:
    return Registration.objects.filter(
        meeting=meeting, status=Registration.Status.CONFIRMED
    ).count()


def _registrations(meeting: Meeting, workshop: Workshop | None) -> int:
    return Registration.objects.filter(meeting=meeting).count()


def _tables(meeting: Meeting, workshop: Workshop | None) -> int:
    return Table.objects.filter(workshop=workshop).count()


def _in_language(build):
    """A builder whose wording follows the active language, run in the job's."""

    def in_language(meeting, workshop, lang, on_progress):
        with translation.override(lang):
            return build(meeting, on_progress)

    return in_language


KINDS: dict[str, DocumentKind] = {
    Kind.BADGES: DocumentKind(
        "badges.pdf",
        PDF,
        True,
        _confirmed,
        lambda meeting, _workshop, lang, on_progress: badges_pdf(
            meeting, lang=lang, on_progress=on_progress
        ),
    ),
    # Headed in French and Dutch whatever the language it is asked in.
    Kind.ATTENDANCE: DocumentKind(
        "attendance.pdf",
        PDF,
        True,
        _confirmed,
        lambda meeting, _workshop, _lang, on_progress: attendance_sheet_pdf(meeting, on_progress),
    ),
    Kind.REGISTRATIONS_CSV: DocumentKind(
        "registrations.csv", CSV, False, _registrations, _in_language(registrations_csv)
    ),
    Kind.REGISTRATIONS_XLSX: DocumentKind(
        "registrations.xlsx", XLSX, False, _registrations, _in_language(registrations_xlsx)
    ),
    Kind.TABLE_CARDS: DocumentKind(
        "tables.pdf",
        PDF,
        True,
        _tables,
        lambda _meeting, workshop, lang, on_progress: table_cards_pdf(workshop, lang, on_progress),
        facilitators=True,
    ),
}


def at_once(kind: str, size: int) -> bool:
    """Whether a document of `size` is built in the request (`DOCUMENTS_AT_ONCE`)."""
    return size <= settings.DOCUMENTS_AT_ONCE[kind]


def document_filename(kind: str, meeting_id: int, workshop_id: int | None, lang: str) -> str:
    """The name a download is saved under: "badges-12.pdf", "tables-7-nl.pdf"."""
    stem, extension = KINDS[kind].filename.rsplit(".", 1)
    if workshop_id is not None:
        return f"{stem}-{workshop_id}-{lang}.{extension}"
    return f"{stem}-{meeting_id}.{extension}"
