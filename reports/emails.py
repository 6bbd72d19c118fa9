"""The synthesis booklet, emailed to everyone who came once the meeting is closed.

The PDF travels as an attachment: participants have no account, many read their mail
on the train or print it for their council, and an attachment stays with the message
in their archive. The email also links to the public results page, which shows the
same content in a browser. The booklet is read (or built) when the email leaves, so a
late correction by the facilitators still reaches everyone whose email is not yet sent.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from meetings.emails import site_link
from meetings.models import Document, Meeting
from meetings.selectors import meeting_documents
from registrations.selectors import registration_for_delivery, registration_viewer
from tasks.models import Delivery
from tasks.outbox import PermanentFailure, batch_memo, message_build, renderer

from .services import BOOKLET_EMAIL, booklet_payload


@renderer(BOOKLET_EMAIL)
def booklet_render(delivery: Delivery):
    meeting = Meeting.objects.filter(pk=delivery.meeting_id).first()
    if meeting is None:
        raise PermanentFailure("The meeting of this booklet no longer exists.")
    language = delivery.language
    # Every attendee of a language in the batch gets the same file: read it once.
    payload = batch_memo(
        ("booklet", meeting.pk, language), lambda: booklet_payload(meeting, language)
    )
    with translation.override(language):
        subject = _("The synthesis booklet of “%(title)s”") % {"title": meeting.title}
        context = {
            "meeting": meeting,
            "results_url": site_link("reports:meeting_results", meeting.pk),
            "slides": _slides(meeting, delivery),
        }
        filename = _("synthesis-booklet-%(meeting)s.pdf") % {"meeting": meeting.pk}
    message = message_build(
        delivery, subject=subject, template="reports/email/booklet", context=context
    )
    message.attach(filename, payload, "application/pdf")
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
