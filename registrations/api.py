"""The invitations API: organisers invite people to a meeting and see who was skipped."""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from meetings.api import ERRORS
from meetings.auth import organiser_auth
from meetings.models import Meeting

from . import selectors, services

router = Router(tags=["invitations"])


class InvitationsIn(Schema):
    people: list[int] = Field(default_factory=list, description="ids of people to invite")
    organisations: list[int] = Field(
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


@router.post(
    "/meetings/{meeting_id}/invitations",
    response={200: InviteReportOut, **ERRORS},
    auth=organiser_auth,
)
def meeting_invite(request, meeting_id: int, payload: InvitationsIn):
    """Invite people to a published meeting, each in their own language.

    Whoever cannot be written to (an invalid address, a line break in a name) or is
    already invited is listed in `skipped` with the reason; everyone else is queued.
    Unknown ids are refused with 422, an empty selection too, a draft or cancelled
    meeting with 409: nothing is written then.
    """
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    people, organisations = selectors.invitees_pick(payload.people, payload.organisations)
    return services.meeting_invite(
        meeting,
        people=people,
        organisations=organisations,
        all_mayors=payload.all_mayors,
        invited_by=request.user,
    )
