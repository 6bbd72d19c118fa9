"""The outbox as organisers see it: what was sent to whom (emails, webhook calls), what
failed and why."""

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.kit.admin import ReadOnlyAdminMixin
from events_site.kit.errors import DomainError

from .models import Delivery, Webhook, WebhookCall
from .outbox.enqueue import OutboxError
from .outbox.sweep import delivery_resend
from .webhooks.services import webhook_update
from .webhooks.sweep import webhook_call_resend


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a delivery records what happened; the only change is "send again"."""

    list_display = (
        "to_email",
        "to_name",
        "kind",
        "meeting",
        "language",
        "status",
        "attempts",
        "failure",
        "created_at",
        "sent_at",
    )
    list_filter = (
        ("meeting", admin.RelatedOnlyFieldListFilter),
        "kind",
        "status",
        "language",
    )
    list_select_related = ("meeting",)
    search_fields = ("to_email", "to_name")
    fields = (
        "kind",
        "status",
        "to_email",
        "to_name",
        "language",
        "reply_to",
        "person",
        "meeting",
        "programme",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "next_attempt_at",
        "idempotency_key",
    )
    readonly_fields = fields
    actions = ("resend",)

    @admin.display(description=_("failure"), ordering="last_error")
    def failure(self, delivery: Delivery) -> str:
        return Truncator(delivery.last_error).chars(80)

    def has_resend_permission(self, request):
        return request.user.has_perm("tasks.change_delivery")

    @admin.action(description=_("Send the selected emails again"), permissions=["resend"])
    def resend(self, request, queryset):
        """Each failure is reported by address, the rest go out."""
        resent = 0
        for delivery in queryset:
            try:
                delivery_resend(delivery)
            except OutboxError as exc:
                self.message_user(
                    request, f"{delivery.to_email}: {exc.message}", level=messages.ERROR
                )
            else:
                resent += 1
        if resent:
            self.message_user(
                request,
                ngettext("%(count)d email queued again.", "%(count)d emails queued again.", resent)
                % {"count": resent},
                level=messages.SUCCESS,
            )


class _OwnWebhooksMixin:
    """An organiser sees their own webhooks and calls; a superuser sees them all."""

    owner_lookup = "owner"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.owner_lookup: request.user})


@admin.register(Webhook)
class WebhookAdmin(_OwnWebhooksMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: webhooks are made through the API, which checks the address and shows
    the secret once; here an organiser sees why one was switched off and switches it on."""

    list_display = ("url", "description", "owner", "is_active", "failures", "disabled_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    fields = (
        "url",
        "description",
        "owner",
        "events",
        "language",
        "is_active",
        "failures",
        "disabled_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ("switch_on",)

    def has_switch_on_permission(self, request):
        return request.user.has_perm("tasks.change_webhook")

    @admin.action(description=_("Switch the selected webhooks on"), permissions=["switch_on"])
    def switch_on(self, request, queryset):
        """Their calls that waited go out with the next sweep."""
        for webhook in queryset:
            webhook_update(webhook, is_active=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d webhook switched on.", "%(count)d webhooks switched on.", len(queryset)
            )
            % {"count": len(queryset)},
            level=messages.SUCCESS,
        )


@admin.register(WebhookCall)
class WebhookCallAdmin(_OwnWebhooksMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each call, its receiver's answer (the response code and the start of its body),
    and "send again" for a failed one."""

    owner_lookup = "webhook__owner"
    list_display = (
        "event",
        "webhook",
        "status",
        "response_code",
        "attempts",
        "failure",
        "created_at",
        "delivered_at",
    )
    list_filter = (
        "status",
        "event",
        "response_code",
        ("webhook", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("webhook",)
    fields = (
        "webhook",
        "event",
        "status",
        "response_code",
        "attempts",
        "last_error",
        "idempotency_key",
        "payload",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    )
    readonly_fields = fields
    actions = ("resend",)

    @admin.display(description=_("failure"), ordering="last_error")
    def failure(self, call: WebhookCall) -> str:
        return Truncator(call.last_error).chars(80)

    def has_resend_permission(self, request):
        return request.user.has_perm("tasks.change_webhookcall")

    @admin.action(description=_("Send the selected calls again"), permissions=["resend"])
    def resend(self, request, queryset):
        resent = 0
        for call in queryset.select_related("webhook"):
            try:
                webhook_call_resend(call)
            except DomainError as exc:
                self.message_user(request, f"{call}: {exc.message}", level=messages.ERROR)
            else:
                resent += 1
        if resent:
            self.message_user(
                request,
                ngettext("%(count)d call queued again.", "%(count)d calls queued again.", resent)
                % {"count": resent},
                level=messages.SUCCESS,
            )
