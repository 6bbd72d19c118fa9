"""The organisers' documents of a meeting, and a programme's brochure: what each one
counts, how it is built, who may have it, and up to which size its link still builds it
in the request.

Each builder takes `on_progress(done, total)`, in the document's own unit (badges, rows,
tables, meetings), which a job turns into its progress bar.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from registrations.models import Registration
from registrations.tickets import badges_pdf
from workshops.models import Table
from workshops.printouts import table_cards_pdf

from .attendance import attendance_sheet_pdf
from .brochure import brochure_size, programme_brochure
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
    # What a build counts, and the build itself, of a job (saved or not: a document
    # built in the request has a job that is never stored).
    size: Callable[[DocumentJob], int]
    build: Callable[[DocumentJob, Progress], bytes]
    # The meeting's facilitators may have it too, not only the organisers.
    facilitators: bool = False


def _confirmed(job: DocumentJob) -> int:
    return Registration.objects.filter(
        meeting=job.meeting, status=Registration.Status.CONFIRMED
    ).count()


def _registrations(job: DocumentJob) -> int:
    return Registration.objects.filter(meeting=job.meeting).count()


def _tables(job: DocumentJob) -> int:
    return Table.objects.filter(workshop=job.workshop).count()


def _brochure_meetings(job: DocumentJob) -> int:
    return brochure_size(job.programme)


def _in_language(build):
    """A builder whose wording follows the active language, run in the job's."""

    def in_language(job, on_progress):
        with translation.override(job.language):
            return build(job.meeting, on_progress)

    return in_language


KINDS: dict[str, DocumentKind] = {
    Kind.BADGES: DocumentKind(
        "badges.pdf",
        PDF,
        True,
        _confirmed,
        lambda job, on_progress: badges_pdf(
            job.meeting, lang=job.language, on_progress=on_progress
        ),
    ),
    # Headed in French and Dutch whatever the language it is asked in.
    Kind.ATTENDANCE: DocumentKind(
        "attendance.pdf",
        PDF,
        True,
        _confirmed,
        lambda job, on_progress: attendance_sheet_pdf(job.meeting, on_progress),
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
        lambda job, on_progress: table_cards_pdf(job.workshop, job.language, on_progress),
        facilitators=True,
    ),
    Kind.BROCHURE: DocumentKind(
        "programme.pdf",
        PDF,
        True,
        _brochure_meetings,
        lambda job, on_progress: programme_brochure(job.programme, job.language, on_progress),
    ),
}


def at_once(kind: str, size: int) -> bool:
    """Whether a document of `size` is built in the request (`DOCUMENTS_AT_ONCE`)."""
    return size <= settings.DOCUMENTS_AT_ONCE[kind]


def document_filename(job: DocumentJob) -> str:
    """The name a download is saved under: "badges-12.pdf", "tables-7-nl.pdf",
    "programme-2027-fr.pdf"."""
    stem, extension = KINDS[job.kind].filename.rsplit(".", 1)
    if job.programme_id is not None:
        return f"{stem}-{job.programme.year}-{job.language}.{extension}"
    if job.workshop_id is not None:
        return f"{stem}-{job.workshop_id}-{job.language}.{extension}"
    return f"{stem}-{job.meeting_id}.{extension}"
