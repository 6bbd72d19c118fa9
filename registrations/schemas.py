"""What the registrations API takes and answers: invitations, registrations, the door,
the contact list."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from events_site.kit.pagination import PageQuery, page_of
from events_site.kit.schemas import ListOf, api_choices
from meetings.schemas import PersonFunction, PersonOut

from .models import CheckIn, Registration
from .services.checkin import SEARCH_MAX_LENGTH


class InvitationsIn(Schema):
    people: ListOf[int] = Field(default_factory=list, description="ids of people to invite")
    organisations: ListOf[int] = Field(
        default_factory=list, description="ids of organisations: everyone of each is invited"
    )
    all_mayors: bool = Field(False, description="invite every mayor and burgomaster of the network")


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
    function: str = Field(..., description="mayor, burgomaster, alderman, officer…")
    organisation: int | None = Field(None, description="id of an organisation in the directory")
    organisation_name: str = Field("", description="the organisation, when not in the directory")
    organisation_country: str = Field("", description="its ISO 3166 code (FR, BE…)")
    language: str | None = Field(
        None, description="fr, nl or en; by default the language of the request"
    )
    interpretation_needed: bool = False
    interpretation_to: str = Field("", description="fr, nl or en")
    accessibility_notes: str = ""
    dietary_notes: str = ""
    share_contact: bool = Field(False, description="appear in the participants' contact list")
    privacy_consent: bool = Field(False, description="must be true")
    invitation: str | None = Field(None, description="the token of the invitation link")


class RegistrationCreatedOut(Schema):
    status: str = Field(..., description="confirmed or waitlisted")
    waitlist_position: int | None = Field(None, description="1 is the next to get a seat")
    manage_token: str = Field(..., description="for GET/PATCH/DELETE /registrations/{token}")
    manage_url: str


class NeutralOut(Schema):
    detail: str


class RegistrationPatch(Schema):
    """Only these can change: for anything else, cancel and register again."""

    model_config = ConfigDict(extra="forbid")

    language: str | None = None
    interpretation_needed: bool | None = None
    interpretation_to: str | None = None
    accessibility_notes: str | None = None
    dietary_notes: str | None = None
    share_contact: bool | None = None


class RegistrationOut(Schema):
    meeting: int
    meeting_title: str
    meeting_starts_at: datetime
    status: str
    waitlist_position: int | None
    first_name: str
    last_name: str
    email: str
    function: str
    organisation: int | None
    organisation_name: str
    organisation_country: str
    language: str
    interpretation_needed: bool
    interpretation_to: str
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
    outcome: str = Field(
        ...,
        description=(
            "checked_in, already_checked_in, cancelled, waitlisted, wrong_meeting or unknown; "
            "undone or not_checked_in for an undo"
        ),
    )
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
    function: str
    status: str
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
    function: str
    organisation: str
    commune: str
    country: str = Field(..., description="ISO 3166 code, or empty")
    email: str
    phone: str = Field(..., description="the directory's, when the person is in it")
    checked_in: bool = Field(..., description="came to the meeting")
    shares_contact: bool = Field(..., description="consents to appear in the contact list now")
    consent_version: str | None = Field(
        ..., description="the text version the standing consent was given for"
    )
    consent_given_at: datetime | None
    in_list: bool = Field(..., description="in the list the others receive: came, and consents")


RegistrationStatus = api_choices(Registration.Status, "RegistrationStatus")


class MeetingRegistrationFilters(PageQuery):
    q: str = Field("", max_length=200, description="contained in the name or the email")
    status: RegistrationStatus | None = None
    function: PersonFunction | None = None
    organisation: int | None = Field(None, description="id of their organisation")
    country: str | None = Field(
        None, min_length=2, max_length=2, description="their organisation's, ISO 3166 code"
    )
    updated_since: datetime | None = Field(
        None, description="changed at or after this time, for synchronisation"
    )


class MeetingRegistrationOut(Schema):
    """A registration as organisers see it in a list: no manage token, no ticket."""

    id: int
    person: int | None = Field(None, alias="person_id", description="their directory entry")
    status: str
    first_name: str
    last_name: str
    email: str
    function: str
    organisation: int | None = Field(None, alias="organisation_id")
    organisation_name: str
    country: str = Field(..., description="ISO 3166 code, or empty")
    language: str
    interpretation_needed: bool
    interpretation_to: str
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
    organisation: int | None = Field(None, description="id of their organisation")
    country: str | None = Field(
        None, min_length=2, max_length=2, description="their organisation's, ISO 3166 code"
    )
    function: PersonFunction | None = None
    answered: bool | None = Field(None, description="registered through the invitation, or not")


class MeetingInvitationOut(Schema):
    id: int
    person: PersonOut
    created_at: datetime = Field(..., description="when the invitation was sent")
    opened_at: datetime | None = Field(None, description="when its link was first opened")
    answered_at: datetime | None = Field(None, description="when they registered through it")


MeetingInvitationPage = page_of(MeetingInvitationOut, "MeetingInvitationPage")


CheckInMethod = api_choices(CheckIn.Method, "CheckInMethod")


class MeetingCheckinFilters(PageQuery):
    q: str = Field("", max_length=200, description="contained in the name or the email")
    method: CheckInMethod | None = None
    since: datetime | None = Field(None, description="checked in at or after this time")


class MeetingCheckinOut(Schema):
    registration: int = Field(..., alias="registration_id")
    first_name: str
    last_name: str
    organisation_name: str
    checked_in_at: datetime
    method: str

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
