"""An organiser's webhooks: making, changing and deleting them.

The address is checked where it will be called from: it must resolve outside the
server's network (`targets`). The secret is made here and returned once; only the
webhook's owner ever sees or changes it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit.errors import Invalid

from ..models import Webhook
from .signing import secret_generate
from .targets import target_resolve


def _events_check(events: list[str]) -> list[str]:
    if not events:
        message = _("Choose at least one event.")
        raise Invalid(message, {"events": [message]})
    # In the order of the list of events, once each.
    return [event for event in Webhook.Event.values if event in events]


@transaction.atomic
def webhook_create(
    owner, *, url: str, events: list[str], description: str = "", language: str = "fr"
) -> Webhook:
    target_resolve(url)
    return Webhook.objects.create(
        owner=owner,
        url=url,
        events=_events_check(events),
        description=description,
        language=language,
        secret=secret_generate(),
    )


@transaction.atomic
def webhook_update(webhook: Webhook, **data) -> Webhook:
    """Change the address, the events, the description, the language, or switch it on
    or off. Switching it on again starts a fresh count of failures, and the calls that
    waited are sent (the sweep picks them up)."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    if "url" in data:
        target_resolve(data["url"])
    if "events" in data:
        data["events"] = _events_check(data["events"])
    if data.get("is_active") and not webhook.is_active:
        data.update(failures=0, disabled_at=None)
    elif data.get("is_active") is False and webhook.is_active:
        data["disabled_at"] = timezone.now()
    for name, value in data.items():
        setattr(webhook, name, value)
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(webhook: Webhook) -> None:
    """Its calls go with it: nobody is left to send them to."""
    webhook.delete()
