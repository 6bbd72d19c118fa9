"""Send queued emails: claim each row before sending, so two workers never send the same one.

Transient SMTP failures (4xx, a dropped connection) are retried with exponential backoff
and jitter; permanent ones (5xx) are marked failed with the server's reason, never
retried.
"""

import logging
import random
import smtplib
import socket
from contextlib import closing
from datetime import timedelta
from email.utils import parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..models import Delivery
from . import sql
from .enqueue import enqueue_ids
from .renderers import RENDERERS, PermanentFailure, batch_of

logger = logging.getLogger(__name__)


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(
        exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError | socket.error
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{email}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for email, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def retry_delay(attempts: int) -> float:
    """The wait before an email's next attempt (`backoff_delay`)."""
    return backoff_delay(attempts, settings.OUTBOX_RETRY_BASE_S, settings.OUTBOX_RETRY_MAX_S)


def backoff_delay(attempts: int, base_s: float, max_s: float) -> float:
    """Exponential backoff with jitter, so a recovering server is not hit in waves: after
    the n-th attempt, between half and all of base·2^(n-1) seconds, at most `max_s`."""
    ceiling = min(max_s, base_s * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


def _claim(
    delivery_id: int, read: Delivery | None = None, *, sent: Delivery | None = None
) -> Delivery | None:
    """Take one row if it is due and nobody else holds it: a conditional UPDATE.

    Rows are claimed one at a time, just before sending, so that `claimed_at` says when
    a row's send began and a worker that dies leaves at most one row in doubt.

    `read` is the row as the batch read it. What a message is made of never changes
    after the row is written; what sending decides on is `attempts`. So a claim that
    also requires the `attempts` that was read yields that row plus the claim, with no
    second read; if the row moved in between, it is claimed and read again.

    `sent` is the row this batch sent just before: the same statement marks it sent, so
    that each email waits for the database once.
    """
    now = timezone.now()
    if read is not None and read.status == Delivery.Status.QUEUED:
        claimed = sql.mark_sent_and_claim(
            now, sent=sent and sent.pk, claim=read.pk, attempts=read.attempts
        )
        sent = None
        if claimed:
            read.status, read.claimed_at, read.updated_at = Delivery.Status.SENDING, now, now
            read.attempts += 1
            return read
    if sent is not None:
        sql.mark_sent_and_claim(now, sent=sent.pk)
    claimed = rows_claim(Delivery.objects.filter(pk=delivery_id), now)
    return Delivery.objects.get(pk=delivery_id) if claimed else None


def rows_claim(rows: QuerySet, now) -> int:
    """Claim the outbox rows (emails, webhook calls) among `rows` that are queued and due:
    a conditional UPDATE, so that of two workers only one gets each row."""
    return (
        rows.filter(status="queued")
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status="sending", claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    )


def _finish(delivery: Delivery, **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        updated_at=timezone.now(), **fields
    )


def _sent(delivery: Delivery) -> None:
    """`_finish` as sent (when no claim follows to carry it)."""
    sql.mark_sent_and_claim(timezone.now(), sent=delivery.pk)


def _render(delivery: Delivery) -> EmailMultiAlternatives:
    message = RENDERERS[delivery.kind](delivery)
    message.extra_headers["Message-ID"] = delivery.message_id
    if delivery.reply_to:
        message.reply_to = [delivery.reply_to]
    return message


def _send(smtp, message: EmailMultiAlternatives, delivery: Delivery) -> None:
    """Send `message`, the email of `delivery`, over the open connection `smtp`.

    Django's SMTP backend parses the sender and the recipients again for every message
    (a good part of the SMTP exchange itself: `tests/bench/README.md`), though the
    outbox checked each address when its row was written (`recipient_problem`), and
    smtplib only keeps the bare address of each for the envelope. So the envelope is
    given bare: the row's address when it is the message's only recipient. Other
    backends (the tests', the console) and addresses beyond ASCII, whose domain the
    backend encodes, go through
    the backend as before. The message itself is the same bytes.
    """
    recipients = message.recipients()
    if len(recipients) == 1 and recipients[0].endswith(f"<{delivery.to_email}>"):
        bare = [delivery.to_email]
    else:
        bare = [parseaddr(address)[1] for address in recipients]
    envelope = [_bare_address(message.from_email), *bare]
    if not isinstance(smtp, SMTPBackend) or not all(a and a.isascii() for a in envelope):
        message.connection = smtp
        message.send()
        return
    smtp.connection.sendmail(envelope[0], envelope[1:], message.message().as_bytes(linesep="\r\n"))


@lru_cache(maxsize=16)
def _bare_address(address: str) -> str:
    """The address of "Name <address>": the sender, the same for every message."""
    return parseaddr(address)[1]


# What claiming, rendering and sending a row read: what it was queued with, its status
# and attempts; not its timestamps, whose loading was a tenth of the worker's time
# (nothing but the admin reads them back).
_SENT_FIELDS = (*sql.QUEUED_FIELDS, "status", "attempts")


def deliveries_send(ids: list[int]) -> None:
    """Send the given deliveries over one SMTP connection, opened on the first claim.

    The batch's rows are read in one query up front; renderers see them all through
    `batch_deliveries`, so that they can read what the messages are about in one query
    too, and share what does not depend on the recipient through `batch_memo`. A row
    sent is marked by the statement that claims the next one, right after the send.
    """
    retry: list[tuple[int, float]] = []
    rows = Delivery.objects.only(*_SENT_FIELDS).in_bulk(ids)
    smtp = get_connection()
    sent: Delivery | None = None
    with batch_of(rows), closing(smtp), sql.commits_unflushed():
        try:
            for delivery_id in ids:
                delivery, sent = _claim(delivery_id, rows.get(delivery_id), sent=sent), None
                if delivery is None:
                    continue
                try:
                    message = _render(delivery)
                    # Opened here, not by send(), which would close it again after one
                    # message.
                    smtp.open()
                    _send(smtp, message, delivery)
                except Exception as exc:
                    outcome = _failure(delivery, exc)
                    if outcome is not None:
                        retry.append(outcome)
                    if isinstance(exc, OSError):
                        smtp.close()
                else:
                    sent = delivery
        finally:
            if sent is not None:
                _sent(sent)
    for pk, delay in retry:
        enqueue_ids([pk], countdown=delay)


def _failure(delivery: Delivery, exc: Exception) -> tuple[int, float] | None:
    reason = _describe(exc)
    if _is_transient(exc) and delivery.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        delay = retry_delay(delivery.attempts)
        logger.info("Delivery %s: %s; retrying in %.0fs", delivery.pk, reason, delay)
        _finish(
            delivery,
            status=Delivery.Status.QUEUED,
            last_error=reason,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        return delivery.pk, delay
    if not isinstance(exc, smtplib.SMTPException | OSError | PermanentFailure):
        logger.exception("Delivery %s could not be rendered", delivery.pk)
    _finish(delivery, status=Delivery.Status.FAILED, last_error=reason)
    return None
