"""What the registrations API takes and answers: invitations, registrations, the door,
the contact list."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict

from events_site.kit.pagination import PageQuery, page_of
from events_site.kit.schemas import (
    Flag,
    Instant,
    Key,
    ListOf,
    api_choices,
    field_choices,
    upper_if_text,
)
from meetings.schemas import Country, Language, PersonFunction, PersonOut

from .models import CheckIn, Registration
from .services.checkin import SEARCH_MAX_LENGTH, Outcome

RegistrationStatus = api_choices(Registration.Status, "RegistrationStatus")
CheckInMethod = api_choices(CheckIn.Method, "CheckInMethod")
CheckinOutcome = Literal[(*Outcome.SCAN, Outcome.UNDONE, Outcome.NOT_CHECKED_IN)]
# The organisation's country and the interpretation may be left empty: "" is one of them.
CountryOrNone = Annotated[
    field_choices(Registration, "organisation_country", "CountryOrNone"),
    BeforeValidator(upper_if_text),
]
InterpretationLanguage = field_choices(Registration, "interpretation_to", "InterpretationLanguage")
COUNTRY_OR_NONE = "ISO 3166 code, or empty"


class InvitationsIn(Schema):
    people: ListOf[int] = Field(default_factory=list, description="ids of people to invite")
    organisations: ListOf[int] = Field(
        default_factory=list, description="ids of organisations: everyone of each is invited"
    )
    all_mayors: Flag = Field(False, description="invite every mayor and burgomaster of the network")


class SkippedOut(Schema):
    person: int = Field(..., description="id of the person left out")
    name: str
    email: str
    reason: str = Field(..., description="why, in the language of the request")


class InviteReportOut(Schema):
    queued: int = Field(..., description="invitations written to the outbox")
    skipped: list[SkippedOut]


class RegistrationIn(Schema):
    first_name: str
    last_name: str
    email: str
    function: PersonFunction
    organisation: int | None = Field(None, description="id of an organisation in the directory")
    organisation_name: str = Field("", description="the organisation, when not in the directory")
    organisation_country: CountryOrNone = Field(
        "", validate_default=True, description="its ISO 3166 code (FR, BE…)"
    )
    language: Language | None = Field(None, description="by default the language of the request")
    interpretation_needed: Flag = False
    interpretation_to: InterpretationLanguage = InterpretationLanguage.NONE
    accessibility_notes: str = ""
    dietary_notes: str = ""
    share_contact: Flag = Field(False, description="appear in the participants' contact list")
    privacy_consent: Flag = Field(False, description="must be true")
    invitation: str | None = Field(None, description="the token of the invitation link")


class RegistrationCreatedOut(Schema):
    status: RegistrationStatus = Field(..., description="confirmed or waitlisted")
    waitlist_position: int | None = Field(None, description="1 is the next to get a seat")
    manage_token: str = Field(..., description="for GET/PATCH/DELETE /registrations/{token}")
    manage_url: str


class NeutralOut(Schema):
    detail: str


class RegistrationPatch(Schema):
    """Only these can change: for anything else, cancel and register again."""

    model_config = ConfigDict(extra="forbid")

    language: Language | None = None
    interpretation_needed: Flag | None = None
    interpretation_to: InterpretationLanguage | None = None
    accessibility_notes: str | None = None
    dietary_notes: str | None = None
    share_contact: Flag | None = None


class RegistrationOut(Schema):
    meeting: int
    meeting_title: str
    meeting_starts_at: datetime
    status: RegistrationStatus
    waitlist_position: int | None
    first_name: str
    last_name: str
    email: str
    function: PersonFunction
    organisation: int | None
    organisation_name: str
    organisation_country: CountryOrNone
    language: Language
    interpretation_needed: bool
    interpretation_to: InterpretationLanguage
    accessibility_notes: str
    dietary_notes: str
    share_contact: bool
    ticket_secret: str = Field(..., description="what the QR code of the ticket carries")
    manage_url: str
    ticket_pdf_url: str | None
    calendar_url: str
    created_at: datetime


class ScanIn(Schema):
    secret: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="the code read from the QR, or typed: case, spaces and dashes do not matter",
    )
    meeting: int = Field(..., description="id of the meeting at whose door the scan happens")


class CheckinOut(Schema):
    outcome: CheckinOutcome = Field(..., description="undone or not_checked_in for an undo")
    message: str = Field(..., description="what to tell the volunteer, in the request language")
    ok: bool = Field(..., description="the person may come in")
    registration: int | None = Field(None, description="id of the registration, for an undo")
    name: str | None = None
    organisation: str | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    present: int = Field(..., description="confirmed people checked in so far")
    expected: int = Field(..., description="confirmed registrations")


class DoorPersonOut(Schema):
    registration: int
    name: str
    organisation: str
    function: str = Field(..., description="the person's function, in the request's language")
    status: RegistrationStatus
    status_label: str
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None


class SearchOut(Schema):
    results: list[DoorPersonOut]
    present: int
    expected: int


class SearchQuery(Schema):
    q: str = Field("", max_length=SEARCH_MAX_LENGTH, description="name or organisation")


class ContactOut(Schema):
    registration: int
    first_name: str
    last_name: str
    function: PersonFunction
    organisation: str
    commune: str
    country: CountryOrNone = Field(..., description=COUNTRY_OR_NONE)
    email: str
    phone: str = Field(..., description="the directory's, when the person is in it")
    checked_in: bool = Field(..., description="came to the meeting")
    shares_contact: bool = Field(..., description="consents to appear in the contact list now")
    consent_version: str | None = Field(
        ..., description="the text version the standing consent was given for"
    )
    consent_given_at: datetime | None
    in_list: bool = Field(..., description="in the list the others receive: came, and consents")


class MeetingRegistrationFilters(PageQuery):
    q: str = Field("", max_length=200, description="contained in the name or the email")
    status: RegistrationStatus | None = None
    function: PersonFunction | None = None
    organisation: Key | None = Field(None, description="id of their organisation")
    country: Country | None = Field(None, description="their organisation's, ISO 3166 code")
    updated_since: Instant | None = Field(
        None, description="changed at or after this time, for synchronisation"
    )


class MeetingRegistrationOut(Schema):
    """A registration as organisers see it in a list: no manage token, no ticket."""

    id: int
    person: int | None = Field(None, alias="person_id", description="their directory entry")
    status: RegistrationStatus
    first_name: str
    last_name: str
    email: str
    function: PersonFunction
    organisation: int | None = Field(None, alias="organisation_id")
    organisation_name: str
    country: CountryOrNone = Field(..., description=COUNTRY_OR_NONE)
    language: Language
    interpretation_needed: bool
    interpretation_to: InterpretationLanguage
    accessibility_notes: str
    dietary_notes: str
    share_contact: bool
    created_at: datetime
    updated_at: datetime
    anonymised_at: datetime | None = Field(
        None, description="set once the person's data was erased: the names are placeholders"
    )

    @staticmethod
    def resolve_organisation_name(obj: Registration):
        return obj.organisation_label

    @staticmethod
    def resolve_country(obj: Registration):
        return str(obj.country or "")


MeetingRegistrationPage = page_of(MeetingRegistrationOut, "MeetingRegistrationPage")


class MeetingInvitationFilters(PageQuery):
    q: str = Field("", max_length=200, description="contained in the person's name or email")
    organisation: Key | None = Field(None, description="id of their organisation")
    country: Country | None = Field(None, description="their organisation's, ISO 3166 code")
    function: PersonFunction | None = None
    answered: bool | None = Field(None, description="registered through the invitation, or not")


class MeetingInvitationOut(Schema):
    id: int
    person: PersonOut
    created_at: datetime = Field(..., description="when the invitation was sent")
    opened_at: datetime | None = Field(None, description="when its link was first opened")
    answered_at: datetime | None = Field(None, description="when they registered through it")


MeetingInvitationPage = page_of(MeetingInvitationOut, "MeetingInvitationPage")


class MeetingCheckinFilters(PageQuery):
    q: str = Field("", max_length=200, description="contained in the name or the email")
    method: CheckInMethod | None = None
    since: Instant | None = Field(None, description="checked in at or after this time")


class MeetingCheckinOut(Schema):
    registration: int = Field(..., alias="registration_id")
    first_name: str
    last_name: str
    organisation_name: str
    checked_in_at: datetime
    method: CheckInMethod

    @staticmethod
    def resolve_first_name(obj: CheckIn):
        return obj.registration.first_name

    @staticmethod
    def resolve_last_name(obj: CheckIn):
        return obj.registration.last_name

    @staticmethod
    def resolve_organisation_name(obj: CheckIn):
        return obj.registration.organisation_label


MeetingCheckinPage = page_of(MeetingCheckinOut, "MeetingCheckinPage")
