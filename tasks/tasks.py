"""Celery jobs. Each one calls the apps' own functions; none holds business rules."""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from events_site.kit.idempotency import idempotent_requests_purge
from meetings.cache import programme_generation
from meetings.errors import UnknownProgramme
from meetings.feeds import programme_feed_payload
from meetings.models import Meeting
from meetings.programme_page import programme_pages_warm
from registrations.services.reminders import reminders_queue
from reports.approval_files import approval_files_build
from reports.brochure import brochure_payload
from reports.document_jobs import document_build as document_job_run
from reports.document_jobs import document_jobs_expire
from reports.services import booklet_build as booklet_job_run
from reports.services import meeting_booklets_build
from workshops.services.embeddings import workshop_texts_embed as texts_embed
from workshops.services.retention import retention_apply

from .outbox.enqueue import deliveries_drain as drain
from .outbox.send import deliveries_send
from .outbox.sweep import deliveries_sweep
from .webhooks.send import webhook_calls_send as calls_send
from .webhooks.sweep import webhook_calls_sweep


@shared_task(name="tasks.programme_caches_warm", acks_late=True, ignore_result=True)
def programme_caches_warm(year: int) -> None:
    """Rebuild the feeds, brochures and programme pages of a changed programme before
    anyone asks.

    Calendar clients poll every few hours and all at once after an announcement, and
    the announcement's readers open the programme page together: the first of them
    should not pay for a cold build of a 500-meeting feed or page. Without a
    worker (eager mode) this would only move that build into the organiser's request,
    so it is skipped there and the caches fill on demand. Changes come in bursts (a bulk
    action, an import): only the first job of a generation does the work.
    """
    if programme_caches_warm.app.conf.task_always_eager:
        return
    if not cache.add(f"warmed:{year}:{programme_generation()}", True, timeout=3600):
        return
    try:
        programme_pages_warm(year)
        for lang in dict(settings.LANGUAGES):
            programme_feed_payload(year, lang)
            brochure_payload(year, lang)
    except UnknownProgramme:
        return  # a meeting of a programme still in draft: nothing public to warm


@shared_task(name="tasks.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(delivery_ids: list[int]) -> None:
    """Send a batch of outbox rows; retries are scheduled per row by the outbox itself."""
    deliveries_send(delivery_ids)


@shared_task(
    name="tasks.deliveries_drain", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def deliveries_drain() -> None:
    """Hand on the emails of a burst (a registration rush) in batches, one job for all."""
    drain()


@shared_task(name="tasks.outbox_sweep", ignore_result=True)
def outbox_sweep() -> None:
    """Hand on the emails and the webhook calls that nobody is working on."""
    deliveries_sweep()
    webhook_calls_sweep()


@shared_task(
    name="tasks.webhook_calls_send", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def webhook_calls_send(call_ids: list[int]) -> None:
    """Send a batch of webhook calls; retries are scheduled per call by the calls' outbox."""
    calls_send(call_ids)


@shared_task(name="tasks.idempotency_purge", ignore_result=True)
def idempotency_purge() -> None:
    """Forget the API's stored answers once their 24 hours are over."""
    idempotent_requests_purge()


@shared_task(name="tasks.registration_reminders", ignore_result=True)
def registration_reminders() -> None:
    """Queue the reminders now due (7 days and 1 day before); each one leaves once."""
    with transaction.atomic():
        reminders_queue(timezone.now())


@shared_task(name="tasks.retention", ignore_result=True)
def retention() -> None:
    """Apply the retention rules: each one is a setting, and idempotent, so a missed day
    is caught up by the next."""
    retention_apply()


@shared_task(
    name="tasks.booklet_approval_build",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def booklet_approval_build(job_id: int) -> None:
    """Build the files of an approved booklet from its frozen data; the job row carries
    its progress or error. A redelivered message finds the row claimed and does nothing."""
    approval_files_build(job_id)


@shared_task(
    name="tasks.booklet_build", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def booklet_build(job_id: int) -> None:
    """Build a synthesis booklet; the job row carries its progress, file or error.

    A worker that dies mid-build hands the message back (acks_late); the build claims
    its row first, so a redelivered message never builds the same job twice.
    """
    booklet_job_run(job_id)


@shared_task(
    name="tasks.document_build",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def document_build(job_id: int) -> None:
    """Build an organiser's document (badges, attendance sheet, an export, table cards,
    a programme's brochure); the job row carries its progress, file or error.

    A worker that dies mid-build hands the message back (acks_late), and a database that
    does not answer has the job tried again later; the build claims its row first, so a
    message delivered twice never builds the same job twice.
    """
    document_job_run(job_id)


@shared_task(
    name="tasks.brochure_build",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def brochure_build(year: int, lang: str) -> None:
    """Build a large programme's brochure into the cache, where its link finds it."""
    try:
        brochure_payload(year, lang)
    except UnknownProgramme:
        return  # unpublished since the request


@shared_task(name="tasks.documents_expire", ignore_result=True)
def documents_expire() -> None:
    """Delete the organisers' documents built more than `RETENTION_DOCUMENTS_DAYS` ago."""
    document_jobs_expire()


@shared_task(name="tasks.meeting_booklets_build", ignore_result=True)
def meeting_booklets_ready(meeting_id: int) -> None:
    """Queue the builds of a meeting's booklets: reading and hashing its data is a
    worker's job, not the facilitator's request that closed a workshop."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is not None:
        meeting_booklets_build(meeting)


@shared_task(name="tasks.workshop_texts_embed", ignore_result=True)
def workshop_texts_embed(workshop_id: int) -> None:
    """Store the vectors of a workshop's new post-its and titles for the suggestions; the
    worker loads the encoder once, on its first such job."""
    texts_embed(workshop_id)
