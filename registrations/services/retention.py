"""Personal data kept no longer than a rule says (GDPR art. 5(1)(e)): the rules on
registrations, emails and webhook calls.

Each rule is a setting (README, configuration) and a query; the rules on post-its join
them in `workshops.services.retention`, which runs them all. What the key figures and
booklets count is never touched: an anonymised registration keeps its status, check-in,
function, organisation and languages.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from tasks.outbox import deliveries_recipient_remove, deliveries_with_recipient
from tasks.webhooks import webhook_calls_delete, webhook_calls_done

from ..models import Registration
from .privacy import NOTES_CLEARED, registrations_anonymise, registrations_notes_clear

CANCELLED_ANONYMISED = "cancelled_anonymised"
NOTES_DELETED = "notes_deleted"
HELD_ANONYMISED = "held_anonymised"
DELIVERIES_STRIPPED = "deliveries_stripped"
WEBHOOK_CALLS_DELETED = "webhook_calls_deleted"


def months_before(moment: datetime, months: int) -> datetime:
    """The same day `months` earlier, or that month's last day (31 March → 28 February)."""
    years, month = divmod(moment.month - 1 - months, 12)
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Rule:
    code: str
    rows: QuerySet
    apply: Callable[[QuerySet], int]


def held_until(now: datetime) -> datetime:
    """Meetings that ended before this are anonymised (`RETENTION_MONTHS`)."""
    return months_before(now, settings.RETENTION_MONTHS)


def retention_rules(now: datetime) -> list[Rule]:
    """The rules in the order they run, each with the rows it would change now."""
    notes_until = now - timedelta(days=settings.RETENTION_NOTES_DAYS)
    cancelled_until = now - timedelta(days=settings.RETENTION_CANCELLED_DAYS)
    deliveries_until = now - timedelta(days=settings.RETENTION_DELIVERY_DAYS)
    fresh = Registration.objects.filter(anonymised_at__isnull=True)
    return [
        Rule(
            NOTES_DELETED,
            Registration.objects.filter(
                Q(status=Registration.Status.CANCELLED) | Q(meeting__ends_at__lt=notes_until)
            ).exclude(**NOTES_CLEARED),
            registrations_notes_clear,
        ),
        Rule(
            CANCELLED_ANONYMISED,
            fresh.filter(status=Registration.Status.CANCELLED, cancelled_at__lt=cancelled_until),
            registrations_anonymise,
        ),
        Rule(
            HELD_ANONYMISED,
            fresh.filter(meeting__ends_at__lt=held_until(now)),
            registrations_anonymise,
        ),
        Rule(
            DELIVERIES_STRIPPED,
            deliveries_with_recipient(deliveries_until),
            deliveries_recipient_remove,
        ),
        Rule(
            WEBHOOK_CALLS_DELETED,
            webhook_calls_done(deliveries_until),
            webhook_calls_delete,
        ),
    ]
