"""What registrants receive: the ticket inline and attached, real calendar messages, the
waiting-list position, in their language, with any name they typed."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar
from pypdf import PdfReader

from meetings.calendar import meeting_uid
from registrations.services.registration import registration_cancel, registration_create
from registrations.services.reminders import reminders_queue
from tasks.models import Delivery
from tests.factories import MeetingFactory
from tests.mail import html, parsed, part, recipient, text

from .conftest import registration_data

pytestmark = pytest.mark.django_db


def only_email(kind: str, to: str | None = None):
    """The one message of `kind` sent, to `to` if given (others may wait in the outbox;
    with the drain, one committed registration's sends those of earlier ones too)."""
    assert not Delivery.objects.filter(kind=kind, status=Delivery.Status.FAILED).exists()
    sent = Delivery.objects.filter(kind=kind, status=Delivery.Status.SENT)
    delivery = sent.get(to_email=to) if to else sent.get()
    (message,) = [m for m in mail.outbox if recipient(m) == delivery.to_email]
    return message


def ical(message) -> tuple:
    calendar_part = part(parsed(message), "text/calendar")
    return calendar_part, Calendar.from_ical(calendar_part.get_content())


def test_the_confirmation_carries_the_qr_inline_the_pdf_ticket_and_an_accepted_request(
    meeting, committed
):
    registration, _created = committed(
        registration_create,
        meeting,
        data=registration_data(first_name="<b>&", last_name="Zoë 🎉", email="zoe@example.org"),
    )

    message = parsed(only_email("registration_confirmed"))

    # The QR code is a related part of the HTML, which shows it by its Content-ID.
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    kinds = [p.get_content_type() for p in related.iter_parts()]
    assert kinds == ["text/html", "image/png"]
    image = part(message, "image/png")
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in part(message, "text/html").get_content()
    assert image.get_content().startswith(b"\x89PNG")
    # The PDF ticket is an attachment with the registrant's name in it.
    (ticket,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert ticket.get_filename() == "ticket.pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(BytesIO(ticket.get_content())).pages)
    assert "<b>&" in pdf_text and "Zoë" in pdf_text
    # The calendar invitation says the registrant accepted.
    calendar_part = part(message, "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    invite = Calendar.from_ical(calendar_part.get_content())
    assert str(invite["METHOD"]) == "REQUEST"
    (event,) = invite.events
    assert str(event["UID"]) == meeting_uid(meeting)
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:zoe@example.org"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["CN"] == "<b>& Zoë 🎉"
    assert "RSVP" not in attendee.params
    # Names are escaped in the HTML, the manage link is there in both bodies.
    body = part(message, "text/html").get_content()
    assert "&lt;b&gt;&amp; Zoë 🎉" in body and "<b>&" not in body
    link = f"/nl/r/{registration.manage_token}/"
    assert link in body and link in part(message, "text/plain").get_content()


def test_the_confirmation_is_in_the_registrants_language(meeting, committed):
    committed(registration_create, meeting, data=registration_data(language="nl"))

    message = only_email("registration_confirmed")

    with translation.override("nl"):
        subject = gettext("Registered: %(title)s") % {"title": meeting.title_nl}
    assert message.subject == subject
    assert "maart" in text(message)
    assert str(ical(message)[1].events[0]["SUMMARY"]) == meeting.title_nl


def test_the_waiting_list_notice_gives_the_position_and_no_ticket(programme, register, committed):
    full = MeetingFactory(programme=programme, capacity=1)
    register(full)
    register(full)

    committed(
        registration_create, full, data=registration_data(email="third@example.org", language="en")
    )

    message = only_email("registration_waitlisted", to="third@example.org")
    assert "Your place on the waiting list: 2." in text(message)
    assert "Your place on the waiting list: 2." in html(message)
    kinds = {p.get_content_type() for p in parsed(message).walk()}
    assert not kinds & {"image/png", "application/pdf", "text/calendar"}


def test_a_promotion_sends_the_ticket(programme, register, committed):
    full = MeetingFactory(programme=programme, capacity=1)
    first = register(full)
    register(full, email="next@example.org", language="en")

    committed(registration_cancel, first)

    message = only_email("registration_promoted")
    assert recipient(message) == "next@example.org"
    assert message.subject.startswith("A seat for you")
    kinds = {p.get_content_type() for p in parsed(message).walk()}
    assert {"image/png", "application/pdf", "text/calendar"} <= kinds


def test_the_cancellation_removes_the_meeting_from_the_calendar(meeting, register, committed):
    registration = register(meeting, language="en")

    committed(registration_cancel, registration)

    calendar_part, cancel = ical(only_email("registration_cancelled"))
    assert calendar_part.get_param("method") == "CANCEL" == str(cancel["METHOD"])
    event = cancel.events[0]
    assert str(event["UID"]) == meeting_uid(meeting)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["ATTENDEE"]) == f"mailto:{registration.email}"


def test_a_confirmation_still_queued_when_the_person_cancels_is_not_sent(meeting, register):
    from tasks.outbox.send import deliveries_send

    registration = register(meeting)
    registration_cancel(registration)

    deliveries_send(list(Delivery.objects.values_list("pk", flat=True)))

    statuses = dict(Delivery.objects.values_list("kind", "status"))
    assert statuses == {"registration_confirmed": "failed", "registration_cancelled": "sent"}


def test_the_reminder_has_the_practical_details_in_local_time(
    meeting, register, django_capture_on_commit_callbacks
):
    registration = register(
        meeting, language="en", interpretation_needed=True, interpretation_to="fr"
    )

    with django_capture_on_commit_callbacks(execute=True):
        reminders_queue(meeting.starts_at - timedelta(hours=23))

    body = text(only_email("registration_reminder"))
    assert "Hôtel de ville" in body and "Grand-Place 1" in body and "Mouscron" in body
    assert "9:30" in body and "Europe/Brussels" in body
    assert "Working languages: français, Nederlands" in body
    assert "interpretation into français" in body
    assert f"/en/r/{registration.manage_token}/" in body
