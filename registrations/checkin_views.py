"""The door page: an organiser's phone or laptop becomes the scanner of one meeting.

The page holds no ticket and no key: it talks to the door API (`checkin_api`) with the
organiser's session and its CSRF token, so closing the tab leaves nothing behind.
"""

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_permissions_policy.decorators import permissions_policy_override

from meetings.models import Meeting

from .services.checkin import checkin_allowed, checkin_counts


def door_required(view):
    """Sign-in first (`login_required`), then the meeting, then the check-in permission:
    403 without. Anonymous visitors learn nothing, not even whether the meeting exists."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, meeting_id: int, *args, **kwargs):
        meeting = get_object_or_404(Meeting.objects.select_related("programme"), pk=meeting_id)
        if not checkin_allowed(request.user, meeting):
            raise PermissionDenied
        return view(request, meeting, *args, **kwargs)

    return wrapper


def _door_text() -> dict[str, str]:
    """The page script's wording, in the page's language (it builds no sentence itself)."""
    return {
        "checked_in": _("Checked in"),
        "already_checked_in": _("Already checked in"),
        "cancelled": _("Cancelled: do not admit"),
        "waitlisted": _("Waiting list: not confirmed"),
        "wrong_meeting": _("Ticket for another meeting"),
        "unknown": _("Unknown ticket"),
        "undone": _("Check-in cancelled"),
        "not_checked_in": _("Not checked in"),
        "checking": _("Checking…"),
        "network": _("No answer from the server. Check the connection and try again."),
        "signed_out": _("Your session has ended: reload the page and sign in again."),
        "refused": _("The server refused this request."),
        "check_in": _("Check in"),
        "undo": _("Undo"),
        "checked_in_at": _("checked in at %(time)s by %(by)s"),
        "nobody": _("Nobody found."),
        "type_more": _("Type at least two letters."),
        "camera_starting": _("Starting the camera…"),
        "camera_on": _("Point the camera at a QR code."),
        "camera_unavailable": _(
            "The camera is not available here (it needs HTTPS and your permission). "
            "Use the code field or the search."
        ),
        "camera_no_decoder": _("This browser cannot read QR codes: use the code field."),
    }


@permissions_policy_override({**settings.PERMISSIONS_POLICY, "camera": ["self"]})
@door_required
def door_scanner(request, meeting: Meeting):
    counts = checkin_counts(meeting)
    api = reverse("api:api-root")
    return render(
        request,
        "registrations/door/scanner.html",
        {
            "meeting": meeting,
            "counts": counts,
            "door_text": _door_text(),
            "api": {
                "scan": f"{api}checkins",
                "search": f"{api}meetings/{meeting.pk}/checkins/search",
                "registration": f"{api}registrations/",
            },
        },
    )
