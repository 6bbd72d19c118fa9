"""The outbox: one row per email the product owes someone.

A service writes the row in its own transaction, so an email exists exactly when the
change that caused it was committed. Sending is a separate, retryable step.
"""

import hashlib

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
