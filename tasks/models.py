"""The outbox: one row per email, and per webhook call, the product owes someone.

A service writes the row in its own transaction, so an email exists exactly when the
change that caused it was committed. Sending is a separate, retryable step.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    to_email = models.EmailField(_("recipient"))
    to_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5)
    reply_to = models.EmailField(_("reply to"), blank=True)
    person = models.ForeignKey(
        "meetings.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    programme = models.ForeignKey(
        "meetings.Programme", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the renderer needs beyond the references above (ids, a METHOD, a token…).
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["meeting", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(to_email__contains="\n") & ~models.Q(to_email__contains="\r"),
                name="delivery_recipient_single_line",
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.to_email} ({self.status})"

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt of this delivery.

        SMTP has no transaction: a worker killed between the server's "250 OK" and our
        commit sends again. Mailbox providers collapse messages that share a Message-ID,
        so a resend never shows up twice.
        """
        digest = hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:32]
        return f"<{digest}@proximity-meetings>"


class Webhook(models.Model):
    """An organiser's address that is told, by a signed POST, what happened.

    The secret signs every call; it is generated here and shown once, when the webhook
    is made. A webhook whose calls keep failing for good is switched off and its owner
    told, in `language`, rather than being called for ever.
    """

    class Event(models.TextChoices):
        REGISTRATION_CREATED = "registration.created", _("registration created")
        REGISTRATION_CHANGED = "registration.changed", _("registration changed")
        REGISTRATION_CANCELLED = "registration.cancelled", _("registration cancelled")
        REGISTRATION_PROMOTED = "registration.promoted", _("registration promoted")
        CHECKIN_CREATED = "checkin.created", _("check-in")
        MEETING_PUBLISHED = "meeting.published", _("meeting published")
        MEETING_CHANGED = "meeting.changed", _("meeting changed")
        MEETING_CANCELLED = "meeting.cancelled", _("meeting cancelled")
        BOOKLET_APPROVED = "booklet.approved", _("booklet approved")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("owner"),
    )
    url = models.URLField(_("address"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=80)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Calls that failed for good in a row; a delivered call sets it back to 0.
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.description or self.url


class WebhookCall(models.Model):
    """One call owed to a webhook: written in the transaction of the change it tells.

    Like an email of the outbox, it exists exactly when its change was committed, and
    sending it is a separate, retryable step. `idempotency_key` goes out with every
    attempt, so a receiver can drop a call it has already seen.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="calls", verbose_name=_("webhook")
    )
    event = models.CharField(_("event"), max_length=40, choices=Webhook.Event.choices)
    idempotency_key = models.UUIDField(_("idempotency key"), unique=True, default=uuid.uuid4)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook call")
        verbose_name_plural = _("webhook calls")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} → {self.webhook_id} ({self.status})"
