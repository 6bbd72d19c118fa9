"""The waiting list: free seats go to the longest waiting, first come first served."""

from django.utils import timezone

from meetings.models import Meeting
from tasks.outbox import deliveries_queue
from tasks.webhooks import Event

from ..models import Registration
from ..webhooks import DATA_FIELDS, registrations_webhook
from .delivery import _event_key, registration_delivery
from .seats import _checked_in, _meeting_lock, _seats_add, meeting_over

REGISTRATION_PROMOTED = "registration_promoted"


def waitlist_promote(meeting: Meeting) -> list[Registration]:
    """Give the free seats to the longest waiting, first come first served.

    Runs in the caller's transaction (a cancellation, a capacity raise); each person
    promoted is emailed their ticket. Nobody is promoted into a cancelled meeting or one
    that is over.
    """
    meeting = _meeting_lock(meeting.pk)
    now = timezone.now()
    free = meeting.seats_left
    if not free or meeting.is_cancelled or meeting_over(meeting, now):
        return []
    promoted = list(
        Registration.objects.filter(meeting=meeting, status=Registration.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .only("person_id", *DATA_FIELDS)[:free]
    )
    if not promoted:
        return []
    ids = [r.pk for r in promoted]
    Registration.objects.filter(pk__in=ids).update(
        status=Registration.Status.CONFIRMED, confirmed_at=now, updated_at=now
    )
    _seats_add(meeting, len(promoted), present=_checked_in(ids))
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
    registrations_webhook(Event.REGISTRATION_PROMOTED, promoted)
    deliveries_queue(
        [
            registration_delivery(
                registration,
                kind=REGISTRATION_PROMOTED,
                key=_event_key(REGISTRATION_PROMOTED, registration, now),
            )
            for registration in promoted
        ]
    )
    return promoted
