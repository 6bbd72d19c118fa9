"""A workshop: creating, changing, closing and reopening it, and who facilitates it."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit import sql
from meetings.models import CoFacilitator, Meeting, Person

from ..errors import InvalidWorkshopData, WorkshopClosed
from ..models import Round, Workshop
from ..signals import workshop_closed
from ._common import _lock, _lock_open, _next_order, _require_title, _save
from .timer import _round_finish, _timer_changed


@transaction.atomic
def workshop_create(meeting: Meeting, **data) -> Workshop:
    if meeting.is_cancelled:
        raise WorkshopClosed(_("This meeting is cancelled: it can have no workshop."))
    workshop = Workshop(meeting=meeting, order=_next_order(meeting.workshops.all()))
    _require_title(data, workshop)
    _save(workshop, data)
    return workshop


@transaction.atomic
def workshop_update(workshop: Workshop, **data) -> Workshop:
    workshop = _lock_open(workshop)
    _require_title(data, workshop)
    _save(workshop, data)
    _timer_changed(workshop)  # the screens show its vote limit
    return workshop


@transaction.atomic
def workshop_synthesis_set(workshop: Workshop, *, synthesis_fr: str, synthesis_nl: str) -> Workshop:
    """The strong ideas ("idées fortes") its facilitators write for the booklet. They are
    written once the workshop is over, so a closed workshop takes them too."""
    workshop = _lock(workshop)
    _save(workshop, {"synthesis_fr": synthesis_fr.strip(), "synthesis_nl": synthesis_nl.strip()})
    return workshop


@transaction.atomic
def workshop_facilitators_set(workshop: Workshop, person_ids: Iterable[int]) -> Workshop:
    """The workshop's facilitators are taken from the meeting's co-facilitators and staff."""
    person_ids = set(person_ids)
    people = list(Person.objects.filter(pk__in=sql.key_candidates(person_ids)))
    if len(people) != len(person_ids):
        raise InvalidWorkshopData(
            _("Some of these people are not in the directory."),
            {"facilitators": [_("Unknown id.")]},
        )
    allowed = set(
        CoFacilitator.objects.filter(meeting_id=workshop.meeting_id).values_list(
            "person_id", flat=True
        )
    )
    outsiders = [p.full_name for p in people if p.pk not in allowed]
    if outsiders:
        raise InvalidWorkshopData(
            _("Only the meeting's co-facilitators and support staff can facilitate: %(names)s.")
            % {"names": ", ".join(outsiders)},
            {"facilitators": [_("Add them to the meeting's co-facilitators first.")]},
        )
    workshop.facilitators.set(people)
    return workshop


@transaction.atomic
def workshop_close(workshop: Workshop) -> Workshop:
    """Stop the clock, close the vote and the phones; the booklet can then be built."""
    workshop = _lock(workshop)
    if workshop.is_closed:
        return workshop
    now = timezone.now()
    for round_ in workshop.rounds.filter(state__in=[Round.State.RUNNING, Round.State.PAUSED]):
        _round_finish(round_, now)
    workshop.status = Workshop.Status.CLOSED
    workshop.vote_open = False
    workshop.closed_at = now
    workshop.save(update_fields=["status", "vote_open", "closed_at", "updated_at"])
    _timer_changed(workshop)
    transaction.on_commit(lambda: workshop_closed.send(sender=Workshop, workshop=workshop))
    return workshop


@transaction.atomic
def workshop_reopen(workshop: Workshop) -> Workshop:
    workshop = _lock(workshop)
    workshop.status = Workshop.Status.OPEN
    workshop.closed_at = None
    workshop.save(update_fields=["status", "closed_at", "updated_at"])
    _timer_changed(workshop)
    return workshop
