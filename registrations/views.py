"""The personal link of an invitation."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import include, path

from . import services
from .errors import UnknownInvitation


def invitation_open(request, token: str):
    """Record that the invitee came, and take them to the meeting."""
    try:
        invitation = services.invitation_open(token)
    except UnknownInvitation:
        raise Http404 from None
    return redirect("meetings:meeting", meeting_id=invitation.meeting_id)


app_patterns = [
    path("i/<str:token>/", invitation_open, name="invitation"),
]
urls = path("", include((app_patterns, "registrations")))
