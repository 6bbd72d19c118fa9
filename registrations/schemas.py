"""The shapes of the registrations API that are not the registration's own."""

from datetime import datetime

from ninja import Field, Schema


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
