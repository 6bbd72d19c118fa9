"""Reads shared by the pages, the API, the feeds and the brochure.

Every selector fetches what its callers render in a fixed number of queries, whatever
the number of meetings: the programme page is pinned at eight at most.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from .auth import is_organiser
from .errors import DocumentNotVisible, UnknownDocument, UnknownMeeting, UnknownProgramme
from .models import CoFacilitator, Document, Meeting, Person, Programme, Theme, Viewer
from .signals import participations_asked

PUBLIC_STATUSES = (Meeting.Status.PUBLISHED, Meeting.Status.CANCELLED)


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
    meeting = (
        _public_meetings()
        .filter(pk=meeting_id, programme__status=Programme.Status.PUBLISHED)
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


# --- Documents -------------------------------------------------------------------------


def viewer_for(user) -> Viewer:
    """Who a signed-in user is to the documents' rule: an organiser; else, through their
    person, a member (an active member organisation) and a participant of the meetings
    they are confirmed for or co-facilitate. Remembered on the user for the request."""
    if user is None or not user.is_authenticated:
        return Viewer()
    if getattr(user, "_document_viewer", None) is not None:
        return user._document_viewer
    if is_organiser(user):
        viewer = Viewer(organiser=True)
    else:
        person = Person.objects.select_related("organisation").filter(user=user).first()
        viewer = Viewer() if person is None else _person_viewer(person)
    user._document_viewer = viewer
    return viewer


def _person_viewer(person: Person) -> Viewer:
    meetings = set(CoFacilitator.objects.filter(person=person).values_list("meeting_id", flat=True))
    for _receiver, meeting_ids in participations_asked.send(sender=Person, person=person):
        meetings.update(meeting_ids)
    return Viewer(member=person.is_member, participant_of=frozenset(meetings))


def meeting_documents(meeting: Meeting | int, viewer: Viewer) -> list[Document]:
    """The documents of a meeting that `viewer` may see, slides first."""
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    return list(
        Document.objects.visible_to(viewer).filter(meeting_id=meeting_id).order_by("kind", "pk")
    )


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
