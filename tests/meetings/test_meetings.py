"""A meeting: creating, changing, publishing, cancelling, its co-facilitators."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.errors import InvalidData, WrongState
from meetings.models import CoFacilitator, Meeting
from meetings.services import meetings as meeting_services
from meetings.services.meetings import (
    cofacilitator_add,
    meeting_create,
    meeting_publish,
    meeting_update,
)
from tasks.models import Delivery
from tests.factories import MeetingFactory, cross_border_pair

pytestmark = pytest.mark.django_db


def test_publish_with_a_pair_bumps_the_sequence(draft):
    cross_border_pair(draft)
    meeting = meeting_publish(draft)
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.published_at is not None
    assert meeting.sequence == 1
    assert meeting_publish(meeting).sequence == 1, "publishing twice is a no-op"


def test_update_of_time_or_place_bumps_sequence_but_not_of_description(meeting):
    before = meeting.sequence
    meeting = meeting_update(meeting, description_fr="Ordre du jour précisé")
    assert meeting.sequence == before
    meeting = meeting_update(
        meeting,
        starts_at=meeting.starts_at + timedelta(hours=1),
        ends_at=meeting.ends_at + timedelta(hours=1),
    )
    assert meeting.sequence == before + 1
    meeting = meeting_update(meeting, venue_city="Kortrijk")
    assert meeting.sequence == before + 2


def test_end_before_start_is_refused_and_nothing_is_saved(meeting):
    original = (meeting.starts_at, meeting.ends_at, meeting.sequence)
    with pytest.raises(InvalidData, match="end after it starts") as exc:
        meeting_update(meeting, ends_at=meeting.starts_at - timedelta(minutes=1))
    assert "__all__" in exc.value.errors
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at, meeting.sequence) == original


def test_capacity_zero_is_refused(programme):
    with pytest.raises(InvalidData, match="at least 1"):
        meeting_create(
            programme=programme,
            title_fr="Rencontre",
            starts_at=MeetingFactory.build(programme=programme).starts_at,
            ends_at=MeetingFactory.build(programme=programme).ends_at,
            venue_name="Salle",
            venue_city="Lille",
            venue_country="FR",
            capacity=0,
        )
    assert not Meeting.objects.exists()


def test_a_meeting_needs_a_title_in_one_language(programme):
    built = MeetingFactory.build(programme=programme)
    with pytest.raises(InvalidData, match="French or in Dutch"):
        meeting_create(
            programme=programme,
            starts_at=built.starts_at,
            ends_at=built.ends_at,
            venue_name="Salle",
            venue_city="Lille",
            venue_country="FR",
        )


def test_a_meeting_must_fall_in_its_programme_year(programme):
    built = MeetingFactory.build(programme=programme)
    with pytest.raises(InvalidData, match="2028"):
        meeting_update(
            MeetingFactory(programme=programme),
            starts_at=built.starts_at.replace(year=2028),
            ends_at=built.ends_at.replace(year=2028),
        )


def test_cancel_bumps_sequence_once_and_freezes_the_meeting(meeting):
    before = meeting.sequence
    meeting = meeting_services.meeting_cancel(meeting, reason="  Salle indisponible ")
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.cancellation_reason == "Salle indisponible"
    assert meeting.sequence == before + 1
    assert meeting_services.meeting_cancel(meeting).sequence == before + 1
    with pytest.raises(WrongState):
        meeting_update(meeting, venue_city="Tournai")
    with pytest.raises(WrongState):
        meeting_publish(meeting)


def test_a_meeting_that_has_started_cannot_be_cancelled(started_meeting):
    with pytest.raises(WrongState, match="already started"):
        meeting_services.meeting_cancel(started_meeting, reason="Trop tard")
    started_meeting.refresh_from_db()
    assert (started_meeting.status, started_meeting.sequence) == (Meeting.Status.PUBLISHED, 0)
    assert not Delivery.objects.filter(kind="meeting_cancel").exists()


def test_a_closed_meeting_keeps_its_time_and_place_but_not_its_words(started_meeting):
    started_meeting.closed_at = timezone.now()
    started_meeting.save(update_fields=["closed_at"])
    for change in (
        {"venue_city": "Tournai"},
        {"starts_at": started_meeting.starts_at - timedelta(hours=1)},
        {"time_zone": "Europe/Paris"},
    ):
        with pytest.raises(WrongState, match="closed"):
            meeting_update(started_meeting, **change)
    updated = meeting_update(
        started_meeting, venue_city=started_meeting.venue_city, next_steps_fr="Une suite"
    )
    assert (updated.venue_city, updated.sequence) == ("Mouscron", 0)
    assert updated.next_steps_fr == "Une suite"


def test_status_changes_only_through_publish_or_cancel(meeting):
    with pytest.raises(InvalidData, match="publish or cancel"):
        meeting_update(meeting, status=Meeting.Status.DRAFT)


def test_duplicate_co_facilitator_is_refused(meeting):
    person = meeting.cofacilitators.first().person
    with pytest.raises(InvalidData, match="already co-facilitates"):
        cofacilitator_add(meeting, person, CoFacilitator.Role.SUPPORT)
    assert meeting.cofacilitators.count() == 2
