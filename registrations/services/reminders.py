"""The reminders a week and a day before a meeting, each sent once."""

import logging
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from meetings.models import Meeting
from tasks.outbox import deliveries_queue, recipient_problem

from ..models import Registration
from .delivery import registration_delivery

logger = logging.getLogger(__name__)

REGISTRATION_REMINDER = "registration_reminder"

# Days before the meeting, and the key that makes each reminder leave once.
REMINDERS = ((7, "reminder-7d:{registration}"), (1, "reminder-1d:{registration}"))


def reminders_queue(now: datetime | None = None) -> int:
    """Queue the reminders due: 7 days and 1 day before each published meeting, to each
    confirmed registrant, once each (`reminder-7d:<registration>`…). Returns how many.

    A reminder only goes to someone confirmed before it was due: whoever registers
    three days before the meeting just had their confirmation, and gets the 1-day one.
    Run every few minutes by Celery beat; a run missed while beat was down is caught up.
    """
    now = now or timezone.now()
    days_all = sorted(days for days, _key in REMINDERS)
    specs = []
    for days, key in REMINDERS:
        ahead = timedelta(days=days)
        sooner = [d for d in days_all if d < days]
        # A meeting closer than the next, shorter reminder gets that one instead.
        floor = now + timedelta(days=sooner[-1]) if sooner else now
        due = (
            Registration.objects.filter(
                status=Registration.Status.CONFIRMED,
                meeting__status=Meeting.Status.PUBLISHED,
                meeting__starts_at__gt=floor,
                meeting__starts_at__lte=now + ahead,
                confirmed_at__lte=F("meeting__starts_at") - ahead,
            )
            .only("first_name", "last_name", "email", "language", "person_id", "meeting_id")
            .order_by("pk")
        )
        for registration in due:
            problem = recipient_problem(registration.email, registration.full_name)
            if problem:
                logger.warning("No reminder for registration %s: %s", registration.pk, problem)
                continue
            specs.append(
                registration_delivery(
                    registration,
                    kind=REGISTRATION_REMINDER,
                    key=key.format(registration=registration.pk),
                    days=days,
                )
            )
    return len(deliveries_queue(specs))
