"""A meeting: creating, changing, publishing, cancelling and closing it, and its
co-facilitators.

State changes lock the meeting row first: two organisers pressing "publish" and
"cancel" at once end in one consistent state with one SEQUENCE bump each.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.webhooks import Event

from ..errors import InvalidData, MeetingNotClosable, NotPublishable, WrongState
from ..models import CoFacilitator, Meeting, Person, Theme
from ..signals import (
    meeting_cancelled,
    meeting_capacity_changed,
    meeting_closed,
    meeting_rescheduled,
)
from ..webhooks import meeting_webhook
from ._common import _programme_changed, _require_one_language, _validated_save
from .pairs import _pair_keep, meeting_pair_problems


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def meeting_create(*, themes: Iterable[Theme] = (), **data) -> Meeting:
    meeting = Meeting()
    _require_one_language(data, meeting, "title", _("title"))
    _validated_save(meeting, data)
    meeting.themes.set(themes)
    return meeting


@transaction.atomic
def meeting_update(meeting: Meeting, *, themes: Iterable[Theme] | None = None, **data) -> Meeting:
    """Change a meeting; a new time, place or status raises the calendar SEQUENCE."""
    meeting = _lock(meeting)
    if meeting.is_cancelled:
        raise WrongState(_("This meeting is cancelled and can no longer be changed."))
    if "status" in data:
        raise InvalidData(
            _("Use publish or cancel to change the status of a meeting."),
            {"status": [_("Use publish or cancel.")]},
        )
    _require_one_language(data, meeting, "title", _("title"))
    changed = {name for name, value in data.items() if getattr(meeting, name) != value}
    rescheduled = bool(changed & Meeting.SCHEDULE_FIELDS)
    if rescheduled and meeting.closed_at is not None:
        # Its booklet and attendance sheet say when and where it took place, and the
        # calendars of those who came must not move an event that happened.
        raise WrongState(_("This meeting is closed: its time and place can no longer be changed."))
    if rescheduled:
        data = {**data, "sequence": meeting.sequence + 1}
    previous_capacity = meeting.capacity
    _validated_save(meeting, data)
    if "is_cross_border" in changed and meeting.status == Meeting.Status.PUBLISHED:
        _pair_keep(meeting)
    if themes is not None:
        themes, before = list(themes), set(meeting.themes.values_list("pk", flat=True))
        meeting.themes.set(themes)
        if before != {theme.pk for theme in themes}:
            changed.add("themes")
    if changed:
        meeting_webhook(Event.MEETING_CHANGED, meeting, changed=changed)
    if meeting.status != Meeting.Status.DRAFT:
        _programme_changed(meeting.programme.year)
    if rescheduled:
        meeting_rescheduled.send(sender=Meeting, meeting=meeting)
    if meeting.capacity != previous_capacity:
        meeting_capacity_changed.send(sender=Meeting, meeting=meeting, previous=previous_capacity)
    return meeting


@transaction.atomic
def meeting_publish(meeting: Meeting) -> Meeting:
    meeting = _lock(meeting)
    if meeting.status == Meeting.Status.PUBLISHED:
        return meeting
    if meeting.is_cancelled:
        raise WrongState(_("A cancelled meeting cannot be published again."))
    problems = meeting_pair_problems(meeting)
    if problems:
        raise NotPublishable(" ".join(problems))
    meeting.status = Meeting.Status.PUBLISHED
    meeting.published_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "published_at", "sequence", "updated_at"])
    _programme_changed(meeting.programme.year)
    meeting_webhook(Event.MEETING_PUBLISHED, meeting)
    return meeting


@transaction.atomic
def meeting_cancel(meeting: Meeting, *, reason: str = "") -> Meeting:
    """Cancel a meeting that has not started: everyone registered or invited gets a
    `METHOD:CANCEL`, which deletes the event from their calendars. Once it has started
    it took place (or is taking place): cancelling would erase it from the calendars of
    those who came and take its results page down, so it is refused."""
    meeting = _lock(meeting)
    if meeting.is_cancelled:
        return meeting
    if meeting.starts_at <= timezone.now():
        raise WrongState(_("This meeting has already started: it can no longer be cancelled."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancellation_reason = reason.strip()
    meeting.sequence += 1
    meeting.save(
        update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"]
    )
    _programme_changed(meeting.programme.year)
    meeting_cancelled.send(sender=Meeting, meeting=meeting)
    meeting_webhook(Event.MEETING_CANCELLED, meeting)
    return meeting


@transaction.atomic
def cofacilitator_add(meeting: Meeting, person: Person, role: str) -> CoFacilitator:
    meeting = _lock(meeting)
    if meeting.is_cancelled:
        raise WrongState(_("This meeting is cancelled and can no longer be changed."))
    cofacilitator = CoFacilitator(meeting=meeting)
    _validated_save(cofacilitator, {"person": person, "role": role})
    return cofacilitator


@transaction.atomic
def cofacilitator_remove(cofacilitator: CoFacilitator) -> None:
    """Refuse to break the pair of a meeting that is already public."""
    meeting = _lock(cofacilitator.meeting)
    cofacilitator.delete()
    if meeting.status == Meeting.Status.PUBLISHED:
        _pair_keep(meeting)


@transaction.atomic
def meeting_close(meeting: Meeting, *, user=None) -> tuple[Meeting, int]:
    """Declare the meeting over: (meeting, emails queued by the apps that act on it).

    Closing again is allowed: it reaches, through the receivers, people checked in
    since. The receivers of `meeting_closed` run in this transaction, so what they owe
    commits with the close or not at all.
    """
    meeting = _lock(meeting)
    if meeting.status != Meeting.Status.PUBLISHED:
        raise MeetingNotClosable(
            _("Only a published meeting can be closed; this one is %(status)s.")
            % {"status": meeting.get_status_display()}
        )
    now = timezone.now()
    if meeting.starts_at > now:
        raise MeetingNotClosable(
            _("This meeting has not started yet: close it once it has taken place.")
        )
    if meeting.closed_at is None:
        meeting.closed_at = now
        meeting.save(update_fields=["closed_at", "updated_at"])
    responses = meeting_closed.send(sender=Meeting, meeting=meeting, user=user)
    return meeting, sum(queued for _receiver, queued in responses)
