"""Every write of the document jobs: ask for a document, build it, notice a lost build.

A document too large for a request (`document_kinds.at_once`) is built by a Celery job
(`tasks.document_build`) that counts its progress on the job's row and keeps the file in
the default storage, where its download link (`reports:document_download`) finds it.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.auth import is_organiser, may_facilitate
from meetings.models import Meeting, Programme
from tasks.outbox import enqueue_on_commit
from workshops.models import Workshop

from .document_kinds import KINDS, document_filename
from .errors import DocumentRefused, InvalidDocumentRequest
from .models import BuildJob, DocumentJob

logger = logging.getLogger(__name__)

# A build that has not finished by then died with its worker: its page says so, and the
# next request starts another. 10 000 badges take well under a minute.
BUILD_LOST_AFTER = timedelta(minutes=10)
# The progress is written at most this many times a build: a build is not a stream of UPDATEs.
PROGRESS_WRITES = 50


def document_may(user, kind: str, meeting_id: int | None) -> bool:
    """Organisers may have every document; a meeting's facilitators its table cards."""
    if KINDS[kind].facilitators:
        return may_facilitate(user, meeting_id)
    return is_organiser(user)


def _language_check(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise InvalidDocumentRequest(
            _("Choose the document's language: %(choices)s.")
            % {"choices": ", ".join(dict(settings.LANGUAGES))},
            {"language": [_("Unknown language.")]},
        )


def document_request(
    kind: str,
    meeting: Meeting,
    *,
    language: str,
    workshop: Workshop | None = None,
    user=None,
) -> tuple[DocumentJob, bool]:
    """The build of `kind` for `meeting` (and `workshop`, for table cards) in `language`:
    (job, whether a build was started). A build of the same document under way is
    returned instead of a second one: two presses of the button start one build."""
    if kind == DocumentJob.Kind.BROCHURE:
        raise InvalidDocumentRequest(
            _("The brochure is a programme's, not a meeting's: ask for it by its year."),
            {"kind": [_("Not a meeting's document.")]},
        )
    if (kind == DocumentJob.Kind.TABLE_CARDS) != (workshop is not None):
        raise InvalidDocumentRequest(
            _("Table cards are printed for one workshop: say which.")
            if workshop is None
            else _("Only table cards are printed for one workshop."),
            {"workshop": [_("Required for table cards, and only for them.")]},
        )
    if workshop is not None and workshop.meeting_id != meeting.pk:
        raise InvalidDocumentRequest(
            _("This workshop is not part of this meeting."),
            {"workshop": [_("Choose a workshop of this meeting.")]},
        )
    if user is not None and not document_may(user, kind, meeting.pk):
        raise DocumentRefused(_("This document is for the meeting's organisers only."))
    _language_check(language)
    job = DocumentJob(kind=kind, meeting=meeting, workshop=workshop, language=language)
    return _job_start(job, Meeting.objects.filter(pk=meeting.pk), user)


def brochure_request(programme: Programme, *, language: str, user=None) -> tuple[DocumentJob, bool]:
    """The build of a programme's brochure in `language`, as `document_request`: the
    public link builds a large one into the cache for visitors; an organiser asks for
    its file, and follows its progress."""
    if user is not None and not document_may(user, DocumentJob.Kind.BROCHURE, None):
        raise DocumentRefused(_("This is for the network's organisers only."))
    _language_check(language)
    job = DocumentJob(kind=DocumentJob.Kind.BROCHURE, programme=programme, language=language)
    return _job_start(job, Programme.objects.filter(pk=programme.pk), user)


def _job_start(job: DocumentJob, owner, user) -> tuple[DocumentJob, bool]:
    """Save and queue `job`, unless the same build is under way: then that one. `owner`
    (its meeting's or programme's row) is locked, so two presses at once start one."""
    with transaction.atomic():
        owner.select_for_update().first()
        under_way = (
            DocumentJob.objects.filter(
                kind=job.kind,
                meeting=job.meeting,
                programme=job.programme,
                workshop=job.workshop,
                language=job.language,
                status__in=(DocumentJob.Status.QUEUED, DocumentJob.Status.RUNNING),
                created_at__gt=timezone.now() - BUILD_LOST_AFTER,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if under_way is not None:
            return under_way, False
        job.total = KINDS[job.kind].size(job)
        if user is not None and user.is_authenticated:
            job.requested_by = user
        job.save()
        enqueue_on_commit("tasks.document_build", job.pk)
    return job, True


def document_build(job_id: int) -> DocumentJob | None:
    """Build a queued document (the Celery job's body); None if another worker has it.

    A failure is recorded on the job, with its reason, for the organiser's page.
    """
    now = timezone.now()
    claimed = DocumentJob.objects.filter(pk=job_id, status=DocumentJob.Status.QUEUED).update(
        status=DocumentJob.Status.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return None
    job = DocumentJob.objects.select_related("meeting", "workshop", "programme").get(pk=job_id)
    step = max(1, job.total // PROGRESS_WRITES)

    def progress(done: int, total: int) -> None:
        if done >= job.done + step:
            job.done, job.total = min(done, total), total
            DocumentJob.objects.filter(pk=job.pk).update(done=job.done, total=job.total)

    try:
        payload = KINDS[job.kind].build(job, progress)
        owner = job.meeting_id if job.programme_id is None else f"programme-{job.programme_id}"
        name = default_storage.save(
            f"exports/{owner}/{job.pk}-{secrets.token_hex(8)}-{document_filename(job)}",
            ContentFile(payload),
        )
    except Exception as exc:
        logger.exception("Document job %s failed", job_id)
        job.finish(status=DocumentJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return job
    job.finish(status=DocumentJob.Status.DONE, done=job.total, file=name)
    return job


def build_job_check(job: BuildJob) -> BuildJob:
    """The job as its page should show it: one queued or running for longer than
    `BUILD_LOST_AFTER` lost its worker, and is recorded as failed rather than left as a
    bar that never moves."""
    unfinished = (BuildJob.Status.QUEUED, BuildJob.Status.RUNNING)
    if job.status in unfinished and job.created_at < timezone.now() - BUILD_LOST_AFTER:
        error = _("The build stopped before the end (its worker was lost): start it again.")
        if (
            type(job)
            .objects.filter(pk=job.pk, status__in=unfinished)
            .update(status=BuildJob.Status.FAILED, error=error, finished_at=timezone.now())
        ):
            job.status, job.error = BuildJob.Status.FAILED, error
        else:
            job.refresh_from_db()
    return job


def document_jobs_expire(now=None) -> int:
    """Delete the builds older than `RETENTION_DOCUMENTS_DAYS`, and their files, after
    commit: how many. A document lists people's names, emails and needs, and a newer one
    is a press of a button away; nobody should find last year's list in a bucket."""
    before = (now or timezone.now()) - timedelta(days=settings.RETENTION_DOCUMENTS_DAYS)
    with transaction.atomic():
        jobs = DocumentJob.objects.filter(created_at__lt=before)
        names = list(jobs.exclude(file="").values_list("file", flat=True))
        deleted = jobs.delete()[0]
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
    return deleted
