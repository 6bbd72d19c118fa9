"""The services owe the webhooks a call for each event, in the transaction of the change."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting
from meetings.services.meetings import meeting_cancel, meeting_publish, meeting_update
from registrations.errors import RegistrationClosed
from registrations.models import CheckIn, Registration
from registrations.services.checkin import checkin_manual, checkin_scan
from registrations.services.registration import (
    registration_cancel,
    registration_create,
    registration_update,
)
from tasks.models import Webhook, WebhookCall
from tasks.webhooks import emit
from tasks.webhooks.services import webhook_create, webhook_update
from tests.factories import MeetingFactory, cross_border_pair
from tests.registrations.conftest import registration_data
from tests.ticket_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

E = Webhook.Event
PUBLIC = "https://93.184.216.34/hook"


@pytest.fixture
def hook(organiser):
    """Listens to everything; its calls are written, not sent (nothing commits)."""
    return webhook_create(organiser, url=PUBLIC, events=E.values)


def told(event=None) -> list[dict]:
    calls = WebhookCall.objects.order_by("pk")
    if event:
        calls = calls.filter(event=event)
    return [call.payload["data"] for call in calls]


def events() -> list[str]:
    return list(WebhookCall.objects.order_by("pk").values_list("event", flat=True))


def test_a_registration_is_told_with_its_status_and_names(hook, meeting):
    registration, created = registration_create(
        meeting, data=registration_data(first_name="Zoë <b>&", last_name="🇧🇪 Claes")
    )

    assert created
    (data,) = told(E.REGISTRATION_CREATED)
    assert data["registration"] == {
        "id": registration.pk,
        "meeting": meeting.pk,
        "status": "confirmed",
        "first_name": "Zoë <b>&",
        "last_name": "🇧🇪 Claes",
        "email": "sofie.claes@menen.example",
        "function": "alderman",
        "organisation": None,
        "organisation_name": "Stad Menen",
        "language": "nl",
    }
    call = WebhookCall.objects.get()
    assert call.status == "queued" and call.enqueued_at is not None


def test_registering_the_same_address_again_tells_nothing_new(hook, meeting):
    registration_create(meeting, data=registration_data())
    registration_create(meeting, data=registration_data(email="SOFIE.claes@menen.example"))

    assert events() == [E.REGISTRATION_CREATED]


def test_a_full_meeting_tells_of_a_place_on_the_waiting_list(hook, programme):
    meeting = MeetingFactory(programme=programme, capacity=1)
    registration_create(meeting, data=registration_data(email="a@example.org"))
    registration_create(meeting, data=registration_data(email="b@example.org"))

    assert [d["registration"]["status"] for d in told()] == ["confirmed", "waitlisted"]


def test_a_refused_registration_writes_no_call(hook, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    with pytest.raises(RegistrationClosed):
        registration_create(meeting, data=registration_data())

    assert not WebhookCall.objects.exists()


def test_a_change_tells_which_fields_changed(hook, meeting):
    registration = RegistrationFactory(meeting=meeting)
    registration_update(registration, {"language": "nl", "dietary_notes": "vegan"})
    registration_update(registration, {"language": "nl"})  # nothing changes: nothing told

    (data,) = told(E.REGISTRATION_CHANGED)
    assert data["changed"] == ["dietary_notes", "language"]
    assert data["registration"]["language"] == "nl"
    assert "dietary_notes" not in data["registration"], "needs are not sent"


def test_a_cancellation_tells_of_it_and_of_the_promotion_it_makes(hook, programme):
    meeting = MeetingFactory(programme=programme, capacity=1)
    seated = RegistrationFactory(meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(seats_taken=1)
    waiting = RegistrationFactory(meeting=meeting, status=Registration.Status.WAITLISTED)

    registration_cancel(seated)
    registration_cancel(seated)  # again: a no-op, told once

    assert events() == [E.REGISTRATION_CANCELLED, E.REGISTRATION_PROMOTED]
    cancelled, promoted = told()
    assert cancelled["registration"]["id"] == seated.pk
    assert cancelled["registration"]["status"] == "cancelled"
    assert promoted["registration"]["id"] == waiting.pk
    assert promoted["registration"]["status"] == "confirmed"


def test_a_capacity_raise_tells_of_each_promotion_without_a_query_each(hook, programme):
    def raise_capacity(waiting: int) -> tuple[int, list[dict]]:
        meeting = MeetingFactory(programme=programme, capacity=1)
        Meeting.objects.filter(pk=meeting.pk).update(seats_taken=1)
        RegistrationFactory(meeting=meeting)
        for _ in range(waiting):
            RegistrationFactory(meeting=meeting, status=Registration.Status.WAITLISTED)
        meeting.refresh_from_db()
        WebhookCall.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            meeting_update(meeting, capacity=1 + waiting)
        return len(queries), told()

    raise_capacity(1)  # reads who listens to what into the cache
    one, _told = raise_capacity(1)
    six, told_six = raise_capacity(6)

    assert six == one
    changed, *promoted = told_six
    assert changed["changed"] == ["capacity"]
    assert len(promoted) == 6
    assert {d["registration"]["status"] for d in promoted} == {"confirmed"}
    assert all(d["registration"]["first_name"].startswith("Prénom") for d in promoted)


def test_a_check_in_is_told_once_by_scan_or_by_hand(hook, meeting, organiser):
    scanned, typed = RegistrationFactory(meeting=meeting), RegistrationFactory(meeting=meeting)

    checkin_scan(scanned.ticket_secret, meeting=meeting, by=organiser)
    checkin_scan(scanned.ticket_secret, meeting=meeting, by=organiser)  # a repeat
    checkin_manual(typed, organiser)
    checkin_manual(typed, organiser)

    first, second = told(E.CHECKIN_CREATED)
    assert first["checkin"]["registration"] == scanned.pk
    assert first["checkin"]["meeting"] == meeting.pk
    assert first["checkin"]["method"] == CheckIn.Method.SCAN
    assert second["checkin"]["registration"] == typed.pk
    assert second["checkin"]["method"] == CheckIn.Method.MANUAL


def test_a_refused_ticket_tells_nothing(hook, meeting, organiser):
    cancelled = RegistrationFactory(meeting=meeting, status=Registration.Status.CANCELLED)
    checkin_scan(cancelled.ticket_secret, meeting=meeting, by=organiser)
    checkin_scan("ABCDEFGHJKMNPQRS", meeting=meeting, by=organiser)

    assert not WebhookCall.objects.exists()


def test_a_door_nobody_listens_to_costs_no_more_queries(organiser, meeting):
    def first_scan() -> int:
        ticket = RegistrationFactory(meeting=meeting).ticket_secret
        with CaptureQueriesContext(connection) as queries:
            checkin_scan(ticket, meeting=meeting, by=organiser)
        return len(queries)

    first_scan()  # reads who listens to what into the cache
    alone = first_scan()
    webhook_create(organiser, url=PUBLIC, events=[E.MEETING_CANCELLED])
    first_scan()

    assert first_scan() == alone
    assert not WebhookCall.objects.exists()


def test_a_registration_and_a_scan_read_who_listens_once_each_and_on_postgresql_not_at_all(
    hook, meeting, organiser, monkeypatch
):
    """A cache round trip each, not one per use, where they write their calls
    themselves; on PostgreSQL the registration's insert and the scan's statement read
    the webhooks themselves."""
    reads = []
    shared = emit.cache

    class Counted:
        def get(self, key, *args, **kwargs):
            reads.append(key)
            return shared.get(key, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(shared, name)

    monkeypatch.setattr(emit, "cache", Counted())
    registration, _created = registration_create(meeting, data=registration_data())
    checkin_scan(registration.ticket_secret, meeting=meeting, by=organiser)

    expected = [] if connection.vendor == "postgresql" else [emit.SUBSCRIBED_KEY] * 2
    assert reads == expected
    assert events() == [E.REGISTRATION_CREATED, E.CHECKIN_CREATED]


def test_a_scan_owes_each_listening_webhook_the_call_any_change_owes(
    organiser, other_organiser, meeting
):
    """On PostgreSQL the scan's own statement writes its calls: the rows
    `webhooks_emit` writes, for the webhooks listening as it runs, and for nobody else."""
    ticket = RegistrationFactory(meeting=meeting)
    listening = webhook_create(organiser, url=PUBLIC, events=[E.CHECKIN_CREATED])
    also = webhook_create(other_organiser, url=PUBLIC, events=E.values)
    webhook_create(organiser, url=PUBLIC, events=[E.REGISTRATION_CREATED])
    off = webhook_create(organiser, url=PUBLIC, events=[E.CHECKIN_CREATED])
    webhook_update(off, is_active=False)

    checkin_scan(ticket.ticket_secret, meeting=meeting, by=organiser)

    checkin = CheckIn.objects.get(registration=ticket)
    calls = list(WebhookCall.objects.order_by("webhook_id"))
    assert [call.webhook_id for call in calls] == [listening.pk, also.pk]
    for call in calls:
        assert (call.event, call.status, call.attempts, call.last_error) == (
            E.CHECKIN_CREATED,
            WebhookCall.Status.QUEUED,
            0,
            "",
        )
        assert call.enqueued_at is not None, "stamped as handed on"
        assert call.payload == {
            "event": E.CHECKIN_CREATED,
            "created_at": call.payload["created_at"],
            "data": {
                "checkin": {
                    "registration": ticket.pk,
                    "meeting": meeting.pk,
                    "checked_in_at": checkin.checked_in_at.isoformat(),
                    "method": CheckIn.Method.SCAN,
                }
            },
        }
    assert calls[0].idempotency_key != calls[1].idempotency_key


def test_a_webhook_made_now_hears_the_next_scan_at_once(organiser, meeting):
    first, second = RegistrationFactory(meeting=meeting), RegistrationFactory(meeting=meeting)
    checkin_scan(first.ticket_secret, meeting=meeting, by=organiser)
    webhook_create(organiser, url=PUBLIC, events=[E.CHECKIN_CREATED])
    checkin_scan(second.ticket_secret, meeting=meeting, by=organiser)

    assert [call["checkin"]["registration"] for call in told(E.CHECKIN_CREATED)] == [second.pk]


def test_a_meeting_is_told_when_published_changed_and_cancelled(hook, programme):
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
    cross_border_pair(draft)

    meeting = meeting_publish(draft)
    meeting_publish(meeting)  # again: a no-op
    meeting = meeting_update(meeting, venue_city="Kortrijk", title_nl="Ontmoeting")
    meeting_update(meeting, venue_city="Kortrijk")  # nothing changes
    meeting_cancel(meeting, reason="Storm")

    assert events() == [E.MEETING_PUBLISHED, E.MEETING_CHANGED, E.MEETING_CANCELLED]
    published, changed, cancelled = told()
    assert published["meeting"]["status"] == "published"
    assert published["meeting"]["id"] == meeting.pk
    assert published["meeting"]["programme"] == programme.year
    assert changed["changed"] == ["title_nl", "venue_city"]
    assert changed["meeting"]["venue_city"] == "Kortrijk"
    assert cancelled["meeting"]["status"] == "cancelled"
    assert cancelled["meeting"]["cancellation_reason"] == "Storm"
    assert cancelled["meeting"]["sequence"] == published["meeting"]["sequence"] + 2


def test_each_webhook_gets_the_events_it_chose_while_it_is_on(organiser, other_organiser, meeting):
    registrations = webhook_create(organiser, url=PUBLIC, events=[E.REGISTRATION_CREATED])
    meetings = webhook_create(other_organiser, url=PUBLIC, events=[E.MEETING_CANCELLED])
    off = webhook_create(organiser, url=PUBLIC, events=E.values)
    webhook_update(off, is_active=False)

    registration_create(meeting, data=registration_data())
    meeting_cancel(meeting)

    assert list(WebhookCall.objects.order_by("pk").values_list("webhook", "event")) == [
        (registrations.pk, E.REGISTRATION_CREATED),
        (meetings.pk, E.MEETING_CANCELLED),
    ]


def test_a_call_is_rolled_back_with_its_change(hook, meeting):
    with pytest.raises(RuntimeError), transaction.atomic():
        meeting_cancel(meeting)
        raise RuntimeError("the request fails after the service")

    assert not WebhookCall.objects.exists()


def test_a_webhook_made_now_hears_the_next_event_at_once(organiser, meeting):
    meeting_update(meeting, venue_city="Lille")
    webhook_create(organiser, url=PUBLIC, events=[E.MEETING_CHANGED])
    meeting_update(meeting, venue_city="Tournai")

    assert len(told(E.MEETING_CHANGED)) == 1


def test_a_scans_call_leaves_after_its_commit(
    webhook, receiver, organiser, meeting, django_capture_on_commit_callbacks
):
    ticket = RegistrationFactory(meeting=meeting)

    with django_capture_on_commit_callbacks(execute=True):
        checkin_scan(ticket.ticket_secret, meeting=meeting, by=organiser)
        assert receiver.calls == [], "nothing leaves before the check-in commits"

    (call,) = receiver.calls
    assert call["headers"]["X-Proximity-Event"] == E.CHECKIN_CREATED
    assert json.loads(call["body"])["data"]["checkin"]["registration"] == ticket.pk
    assert WebhookCall.objects.get().status == WebhookCall.Status.DELIVERED
