"""What an organiser reads of webhooks: only their own."""

from django.db.models import QuerySet

from ..models import Webhook, WebhookCall


def webhooks_of(owner) -> QuerySet[Webhook]:
    return Webhook.objects.filter(owner=owner)


def webhook_calls(webhook: Webhook, *, status: str | None = None) -> QuerySet[WebhookCall]:
    calls = webhook.calls.order_by("-created_at", "-pk")
    return calls.filter(status=status) if status else calls


def webhook_call_of(owner, call_id: int) -> WebhookCall | None:
    return (
        WebhookCall.objects.select_related("webhook")
        .filter(pk=call_id, webhook__owner=owner)
        .first()
    )
