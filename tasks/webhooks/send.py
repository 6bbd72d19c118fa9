"""Send webhook calls: claim each row, POST it signed, record the answer.

A 2xx is delivered. A timeout, a dropped connection, a 5xx, 408, 425 or 429 is retried
with backoff, up to `WEBHOOK_MAX_ATTEMPTS`; any other answer (a 3xx: redirects are not
followed, they could lead inside the network; a 4xx) and the last retry fail the call
for good. `WEBHOOK_DISABLE_AFTER` calls failed for good in a row switch the webhook off
and email its owner.
"""

import http.client
import json
import logging
import socket
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Webhook, WebhookCall
from ..outbox import DeliverySpec, delivery_queue
from ..outbox.enqueue import publish_ids
from ..outbox.send import backoff_delay, rows_claim
from .emit import SEND_TASK
from .signing import SIGNATURE_HEADER, signature
from .targets import TargetRefused, target_resolve

logger = logging.getLogger(__name__)

WEBHOOK_DISABLED = "webhook_disabled"
RETRIED_STATUSES = frozenset({408, 425, 429})
# What is kept of a receiver's answer to a failure: enough to recognise it.
ERROR_MAX = 500


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address `targets` checked, whatever the name resolves to now."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As `_PinnedHTTPConnection`, and the certificate checked for the name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def call_body(call: WebhookCall) -> bytes:
    """The JSON sent, the same bytes on every attempt: the call's id, its event, when it
    happened and its data."""
    envelope = {"id": str(call.idempotency_key), **call.payload}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def _post(webhook: Webhook, call: WebhookCall) -> tuple[int, str]:
    """POST the call; its status and, for a failure, the start of the answer."""
    scheme, port, address = target_resolve(webhook.url)
    parts = urlsplit(webhook.url)
    body = call_body(call)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address, timeout=settings.WEBHOOK_TIMEOUT_S)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "proximity-meetings-webhooks/1",
        "Idempotency-Key": str(call.idempotency_key),
        "X-Proximity-Event": call.event,
        SIGNATURE_HEADER: signature(webhook.secret, int(time.time()), body),
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(ERROR_MAX).decode(errors="replace")
        return response.status, answer
    finally:
        connection.close()


def _claim(call_id: int) -> WebhookCall | None:
    """Take one row if it is due, its webhook active, and nobody else holds it."""
    rows = WebhookCall.objects.filter(pk=call_id, webhook__is_active=True)
    if not rows_claim(rows, timezone.now()):
        return None
    return WebhookCall.objects.select_related("webhook").get(pk=call_id)


def _finish(call: WebhookCall, **fields) -> bool:
    return bool(
        WebhookCall.objects.filter(pk=call.pk, status=WebhookCall.Status.SENDING).update(
            updated_at=timezone.now(), **fields
        )
    )


def webhook_calls_send(ids: list[int]) -> None:
    """Send the given calls one after the other; retries are queued per call."""
    for call_id in ids:
        call = _claim(call_id)
        if call is None:
            continue
        try:
            status, answer = _post(call.webhook, call)
        except TargetRefused as refused:
            _failed(call, None, refused.message)
            continue
        except (OSError, http.client.HTTPException) as exc:
            _retry_or_fail(call, None, f"{type(exc).__name__}: {exc}")
            continue
        if 200 <= status < 300:
            _delivered(call, status)
        elif status >= 500 or status in RETRIED_STATUSES:
            _retry_or_fail(call, status, answer)
        else:
            _failed(call, status, answer)


def retry_delay(attempts: int) -> float:
    """The wait before a call's next attempt (`backoff_delay`)."""
    return backoff_delay(attempts, settings.WEBHOOK_RETRY_BASE_S, settings.WEBHOOK_RETRY_MAX_S)


def _delivered(call: WebhookCall, status: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        if _finish(
            call,
            status=WebhookCall.Status.DELIVERED,
            response_code=status,
            last_error="",
            delivered_at=now,
        ):
            Webhook.objects.filter(pk=call.webhook_id).exclude(failures=0).update(failures=0)


def _retry_or_fail(call: WebhookCall, status: int | None, error: str) -> None:
    if call.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        _failed(call, status, error)
        return
    delay = retry_delay(call.attempts)
    logger.info("Webhook call %s: %s %s; retrying in %.0fs", call.pk, status, error, delay)
    if _finish(
        call,
        status=WebhookCall.Status.QUEUED,
        response_code=status,
        last_error=error[:ERROR_MAX],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    ):
        publish_ids(SEND_TASK, WebhookCall.objects, [call.pk], countdown=delay)


def _failed(call: WebhookCall, status: int | None, error: str) -> None:
    """Fail the call for good; the webhook's count of such calls in a row goes up, and
    at `WEBHOOK_DISABLE_AFTER` the webhook is switched off and its owner emailed, once
    (the update that switches it off is conditional)."""
    with transaction.atomic():
        if not _finish(
            call,
            status=WebhookCall.Status.FAILED,
            response_code=status,
            last_error=error[:ERROR_MAX],
        ):
            return
        Webhook.objects.filter(pk=call.webhook_id).update(failures=F("failures") + 1)
        now = timezone.now()
        disabled = Webhook.objects.filter(
            pk=call.webhook_id, is_active=True, failures__gte=settings.WEBHOOK_DISABLE_AFTER
        ).update(is_active=False, disabled_at=now, updated_at=now)
        if disabled:
            _disabled_email(Webhook.objects.select_related("owner").get(pk=call.webhook_id))


def _disabled_email(webhook: Webhook) -> None:
    owner = webhook.owner
    if not owner.email:
        logger.warning("Webhook %s was disabled; its owner has no email address", webhook.pk)
        return
    delivery_queue(
        DeliverySpec(
            kind=WEBHOOK_DISABLED,
            key=f"{WEBHOOK_DISABLED}:{webhook.pk}:{webhook.disabled_at:%Y%m%dT%H%M%S.%f}",
            to_email=owner.email,
            to_name=owner.get_full_name(),
            language=webhook.language,
            context={"webhook": webhook.pk},
        )
    )
