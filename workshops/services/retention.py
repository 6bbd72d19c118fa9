"""All the retention rules, run together: those of registrations and emails
(`registrations.services.retention`) and the signatures of post-its, which follow the
registrations of their meeting. Daily from Celery beat (`tasks.retention`), and on
demand with `manage.py retention [--dry-run]`.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from registrations.services.retention import Rule, held_until, retention_rules

from ..models import Contribution
from .privacy import contributions_unsign

SIGNATURES_REMOVED = "signatures_removed"


def _rules(now: datetime) -> list[Rule]:
    return [
        *retention_rules(now),
        Rule(
            SIGNATURES_REMOVED,
            Contribution.objects.filter(workshop__meeting__ends_at__lt=held_until(now)).exclude(
                author=""
            ),
            contributions_unsign,
        ),
    ]


def retention_apply(now: datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Rows changed per rule, all rules in one transaction. A dry run does the same and
    rolls it back, so that its counts are exactly those of a run (the rules overlap: a
    row anonymised by one is not counted again by the next)."""
    with transaction.atomic():
        counts = {rule.code: rule.apply(rule.rows) for rule in _rules(now or timezone.now())}
        transaction.set_rollback(dry_run)
    return counts
