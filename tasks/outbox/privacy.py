"""Outbox rows that no longer say who they were sent to.

Kind, status, dates, attempts and the meeting stay, so the admin's counts and the
delivery report of a meeting are unchanged; the recipient's name and address go, from
the server's reason too (a bounce quotes the address).
"""

from datetime import datetime

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Delivery

WAITING = (Delivery.Status.QUEUED, Delivery.Status.SENDING)


def deliveries_with_recipient(created_before: datetime) -> QuerySet[Delivery]:
    """Rows done with (sent or failed) that still name their recipient: what the
    retention rule on emails strips."""
    return (
        Delivery.objects.filter(created_at__lt=created_before)
        .exclude(to_email="", to_name="")
        .exclude(status__in=WAITING)
    )


def deliveries_recipient_remove(deliveries: QuerySet[Delivery]) -> int:
    """Rows still sending keep theirs until they are done: the worker owns them."""
    return (
        deliveries.exclude(to_email="", to_name="")
        .exclude(status__in=WAITING)
        .order_by()
        .update(
            to_email="",
            to_name="",
            last_error=Replace(F("last_error"), F("to_email"), Value("")),
            updated_at=timezone.now(),
        )
    )


def deliveries_forget(deliveries: QuerySet[Delivery]) -> int:
    """An erasure: emails not sent yet are not sent at all, then every row loses its
    recipient. Returns the rows that lost it."""
    deliveries.filter(status=Delivery.Status.QUEUED).order_by().update(
        status=Delivery.Status.FAILED,
        last_error=_("Not sent: the recipient's data was erased."),
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    return deliveries_recipient_remove(deliveries)
