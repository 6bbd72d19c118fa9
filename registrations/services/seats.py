"""The seats of a meeting, counted on its row (`Meeting.seats_taken`), with the people
who came (the door's counter, `DoorCount`).

Every change to who holds a seat is made under that row's lock: of a hundred people
asking for the last seat at the same moment, exactly one gets it and the others queue on
the waiting list, in order.
"""

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from meetings.errors import UnknownMeeting
from meetings.models import Meeting

from .. import sql
from ..models import CheckIn, Registration

# The registrations that hold a seat or wait for one.
HOLDING = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def _meeting_lock(meeting_id: int) -> Meeting:
    """The meeting row, locked until the end of the transaction (`sql.meeting_lock`)."""
    meeting = sql.meeting_lock(meeting_id)
    if meeting is None:
        raise UnknownMeeting.of(meeting_id)
    return meeting


def _seats_add(meeting: Meeting, count: int, *, present: int = 0) -> None:
    """`count` more seats taken and `present` more people in (the door's counter, one
    statement more when it moves). Without `save()`: a seat taken is not a programme
    change, so the feeds stay cached."""
    if count:
        Meeting.objects.filter(pk=meeting.pk).update(seats_taken=F("seats_taken") + count)
        meeting.seats_taken += count
    if present:
        sql.door_count_add(meeting.pk, present)


def _checked_in(registrations) -> int:
    """How many of `registrations` (ids) have a check-in: a confirmation or a cancellation
    moves the door's counter by as many (one kept from before a cancellation)."""
    return CheckIn.objects.filter(registration__in=registrations).count()


def meeting_over(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.ends_at <= (now or timezone.now())
