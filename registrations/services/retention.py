"""Personal data kept no longer than a rule says (GDPR art. 5(1)(e)).

Each rule is a setting (README, configuration) and a query; `retention_apply` runs them
all in one transaction, daily from Celery beat and on demand with `manage.py retention`.
What the key figures and booklets count is never touched: an anonymised registration
keeps its status, check-in, function, organisation and languages.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tasks.models import Delivery
from tasks.outbox.privacy import WAITING, deliveries_recipient_remove

from ..models import Registration
from .privacy import NOTES_CLEARED, registrations_anonymise, registrations_notes_clear

CANCELLED_ANONYMISED = "cancelled_anonymised"
NOTES_DELETED = "notes_deleted"
HELD_ANONYMISED = "held_anonymised"
DELIVERIES_STRIPPED = "deliveries_stripped"


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


def retention_rules(now: datetime) -> list[Rule]:
    """The rules in the order they run, each with the rows it would change now."""
    notes_until = now - timedelta(days=settings.RETENTION_NOTES_DAYS)
    cancelled_until = now - timedelta(days=settings.RETENTION_CANCELLED_DAYS)
    held_until = months_before(now, settings.RETENTION_MONTHS)
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
            fresh.filter(meeting__ends_at__lt=held_until),
            registrations_anonymise,
        ),
        Rule(
            DELIVERIES_STRIPPED,
            Delivery.objects.filter(created_at__lt=deliveries_until)
            .exclude(to_email="", to_name="")
            .exclude(status__in=WAITING),
            deliveries_recipient_remove,
        ),
    ]


def retention_apply(now: datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Rows changed per rule, all rules in one transaction. A dry run does the same and
    rolls it back, so that its counts are exactly those of a run (the rules overlap: a
    row anonymised by one is not counted again by the next)."""
    with transaction.atomic():
        rules = retention_rules(now or timezone.now())
        counts = {rule.code: rule.apply(rule.rows) for rule in rules}
        transaction.set_rollback(dry_run)
    return counts
