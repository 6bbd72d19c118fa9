"""Organisers' webhooks: each organiser makes, reads and changes only their own.

Another organiser's webhook answers 404, as one that does not exist: its address and
events are its owner's business.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from events_site.kit.errors import NotFound
from events_site.kit.http_errors import error_responses
from events_site.kit.pagination import page
from meetings.auth import organiser_auth

from .models import Webhook
from .schemas import (
    WebhookCallFilters,
    WebhookCallOut,
    WebhookCallPage,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from .webhooks import selectors, services
from .webhooks.sweep import webhook_call_resend

router = Router(tags=["webhooks"])

SIGNATURE = (
    " Each call is a JSON POST (`id`, `event`, `created_at`, `data`) with the headers "
    "`Idempotency-Key` (the call's id, the same on every attempt), `X-Proximity-Event` and "
    "`X-Proximity-Signature: t=<unix time>,v1=<hex>`, the HMAC-SHA256 of `<t>.<body>` "
    "keyed with the webhook's secret (README, Webhooks)."
)


def _own(request, webhook_id: int) -> Webhook:
    webhook = selectors.webhooks_of(request.auth).filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound(_("You have no webhook with this id."))
    return webhook


@router.get(
    "/webhooks",
    response={200: list[WebhookOut], **error_responses()},
    auth=organiser_auth,
    summary="List my webhooks",
)
def webhook_list(request):
    """The caller's own webhooks, newest first, switched off ones included (with when).
    Organisers only."""
    return selectors.webhooks_of(request.auth)


@router.post(
    "/webhooks",
    response={201: WebhookCreatedOut, **error_responses()},
    auth=organiser_auth,
    summary="Make a webhook",
    description=(
        "Register an address to be told of the chosen events. The answer carries the "
        "`secret` that signs the calls: it is shown this once. An address inside this "
        "server's network (loopback, private, link-local, reserved) answers 422." + SIGNATURE
    ),
)
def webhook_create(request, payload: WebhookIn):
    webhook = services.webhook_create(request.auth, **payload.dict())
    return Status(201, webhook)


@router.get(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **error_responses()},
    auth=organiser_auth,
    summary="Read a webhook",
)
def webhook_read(request, webhook_id: int):
    """One of the caller's webhooks (its secret is never shown again). Organisers only;
    another organiser's answers 404."""
    return _own(request, webhook_id)


@router.patch(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **error_responses()},
    auth=organiser_auth,
    summary="Change a webhook",
)
def webhook_update(request, webhook_id: int, payload: WebhookPatch):
    """Change the address, the events, the description or the language; `is_active:
    true` switches a webhook on again after failures, and the calls that waited go out.
    The address is checked as on creation (422)."""
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    return services.webhook_update(_own(request, webhook_id), **changes)


@router.delete(
    "/webhooks/{webhook_id}",
    response={204: None, **error_responses()},
    auth=organiser_auth,
    summary="Delete a webhook",
)
def webhook_delete(request, webhook_id: int):
    """Delete one of the caller's webhooks and its calls, sent or not."""
    services.webhook_delete(_own(request, webhook_id))
    return Status(204, None)


@router.get(
    "/webhooks/{webhook_id}/calls",
    response={200: WebhookCallPage, **error_responses()},
    auth=organiser_auth,
    summary="List a webhook's calls",
)
def webhook_calls(request, webhook_id: int, filters: Query[WebhookCallFilters]):
    """Each call of one of the caller's webhooks, newest first, a page at a time: its
    status, attempts, the receiver's last response code and the start of its answer;
    filter by status (`failed` for what needs a look)."""
    webhook = _own(request, webhook_id)
    return page(request, selectors.webhook_calls(webhook, **filters.filters()), filters)


@router.post(
    "/webhook-calls/{call_id}/resend",
    response={200: WebhookCallOut, **error_responses()},
    auth=organiser_auth,
    summary="Send a failed call again",
)
def webhook_call_resend_(request, call_id: int):
    """Send a failed call again once its receiver is fixed: the same body and
    Idempotency-Key, a fresh count of attempts. A call that has not failed, or of a
    switched-off webhook, answers 409."""
    call = selectors.webhook_call_of(request.auth, call_id)
    if call is None:
        raise NotFound(_("You have no webhook call with this id."))
    return webhook_call_resend(call)
