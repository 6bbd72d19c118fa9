"""The last seats under a rush, on PostgreSQL: exactly as many confirmed as seats, and a
waiting list without gaps, whoever wins the race.

Twice: through the service, each thread with its own database connection, so the
registrations really run in parallel transactions that meet at the meeting's row lock
(PostgreSQL's default of 100 connections leaves no room for 100 threads plus the test's
own: 40 threads share the 100 registrations, all released at once); and through the API
on gunicorn as deployed, 100 clients at once, the server's 8 threads taking them.
"""

import http.client
import json
import os
import threading

import pytest
from django.db import connection, connections

from events_site.celery import app as celery_app
from meetings.models import Meeting
from registrations.models import Registration
from registrations.selectors import waitlist_position
from registrations.services.registration import registration_create
from tests.bench import _harness as harness
from tests.factories import MeetingFactory, ProgrammeFactory
from tests.integration.conftest import _test_database_url
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
    meeting = _rush_meeting()
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


def _rush_meeting() -> Meeting:
    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027), capacity=CAPACITY)
    for n in range(ALREADY_CONFIRMED):
        registration_create(meeting, data=registration_data(email=f"early{n}@example.org"))
    return meeting


def test_100_people_registering_at_once_through_the_api(postgresql):
    meeting = _rush_meeting()
    path = f"/api/meetings/{meeting.pk}/registrations"
    bodies = [
        json.dumps(
            {**registration_data(email=f"rush{n}@example.org"), "first_name": f"Zoë <b>& {n}"}
        ).encode()
        for n in range(RUSH)
    ]
    start = threading.Barrier(RUSH)
    answers: list[tuple[int, dict]] = []

    def register(body: bytes) -> None:
        start.wait(timeout=30)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answers.append((response.status, json.loads(response.read())))
        finally:
            connection.close()

    # Every client comes from 127.0.0.1: the per-address throttle would stop the rush.
    server, port = harness.gunicorn_start(
        _test_database_url(),
        ("--workers=2", "--worker-class=gthread", "--threads=4"),
        env={"REGISTRATION_THROTTLE_RATE": ""},
    )
    try:
        threads = [threading.Thread(target=register, args=(body,)) for body in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        harness.process_stop(server)

    assert [status for status, _body in answers] == [201] * RUSH
    statuses = sorted(body["status"] for _status, body in answers)
    assert statuses == ["confirmed"] * 10 + ["waitlisted"] * 90
    positions = sorted(
        body["waitlist_position"] for _s, body in answers if body["waitlist_position"]
    )
    assert positions == list(range(1, 91))
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.seats_taken == meeting.capacity == CAPACITY
    assert Registration.objects.filter(meeting=meeting, status="confirmed").count() == CAPACITY
    assert Registration.objects.get(email="rush7@example.org").first_name == "Zoë <b>& 7"
