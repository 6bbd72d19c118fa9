"""The invitation and the calendar updates owed to everyone invited, as iMIP messages.

Each message carries the meeting as an iTIP calendar (RFC 5546) addressed to its one
recipient: ORGANIZER, ATTENDEE, the meeting's stable UID and its current SEQUENCE, so
that calendars file an update or a cancellation onto the event they already hold.
Renderers read the meeting as it is when the message leaves, never as it was queued.
"""

from email.utils import parseaddr

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, vCalAddress

from meetings.calendar import calendar_build
from meetings.emails import site_link
from meetings.models import Meeting
from tasks.mail import message_build
from tasks.models import Delivery
from tasks.outbox import PermanentFailure, renderer

from . import selectors
from .services import INVITATION, MEETING_CANCEL, MEETING_UPDATE

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _itip(meeting: Meeting, delivery: Delivery, method: str) -> Calendar:
    """The meeting as an iTIP `method` to the delivery's recipient; the language is active."""
    calendar = calendar_build(
        [meeting],
        name=meeting.title,
        lang=delivery.language,
        method=method,
        time_zone=meeting.time_zone,
    )
    event = calendar.events[0]
    # DEFAULT_FROM_EMAIL may be "Name <address>": a calendar address is the address alone.
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["CN"] = str(settings.SITE_NAME)
    event.add("ORGANIZER", organizer)
    attendee = vCalAddress(f"mailto:{delivery.to_email}")
    if delivery.to_name:
        attendee.params["CN"] = delivery.to_name
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    if method == REQUEST:
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        attendee.params["RSVP"] = "TRUE"
    event.add("ATTENDEE", attendee)
    return calendar


def _meeting_message(
    delivery: Delivery, meeting: Meeting, *, method: str, subject, template: str, **context
):
    """`subject` is a lazy "…%(title)s…", translated with the meeting's title in the
    recipient's language."""
    with translation.override(delivery.language):
        calendar = _itip(meeting, delivery, method)
        subject = subject % {"title": meeting.title}
        context = {
            "meeting": meeting,
            "meeting_url": site_link("meetings:meeting", meeting.pk),
            **context,
        }
    return message_build(
        delivery,
        subject=subject,
        template=f"registrations/email/{template}",
        context=context,
        calendar=calendar,
    )


def _meeting(delivery: Delivery) -> Meeting:
    meeting = Meeting.objects.filter(pk=delivery.meeting_id).first()
    if meeting is None:
        raise PermanentFailure("The meeting of this email no longer exists.")
    return meeting


@renderer(INVITATION)
def invitation_render(delivery: Delivery):
    invitation = selectors.invitation_for_delivery(delivery.meeting_id, delivery.person_id)
    if invitation is None:
        raise PermanentFailure("This invitation no longer exists.")
    if invitation.meeting.is_cancelled:
        # Its invitees are sent the cancellation; an invitation now would only confuse.
        raise PermanentFailure("The meeting was cancelled before this invitation went out.")
    with translation.override(delivery.language):
        link = site_link("registrations:invitation", invitation.token)
    return _meeting_message(
        delivery,
        invitation.meeting,
        method=REQUEST,
        subject=_("Invitation: %(title)s"),
        template="invitation",
        link=link,
    )


def _meeting_change_register(kind: str, *, method: str, subject) -> None:
    """Updates and cancellations differ only in METHOD, subject and template."""

    @renderer(kind)
    def render(delivery: Delivery):
        return _meeting_message(
            delivery, _meeting(delivery), method=method, subject=subject, template=kind
        )


_meeting_change_register(MEETING_UPDATE, method=REQUEST, subject=_("Changed: %(title)s"))
_meeting_change_register(MEETING_CANCEL, method=CANCEL, subject=_("Cancelled: %(title)s"))
