"""What the site keeps for every app: the answers to retried API writes."""

from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key` (`events_site.kit.idempotency`).

    Written in the transaction of the write it answers, so a committed write always has
    its answer here, and a retry gets that answer instead of writing again. `scope` names
    the operation and who asked, so two callers' keys never meet.
    """

    scope = models.CharField(max_length=120)
    key = models.CharField(max_length=255)
    # A hash of the method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotent_request_one_per_key")
        ]

    def __str__(self):
        return f"{self.scope} {self.key}"
