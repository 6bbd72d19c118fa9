"""Reads shared by the pages, the API, the feeds and the brochure.

Every selector fetches what its callers render in a fixed number of queries, whatever
the number of meetings: the programme page is pinned at eight at most.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from .errors import UnknownMeeting, UnknownProgramme
from .models import AgendaItem, AgendaSpeaker, CoFacilitator, Meeting, Programme, Theme

PUBLIC_STATUSES = (Meeting.Status.PUBLISHED, Meeting.Status.CANCELLED)


def _agenda_items() -> QuerySet[AgendaItem]:
    """Items with their speakers. The meeting page also shows the workshops of each
    "workshops" slot: `workshops.Workshop.agenda_item` declares that relation, so it is
    named here only as the reverse accessor, and meetings imports nothing of workshops."""
    speakers = AgendaSpeaker.objects.select_related("person__organisation").order_by("order", "pk")
    return AgendaItem.objects.order_by("start_offset_min", "pk").prefetch_related(
        Prefetch("speakers", queryset=speakers)
    )


def agenda_item_get(item_id: int) -> AgendaItem:
    return _agenda_items().select_related("meeting").get(pk=item_id)


def _public_meetings() -> QuerySet[Meeting]:
    cofacilitators = CoFacilitator.objects.select_related("person__organisation").order_by(
        "role", "pk"
    )
    return (
        Meeting.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("programme", "host_organisation")
        .prefetch_related(
            Prefetch("cofacilitators", queryset=cofacilitators),
            Prefetch("themes", queryset=Theme.objects.order_by("slug")),
        )
        .order_by("starts_at", "pk")
    )


def programme_get_published(year: int) -> Programme:
    try:
        return Programme.objects.get(year=year, status=Programme.Status.PUBLISHED)
    except Programme.DoesNotExist:
        raise UnknownProgramme(
            _("There is no published programme for %(year)s.") % {"year": year}
        ) from None


def programme_meetings(
    programme: Programme, *, theme: str | None = None, country: str | None = None
) -> list[Meeting]:
    """The public meetings of a programme, optionally narrowed to a theme or a country.

    A country matches the venue's country or the host organisation's, because a Belgian
    burgomaster looking for "Belgium" means meetings on their side of the border.
    """
    meetings = _public_meetings().filter(programme=programme)
    if theme:
        meetings = meetings.filter(themes__slug=theme)
    if country:
        country = country.upper()
        meetings = meetings.filter(Q(venue_country=country) | Q(host_organisation__country=country))
    return list(meetings.distinct())


def meeting_get_public(meeting_id: int) -> Meeting:
    """The meeting with its agenda (speakers, and each slot's workshops by room)."""
    agenda = _agenda_items().prefetch_related("workshops")
    meeting = (
        _public_meetings()
        .filter(pk=meeting_id, programme__status=Programme.Status.PUBLISHED)
        .prefetch_related(Prefetch("agenda_items", queryset=agenda))
        .first()
    )
    if meeting is None:
        raise UnknownMeeting(
            _("There is no published meeting with id %(id)s.") % {"id": meeting_id}
        )
    return meeting


def programme_themes(programme: Programme) -> list[Theme]:
    return list(
        Theme.objects.filter(meetings__programme=programme, meetings__status__in=PUBLIC_STATUSES)
        .distinct()
        .order_by("slug")
    )


def programme_countries(programme: Programme) -> list[tuple[str, str]]:
    """(code, name) of the programme's venue and host countries, for the country filter."""
    meetings = Meeting.objects.filter(programme=programme, status__in=PUBLIC_STATUSES).order_by()
    venues = meetings.values_list("venue_country", flat=True)
    hosts = meetings.exclude(host_organisation=None).values_list(
        "host_organisation__country", flat=True
    )
    codes = set(venues.union(hosts))
    return sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])


def programme_current_year(today_year: int) -> int | None:
    """This year's published programme, else the next one, else the latest past one."""
    years = list(
        Programme.objects.filter(status=Programme.Status.PUBLISHED).values_list("year", flat=True)
    )
    upcoming = sorted(y for y in years if y >= today_year)
    if upcoming:
        return upcoming[0]
    return max(years, default=None)
