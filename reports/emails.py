"""The synthesis booklet, emailed to everyone who came once the meeting is closed.

To whoever came and shares their contact, the contact list of the others who do
travels with it, as a PDF and as vCards (`registrations.contacts`).

The PDF travels as an attachment: participants have no account, many read their mail
on the train or print it for their council, and an attachment stays with the message
in their archive. The email also links to the public results page, which shows the
same content in a browser. The booklet is the one approved when the meeting was closed
(`reports.review`), read from storage as it was approved: a change made since is a new
draft, which reaches nobody until it is approved in its turn.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from meetings.emails import site_link
from meetings.models import Document, Meeting
from meetings.selectors import meeting_documents
from registrations.contacts import contact_list_files
from registrations.selectors import (
    contact_list,
    registration_for_delivery,
    registration_viewer,
)
from tasks.models import Delivery
from tasks.outbox import PermanentFailure, batch_memo, message_build, renderer

from .booklet_data import PARTICIPANTS, booklet_data
from .models import BookletApproval
from .review import approval_sent_payload
from .services import BOOKLET_EMAIL


@renderer(BOOKLET_EMAIL)
def booklet_render(delivery: Delivery):
    meeting = Meeting.objects.filter(pk=delivery.meeting_id).first()
    if meeting is None:
        raise PermanentFailure("The meeting of this booklet no longer exists.")
    language = delivery.language
    approval = BookletApproval.objects.filter(
        pk=delivery.context.get("approval"), meeting=meeting
    ).first()
    if approval is None:
        raise PermanentFailure("The approved booklet this email carries no longer exists.")
    # Every attendee of a language in the batch gets the same file: read it once.
    shared = batch_memo(
        ("booklet-contacts", meeting.pk),
        lambda: booklet_data(meeting, audience=PARTICIPANTS).contacts,
    )
    payload = batch_memo(
        ("booklet", approval.pk, language),
        lambda: approval_sent_payload(approval, language, shared),
    )
    contacts = _contact_list_files(delivery, language)
    with translation.override(language):
        subject = _("The synthesis booklet of “%(title)s”") % {"title": meeting.title}
        context = {
            "meeting": meeting,
            "results_url": site_link("reports:meeting_results", meeting.pk),
            "slides": _slides(meeting, delivery),
            "contacts": bool(contacts),
            "me_url": site_link("me:home"),
        }
        filename = _("synthesis-booklet-%(meeting)s.pdf") % {"meeting": meeting.pk}
    message = message_build(
        delivery, subject=subject, template="reports/email/booklet", context=context
    )
    message.attach(filename, payload, "application/pdf")
    for attachment in contacts:
        message.attach(*attachment)
    return message


def _slides(meeting: Meeting, delivery: Delivery) -> list[tuple[str, str]]:
    """(title, link) of the meeting's slides, each link the participant's own manage
    link's: it opens the participants' documents without an account."""
    registration = registration_for_delivery(delivery.context.get("registration"))
    if registration is None:
        return []
    return [
        (
            document.title,
            site_link("registrations:document", registration.manage_token, document.pk),
        )
        for document in meeting_documents(meeting, registration_viewer(registration))
        if document.kind == Document.Kind.SLIDES
    ]


def _contact_list_files(delivery: Delivery, language: str) -> list[tuple]:
    """The contact list, for an attendee who shares theirs (the list is mutual), as it
    stands when this email leaves: a consent withdrawn meanwhile is honoured."""
    reader = registration_for_delivery(delivery.context.get("registration"))
    if reader is None:
        return []
    attendees = batch_memo(("contacts", reader.meeting_id), lambda: contact_list(reader.meeting_id))
    return contact_list_files(reader, language, attendees)
