"""Shapes of the programme API, as documented in the OpenAPI document."""

from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema
from pydantic import BeforeValidator

from events_site.kit.pagination import PageQuery, page_of
from events_site.kit.schemas import (
    Flag,
    Instant,
    Key,
    ListOf,
    Year,
    api_choices,
    field_choices,
    upper_if_text,
)
from events_site.kit.text import entries

from .models import (
    PICTURES_MAX,
    AgendaItem,
    AgendaSpeaker,
    CoFacilitator,
    Document,
    Meeting,
    Organisation,
    Person,
    Programme,
)

OrganisationKind = api_choices(Organisation.Kind, "OrganisationKind")
Membership = api_choices(Organisation.Membership, "Membership")
PersonFunction = api_choices(Person.Function, "PersonFunction")
CoFacilitatorRole = api_choices(CoFacilitator.Role, "CoFacilitatorRole")
ProgrammeStatus = api_choices(Programme.Status, "ProgrammeStatus")
MeetingStatus = api_choices(Meeting.Status, "MeetingStatus")
AgendaKind = api_choices(AgendaItem.Kind, "AgendaKind")
DocumentKind = api_choices(Document.Kind, "DocumentKind")
DocumentLanguage = api_choices(Document.Language, "DocumentLanguage")
DocumentVisibility = api_choices(Document.Visibility, "DocumentVisibility")
# Codes are taken in either case, as the filters always took them ("be" finds BE).
Country = Annotated[
    field_choices(Organisation, "country", "Country"), BeforeValidator(upper_if_text)
]
Language = field_choices(Person, "preferred_language", "Language")
TimeZone = field_choices(Meeting, "time_zone", "TimeZone")

MEMBERSHIP_HELP = "network membership: active, lapsed, or empty for none"
COUNTRY = "ISO 3166 code, e.g. FR, BE"


class OrganisationIn(Schema):
    name: str = Field(..., max_length=200)
    kind: OrganisationKind
    country: Country = Field(..., description=COUNTRY)
    city: str = ""
    postcode: str = ""
    membership: Membership = Field(Membership.NONE, description=MEMBERSHIP_HELP)
    member_since: int | None = Field(None, description="the year it joined the network")


class OrganisationPatch(Schema):
    name: str | None = Field(None, max_length=200)
    kind: OrganisationKind | None = None
    country: Country | None = Field(None, description=COUNTRY)
    city: str | None = None
    postcode: str | None = None
    membership: Membership | None = Field(None, description=MEMBERSHIP_HELP)
    member_since: int | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    country: Country
    city: str
    postcode: str
    membership: Membership = Field(..., description=MEMBERSHIP_HELP)
    member_since: int | None
    is_member: bool = Field(..., description="an active member: its people are members")

    @staticmethod
    def resolve_country(obj):
        return obj.country.code


class PersonIn(Schema):
    first_name: str = Field(..., max_length=100)
    last_name: str = Field(..., max_length=100)
    email: str
    phone: str = ""
    function: PersonFunction
    organisation: int | None = Field(None, description="id of the person's organisation")
    preferred_language: Language = Language.FR
    accepts_network_news: Flag = False


class PersonPatch(Schema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: str | None = None
    phone: str | None = None
    function: PersonFunction | None = None
    organisation: int | None = None
    preferred_language: Language | None = None
    accepts_network_news: Flag | None = None


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    function: PersonFunction
    organisation: OrganisationOut | None
    preferred_language: Language
    accepts_network_news: bool


class ProgrammeIn(Schema):
    year: int
    title_fr: str = ""
    title_nl: str = ""
    introduction_fr: str = ""
    introduction_nl: str = ""


class ProgrammePatch(Schema):
    title_fr: str | None = None
    title_nl: str | None = None
    introduction_fr: str | None = None
    introduction_nl: str | None = None


EDITORIAL_MAX = 4000
AMBITIONS = "one entry per ambition, in the order the booklet lists them"


class MeetingWords(Schema):
    """What the organiser writes for the booklet, in French and Dutch (each falls back
    to the other)."""

    context_fr: str = Field("", max_length=EDITORIAL_MAX)
    context_nl: str = Field("", max_length=EDITORIAL_MAX)
    ambitions_fr: ListOf[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=20, description=AMBITIONS
    )
    ambitions_nl: ListOf[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=20, description=AMBITIONS
    )
    principles_fr: str = Field("", max_length=EDITORIAL_MAX, description="how the workshops ran")
    principles_nl: str = Field("", max_length=EDITORIAL_MAX, description="how the workshops ran")
    next_steps_fr: str = Field("", max_length=EDITORIAL_MAX)
    next_steps_nl: str = Field("", max_length=EDITORIAL_MAX)


class MeetingWordsPatch(Schema):
    context_fr: str | None = Field(None, max_length=EDITORIAL_MAX)
    context_nl: str | None = Field(None, max_length=EDITORIAL_MAX)
    ambitions_fr: ListOf[Annotated[str, Field(max_length=500)]] | None = Field(
        None, max_length=20, description=AMBITIONS
    )
    ambitions_nl: ListOf[Annotated[str, Field(max_length=500)]] | None = Field(
        None, max_length=20, description=AMBITIONS
    )
    principles_fr: str | None = Field(None, max_length=EDITORIAL_MAX)
    principles_nl: str | None = Field(None, max_length=EDITORIAL_MAX)
    next_steps_fr: str | None = Field(None, max_length=EDITORIAL_MAX)
    next_steps_nl: str | None = Field(None, max_length=EDITORIAL_MAX)


class MeetingIn(MeetingWords):
    programme: int = Field(..., description="the programme's year")
    title_fr: str = ""
    title_nl: str = ""
    description_fr: str = ""
    description_nl: str = ""
    starts_at: datetime = Field(..., description="naive times are read in the meeting's time zone")
    ends_at: datetime
    time_zone: TimeZone = TimeZone("Europe/Brussels")
    venue_name: str = Field(..., max_length=200)
    venue_address: str = ""
    venue_city: str = Field(..., max_length=120)
    venue_country: Country = Field(..., description=COUNTRY)
    host_organisation: int | None = None
    themes: ListOf[str] = Field(default_factory=list, description="theme slugs")
    working_languages: ListOf[Language] = Field(default_factory=lambda: [Language.FR, Language.NL])
    capacity: int = 40
    is_cross_border: Flag = True
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None


class MeetingPatch(MeetingWordsPatch):
    title_fr: str | None = None
    title_nl: str | None = None
    description_fr: str | None = None
    description_nl: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: TimeZone | None = None
    venue_name: str | None = None
    venue_address: str | None = None
    venue_city: str | None = None
    venue_country: Country | None = Field(None, description=COUNTRY)
    host_organisation: int | None = None
    themes: ListOf[str] | None = None
    working_languages: ListOf[Language] | None = None
    capacity: int | None = None
    is_cross_border: Flag | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None


class CancelIn(Schema):
    reason: str = Field("", max_length=2000)


class CoFacilitatorIn(Schema):
    person: int = Field(..., description="id of the person")
    role: CoFacilitatorRole = CoFacilitatorRole.CO_FACILITATOR


class CoFacilitatorOut(Schema):
    id: int
    name: str
    function: str = Field(..., description="the person's function, in the request's language")
    organisation: str | None
    country: Country | None
    role: CoFacilitatorRole

    @staticmethod
    def resolve_name(obj):
        return obj.person.full_name

    @staticmethod
    def resolve_function(obj):
        return obj.person.get_function_display()

    @staticmethod
    def resolve_organisation(obj):
        return obj.person.organisation.name if obj.person.organisation_id else None

    @staticmethod
    def resolve_country(obj):
        return obj.person.country.code if obj.person.organisation_id else None


class VenueOut(Schema):
    name: str
    address: str
    city: str
    country: Country


class ThemeOut(Schema):
    slug: str
    name: str


class MeetingOut(Schema):
    id: int
    uid: str
    programme: int
    title: str
    description: str
    title_fr: str | None
    title_nl: str | None
    starts_at: datetime = Field(..., description="in the meeting's own time zone")
    ends_at: datetime
    time_zone: TimeZone
    venue: VenueOut
    host_organisation: OrganisationOut | None
    themes: list[ThemeOut]
    working_languages: list[Language]
    capacity: int
    seats_left: int
    is_cross_border: bool
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    status: MeetingStatus
    sequence: int
    cofacilitators: list[CoFacilitatorOut]
    context: str = Field(..., description="in the request's language, else the other one")
    context_fr: str | None
    context_nl: str | None
    ambitions: list[str] = Field(..., description="in the request's language, else the other")
    ambitions_fr: list[str]
    ambitions_nl: list[str]
    principles: str = Field(..., description="how the workshops ran")
    principles_fr: str | None
    principles_nl: str | None
    next_steps: str
    next_steps_fr: str | None
    next_steps_nl: str | None

    @staticmethod
    def resolve_ambitions(obj: Meeting):
        return entries(obj.ambitions)

    @staticmethod
    def resolve_ambitions_fr(obj: Meeting):
        return entries(obj.ambitions_fr)

    @staticmethod
    def resolve_ambitions_nl(obj: Meeting):
        return entries(obj.ambitions_nl)

    @staticmethod
    def resolve_uid(obj: Meeting):
        return str(obj.uid)

    @staticmethod
    def resolve_programme(obj: Meeting):
        return obj.programme.year

    @staticmethod
    def resolve_starts_at(obj: Meeting):
        return obj.local_starts_at

    @staticmethod
    def resolve_ends_at(obj: Meeting):
        return obj.local_ends_at

    @staticmethod
    def resolve_venue(obj: Meeting):
        return {
            "name": obj.venue_name,
            "address": obj.venue_address,
            "city": obj.venue_city,
            "country": obj.venue_country.code,
        }

    @staticmethod
    def resolve_themes(obj: Meeting):
        return list(obj.themes.all())

    @staticmethod
    def resolve_cofacilitators(obj: Meeting):
        return list(obj.cofacilitators.all())

    @staticmethod
    def resolve_seats_left(obj: Meeting):
        return obj.seats_left


class ProgrammeOut(Schema):
    year: int
    title: str
    introduction: str
    title_fr: str | None
    title_nl: str | None
    status: ProgrammeStatus
    published_at: datetime | None
    meetings: list[MeetingOut]


class ProgrammeSummaryOut(Schema):
    year: int
    title: str
    title_fr: str | None
    title_nl: str | None
    status: ProgrammeStatus
    published_at: datetime | None


class SpeakerIn(Schema):
    person: int | None = Field(None, description="id of a person of the directory")
    name: str = Field("", max_length=200, description="a speaker who is not in the directory")
    role: str = Field("", max_length=200)


class SpeakerOut(Schema):
    person: int | None = Field(None, alias="person_id")
    name: str
    role: str

    @staticmethod
    def resolve_name(obj: AgendaSpeaker):
        return obj.display_name

    @staticmethod
    def resolve_role(obj: AgendaSpeaker):
        return obj.display_role


AGENDA_START = "naive times are read in the meeting's time zone; within the meeting's hours"


class AgendaItemIn(Schema):
    starts_at: datetime = Field(..., description=AGENDA_START)
    duration_min: int = Field(..., ge=1, le=24 * 60)
    kind: AgendaKind
    title_fr: str = Field("", max_length=200)
    title_nl: str = Field("", max_length=200, description="at least one of title_fr, title_nl")
    description_fr: str = Field("", max_length=4000)
    description_nl: str = Field("", max_length=4000)
    room: str = Field("", max_length=120)
    address: str = Field("", max_length=255, description="only for a site visit")
    speakers: ListOf[SpeakerIn] = Field(default_factory=list)


class AgendaItemPatch(Schema):
    starts_at: datetime | None = Field(None, description=AGENDA_START)
    duration_min: int | None = Field(None, ge=1, le=24 * 60)
    kind: AgendaKind | None = None
    title_fr: str | None = Field(None, max_length=200)
    title_nl: str | None = Field(None, max_length=200)
    description_fr: str | None = Field(None, max_length=4000)
    description_nl: str | None = Field(None, max_length=4000)
    room: str | None = Field(None, max_length=120)
    address: str | None = Field(None, max_length=255)
    speakers: ListOf[SpeakerIn] | None = Field(None, description="replace the speakers")


class AgendaItemOut(Schema):
    id: int
    meeting: int = Field(..., alias="meeting_id")
    starts_at: datetime = Field(..., description="in the meeting's own time zone")
    ends_at: datetime
    offset_min: int = Field(..., alias="start_offset_min", description="after the meeting starts")
    duration_min: int
    kind: AgendaKind
    title: str
    title_fr: str | None
    title_nl: str | None
    description: str
    description_fr: str | None
    description_nl: str | None
    room: str
    address: str
    map_url: str
    speakers: list[SpeakerOut]

    @staticmethod
    def resolve_starts_at(obj: AgendaItem):
        return obj.local_starts_at

    @staticmethod
    def resolve_ends_at(obj: AgendaItem):
        return obj.local_ends_at

    @staticmethod
    def resolve_speakers(obj: AgendaItem):
        return list(obj.speakers.all())


# --- Organisers' lists ------------------------------------------------------------------

UPDATED_SINCE = "changed at or after this time, for synchronisation"


class OrganisationFilters(PageQuery):
    q: str = Field("", max_length=200, description="contained in the name")
    country: Country | None = Field(None, description=COUNTRY)
    kind: OrganisationKind | None = None
    updated_since: Instant | None = Field(None, description=UPDATED_SINCE)


class PersonFilters(PageQuery):
    q: str = Field("", max_length=200, description="contained in the name or the email")
    organisation: Key | None = Field(None, description="id of their organisation")
    country: Country | None = Field(None, description="their organisation's country, " + COUNTRY)
    function: PersonFunction | None = None
    updated_since: Instant | None = Field(None, description=UPDATED_SINCE)


class ProgrammeFilters(PageQuery):
    status: ProgrammeStatus | None = None
    updated_since: Instant | None = Field(None, description=UPDATED_SINCE)


class MeetingFilters(PageQuery):
    year: Year | None = Field(None, description="the programme's year")
    q: str = Field("", max_length=200, description="contained in a title or the city")
    status: MeetingStatus | None = None
    country: Country | None = Field(None, description="the venue's or the host's, " + COUNTRY)
    organisation: Key | None = Field(None, description="id of the host organisation")
    updated_since: Instant | None = Field(None, description=UPDATED_SINCE)


OrganisationPage = page_of(OrganisationOut, "OrganisationPage")
PersonPage = page_of(PersonOut, "PersonPage")
ProgrammePage = page_of(ProgrammeSummaryOut, "ProgrammePage")
MeetingPage = page_of(MeetingOut, "MeetingPage")
AgendaPage = page_of(AgendaItemOut, "AgendaPage")

VISIBILITY_HELP = (
    "public; participants (confirmed registrations and co-facilitators of its meeting); "
    "members (people of the network's active member organisations)"
)


class DocumentIn(Schema):
    """The form fields sent with the file (multipart/form-data)."""

    title_fr: str = Field("", max_length=200)
    title_nl: str = Field("", max_length=200)
    kind: DocumentKind
    language: DocumentLanguage
    agenda_item: int | None = Field(None, description="id of an item of the meeting's agenda")
    visibility: DocumentVisibility = Field(DocumentVisibility.PUBLIC, description=VISIBILITY_HELP)


class DocumentPatch(Schema):
    title_fr: str | None = Field(None, max_length=200)
    title_nl: str | None = Field(None, max_length=200)
    kind: DocumentKind | None = None
    language: DocumentLanguage | None = None
    agenda_item: int | None = Field(None, description="id of an item of the meeting's agenda")
    visibility: DocumentVisibility | None = Field(None, description=VISIBILITY_HELP)


class PictureIn(Schema):
    document: int = Field(..., description="id of a document of kind photo of this meeting")
    caption_fr: str = Field("", max_length=300)
    caption_nl: str = Field("", max_length=300)


class PicturesIn(Schema):
    pictures: ListOf[PictureIn] = Field(
        ..., max_length=PICTURES_MAX, description="in the order the booklet shows them"
    )


class PictureOut(Schema):
    document: int = Field(..., alias="document_id")
    caption: str = Field(..., description="in the request's language, else the other one")
    caption_fr: str | None
    caption_nl: str | None
    order: int


class DocumentOut(Schema):
    id: int
    meeting: int | None = Field(None, alias="meeting_id")
    title: str
    title_fr: str | None
    title_nl: str | None
    kind: DocumentKind
    language: DocumentLanguage
    agenda_item: int | None = Field(None, alias="agenda_item_id")
    visibility: DocumentVisibility
    content_type: str = Field(..., description="read from the file's content")
    size: int
    filename: str
    url: str = Field(
        ...,
        description="the absolute address of the download, which checks visibility every "
        "time; an organiser's `Authorization: Bearer` key is accepted there",
    )
    created_at: datetime

    @staticmethod
    def resolve_url(obj: Document):
        return settings.SITE_URL + reverse("meetings:document", args=[obj.pk])


DocumentPage = page_of(DocumentOut, "DocumentPage")


# --- Importing people ------------------------------------------------------------------


class PeopleImportIn(Schema):
    dry_run: bool = Field(
        False, description="check every row and answer as the import would, writing nothing"
    )


class PeopleImportOut(Schema):
    """What the import did, or would do on a dry run."""

    dry_run: bool
    created: int = Field(..., description="people added to the directory")
    updated: int = Field(..., description="people matched by email whose row changed them")
    unchanged: int
    organisations_created: int
    ignored_columns: list[str] = Field(..., description="headers no column answers to")
    summary: str = Field(..., description="the counts in a sentence, in the request's language")
