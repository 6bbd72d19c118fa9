"""The invitation and the calendar updates owed to everyone invited, as iMIP messages.

Each message carries the meeting as an iTIP calendar (RFC 5546) addressed to its one
recipient: ORGANIZER, ATTENDEE, the meeting's stable UID and its current SEQUENCE, so
that calendars file an update or a cancellation onto the event they already hold.
Renderers read the meeting as it is when the message leaves, never as it was queued.
"""

import re
from collections import Counter
from datetime import datetime
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event, vCalAddress

from meetings.calendar import calendar_build
from meetings.emails import site_link
from meetings.models import Meeting
from tasks.models import Delivery
from tasks.outbox import (
    MessageFrame,
    PermanentFailure,
    batch_deliveries,
    batch_memo,
    fanout_memo,
    inline_image_attach,
    message_build,
    message_frame,
    renderer,
)

from . import selectors
from .models import Invitation, Registration
from .services.invitations import INVITATION, MEETING_CANCEL, MEETING_UPDATE
from .services.registration import (
    REGISTRATION_CANCELLED,
    REGISTRATION_CONFIRMED,
    REGISTRATION_LINK,
    REGISTRATION_WAITLISTED,
)
from .services.reminders import REGISTRATION_REMINDER
from .services.waitlist import REGISTRATION_PROMOTED
from .tickets import ticket_pdf, ticket_qr_png

REQUEST = "REQUEST"
CANCEL = "CANCEL"
# Below this many messages alike in a batch, building a frame costs more than it saves.
FRAME_MIN = 4
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def _attendee(delivery: Delivery, method: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{delivery.to_email}")
    if delivery.to_name:
        attendee.params["CN"] = delivery.to_name
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    if method == REQUEST:
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        attendee.params["RSVP"] = "TRUE"
    return attendee


def _attendee_line(delivery: Delivery, method: str) -> bytes:
    """The ATTENDEE content line of `_itip`, as its calendar writes it (folded)."""
    return Event().content_line("ATTENDEE", _attendee(delivery, method)).to_ical()


def _itip(
    meeting: Meeting, delivery: Delivery, method: str, *, stamp: datetime | None = None
) -> Calendar:
    """The meeting as an iTIP `method` to the delivery's recipient; the language is active."""
    calendar = calendar_build(
        [meeting],
        name=meeting.title,
        lang=delivery.language,
        method=method,
        time_zone=meeting.time_zone,
        stamp=stamp,
    )
    event = calendar.events[0]
    # DEFAULT_FROM_EMAIL may be "Name <address>": a calendar address is the address alone.
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["CN"] = str(settings.SITE_NAME)
    event.add("ORGANIZER", organizer)
    event.add("ATTENDEE", _attendee(delivery, method))
    return calendar


def _meeting_message(
    delivery: Delivery,
    meeting: Meeting,
    *,
    method: str,
    subject,
    template: str,
    stamp: datetime | None = None,
    **context,
):
    """`subject` is a lazy "…%(title)s…", translated with the meeting's title in the
    recipient's language."""
    with translation.override(delivery.language):
        calendar = _itip(meeting, delivery, method, stamp=stamp)
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


def _meeting_message_sent_together(
    delivery: Delivery, meeting: Meeting, *, method: str, subject, template: str, **values
):
    """`_meeting_message` for one of many recipients of the same message in a batch:
    stamped from a frame built once for them (see `tasks.outbox.frames`). `values` are what
    differs per recipient besides the name and the address (a personal link).

    The frame is named after the meeting's state (SEQUENCE and `updated_at`), so a
    change during the fan-out gets a frame of its own; the worker keeps it for the next
    batches of the fan-out (`fanout_memo`). Their messages share one DTSTAMP, the time
    their frame was built.
    """
    sizes = batch_memo(
        ("meeting-message-sizes", delivery.kind),
        lambda: Counter((row.meeting_id, row.language) for row in batch_deliveries(delivery.kind)),
    )
    if sizes[delivery.meeting_id, delivery.language] < FRAME_MIN:
        return _meeting_message(
            delivery, meeting, method=method, subject=subject, template=template, **values
        )

    def frame() -> MessageFrame:
        stamp = timezone.now()

        def build(recipient: Delivery, recipient_values) -> EmailMultiAlternatives:
            return _meeting_message(
                recipient,
                meeting,
                method=method,
                subject=subject,
                template=template,
                stamp=stamp,
                **recipient_values,
            )

        return message_frame(
            build, delivery, values, calendar_line=partial(_attendee_line, method=method)
        )

    key = (
        "meeting-message",
        delivery.kind,
        meeting.pk,
        meeting.sequence,
        meeting.updated_at,
        delivery.language,
    )
    return fanout_memo(key, frame).stamp(delivery, values)


def _meeting(delivery: Delivery) -> Meeting:
    """The meeting of a calendar update, read once per batch."""
    meeting = batch_memo(
        ("meeting", delivery.meeting_id),
        lambda: Meeting.objects.filter(pk=delivery.meeting_id).first(),
    )
    if meeting is None:
        raise PermanentFailure("The meeting of this email no longer exists.")
    return meeting


def _invitation(delivery: Delivery) -> Invitation | None:
    """The invitation of a delivery with its meeting; those of the whole batch are read
    together."""
    invitations = batch_memo(
        ("invitations",),
        lambda: selectors.invitations_for_deliveries(batch_deliveries(INVITATION)),
    )
    invitation = invitations.get((delivery.meeting_id, delivery.person_id))
    if invitation is None:  # not in a batch, or gone
        invitation = selectors.invitation_for_delivery(delivery.meeting_id, delivery.person_id)
    return invitation


def _invitation_link(language: str, token: str) -> str:
    """The personal link of an invitation, in `language`; `reverse()` runs once per
    batch and language, and each token is set into its result."""

    def around() -> tuple[str, str]:
        with translation.override(language):
            prefix, _marker, suffix = site_link("registrations:invitation", "TOKEN").rpartition(
                "TOKEN"
            )
        return prefix, suffix

    if not _URL_SAFE.fullmatch(token):  # what reverse() would have to quote
        with translation.override(language):
            return site_link("registrations:invitation", token)
    prefix, suffix = batch_memo(("invitation-link", language), around)
    return f"{prefix}{token}{suffix}"


@renderer(INVITATION)
def invitation_render(delivery: Delivery):
    invitation = _invitation(delivery)
    if invitation is None:
        raise PermanentFailure("This invitation no longer exists.")
    if invitation.meeting.is_cancelled:
        # Its invitees are sent the cancellation; an invitation now would only confuse.
        raise PermanentFailure("The meeting was cancelled before this invitation went out.")
    return _meeting_message_sent_together(
        delivery,
        invitation.meeting,
        method=REQUEST,
        subject=_("Invitation: %(title)s"),
        template="invitation",
        link=_invitation_link(delivery.language, invitation.token),
    )


def _meeting_change_register(kind: str, *, method: str, subject) -> None:
    """Updates and cancellations differ only in METHOD, subject and template."""

    @renderer(kind)
    def render(delivery: Delivery):
        return _meeting_message_sent_together(
            delivery, _meeting(delivery), method=method, subject=subject, template=kind
        )


_meeting_change_register(MEETING_UPDATE, method=REQUEST, subject=_("Changed: %(title)s"))
_meeting_change_register(MEETING_CANCEL, method=CANCEL, subject=_("Cancelled: %(title)s"))


# --- Registrations -------------------------------------------------------------------

QR_CID = "ticket-qr@proximity-meetings"
TICKET_FILENAME = "ticket.pdf"


def _registration(delivery: Delivery, *statuses: str) -> Registration:
    """The registration a delivery is about, still in one of `statuses`.

    An email that no longer applies (a confirmation for someone who cancelled before it
    left) fails for good instead of telling the person something untrue.
    """
    registration = selectors.registration_for_delivery(delivery.context.get("registration"))
    if registration is None:
        raise PermanentFailure("This registration no longer exists.")
    if registration.status not in statuses:
        raise PermanentFailure(
            f"The registration is {registration.status} now: this email no longer applies."
        )
    return registration


def _registration_message(
    delivery: Delivery,
    registration: Registration,
    *,
    subject,
    method: str | None = None,
    ticket: bool = False,
    **context,
):
    """A registrant's email, from the templates named after its kind: their links, and
    with `ticket` the QR code shown inline and the PDF ticket attached. A REQUEST marks
    them as accepted: they registered."""
    meeting = registration.meeting
    with translation.override(delivery.language):
        calendar = None
        if method is not None:
            calendar = _itip(meeting, delivery, method)
            event = calendar.events[0]
            if method == REQUEST:
                attendee = event["ATTENDEE"]
                attendee.params["PARTSTAT"] = "ACCEPTED"
                attendee.params.pop("RSVP", None)
            else:
                # Only this person leaves: their calendar drops the event.
                event.pop("STATUS", None)
                event.add("STATUS", "CANCELLED")
        subject = subject % {
            "title": meeting.title,
            "date": date_format(meeting.local_starts_at, "j F"),
        }
        context = {
            "meeting": meeting,
            "registration": registration,
            "meeting_url": site_link("meetings:meeting", meeting.pk),
            "manage_url": site_link("registrations:manage", registration.manage_token),
            "feed_url": settings.SITE_URL
            + reverse("calendar_registration", args=[registration.manage_token]),
            "qr_src": f"cid:{QR_CID}",
            **context,
        }
    message = message_build(
        delivery,
        subject=subject,
        template=f"registrations/email/{delivery.kind}",
        context=context,
        calendar=calendar,
    )
    if ticket:
        inline_image_attach(message, ticket_qr_png(registration), cid=QR_CID, filename="qr.png")
        message.attach(TICKET_FILENAME, ticket_pdf(registration), "application/pdf")
    return message


CONFIRMED = Registration.Status.CONFIRMED
WAITLISTED = Registration.Status.WAITLISTED


def _ticket_email_register(kind: str, *, subject) -> None:
    """The confirmation and the promotion differ only in subject and wording."""

    @renderer(kind)
    def render(delivery: Delivery):
        return _registration_message(
            delivery,
            _registration(delivery, CONFIRMED),
            subject=subject,
            method=REQUEST,
            ticket=True,
        )


_ticket_email_register(REGISTRATION_CONFIRMED, subject=_("Registered: %(title)s"))
_ticket_email_register(REGISTRATION_PROMOTED, subject=_("A seat for you: %(title)s"))


@renderer(REGISTRATION_WAITLISTED)
def registration_waitlisted_render(delivery: Delivery):
    registration = _registration(delivery, WAITLISTED)
    return _registration_message(
        delivery,
        registration,
        subject=_("Waiting list: %(title)s"),
        position=selectors.waitlist_position(registration),
    )


@renderer(REGISTRATION_CANCELLED)
def registration_cancelled_render(delivery: Delivery):
    return _registration_message(
        delivery,
        _registration(delivery, Registration.Status.CANCELLED),
        subject=_("Registration cancelled: %(title)s"),
        method=CANCEL,
    )


@renderer(REGISTRATION_LINK)
def registration_link_render(delivery: Delivery):
    return _registration_message(
        delivery,
        _registration(delivery, CONFIRMED, WAITLISTED),
        subject=_("Your registration for %(title)s"),
    )


@renderer(REGISTRATION_REMINDER)
def registration_reminder_render(delivery: Delivery):
    registration = _registration(delivery, CONFIRMED)
    if registration.meeting.status != Meeting.Status.PUBLISHED:
        raise PermanentFailure("The meeting is no longer published: no reminder.")
    return _registration_message(
        delivery,
        registration,
        subject=_("Reminder: %(title)s on %(date)s"),
    )
