"""The waiting list: free seats go to the longest waiting, in order."""

import pytest

from meetings.services.meetings import meeting_update
from registrations import selectors
from registrations.models import Registration
from registrations.services.registration import registration_cancel
from tasks.models import Delivery

from .conftest import fresh, kinds_to, seats

pytestmark = pytest.mark.django_db

CONFIRMED = Registration.Status.CONFIRMED
WAITLISTED = Registration.Status.WAITLISTED
CANCELLED = Registration.Status.CANCELLED


def test_a_cancellation_promotes_the_next_person_waiting_in_the_same_transaction(
    small_meeting, register
):
    first, _second, third, fourth = (register(small_meeting) for _ in range(4))

    registration_cancel(first)

    assert fresh(first).status == CANCELLED
    assert (fresh(third).status, fresh(fourth).status) == (CONFIRMED, WAITLISTED)
    assert selectors.waitlist_position(fresh(fourth)) == 1
    assert seats(small_meeting) == 2
    assert kinds_to(first.email) == ["registration_confirmed", "registration_cancelled"]
    assert kinds_to(third.email) == ["registration_waitlisted", "registration_promoted"]


def test_cancelling_a_place_on_the_waiting_list_moves_the_others_up_and_frees_no_seat(
    small_meeting, register
):
    people = [register(small_meeting) for _ in range(5)]

    registration_cancel(people[3])
    registration_cancel(people[3])  # again: nothing more happens

    assert seats(small_meeting) == 2
    assert [selectors.waitlist_position(fresh(p)) for p in people] == [None, None, 1, None, 2]
    assert kinds_to(people[3].email).count("registration_cancelled") == 1


def test_raising_the_capacity_promotes_as_many_as_the_new_seats_allow(small_meeting, register):
    people = [register(small_meeting) for _ in range(6)]

    meeting_update(small_meeting, capacity=5)

    assert [fresh(p).status for p in people] == [CONFIRMED] * 5 + [WAITLISTED]
    assert selectors.waitlist_position(fresh(people[5])) == 1
    assert seats(small_meeting) == 5
    assert Delivery.objects.filter(kind="registration_promoted").count() == 3
