"""The files of an approved booklet: every copy, in each language and format, built from
the approval's frozen data by a worker once the approval has committed.

Laying out the ~8 files of a booklet takes seconds (several at 5 000 post-its), longer
than a request may: the approval is written at once, and its job (`BookletApprovalJob`)
builds the files and tells its progress. A small booklet (`BOOKLET_APPROVAL_AT_ONCE`
post-its) is built in the request instead, right after the approval commits. Until its
files are stored the approval is not sent (`review.approval_for_sending`) and the public
results page keeps the previous version's (`review.published_approval`); a failed or lost
build says why and is started again (`approval_files_retry`).
"""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from events_site.kit.frozen import thaw
from tasks.outbox import enqueue_on_commit

from .booklet import booklet_pdf
from .booklet_data import AUDIENCES, PUBLIC, Booklet
from .booklet_office import booklet_office
from .document_jobs import build_job_check
from .models import BookletApproval, BookletApprovalFile, BookletApprovalJob

logger = logging.getLogger(__name__)

Format = BookletApprovalFile.Format
Status = BookletApprovalJob.Status
# An approved booklet is kept in each language on its own; "fr+nl" is printed from them
# on request, never sent.
APPROVED_LANGUAGES = ("fr", "nl")
# The share of a PDF's bar taken by writing its sections; the rest is its layout.
SECTIONS_SHARE = 0.2


def renderings() -> list[tuple[str, str, str]]:
    """(audience, language, format) of every file an approval keeps: both copies as
    PDF, and the public one also as DOCX and ODT, which town halls finish in Word or
    LibreOffice (participants get the PDF)."""
    return [
        (audience, language, format)
        for audience in AUDIENCES
        for language in APPROVED_LANGUAGES
        for format in Format.values
        if format == Format.PDF or audience == PUBLIC
    ]


def at_once(booklet: Booklet) -> bool:
    """Whether the files of `booklet` (its public copy) are built in the request."""
    return booklet.figures.contributions <= settings.BOOKLET_APPROVAL_AT_ONCE


def approval_files_start(approval: BookletApproval, user, *, now: bool) -> BookletApprovalJob:
    """The job of `approval`'s files, written in the approval's transaction; queued for a
    worker once it commits, unless `now` (the caller builds it after the commit)."""
    job = BookletApprovalJob.objects.create(
        approval=approval, requested_by=user if user and user.is_authenticated else None
    )
    if not now:
        enqueue_on_commit("tasks.booklet_approval_build", job.pk)
    return job


def approval_files_retry(approval: BookletApproval, user, *, now: bool) -> BookletApprovalJob:
    """Start a failed build of `approval`'s files again, queued as `approval_files_start`
    does; a build under way or done is returned as it is."""
    with transaction.atomic():
        job = BookletApprovalJob.objects.select_for_update().get(approval=approval)
        if build_job_check(job).status != Status.FAILED:
            return job
        job.status, job.progress, job.error = Status.QUEUED, 0, ""
        job.started_at = job.finished_at = None
        job.created_at = timezone.now()
        job.requested_by = user if user and user.is_authenticated else None
        job.save()
        if not now:
            enqueue_on_commit("tasks.booklet_approval_build", job.pk)
    return job


def approval_files_build(job_id: int) -> BookletApprovalJob | None:
    """Build and store every file of an approval from its frozen data (the Celery job's
    body, or the request's for a small booklet); None if another worker has it.

    A failure is recorded on the job with its reason, and the files already stored are
    removed: an approval has all its files or none.
    """
    now = timezone.now()
    claimed = BookletApprovalJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, progress=1, updated_at=now
    )
    if not claimed:
        return None
    job = BookletApprovalJob.objects.select_related("approval").get(pk=job_id)
    approval = job.approval
    booklets = {audience: thaw(Booklet, approval.data[audience]) for audience in AUDIENCES}
    todo = renderings()
    saved = []
    try:
        for index, (audience, language, format) in enumerate(todo):

            def on_progress(done: float, index=index) -> None:
                """`done` (0 to 1) of this file, as a point of the whole bar: each file an
                equal share, after the 1 % of the start."""
                job.progress_write(1 + int(98 * (index + done) / len(todo)))

            booklet = booklets[audience]
            payload = (
                booklet_pdf(
                    booklet,
                    language,
                    on_progress=lambda stage, done, on_progress=on_progress: on_progress(
                        done * SECTIONS_SHARE
                        if stage == "sections"
                        else SECTIONS_SHARE + done * (1 - SECTIONS_SHARE)
                    ),
                )
                if format == Format.PDF
                else booklet_office(
                    booklet,
                    language,
                    format,
                    on_progress=lambda percent, on_progress=on_progress: on_progress(percent / 100),
                )
            )
            name = default_storage.save(
                f"booklets/{approval.meeting_id}/approved/{approval.inputs_hash[:12]}/"
                f"booklet-{approval.meeting_id}-{language}-{audience}.{format}",
                ContentFile(payload),
            )
            saved.append(({"language": language, "audience": audience, "format": format}, name))
            on_progress(1.0)
        with transaction.atomic():
            BookletApprovalFile.objects.bulk_create(
                BookletApprovalFile(approval=approval, **kind, file=name) for kind, name in saved
            )
            job.finish(status=Status.DONE, progress=100)
    except Exception as exc:
        logger.exception("The files of booklet approval %s failed", approval.pk)
        for _kind, name in saved:
            default_storage.delete(name)
        job.finish(status=Status.FAILED, error=f"{type(exc).__name__}: {exc}")
    return job
