"""The last seats under a rush, on PostgreSQL: exactly as many confirmed as seats, and a
waiting list without gaps, whoever wins the race.

Each thread has its own database connection, so the registrations really run in
parallel transactions that meet at the meeting's row lock. (PostgreSQL's default of 100
connections leaves no room for 100 threads plus the test's own: 40 threads share the
100 registrations, all released at once.)
"""

import os
import threading

import pytest
from django.db import connection, connections

from events_site.celery import app as celery_app
from meetings.models import Meeting
from registrations.models import Registration
from registrations.selectors import waitlist_position
from registrations.services import registration_create
from tests.factories import MeetingFactory, ProgrammeFactory
from tests.registrations.conftest import registration_data

pytestmark = pytest.mark.integration

CAPACITY = 40
ALREADY_CONFIRMED = 30
RUSH = 100
THREADS = 40


@pytest.fixture
def postgresql(transactional_db, settings):
    if connection.vendor != "postgresql":
        message = f"needs PostgreSQL (DATABASE_URL=postgres://…), got {connection.vendor}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield
    if settings.REDIS_URL:
        # Nobody runs the delivery jobs queued after each commit: drop them.
        celery_app.control.purge()


def test_100_concurrent_registrations_for_the_last_10_seats(postgresql):
    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027), capacity=CAPACITY)
    for n in range(ALREADY_CONFIRMED):
        registration_create(meeting, data=registration_data(email=f"early{n}@example.org"))
    emails = [f"rush{n}@example.org" for n in range(RUSH)]
    start = threading.Barrier(THREADS)
    answers: list[tuple[str, bool]] = []
    errors: list[BaseException] = []

    def register(share: list[str]) -> None:
        try:
            start.wait(timeout=30)
            for email in share:
                registration, created = registration_create(
                    meeting, data=registration_data(email=email)
                )
                answers.append((registration.status, created))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=register, args=(emails[i::THREADS],)) for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(answers) == sorted(
        [("confirmed", True)] * (CAPACITY - ALREADY_CONFIRMED)
        + [("waitlisted", True)] * (RUSH - CAPACITY + ALREADY_CONFIRMED)
    )
    rush = Registration.objects.filter(email__startswith="rush")
    assert rush.filter(status=Registration.Status.CONFIRMED).count() == 10
    waiting = list(rush.filter(status=Registration.Status.WAITLISTED))
    assert len(waiting) == 90
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.seats_taken == meeting.capacity == CAPACITY
    assert Registration.objects.filter(meeting=meeting, status="confirmed").count() == CAPACITY
    assert sorted(waitlist_position(r) for r in waiting) == list(range(1, 91))
