"""The writes of a meeting's agenda.

Every write locks the meeting row first, so two organisers adding items at once cannot
both pass the overlap check, and a change of the meeting's hours cannot slip between an
item's check and its save. Items are stored as offsets from the meeting's start: moving
the meeting moves its agenda without touching it, and the calendar SEQUENCE only follows
the meeting's own time and place.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import AgendaClash, InvalidData, WrongState
from ..models import AgendaItem, AgendaSpeaker, Meeting
from ._common import _require_one_language, _validated_save
from .meetings import _lock

SpeakerData = Mapping[str, Any]


def _meeting_lock(meeting: Meeting) -> Meeting:
    meeting = _lock(meeting)
    if meeting.is_cancelled:
        raise WrongState(_("This meeting is cancelled and can no longer be changed."))
    return meeting


def _offset(meeting: Meeting, starts_at: datetime) -> int:
    """Whole minutes after the meeting's start; an item before it is refused by `_fits`."""
    return int((starts_at - meeting.starts_at) // timedelta(minutes=1))


def _fits(item: AgendaItem) -> None:
    """Refuse an item outside the meeting's hours, or overlapping another, with a
    sentence naming the clash."""
    meeting = item.meeting
    if item.duration_min < 1:
        raise InvalidData(
            _("An agenda item lasts at least one minute."),
            {"duration_min": [_("At least one minute.")]},
        )
    if item.start_offset_min < 0 or item.ends_at > meeting.ends_at:
        message = _("«%(item)s» (%(hours)s) is outside the meeting's hours (%(meeting)s).") % {
            "item": item.title,
            "hours": item.hours,
            "meeting": f"{meeting.local_starts_at:%H:%M}–{meeting.local_ends_at:%H:%M}",
        }
        raise InvalidData(message, {"starts_at": [message]})
    end = item.start_offset_min + item.duration_min
    others = meeting.agenda_items.exclude(pk=item.pk).order_by("start_offset_min", "pk")
    for other in others:
        if other.start_offset_min < end and item.start_offset_min < (
            other.start_offset_min + other.duration_min
        ):
            other.meeting = meeting
            raise AgendaClash(
                _("«%(item)s» (%(hours)s) overlaps «%(other)s» (%(other_hours)s).")
                % {
                    "item": item.title,
                    "hours": item.hours,
                    "other": other.title,
                    "other_hours": other.hours,
                }
            )


def _speakers_set(item: AgendaItem, speakers: Iterable[SpeakerData]) -> None:
    """Replace the item's speakers, in the order given."""
    item.speakers.all().delete()
    for order, data in enumerate(speakers):
        _validated_save(
            AgendaSpeaker(item=item, order=order),
            {
                "person": data.get("person"),
                "name": (data.get("name") or "").strip(),
                "role": (data.get("role") or "").strip(),
            },
        )


def _save(
    item: AgendaItem,
    meeting: Meeting,
    data: Mapping[str, Any],
    starts_at: datetime | None,
    speakers: Iterable[SpeakerData] | None,
) -> AgendaItem:
    _require_one_language(data, item, "title", _("title"))
    item.meeting = meeting
    if starts_at is not None:
        item.start_offset_min = _offset(meeting, starts_at)
    for name, value in data.items():
        setattr(item, name, value)
    if item.address and item.kind != AgendaItem.Kind.SITE_VISIT:
        raise InvalidData(
            _("Only a site visit has an address; give the others a room."),
            {"address": [_("Only for a site visit.")]},
        )
    _fits(item)
    _validated_save(item, {})
    if speakers is not None:
        _speakers_set(item, speakers)
    # The agenda is part of what feeds, emails and brochures show of the meeting.
    meeting.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def agenda_item_create(
    meeting: Meeting,
    *,
    starts_at: datetime,
    speakers: Iterable[SpeakerData] = (),
    **data,
) -> AgendaItem:
    """`starts_at` is aware; `speakers` are {"person": Person} or {"name", "role"}."""
    meeting = _meeting_lock(meeting)
    return _save(AgendaItem(), meeting, data, starts_at, speakers)


@transaction.atomic
def agenda_item_update(
    item: AgendaItem,
    *,
    starts_at: datetime | None = None,
    speakers: Iterable[SpeakerData] | None = None,
    **data,
) -> AgendaItem:
    """Change what is given; `speakers`, when given, replace the item's speakers."""
    meeting = _meeting_lock(item.meeting)
    item = AgendaItem.objects.get(pk=item.pk)
    return _save(item, meeting, data, starts_at, speakers)


@transaction.atomic
def agenda_item_delete(item: AgendaItem) -> None:
    meeting = _meeting_lock(item.meeting)
    item.delete()
    meeting.save(update_fields=["updated_at"])
