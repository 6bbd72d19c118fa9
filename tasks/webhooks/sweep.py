"""Hand on again the calls nobody is working on, and an organiser's "send again".

`webhook_calls_sweep`, run by Celery beat with the emails' sweep, re-enqueues calls
written while the broker was down and calls held by a worker that died; calls of a
webhook switched off wait for it to be switched on again.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from events_site.kit.errors import Conflict

from ..models import WebhookCall
from ..outbox.enqueue import publish_ids
from ..outbox.sweep import stranded_ids
from .emit import SEND_TASK


def webhook_calls_sweep() -> int:
    """Re-enqueue what nobody is working on; returns how many calls it handed on."""
    ids = stranded_ids(WebhookCall.objects.filter(webhook__is_active=True))
    publish_ids(SEND_TASK, WebhookCall.objects, ids)
    return len(ids)


def webhook_call_resend(call: WebhookCall) -> WebhookCall:
    """An organiser's "send again" on a failed call, once the receiver is fixed: the
    same call, with the same Idempotency-Key, and a fresh count of attempts."""
    if not call.webhook.is_active:
        raise Conflict(_("This webhook is switched off: switch it on to send its calls again."))
    reopened = WebhookCall.objects.filter(pk=call.pk, status=WebhookCall.Status.FAILED).update(
        status=WebhookCall.Status.QUEUED, attempts=0, next_attempt_at=None
    )
    if not reopened:
        raise Conflict(_("Only a failed call can be sent again."))
    transaction.on_commit(lambda: publish_ids(SEND_TASK, WebhookCall.objects, [call.pk]))
    call.refresh_from_db()
    return call
