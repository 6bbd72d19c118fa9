"""Reads shared by the pages, the API, the feeds and the brochure.

Every selector fetches what its callers render in a fixed number of queries, whatever
the number of meetings: the programme page is pinned at three at most.
"""

import dataclasses
from datetime import date, datetime
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from events_site.kit.pagination import narrowed

from . import sql
from .auth import is_organiser
from .errors import DocumentNotVisible, UnknownDocument, UnknownMeeting, UnknownProgramme
from .models import (
    AgendaItem,
    AgendaSpeaker,
    CoFacilitator,
    Document,
    Meeting,
    Organisation,
    Person,
    Programme,
    Theme,
    Viewer,
)
from .signals import participations_asked

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


def _meetings() -> QuerySet[Meeting]:
    """Meetings with what `MeetingOut` shows, in three queries whatever their number."""
    cofacilitators = CoFacilitator.objects.select_related("person__organisation").order_by(
        "role", "pk"
    )
    return (
        Meeting.objects.select_related("programme", "host_organisation")
        .prefetch_related(
            Prefetch("cofacilitators", queryset=cofacilitators),
            Prefetch("themes", queryset=Theme.objects.order_by("slug")),
        )
        .order_by("starts_at", "pk")
    )


def _public_meetings() -> QuerySet[Meeting]:
    return _meetings().filter(status__in=PUBLIC_STATUSES)


def programme_get_published(year: int) -> Programme:
    try:
        return Programme.objects.get(year=year, status=Programme.Status.PUBLISHED)
    except Programme.DoesNotExist:
        raise _unknown_programme(year) from None


def _unknown_programme(year: int) -> UnknownProgramme:
    return UnknownProgramme(_("There is no published programme for %(year)s.") % {"year": year})


class Listed(NamedTuple):
    """A public meeting of the programme as its page's index holds it: a tuple of tuples,
    which the cache pickles in two thirds of a frozen dataclass's time, in 60 % of its
    size."""

    pk: int
    day: date  # in the meeting's own time zone
    theme_ids: tuple[int, ...]
    countries: tuple[str, ...]  # the venue's, and the host's


@dataclasses.dataclass(frozen=True)
class ProgrammeIndex:
    """A published programme, the years that have one (its page links them), every public
    meeting of it, its day, themes and countries, in order, the programme's themes and
    countries: what every page of the programme is cut from, whatever its filter, month
    or language, read in one round trip and kept once per change."""

    programme: Programme
    years: list[int]
    meetings: list[Listed]
    themes: list[Theme]
    codes: frozenset[str]  # the countries of all its meetings

    def matching(self, theme: str | None, country: str | None) -> list[Listed]:
        """A country matches the venue's country or the host organisation's, because a
        Belgian burgomaster looking for "Belgium" means meetings on their side of the
        border."""
        meetings = self.meetings
        if theme:
            ids = {found.pk for found in self.themes if found.slug == theme}
            meetings = [meeting for meeting in meetings if ids.intersection(meeting.theme_ids)]
        if country:
            country = country.upper()
            meetings = [meeting for meeting in meetings if country in meeting.countries]
        return meetings

    def countries(self) -> list[tuple[str, str]]:
        """(code, name) of the venues' and hosts' countries, for the country filter, in
        the active language."""
        return sorted(((code, countries.name(code)) for code in self.codes), key=lambda c: c[1])

    def __reduce__(self):
        """Pickled by columns, a day as its ordinal and each combination of themes or
        countries once: the cache pickled 500 `Listed` in 0.6 ms (a class reference and a
        date each), their columns with a date each in 0.3 ms, these in 0.1 ms, and a
        cold programme page pays it."""
        pks, days, theme_ids, codes = (
            zip(*self.meetings, strict=True) if self.meetings else ((), (), (), ())
        )
        shared: dict[tuple, tuple] = {}
        columns = (
            pks,
            [day.toordinal() for day in days],
            [shared.setdefault(ids, ids) for ids in theme_ids],
            [shared.setdefault(found, found) for found in codes],
        )
        return _index_unpickle, (self.programme, self.years, columns, self.themes, self.codes)


def _index_unpickle(
    programme: Programme,
    years: list[int],
    columns: tuple,
    themes: list[Theme],
    codes: frozenset[str],
) -> ProgrammeIndex:
    """The index `ProgrammeIndex.__reduce__` pickled, each day once."""
    pks, ordinals, theme_ids, meeting_codes = columns
    days = {ordinal: date.fromordinal(ordinal) for ordinal in set(ordinals)}
    meetings = list(
        map(
            Listed._make,
            zip(pks, map(days.__getitem__, ordinals), theme_ids, meeting_codes, strict=True),
        )
    )
    return ProgrammeIndex(programme, years, meetings, themes, codes)


def programme_index(year: int) -> ProgrammeIndex:
    """The published programmes and, in the same round trip, the meetings of `year`'s
    with their themes (`sql.published_programmes_and_days`). Raises `UnknownProgramme`."""
    programmes, rows = sql.published_programmes_and_days(year, PUBLIC_STATUSES)
    found_programme = next((found for found in programmes if found.year == year), None)
    if found_programme is None:
        raise _unknown_programme(year)
    # A meeting's rows (one a theme) follow each other, in the index's order.
    found: list[tuple[int, date, list[int], tuple[str, ...]]] = []
    themes: dict[int, Theme] = {}
    codes: set[str] = set()
    fields = sql.theme_fields()
    for meeting_id, day, venue, host, theme in rows:
        if not found or found[-1][0] != meeting_id:
            found.append(
                (meeting_id, day, [], (venue, host) if host and host != venue else (venue,))
            )
            codes.add(venue)
            if host:
                codes.add(host)
        if theme is not None:
            found[-1][2].append(theme[0])
            if theme[0] not in themes:
                themes[theme[0]] = Theme.from_db(connection.alias, fields, theme)
    return ProgrammeIndex(
        programme=found_programme,
        years=[programme.year for programme in programmes],
        meetings=[
            Listed(pk, day, tuple(theme_ids), meeting_codes)
            for pk, day, theme_ids, meeting_codes in found
        ],
        themes=sorted(themes.values(), key=lambda theme: theme.slug),
        codes=frozenset(codes),
    )


def programme_meetings(programme: Programme, *, with_agenda: bool = False) -> list[Meeting]:
    """The public meetings of a programme with what `MeetingOut` shows, and their agendas
    for the brochure (two more queries)."""
    meetings = _public_meetings().filter(programme=programme)
    if with_agenda:
        meetings = meetings.prefetch_related(Prefetch("agenda_items", queryset=_agenda_items()))
    return list(meetings)


def programme_listed(index: ProgrammeIndex, listed: list[Listed]) -> list[Meeting]:
    """The meetings `listed` (cut from `index`), each with `listed_themes`, in one query
    of the fields shown (`sql.listed_meetings`): a cold page of hundreds of meetings
    spent more time loading each one's long texts, pairs and theme managers than
    rendering it."""
    themes = {theme.pk: theme for theme in index.themes}
    by_pk = {meeting.pk: meeting for meeting in listed}
    meetings = sql.listed_meetings(by_pk)
    for meeting in meetings:
        ids = by_pk[meeting.pk].theme_ids
        meeting.listed_themes = [themes[pk] for pk in themes if pk in ids]
    return meetings


def _unpublished(meeting_id: int) -> UnknownMeeting:
    return UnknownMeeting(_("There is no published meeting with id %(id)s.") % {"id": meeting_id})


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
        raise _unpublished(meeting_id)
    return meeting


def programme_themes(programme: Programme) -> list[Theme]:
    return list(
        Theme.objects.filter(meetings__programme=programme, meetings__status__in=PUBLIC_STATUSES)
        .distinct()
        .order_by("slug")
    )


def programme_upcoming_year(now: datetime) -> int | None:
    """The nearest published programme with a meeting still to come, else the latest one:
    the front door opens on what people can still attend, not on a year that may hold
    a single past meeting."""
    upcoming = (
        Meeting.objects.filter(
            status=Meeting.Status.PUBLISHED,
            programme__status=Programme.Status.PUBLISHED,
            ends_at__gt=now,
        )
        .order_by("starts_at")
        .values_list("programme__year", flat=True)
        .first()
    )
    if upcoming is not None:
        return upcoming
    years = programme_years()
    return years[0] if years else None


def programme_years() -> list[int]:
    """The years that have a published programme, newest first."""
    return list(
        Programme.objects.filter(status=Programme.Status.PUBLISHED)
        .order_by("-year")
        .values_list("year", flat=True)
    )


ARCHIVE_PAGE_SIZE = 20


def _archive_meetings(
    now: datetime, *, text: str = "", theme: str | None = None, year: int | None = None
) -> QuerySet[Meeting]:
    """Meetings that took place (published, over), newest first. `text` matches the title
    in either language, the city or the host organisation's name."""
    meetings = Meeting.objects.filter(
        status=Meeting.Status.PUBLISHED,
        programme__status=Programme.Status.PUBLISHED,
        ends_at__lte=now,
    )
    text = text.strip()
    if text:
        meetings = meetings.filter(
            Q(title_fr__icontains=text)
            | Q(title_nl__icontains=text)
            | Q(venue_city__icontains=text)
            | Q(host_organisation__name__icontains=text)
        )
    if theme:
        meetings = meetings.filter(themes__slug=theme)
    if year:
        meetings = meetings.filter(programme__year=year)
    return meetings.distinct().order_by("-starts_at", "-pk")


def archive_page(
    now: datetime,
    page: int | str | None,
    *,
    text: str = "",
    theme: str | None = None,
    year: int | None = None,
) -> Page:
    """One page of the archive with each meeting's host, themes and public documents
    (`public_documents`): six queries whatever the number of meetings (the count, the
    page, its themes, its documents)."""
    public = Document.objects.visible_to(Viewer()).order_by("kind", "pk")
    meetings = (
        _archive_meetings(now, text=text, theme=theme, year=year)
        .select_related("programme", "host_organisation")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("slug")),
            Prefetch("documents", queryset=public, to_attr="public_documents"),
        )
    )
    return Paginator(meetings, ARCHIVE_PAGE_SIZE).get_page(page)


def archive_filters(now: datetime) -> tuple[list[Theme], list[int]]:
    """The themes and the years the archive's past meetings have, for its filters."""
    past = _archive_meetings(now)
    themes = list(Theme.objects.filter(meetings__in=past).distinct().order_by("slug"))
    years = sorted(set(past.values_list("programme__year", flat=True)), reverse=True)
    return themes, years


# --- Organisers' lists ------------------------------------------------------------------
# What an integrator searches on. Each is ordered on a unique key, for stable pages.


def _upper(country: str | None) -> str | None:
    return country.upper() if country else None


def organisations_find(
    *,
    q: str = "",
    country: str | None = None,
    kind: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Organisation]:
    """`q` is contained in the name."""
    return narrowed(
        Organisation.objects.all(),
        q=q,
        q_fields=("name",),
        country=_upper(country),
        kind=kind,
        updated_at__gte=updated_since,
    ).order_by("name", "pk")


def people_find(
    *,
    q: str = "",
    organisation: int | None = None,
    country: str | None = None,
    function: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Person]:
    """`q` is contained in the first name, the last name or the email; `country` is the
    organisation's, as the directory has no other."""
    return narrowed(
        Person.objects.select_related("organisation"),
        q=q,
        q_fields=("first_name", "last_name", "email"),
        organisation_id=organisation,
        organisation__country=_upper(country),
        function=function,
        updated_at__gte=updated_since,
    ).order_by("last_name", "first_name", "pk")


def programmes_find(
    *, status: str | None = None, updated_since: datetime | None = None
) -> QuerySet[Programme]:
    return narrowed(Programme.objects.all(), status=status, updated_at__gte=updated_since).order_by(
        "-year"
    )


def meetings_find(
    *,
    year: int | None = None,
    q: str = "",
    status: str | None = None,
    country: str | None = None,
    organisation: int | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Meeting]:
    """Every meeting, drafts included. `q` is contained in a title or the city; `country`
    is the venue's or the host's, as on the programme page; `organisation` the host."""
    meetings = narrowed(
        _meetings(),
        q=q,
        q_fields=("title_fr", "title_nl", "venue_city"),
        programme__year=year,
        status=status,
        host_organisation_id=organisation,
        updated_at__gte=updated_since,
    )
    if country:
        country = country.upper()
        meetings = meetings.filter(Q(venue_country=country) | Q(host_organisation__country=country))
    return meetings


# --- Documents -------------------------------------------------------------------------


def viewer_for(user) -> Viewer:
    """Who a signed-in user is to the documents' rule: an organiser; else a member when
    their person is (an active member organisation), and a participant of the meetings
    they co-facilitate or are confirmed for (registrations answer `participations_asked`,
    whether or not the registrant is in the directory). Remembered for the request."""
    if user is None or not user.is_authenticated:
        return Viewer()
    if getattr(user, "_document_viewer", None) is not None:
        return user._document_viewer
    if is_organiser(user):
        viewer = Viewer(organiser=True)
    else:
        person = Person.objects.select_related("organisation").filter(user=user).first()
        meetings = set(
            CoFacilitator.objects.filter(person__user=user).values_list("meeting_id", flat=True)
        )
        for _receiver, meeting_ids in participations_asked.send(sender=Viewer, user=user):
            meetings.update(meeting_ids)
        member = person is not None and person.is_member
        viewer = Viewer(member=member, participant_of=frozenset(meetings))
    user._document_viewer = viewer
    return viewer


def own_documents(user) -> list[Document]:
    """The documents reserved to a person, for their own space: those of the meetings
    they take part in and, for a member, the members' ones. Public documents are on the
    meeting pages, and an organiser's view of every document is the admin, so neither
    is listed here."""
    viewer = dataclasses.replace(viewer_for(user), organiser=False)
    return list(
        Document.objects.visible_to(viewer)
        .exclude(visibility=Document.Visibility.PUBLIC)
        .select_related("meeting")
        .order_by(F("meeting__starts_at").desc(nulls_last=True), "kind", "pk")
    )


def meeting_check_public(meeting_id: int) -> None:
    """`UnknownMeeting` unless the meeting is public, in one query (nothing prefetched)."""
    public = Meeting.objects.filter(
        pk=meeting_id, status__in=PUBLIC_STATUSES, programme__status=Programme.Status.PUBLISHED
    )
    if not public.exists():
        raise _unpublished(meeting_id)


def meeting_documents_find(meeting_id: int, viewer: Viewer) -> QuerySet[Document]:
    """The documents of a meeting that `viewer` may see, slides first, one query."""
    return Document.objects.visible_to(viewer).filter(meeting_id=meeting_id).order_by("kind", "pk")


def meeting_documents(meeting: Meeting | int, viewer: Viewer) -> list[Document]:
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    return list(meeting_documents_find(meeting_id, viewer))


def meeting_agenda(meeting_id: int) -> QuerySet[AgendaItem]:
    """The items of a meeting by time, with their speakers and the meeting their times
    are shown in: two queries."""
    return _agenda_items().select_related("meeting").filter(meeting_id=meeting_id)


def meeting_documents_placed(meeting: Meeting, viewer: Viewer) -> list[Document]:
    """The meeting page's documents: those of an agenda item go under it (as the item's
    `documents_shown`; the items are the meeting's prefetched ones), the others are
    returned."""
    by_item: dict[int, list[Document]] = {}
    for document in meeting_documents(meeting, viewer):
        by_item.setdefault(document.agenda_item_id, []).append(document)
    for item in meeting.agenda_items.all():
        item.documents_shown = by_item.pop(item.pk, [])
    return [document for documents in by_item.values() for document in documents]


def document_get_visible(document_id: int, viewer: Viewer) -> Document:
    """The document, if `viewer` may see it. Otherwise `DocumentNotVisible`, saying who
    may and how they get in, or `UnknownDocument` when nothing public shows it exists
    (no such id, or a meeting not published yet)."""
    document = Document.objects.visible_to(viewer).filter(pk=document_id).first()
    if document is not None:
        return document
    hidden = Document.objects.published().filter(pk=document_id).first()
    if hidden is None:
        raise UnknownDocument.of(document_id)
    if hidden.visibility == Document.Visibility.PARTICIPANTS:
        raise DocumentNotVisible(
            _(
                "This document is for the participants of the meeting: open it from your "
                "registration page, through the link in your confirmation email."
            )
        )
    raise DocumentNotVisible(
        _("This document is for the people of the network's member organisations: sign in.")
    )
