"""Every write of the reports: booklet builds, and sending the booklet of a closed meeting.

A booklet is built by a Celery job (`tasks.booklet_build`) and kept in the default
storage, with its editable copies (DOCX, ODT) beside it. Each build records the hash of
what it was built from (`booklet_data.inputs_hash`); asking again while that hash still
holds returns the finished build, or the one under way, instead of starting another.
"""

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Meeting
from registrations.models import Registration
from registrations.services.delivery import registration_delivery
from tasks.outbox import deliveries_queue, enqueue_on_commit

from .booklet import booklet_pdf
from .booklet_data import PUBLIC, Booklet, booklet_data, inputs_hash
from .booklet_office import booklet_office
from .errors import InvalidBookletRequest
from .models import BOOKLET_FORMATS, BookletJob
from .review import approval_for_sending

logger = logging.getLogger(__name__)

BOOKLET_EMAIL = "booklet"
# A build that has not finished by then died with its worker: the next request starts
# another. A 5 000-post-it booklet takes well under a minute.
BUILD_LOST_AFTER = timedelta(minutes=10)
# Each stage of a build and its band of the progress bar: reading the data, writing the
# sections, laying out the PDF's pages (the longest part), the editable copies (DOCX,
# ODT), storing the files.
STAGES = {
    "data": (1, 10),
    "sections": (10, 20),
    "layout": (20, 65),
    "copies": (65, 95),
    "saving": (95, 99),
}


def booklet_stage(job: BookletJob) -> str:
    """What a build is doing, told from its progress: its status until it runs."""
    if job.status != BookletJob.Status.RUNNING:
        return job.status
    return next((stage for stage, (_low, high) in STAGES.items() if job.progress < high), "saving")


def booklet_language(language: str) -> str:
    """The booklet language for a person or a meeting language: Dutch readers get Dutch,
    everyone else French (there is no English content)."""
    return BookletJob.Language.NL if language == "nl" else BookletJob.Language.FR


def booklet_request(
    meeting: Meeting,
    language: str,
    *,
    user=None,
    data: Booklet | None = None,
    audience: str = PUBLIC,
) -> tuple[BookletJob, bool]:
    """The booklet of `meeting` in `language` for `audience`: (job, whether a build was
    started).

    Returns the finished build whose inputs are unchanged, or the build under way for
    them; otherwise queues a new build, enqueued after commit. `data` is the meeting's
    `booklet_data` for that audience, when the caller has just read it (for another
    language, say).
    """
    if language not in BookletJob.Language.values:
        raise InvalidBookletRequest(
            _("Choose the booklet's language: %(choices)s.")
            % {"choices": ", ".join(BookletJob.Language.values)},
            {"language": [_("Unknown language.")]},
        )
    digest = inputs_hash(data or booklet_data(meeting, audience=audience), language)
    with transaction.atomic():
        # Two organisers pressing the button at once start one build.
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        job = _current_job(meeting, language, audience, digest)
        if job is not None:
            return job, False
        job = BookletJob.objects.create(
            meeting=meeting,
            language=language,
            audience=audience,
            inputs_hash=digest,
            requested_by=user if user is not None and user.is_authenticated else None,
        )
        enqueue_on_commit("tasks.booklet_build", job.pk)
    return job, True


def _current_job(meeting: Meeting, language: str, audience: str, digest: str) -> BookletJob | None:
    lost_before = timezone.now() - BUILD_LOST_AFTER
    for job in BookletJob.objects.filter(
        meeting=meeting, language=language, audience=audience, inputs_hash=digest
    ).exclude(status=BookletJob.Status.FAILED)[:5]:
        if job.status == BookletJob.Status.DONE:
            # A build from before the editable copies existed is built again.
            if all(job.stored(kind) for kind in BOOKLET_FORMATS) and default_storage.exists(
                job.file.name
            ):
                return job
        elif (job.started_at or job.created_at) > lost_before:
            return job
    return None


def booklet_build(job_id: int) -> BookletJob | None:
    """Build a queued booklet (the Celery job's body); None if another worker has it.

    The data is read again here: if it changed since the request, the file holds the
    newer content and the job records that content's hash. A failure is recorded on the
    job, with its reason, for the organiser's page; it is not retried.
    """
    now = timezone.now()
    claimed = BookletJob.objects.filter(pk=job_id, status=BookletJob.Status.QUEUED).update(
        status=BookletJob.Status.RUNNING, started_at=now, progress=1, updated_at=now
    )
    if not claimed:
        return None
    job = BookletJob.objects.get(pk=job_id)
    try:
        data = booklet_data(job.meeting_id, audience=job.audience)
        _progress_write(job, "data", 1.0)
        payloads = {
            "pdf": booklet_pdf(
                data,
                job.language,
                on_progress=lambda stage, done: _progress_write(job, stage, done),
            )
        }
        for index, kind in enumerate(("docx", "odt")):
            payloads[kind] = booklet_office(
                data,
                job.language,
                kind,
                on_progress=lambda percent, index=index: _progress_write(
                    job, "copies", (index + percent / 100) / 2
                ),
            )
        _progress_write(job, "saving", 0.0)
        stem = job.language.replace("+", "-")
        digest = inputs_hash(data, job.language)
        names = {
            kind: default_storage.save(
                f"booklets/{job.meeting_id}/booklet-{job.meeting_id}-{stem}-{job.audience}-"
                f"{digest[:12]}.{kind}",
                ContentFile(payload),
            )
            for kind, payload in payloads.items()
        }
    except Exception as exc:
        logger.exception("Booklet job %s failed", job_id)
        job.finish(status=BookletJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return job
    job.finish(
        status=BookletJob.Status.DONE,
        progress=100,
        file=names["pdf"],
        docx_file=names["docx"],
        odt_file=names["odt"],
        inputs_hash=digest,
    )
    return job


def _progress_write(job: BookletJob, stage: str, done: float) -> None:
    """`done` (0 to 1) of `stage`, as a point of the whole bar."""
    low, high = STAGES[stage]
    job.progress_write(low + int((high - low) * done))


def booklet_payload(meeting: Meeting, language: str, audience: str = PUBLIC) -> bytes:
    """The draft booklet's bytes, from storage, built right here if its inputs changed
    (the review's draft PDF: a reviewer never reads a stale draft)."""
    data = booklet_data(meeting, audience=audience)
    job, _started = booklet_request(meeting, language, data=data, audience=audience)
    if job.status != BookletJob.Status.DONE:
        # Queued: build it here rather than wait for another worker to.
        job = booklet_build(job.pk) or BookletJob.objects.get(pk=job.pk)
    if job.status == BookletJob.Status.DONE:
        with default_storage.open(job.file.name, "rb") as handle:
            return handle.read()
    # Being built by another worker right now: this email does not wait for it.
    return booklet_pdf(data, language)


def meeting_booklets_build(
    meeting: Meeting,
    languages: Iterable[str] | None = None,
    *,
    user=None,
    audience: str = PUBLIC,
) -> list[BookletJob]:
    """The booklets in `languages` (by default the meeting's working languages), from
    one read of the meeting's data."""
    if languages is None:
        languages = {booklet_language(code) for code in meeting.working_languages or ["fr"]}
    data = booklet_data(meeting, audience=audience)
    return [
        booklet_request(meeting, language, user=user, data=data, audience=audience)[0]
        for language in sorted(languages)
    ]


def meeting_booklet_send(meeting: Meeting, *, user=None) -> int:
    """Send the booklet of a meeting just closed to everyone who came: how many emails
    were queued. Runs in the transaction of the close (`meeting_closed`), which a
    booklet nobody approved refuses (`BookletNotApproved`): nothing is then written.

    One email per checked-in registration, in its language ("en" gets French), keyed
    `booklet:<meeting>:<registration>`: closing again queues nothing twice, but does
    reach people checked in since. Each email carries the participants' copy of the
    booklet approved when it was queued (`reports.review`), whatever changed since.
    """
    approval = approval_for_sending(meeting)
    attendees = Registration.objects.filter(
        meeting=meeting, status=Registration.Status.CONFIRMED, checkin__isnull=False
    ).order_by("pk")
    reply_to = getattr(user, "email", "")
    specs = []
    for registration in attendees:
        spec = registration_delivery(
            registration,
            kind=BOOKLET_EMAIL,
            key=f"booklet:{meeting.pk}:{registration.pk}",
            approval=approval.pk,
        )
        specs.append(
            replace(
                spec,
                language=booklet_language(registration.language),
                reply_to=reply_to or spec.reply_to,
            )
        )
    return len(deliveries_queue(specs))
