"""The outbox as organisers see it: what was sent to whom, what failed and why."""

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.kit.admin import ReadOnlyAdminMixin

from .models import Delivery
from .outbox.enqueue import OutboxError
from .outbox.sweep import delivery_resend


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
