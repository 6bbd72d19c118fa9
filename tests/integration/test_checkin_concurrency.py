"""Two devices scanning one ticket at the same instant, on PostgreSQL: one check-in row.

SQLite serialises writers, so the race these tests pin only exists on a real server.
"""

import threading
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction

from registrations.models import CheckIn
from registrations.services.checkin import DoorCounts, Outcome, checkin_counts, checkin_scan
from tests.factories import MeetingFactory, ProgrammeFactory
from tests.integration.conftest import _require_real_services
from tests.ticket_factories import RegistrationFactory, seats_count

pytestmark = pytest.mark.integration


@pytest.fixture
def door(transactional_db):
    _require_real_services()
    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027))
    devices = [
        User.objects.create_user(f"device{n}", first_name="Device", last_name=str(n))
        for n in range(8)
    ]
    return meeting, devices


def _in_thread(target, results, index, *args):
    try:
        results[index] = target(*args)
    except BaseException as error:  # reported by the test, not lost in the thread
        results[index] = error
    finally:
        connections.close_all()


def test_simultaneous_scans_of_one_ticket_make_one_check_in(door):
    meeting, devices = door
    registrations = RegistrationFactory.create_batch(10, meeting=meeting)
    for registration in registrations:
        barrier = threading.Barrier(len(devices))
        results = [None] * len(devices)

        def scan(device, barrier=barrier, registration=registration):
            barrier.wait(timeout=30)
            return checkin_scan(registration.ticket_secret, meeting=meeting, by=device)

        threads = [
            threading.Thread(target=_in_thread, args=(scan, results, n, device))
            for n, device in enumerate(devices)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, errors
        outcomes = sorted(r.outcome for r in results)
        assert outcomes == [Outcome.ALREADY_CHECKED_IN] * 7 + [Outcome.CHECKED_IN]
        row = CheckIn.objects.select_related("checked_in_by").get(registration=registration)
        winner = next(r for r in results if r.outcome == Outcome.CHECKED_IN)
        assert {r.checked_in_by for r in results} == {winner.checked_in_by}
        assert row.checked_in_by.get_full_name() == winner.checked_in_by
    assert CheckIn.objects.count() == 10


def test_simultaneous_scans_of_different_tickets_are_each_counted_once(door):
    """Each device's connection counts in its own share of the door's counter: the
    counter is their sum, every check-in in it once."""
    meeting, devices = door
    registrations = RegistrationFactory.create_batch(3 * len(devices), meeting=meeting)
    seats_count(meeting)
    barrier = threading.Barrier(len(devices))
    results = [None] * len(devices)

    def scan_three(device, tickets):
        barrier.wait(timeout=30)
        return [
            checkin_scan(ticket.ticket_secret, meeting=meeting, by=device).outcome
            for ticket in tickets
        ]

    threads = [
        threading.Thread(
            target=_in_thread,
            args=(scan_three, results, n, device, registrations[n :: len(devices)]),
        )
        for n, device in enumerate(devices)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results == [[Outcome.CHECKED_IN] * 3] * len(devices)
    assert checkin_counts(meeting) == DoorCounts(expected=24, present=24)


def test_a_scan_blocked_behind_an_uncommitted_one_answers_already_without_an_error(door):
    """Device A has inserted but not committed; device B's insert waits on the unique
    index, then fails on it inside its savepoint and reports A's check-in."""
    meeting, (first, second, *_rest) = door
    registration = RegistrationFactory(meeting=meeting)
    inserted, release = threading.Event(), threading.Event()
    results = [None, None]

    def device_a():
        with transaction.atomic():
            result = checkin_scan(registration.ticket_secret, meeting=meeting, by=first)
            inserted.set()
            release.wait(timeout=30)
        return result

    def device_b():
        inserted.wait(timeout=30)
        # B runs in a transaction of its own too, as a request under ATOMIC_REQUESTS would:
        # the failed insert must not poison it.
        with transaction.atomic():
            result = checkin_scan(registration.ticket_secret, meeting=meeting, by=second)
            assert CheckIn.objects.filter(registration=registration).count() == 1
        return result

    a = threading.Thread(target=_in_thread, args=(device_a, results, 0))
    b = threading.Thread(target=_in_thread, args=(device_b, results, 1))
    a.start()
    b.start()
    assert inserted.wait(timeout=30)
    _wait_until_blocked(timeout=30)
    release.set()
    a.join(timeout=60)
    b.join(timeout=60)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results[0].outcome == Outcome.CHECKED_IN
    assert results[1].outcome == Outcome.ALREADY_CHECKED_IN
    assert results[1].checked_in_by == "Device 0"
    assert CheckIn.objects.get().checked_in_by == first


def _wait_until_blocked(timeout: float) -> None:
    """Until a backend of the test database waits on a lock (B's insert behind A's)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail("the second scan never waited on the first one's insert")
