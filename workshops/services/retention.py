"""All the retention rules, run together: those of registrations and emails
(`registrations.services.retention`), the signatures of post-its and the voters of poll
answers and words, which follow the registrations of their meeting, and spent sign-in
links, which hold the address that asked for them. Daily from Celery beat
(`tasks.retention`), and on demand with `manage.py retention [--dry-run]`.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from meetings.models import LoginLink
from registrations.services.retention import Rule, held_until, retention_rules

from ..models import Contribution, PollAnswer, WordEntry
from .privacy import ANONYMOUS_VOTER, answers_anonymise, contributions_unsign

SIGNATURES_REMOVED = "signatures_removed"
SIGNIN_LINKS_DELETED = "signin_links_deleted"
POLL_ANSWERS_ANONYMISED = "poll_answers_anonymised"
WORDS_ANONYMISED = "words_anonymised"
# A link is of no use once expired; it is kept a day beyond, so that the hourly limit
# on links per address (`meetings.services.signin`) still sees it.
SIGNIN_LINKS_KEPT = timedelta(days=1)


def _answers_held(model, now: datetime):
    return model.objects.filter(round__workshop__meeting__ends_at__lt=held_until(now)).exclude(
        voter__startswith=ANONYMOUS_VOTER
    )


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
        Rule(POLL_ANSWERS_ANONYMISED, _answers_held(PollAnswer, now), answers_anonymise),
        Rule(WORDS_ANONYMISED, _answers_held(WordEntry, now), answers_anonymise),
        Rule(
            SIGNIN_LINKS_DELETED,
            LoginLink.objects.filter(expires_at__lt=now - SIGNIN_LINKS_KEPT),
            lambda links: links.delete()[0],
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
