"""Two registrations sent at once with one `Idempotency-Key`, on PostgreSQL: one runs,
the other waits for it and answers the same.

SQLite serialises writers at BEGIN, so the wait this pins only exists on a real server.
"""

import threading

import pytest
from django.test import Client

from events_site.models import IdempotentRequest
from registrations.models import Registration
from registrations.services import registration as registration_services
from tests.factories import MeetingFactory, ProgrammeFactory
from tests.integration.conftest import _require_real_services
from tests.integration.test_checkin_concurrency import _in_thread, _wait_until_blocked
from tests.registrations.conftest import registration_data

pytestmark = pytest.mark.integration


def test_a_duplicate_sent_during_the_first_waits_and_gets_its_answer(transactional_db, monkeypatch):
    _require_real_services()
    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027))
    running, release = threading.Event(), threading.Event()
    runs = []
    create = registration_services.registration_create

    def slow_create(*args, **kwargs):
        """The first request holds its transaction open, registration made, until told."""
        runs.append(threading.get_ident())
        result = create(*args, **kwargs)
        running.set()
        release.wait(timeout=30)
        return result

    monkeypatch.setattr(registration_services, "registration_create", slow_create)
    path = f"/api/meetings/{meeting.pk}/registrations"
    headers = {"Idempotency-Key": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"}

    def register():
        return Client().post(
            path, registration_data(), content_type="application/json", headers=headers
        )

    results = [None, None]
    first = threading.Thread(target=_in_thread, args=(register, results, 0))
    first.start()
    assert running.wait(timeout=30)
    second = threading.Thread(target=_in_thread, args=(register, results, 1))
    second.start()
    _wait_until_blocked(timeout=30)
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert [r.status_code for r in results] == [201, 201]
    assert results[0].content == results[1].content
    assert results[1]["Idempotent-Replayed"] == "true"
    assert len(runs) == 1
    assert Registration.objects.count() == IdempotentRequest.objects.count() == 1
