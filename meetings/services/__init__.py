"""Every write the programme domain knows.

Each service runs in one transaction and validates the whole object (fields and
database constraints) before saving, so a bad request leaves nothing half-written.
State changes lock the meeting row first: two organisers pressing "publish" and
"cancel" at once end in one consistent state with one SEQUENCE bump each.
"""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from events_site.kit.validation import require_one_language, validated_save
from tasks.outbox import deliveries_queue, recipient_problem
from tasks.queue import enqueue_on_commit

from ..emails import person_delivery
from ..errors import InvalidData, NotPublishable, WrongState
from ..models import CoFacilitator, Meeting, Organisation, Person, Programme, Theme
from ..signals import meeting_cancelled, meeting_capacity_changed, meeting_rescheduled

logger = logging.getLogger(__name__)


def _validated_save(instance: models.Model, data: Mapping[str, Any]) -> None:
    validated_save(instance, data, InvalidData)


def _require_one_language(data: Mapping[str, Any], instance, field: str, label: str) -> None:
    message = _("Give the %(label)s in French or in Dutch.") % {"label": label}
    require_one_language(data, instance, field, message, InvalidData)


# Let a burst of changes (a bulk action, an import) settle before caches are rebuilt.
WARM_DELAY_S = 3


def _programme_changed(year: int) -> None:
    enqueue_on_commit("tasks.programme_caches_warm", year, countdown=WARM_DELAY_S)


# --- Directory -----------------------------------------------------------------------


def organisation_create(**data) -> Organisation:
    organisation = Organisation()
    _validated_save(organisation, data)
    return organisation


@transaction.atomic
def organisation_update(organisation: Organisation, **data) -> Organisation:
    meetings = _pairs_lock(person__organisation=organisation)
    _validated_save(organisation, data)
    for meeting in meetings:
        _pair_keep(meeting)
    return organisation


def person_create(**data) -> Person:
    person = Person()
    _validated_save(person, data)
    return person


@transaction.atomic
def person_update(person: Person, **data) -> Person:
    meetings = _pairs_lock(person=person)
    _validated_save(person, data)
    for meeting in meetings:
        _pair_keep(meeting)
    return person


# --- Programme -----------------------------------------------------------------------


def programme_create(**data) -> Programme:
    programme = Programme()
    _require_one_language(data, programme, "title", _("title"))
    _validated_save(programme, data)
    return programme


@transaction.atomic
def programme_update(programme: Programme, **data) -> Programme:
    _require_one_language(data, programme, "title", _("title"))
    _validated_save(programme, data)
    return programme


@transaction.atomic
def programme_publish(programme: Programme) -> Programme:
    """Make the programme public and announce it, once.

    Its meetings still show only once each is published.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.is_published:
        programme.status = Programme.Status.PUBLISHED
        programme.published_at = timezone.now()
        programme.save(update_fields=["status", "published_at", "updated_at"])
        _programme_changed(programme.year)
        _programme_announce(programme)
    return programme


def _programme_announce(programme: Programme) -> None:
    """Queue the announcement to everyone who agreed to network news.

    An unusable address only leaves its owner out (and is logged for the organisers to
    fix): one bad row in the directory must not block a publication.
    """
    specs = []
    people = Person.objects.filter(accepts_network_news=True).only(
        "first_name", "last_name", "email", "preferred_language"
    )
    for person in people:
        problem = recipient_problem(person.email, person.full_name)
        if problem:
            logger.warning(
                "Programme %s not announced to person %s: %s", programme.year, person.pk, problem
            )
            continue
        specs.append(
            person_delivery(
                person,
                kind="announcement",
                key=f"announce:{programme.pk}:{person.pk}",
                reply_to=settings.DEFAULT_REPLY_TO,
                programme_id=programme.pk,
            )
        )
    deliveries_queue(specs)


# --- Meetings ------------------------------------------------------------------------


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
        meeting.themes.set(themes)
    if meeting.status != Meeting.Status.DRAFT:
        _programme_changed(meeting.programme.year)
    if rescheduled:
        meeting_rescheduled.send(sender=Meeting, meeting=meeting)
    if meeting.capacity != previous_capacity:
        meeting_capacity_changed.send(sender=Meeting, meeting=meeting, previous=previous_capacity)
    return meeting


def meeting_pair_problems(meeting: Meeting) -> list[str]:
    """What keeps the co-facilitation of this meeting from meeting the cross-border rule."""
    if not meeting.is_cross_border:
        return []
    sides = {
        str(country)
        for country in CoFacilitator.objects.filter(
            meeting=meeting, role=CoFacilitator.Role.CO_FACILITATOR
        ).values_list("person__organisation__country", flat=True)
        if country
    }
    return [
        _(
            "A cross-border meeting needs a co-facilitator from each side of the border: "
            "add a co-facilitator whose organisation is in %(country)s."
        )
        % {"country": countries.name(code)}
        for code in settings.CROSS_BORDER_SIDES
        if code not in sides
    ]


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
    return meeting


# --- Co-facilitators -----------------------------------------------------------------


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


def _pair_keep(meeting: Meeting) -> None:
    """Refuse, naming the meeting, a change that left a published meeting without the
    co-facilitator pair it was published with: the caller's transaction rolls it back."""
    problems = meeting_pair_problems(meeting)
    if problems:
        raise NotPublishable(
            _("“%(meeting)s” is published; it must keep its co-facilitator pair. ")
            % {"meeting": meeting}
            + " ".join(problems)
        )


def _pairs_lock(**cofacilitators) -> list[Meeting]:
    """Lock the published cross-border meetings not yet over that the co-facilitators
    matching `cofacilitators` (a `CoFacilitator` filter) are half of a pair of.

    A person's organisation or an organisation's country decides which side of the
    border a co-facilitator stands for, so changing either can break a pair as surely
    as removing a co-facilitator does. A meeting that is over keeps the pair it had:
    a mayor who changes town years later must not be refused for it."""
    concerned = CoFacilitator.objects.filter(
        role=CoFacilitator.Role.CO_FACILITATOR, **cofacilitators
    ).values("meeting_id")
    return list(
        Meeting.objects.select_for_update()
        .filter(
            pk__in=concerned,
            status=Meeting.Status.PUBLISHED,
            is_cross_border=True,
            ends_at__gt=timezone.now(),
        )
        .order_by("pk")
    )
