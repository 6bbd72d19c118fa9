"""Reminders a week and a day before, each sent once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registrations.models import Registration
from registrations.services.registration import registration_cancel
from registrations.services.reminders import reminders_queue
from tasks.models import Delivery
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_reminders_go_7_days_and_1_day_before_once_each(meeting, register):
    confirmed = register(meeting)
    register(meeting, email="sofie@example.org")
    registration_cancel(Registration.objects.get(email="sofie@example.org"))
    starts = meeting.starts_at

    assert reminders_queue(starts - timedelta(days=8)) == 0
    assert reminders_queue(starts - timedelta(days=6, hours=23)) == 1
    assert reminders_queue(starts - timedelta(days=6)) == 0
    assert reminders_queue(starts - timedelta(hours=23)) == 1
    assert reminders_queue(starts - timedelta(hours=1)) == 0

    keys = set(
        Delivery.objects.filter(kind="registration_reminder").values_list(
            "idempotency_key", flat=True
        )
    )
    assert keys == {f"reminder-7d:{confirmed.pk}", f"reminder-1d:{confirmed.pk}"}


def test_someone_confirmed_within_the_week_only_gets_the_last_reminder(programme, register):
    soon = MeetingFactory(
        programme=programme,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=3),
    )
    registration = register(soon)

    assert reminders_queue(timezone.now()) == 0
    assert reminders_queue(soon.starts_at - timedelta(hours=12)) == 1
    assert Delivery.objects.get(kind="registration_reminder").idempotency_key == (
        f"reminder-1d:{registration.pk}"
    )


def test_the_reminder_job_queues_what_is_due(programme, register):
    from tasks.tasks import registration_reminders

    soon = MeetingFactory(
        programme=programme,
        starts_at=timezone.now() + timedelta(hours=20),
        ends_at=timezone.now() + timedelta(hours=23),
    )
    Registration.objects.filter(pk=register(soon).pk).update(
        confirmed_at=timezone.now() - timedelta(days=10)
    )

    registration_reminders.delay()
    registration_reminders.delay()

    assert Delivery.objects.filter(kind="registration_reminder").count() == 1
