"""The cross-border rule: a cross-border meeting is co-facilitated by a pair, one
co-facilitator from each side of the border, and keeps that pair once published.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from ..errors import NotPublishable
from ..models import CoFacilitator, Meeting


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
