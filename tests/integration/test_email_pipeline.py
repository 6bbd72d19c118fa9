"""The email pipeline with real parts: PostgreSQL, Redis, Celery workers and an SMTP server.

Each test invites people through the real service and reads what the SMTP sink received.
"""

import time
from collections import Counter
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.utils import parseaddr

import pytest
from celery import current_app
from icalendar import Calendar

from meetings.calendar import meeting_uid
from meetings.models import Organisation, Person
from meetings.services.meetings import meeting_cancel
from registrations.services.invitations import meeting_invite
from tasks.models import Delivery
from tasks.outbox.queue import broker_outage
from tests.factories import MeetingFactory, ProgrammeFactory, cross_border_pair
from tests.integration.conftest import wait_for
from tests.integration.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration

# Fast retries and sweeps, so that minutes of production behaviour take seconds here.
FAST = {
    "OUTBOX_RETRY_BASE_S": "0.3",
    "OUTBOX_RETRY_MAX_S": "2",
    "OUTBOX_STUCK_AFTER_S": "3",
    "OUTBOX_REQUEUE_AFTER_S": "1",
    "OUTBOX_SWEEP_S": "1",
}


@pytest.fixture
def sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def meeting(transactional_db):
    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027))
    cross_border_pair(meeting)
    return meeting


def _people(n: int) -> list[Person]:
    organisation = Organisation.objects.create(
        name="Kortrijk", kind=Organisation.Kind.MUNICIPALITY, country="BE", postcode="8500"
    )
    return Person.objects.bulk_create(
        Person(
            first_name=f"Invité{i}",
            last_name="Test",
            email=f"invitee{i}@example.be",
            function=Person.Function.ALDERMAN,
            organisation=organisation,
            preferred_language="nl" if i % 2 else "fr",
        )
        for i in range(n)
    )


@contextmanager
def _broker_unreachable():
    """Point this process's Celery at a closed port: publishing fails for real."""
    app = current_app._get_current_object()
    broker_url = app.conf.broker_url

    def reconnect(url: str, retry: bool) -> None:
        # Celery caches its connection and producer pools; kombu keeps one per URL.
        app.conf.update(broker_url=url, task_publish_retry=retry)
        app._pool = None
        app.amqp._producer_pool = None

    reconnect("redis://127.0.0.1:9/0", retry=False)
    try:
        yield
    finally:
        reconnect(broker_url, retry=True)
        broker_outage.recovered()


def _statuses() -> dict[str, int]:
    return {
        status: Delivery.objects.filter(status=status).count() for status in Delivery.Status.values
    }


def test_a_worker_killed_mid_fanout_leaves_every_invitee_exactly_one_message(
    start_worker, sink, meeting
):
    people = _people(500)
    first = start_worker(EMAIL_URL=sink.url, **FAST)

    report = meeting_invite(meeting, people=people, invited_by=None)
    assert report.queued == 500

    wait_for(lambda: len(sink.handler.messages) >= 120, worker=first, what="the first messages")
    first.kill()
    sent_before_restart = Delivery.objects.filter(status="sent").count()
    assert sent_before_restart < 500, "the kill must land in the middle of the fan-out"
    # Rows are claimed one at a time, and the claim of the next marks the one before as
    # sent: whatever the moment of the kill, one row at most is left in doubt.
    in_doubt = set(Delivery.objects.filter(status="sending").values_list("to_email", flat=True))
    assert len(in_doubt) <= 1

    second = start_worker(EMAIL_URL=sink.url, beat=True, **FAST)
    wait_for(lambda: _statuses()["sent"] == 500, timeout=120, worker=second, what="all 500 sent")

    received = sink.handler.received_by()
    assert len(received) == 500
    assert set(received.values()) == {1}, "a resend must reuse its Message-ID"
    transactions = Counter(parseaddr(m["To"])[1] for m in sink.handler.messages)
    print(f"killed after {sent_before_restart} sent; SMTP transactions {transactions.total()}")
    # SMTP has no transaction: the server may have taken the message in doubt before
    # the kill. That one, and only that one, may arrive twice.
    assert {to for to, count in transactions.items() if count > 1} <= in_doubt


def test_invitations_written_while_the_broker_is_down_go_out_once_it_is_back(
    start_worker, sink, meeting
):
    people = _people(20)
    with _broker_unreachable():
        report = meeting_invite(meeting, people=people, invited_by=None)

    assert report.queued == 20, "the organiser's action succeeds"
    assert _statuses()["queued"] == 20
    assert not Delivery.objects.filter(enqueued_at__isnull=False).exists()

    worker = start_worker(EMAIL_URL=sink.url, beat=True, **FAST)
    wait_for(lambda: _statuses()["sent"] == 20, worker=worker, what="the sweep to send them")
    assert set(sink.handler.received_by().values()) == {1}


def test_a_greylisting_server_gets_the_message_on_the_fourth_try(start_worker, sink, meeting):
    (person,) = _people(1)
    sink.handler.temporary_failures[person.email] = 3
    worker = start_worker(EMAIL_URL=sink.url, **FAST)

    meeting_invite(meeting, people=[person], invited_by=None)

    wait_for(lambda: _statuses()["sent"] == 1, worker=worker, what="delivery after 3 × 451")
    delivery = Delivery.objects.get()
    assert delivery.attempts == 4
    assert sink.handler.refusals[person.email] == ["451", "451", "451"]
    assert len(sink.handler.messages) == 1


def test_a_permanent_refusal_fails_with_the_reason_and_is_not_retried(start_worker, sink, meeting):
    (person,) = _people(1)
    sink.handler.permanent_failures.add(person.email)
    worker = start_worker(EMAIL_URL=sink.url, beat=True, **FAST)

    meeting_invite(meeting, people=[person], invited_by=None)

    wait_for(lambda: _statuses()["failed"] == 1, worker=worker, what="the delivery to fail")
    time.sleep(3)  # several sweeps and retry periods: nothing may try again
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "550" in delivery.last_error and "does not exist" in delivery.last_error
    assert sink.handler.refusals[person.email] == ["550"]
    assert sink.handler.messages == []


def _calendar_parts(sink, method: str) -> dict[str, tuple[str, Calendar]]:
    """By recipient: the `method` parameter of each received text/calendar part, and the
    calendar it holds, read from the bytes the SMTP server got, as a mail client reads
    them."""
    found = {}
    for received in list(sink.handler.messages):
        message = message_from_bytes(received.as_bytes(), policy=policy.default)
        (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        calendar = Calendar.from_ical(part.get_content())
        if calendar["METHOD"] == method:
            found[message["To"].addresses[0].addr_spec] = (part.get_param("method"), calendar)
    return found


def test_the_invitation_the_server_receives_is_a_calendar_invite_outlook_and_gmail_file(
    start_worker, sink, meeting
):
    people = _people(2)  # one French, one Dutch
    worker = start_worker(EMAIL_URL=sink.url, **FAST)

    meeting_invite(meeting, people=people, invited_by=None)
    wait_for(lambda: len(sink.handler.messages) == 2, worker=worker, what="2 invitations")
    cancelled = meeting_cancel(meeting, reason="Salle indisponible")
    wait_for(lambda: len(sink.handler.messages) == 4, worker=worker, what="2 cancellations")

    requests, cancels = _calendar_parts(sink, "REQUEST"), _calendar_parts(sink, "CANCEL")
    assert set(requests) == set(cancels) == {person.email for person in people}
    for person in people:
        method, request = requests[person.email]
        assert method == "REQUEST", "the Content-Type's method= must equal METHOD"
        (event,) = request.walk("VEVENT")
        assert str(event["UID"]) == meeting_uid(meeting)
        assert int(event["SEQUENCE"]) == meeting.sequence
        (zone,) = request.walk("VTIMEZONE")
        assert str(zone["TZID"]) == meeting.time_zone == event["DTSTART"].params["TZID"]
        assert event["DTSTART"].dt == meeting.starts_at
        attendee = event["ATTENDEE"]
        assert str(attendee) == f"mailto:{person.email}"
        assert (attendee.params["RSVP"], attendee.params["PARTSTAT"]) == ("TRUE", "NEEDS-ACTION")
        assert str(event["ORGANIZER"]).startswith("mailto:")

        method, cancel = cancels[person.email]
        assert method == "CANCEL"
        (event,) = cancel.walk("VEVENT")
        assert str(event["UID"]) == meeting_uid(meeting), "the same event, withdrawn"
        assert int(event["SEQUENCE"]) == cancelled.sequence > meeting.sequence
        assert str(event["STATUS"]) == "CANCELLED"
