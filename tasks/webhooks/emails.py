"""The email to a webhook's owner once it was switched off, in the language they chose."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import Delivery, Webhook
from ..outbox import PermanentFailure, message_build, renderer
from .send import WEBHOOK_DISABLED


@renderer(WEBHOOK_DISABLED)
def webhook_disabled_render(delivery: Delivery):
    webhook = Webhook.objects.filter(pk=delivery.context.get("webhook")).first()
    if webhook is None:
        raise PermanentFailure("The webhook of this email no longer exists.")
    last = webhook.calls.filter(status="failed").order_by("-updated_at", "-pk").first()
    with translation.override(delivery.language):
        subject = _("Your webhook was switched off")
        calls_url = reverse("admin:tasks_webhookcall_changelist")
        context = {
            "webhook": webhook,
            "failures": webhook.failures,
            "last": last,
            "calls_url": f"{settings.SITE_URL}{calls_url}?webhook__id__exact={webhook.pk}",
        }
    return message_build(
        delivery, subject=subject, template="tasks/email/webhook_disabled", context=context
    )
