"""The invitations API (organisers invite people to a meeting and see who was skipped)
and the public registration API (register, then read, change or cancel with the token)."""

import json
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from ninja import Query, Router

from events_site.kit.http_errors import error_responses, not_found_responses
from events_site.kit.idempotency import idempotent
from events_site.kit.pagination import page
from meetings.auth import organiser_auth
from meetings.emails import site_link
from meetings.models import Meeting

from . import contacts, selectors
from .models import Registration
from .schemas import (
    ContactOut,
    InvitationsIn,
    InviteReportOut,
    MeetingCheckinFilters,
    MeetingCheckinPage,
    MeetingInvitationFilters,
    MeetingInvitationPage,
    MeetingRegistrationFilters,
    MeetingRegistrationPage,
    NeutralOut,
    RegistrationCreatedOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationPatch,
)
from .services import invitations as invitations_services
from .services import registration as registration_services
from .services.registration import already_registered_message
from .throttles import RegistrationThrottle

router = Router(tags=["invitations"])
# What django-ninja's renderer calls its JSON answers.
JSON = "application/json; charset=utf-8"


@router.post(
    "/meetings/{meeting_id}/invitations",
    response={200: InviteReportOut, **error_responses()},
    auth=organiser_auth,
    summary="Invite people to a meeting",
)
@idempotent("meeting_invite")
def meeting_invite(request, meeting_id: int, payload: InvitationsIn):
    """Invite people to a published meeting, each in their own language.

    Whoever cannot be written to (an invalid address, a line break in a name) or is
    already invited is listed in `skipped` with the reason; everyone else is queued.
    Unknown ids are refused with 422, an empty selection too, a draft or cancelled
    meeting with 409: nothing is written then.
    """
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    people, organisations = selectors.invitees_pick(payload.people, payload.organisations)
    return invitations_services.meeting_invite(
        meeting,
        people=people,
        organisations=organisations,
        all_mayors=payload.all_mayors,
        invited_by=request.user,
    )


# --- Registrations ---------------------------------------------------------------------


def _registration_out(registration: Registration) -> RegistrationOut:
    token = registration.manage_token
    confirmed = registration.status == Registration.Status.CONFIRMED
    with translation.override(registration.language):
        manage_url = site_link("registrations:manage", token)
        pdf_url = site_link("registrations:ticket_pdf", token) if confirmed else None
    return RegistrationOut(
        meeting=registration.meeting_id,
        meeting_title=registration.meeting.title,
        meeting_starts_at=registration.meeting.starts_at,
        status=registration.status,
        waitlist_position=selectors.waitlist_position(registration),
        first_name=registration.first_name,
        last_name=registration.last_name,
        email=registration.email,
        function=registration.function,
        organisation=registration.organisation_id,
        organisation_name=registration.organisation_label,
        organisation_country=str(registration.country or ""),
        language=registration.language,
        interpretation_needed=registration.interpretation_needed,
        interpretation_to=registration.interpretation_to,
        accessibility_notes=registration.accessibility_notes,
        dietary_notes=registration.dietary_notes,
        share_contact=registration.share_contact,
        ticket_secret=registration.ticket_secret,
        manage_url=manage_url,
        ticket_pdf_url=pdf_url,
        calendar_url=settings.SITE_URL + reverse("calendar_registration", args=[token]),
        created_at=registration.created_at,
    )


@router.post(
    "/meetings/{meeting_id}/registrations",
    response={201: RegistrationCreatedOut, 200: NeutralOut, **error_responses(429)},
    throttle=[RegistrationThrottle()],
    tags=["registrations"],
    summary="Register for a meeting",
)
@idempotent("registration_create")
def registration_create(request, meeting_id: int, payload: RegistrationIn):
    """Register for a meeting, without an account.

    201: the registration is made, `confirmed` while seats are left, else `waitlisted`
    with its position; keep `manage_token`, it is the only key to the registration (the
    ticket secret is only given by `GET /registrations/{token}`). 200: this address is
    already registered for the meeting; nothing is made and nothing of that registration
    is shown, its owner is emailed the link again. 409: the meeting is cancelled, not
    published, or registration is not open. 422: a field is missing or invalid (`errors`
    names each field). 429: too many registrations from this address; wait a minute.
    """
    return registration_answer(meeting_id, payload.model_dump())


def registration_answer(meeting_id: int, data: dict[str, Any]) -> HttpResponse:
    """The registration's write and answer, from `RegistrationIn`'s fields: the
    operation's, and `registration_rush`'s for a request in order, answered before
    django-ninja's machinery.

    `RegistrationCreatedOut` and `NeutralOut` are serialised by hand, as ninja's renderer
    writes them (a test holds both to their schema), so that both paths answer the same
    bytes whichever of them runs."""
    invitation = data.pop("invitation")
    if not data["language"]:
        data["language"] = translation.get_language()
    # The service reads the meeting under its lock: 404 from there if there is none.
    registration, created = registration_services.registration_create(
        meeting_id, data=data, invitation_token=invitation
    )
    if not created:
        return _json(200, {"detail": already_registered_message()})
    with translation.override(registration.language):
        manage_url = site_link("registrations:manage", registration.manage_token)
    return _json(
        201,
        {
            "status": registration.status,
            "waitlist_position": selectors.waitlist_position(registration),
            "manage_token": registration.manage_token,
            "manage_url": manage_url,
        },
    )


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=JSON)


def _by_token(token: str) -> Registration:
    return selectors.registration_by_token(token)


@router.get(
    "/registrations/{token}",
    response={200: RegistrationOut, **not_found_responses()},
    tags=["registrations"],
    summary="Read a registration by its token",
)
def registration_read(request, token: str):
    """A registration, ticket secret included: the token is the key to it."""
    return _registration_out(_by_token(token))


@router.patch(
    "/registrations/{token}",
    response={200: RegistrationOut, **error_responses(429)},
    throttle=[RegistrationThrottle()],
    tags=["registrations"],
    summary="Change a registration by its token",
)
def registration_update(request, token: str, payload: RegistrationPatch):
    """Change the language, the needs or the contact-list consent; a field sent as null
    is left as it is (send "" to clear a note). Anything else is refused with 422
    (cancel and register again); a cancelled registration with 409."""
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    registration = registration_services.registration_update(_by_token(token), changes)
    return _registration_out(registration)


@router.delete(
    "/registrations/{token}",
    response={200: RegistrationOut, **error_responses(429)},
    throttle=[RegistrationThrottle()],
    tags=["registrations"],
    summary="Cancel a registration by its token",
)
def registration_cancel(request, token: str):
    """Cancel; the seat goes to the next person waiting. Cancelling again changes nothing."""
    return _registration_out(registration_services.registration_cancel(_by_token(token)))


def _contact_out(registration: Registration) -> ContactOut:
    consent = next(iter(registration.standing_consents), None)
    checked_in = selectors.checked_in(registration)
    return ContactOut(
        registration=registration.pk,
        first_name=registration.first_name,
        last_name=registration.last_name,
        function=registration.function,
        organisation=registration.organisation_label,
        commune=contacts.commune(registration),
        country=str(registration.country or ""),
        email=registration.email,
        phone=contacts.phone(registration),
        checked_in=checked_in,
        shares_contact=registration.share_contact,
        consent_version=consent.version if consent else None,
        consent_given_at=consent.given_at if consent else None,
        in_list=checked_in and registration.share_contact,
    )


@router.get(
    "/meetings/{meeting_id}/contacts",
    response={200: list[ContactOut], **error_responses()},
    auth=organiser_auth,
    tags=["registrations"],
    summary="List a meeting's contact-sharing consents",
)
def meeting_contacts(request, meeting_id: int):
    """Every confirmed participant with their contact-sharing consent: who is in the
    contact list (came, and consents) and who is not."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    return [_contact_out(registration) for registration in selectors.contact_states(meeting.pk)]


@router.get(
    "/meetings/{meeting_id}/registrations",
    response={200: MeetingRegistrationPage, **error_responses()},
    auth=organiser_auth,
    tags=["registrations"],
    summary="List a meeting's registrations",
)
def meeting_registrations(request, meeting_id: int, filters: Query[MeetingRegistrationFilters]):
    """Every registration of the meeting, confirmed, waitlisted or cancelled, by last and
    first name, a page at a time; filter by a part of the name or email, status,
    function, organisation, country, or what changed since a time. Organisers only."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    return page(
        request, selectors.meeting_registrations_find(meeting, **filters.filters()), filters
    )


@router.get(
    "/meetings/{meeting_id}/invitations",
    response={200: MeetingInvitationPage, **error_responses()},
    auth=organiser_auth,
    summary="List a meeting's invitations",
)
def meeting_invitations(request, meeting_id: int, filters: Query[MeetingInvitationFilters]):
    """Everyone invited to the meeting, by last and first name, with when the link was
    opened and answered, a page at a time; filter by a part of the name or email,
    organisation, country, function, or whether they answered. Organisers only."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    return page(request, selectors.meeting_invitations_find(meeting, **filters.filters()), filters)


@router.get(
    "/meetings/{meeting_id}/checkins",
    response={200: MeetingCheckinPage, **error_responses()},
    auth=organiser_auth,
    tags=["check-in"],
    summary="List a meeting's check-ins",
)
def meeting_checkins(request, meeting_id: int, filters: Query[MeetingCheckinFilters]):
    """Who came, in the order they came, a page at a time; filter by a part of the name
    or email, how they were checked in, or since a time. An undone check-in is deleted:
    it leaves the list. Organisers only."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    return page(request, selectors.meeting_checkins_find(meeting, **filters.filters()), filters)
