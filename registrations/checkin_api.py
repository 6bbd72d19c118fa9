"""The door API: scan a ticket, find someone by name, check them in by hand, undo.

Every answer about a ticket is a 200 with an `outcome`, "already checked in" and
"cancelled" included: they are ordinary answers at a door, not errors. Only a caller
who may not check people in (401), an unknown meeting or registration (404) and a
malformed body (422) get something else.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router

from events_site.kit.errors import Forbidden
from events_site.kit.http_errors import error_responses
from events_site.kit.idempotency import idempotent
from meetings.auth import facilitator_auth
from meetings.models import Meeting

from .models import Registration
from .schemas import CheckinOut, ScanIn, SearchOut, SearchQuery
from .services import checkin as checkin_services
from .services.checkin import checkin_allowed, checkin_counts, checkin_info

router = Router(tags=["check-in"])


def _answer(result: checkin_services.CheckinResult, meeting_id: int) -> HttpResponse:
    """`CheckinOut`, serialised by hand: a scan is the door's hottest answer, and
    validating what `CheckinResult` already types cost a tenth of it."""
    # Only outcomes about this meeting's registrations say who it is: an unknown code
    # or another meeting's ticket reveals nobody.
    holder = result.holder
    counts = result.counts or checkin_counts(meeting_id)
    body = {
        "outcome": result.outcome,
        "message": result.message,
        "ok": result.ok,
        "registration": holder and holder.registration,
        "name": holder and holder.name,
        "organisation": holder and holder.organisation,
        "checked_in_at": result.checked_in_at,
        "checked_in_by": result.checked_in_by,
        "present": counts.present,
        "expected": counts.expected,
    }
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), content_type="application/json")


def _door_of(request, meeting_id: int) -> None:
    if not checkin_allowed(request.user, meeting_id):
        raise Forbidden(_("Only the organisers and facilitators of this meeting check people in."))


def _registration(request, registration_id: int) -> Registration:
    registration = get_object_or_404(
        Registration.objects.only("pk", "meeting_id"), pk=registration_id
    )
    _door_of(request, registration.meeting_id)
    return registration


@router.post(
    "/checkins",
    response={200: CheckinOut, **error_responses()},
    auth=facilitator_auth,
    summary="Check in a ticket",
)
@idempotent("checkin_scan")
def checkin_scan(request, payload: ScanIn):
    """Check in the holder of a ticket: the answer says whether to let them in, and why."""
    return scan_answer(request, payload.secret, payload.meeting)


def scan_answer(request, secret: str, meeting_id: int) -> HttpResponse:
    """The scan's check, write and answer: the operation's, and `door_scan`'s for a
    scanner with an organiser's key, answered before django-ninja's machinery."""
    # Who may stand at this door first: the scan's read writes the check-in too.
    _door_of(request, meeting_id)
    result = checkin_services.checkin_scan(secret, meeting=meeting_id, by=request.user)
    return _answer(result, meeting_id)


@router.get(
    "/meetings/{meeting_id}/checkins/search",
    response={200: SearchOut, **error_responses()},
    auth=facilitator_auth,
    summary="Find registrations at the door",
)
def checkin_search(request, meeting_id: int, query: Query[SearchQuery]):
    """Registrations of the meeting by name or organisation (accents and case ignored)."""
    meeting = get_object_or_404(Meeting.objects.only("pk"), pk=meeting_id)
    _door_of(request, meeting.pk)
    counts = checkin_counts(meeting)
    results = []
    for registration in checkin_services.checkin_search(meeting, query.q):
        checked_in_at, checked_in_by = checkin_info(registration)
        results.append(
            {
                "registration": registration.pk,
                "name": registration.full_name,
                "organisation": registration.organisation_label,
                "function": registration.get_function_display(),
                "status": registration.status,
                "status_label": registration.get_status_display(),
                "checked_in_at": checked_in_at,
                "checked_in_by": checked_in_by,
            }
        )
    return {"results": results, "present": counts.present, "expected": counts.expected}


@router.post(
    "/registrations/{registration_id}/checkin",
    response={200: CheckinOut, **error_responses()},
    auth=facilitator_auth,
    summary="Check someone in by hand",
)
def checkin_manual(request, registration_id: int):
    """Check someone in found by name (same answers as a scan)."""
    registration = _registration(request, registration_id)
    result = checkin_services.checkin_manual(registration, request.user)
    return _answer(result, registration.meeting_id)


@router.delete(
    "/registrations/{registration_id}/checkin",
    response={200: CheckinOut, **error_responses()},
    auth=facilitator_auth,
    summary="Undo a check-in",
)
def checkin_undo(request, registration_id: int):
    """Take back a check-in: `undone`, or `not_checked_in` if there was none."""
    registration = _registration(request, registration_id)
    result = checkin_services.checkin_undo(registration, request.user)
    return _answer(result, registration.meeting_id)
