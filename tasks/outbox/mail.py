"""Turn an outbox row into the message mail clients expect.

Renderers (registered with `tasks.outbox.renderer`) choose a subject, templates and
context; this module does what every message needs: the recipient's language, a text
and an HTML body in one layout, an address header that survives any name, and for
calendar invitations the iMIP parts Outlook and Gmail insist on (RFC 6047).
"""

import re
from email.mime.image import MIMEImage
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.utils import translation
from icalendar import Calendar

from ..models import Delivery

CALENDAR_MIMETYPE = "text/calendar"
# Gmail shows its "invitation" card from the alternative part, Outlook and Apple Mail
# often only from an attached file.
CALENDAR_FILENAME = "invite.ics"
CALENDAR_ATTACHMENT_MIMETYPE = "application/ics"


class _Message(EmailMultiAlternatives):
    """Gives the text/calendar alternative its `method` parameter.

    Outlook and Gmail only treat the part as an invitation (or a cancellation) when
    `method` is present and equal to the calendar's METHOD; Django has no way to set a
    parameter on an alternative, so the part is amended as it is built.
    """

    def __init__(self, *args, calendar_method: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.calendar_method = calendar_method
        # Images the HTML shows by `cid:` (see `inline_image_attach`).
        self.related: list[MIMEImage] = []

    def _create_mime_attachment(self, content, mimetype):
        part = super()._create_mime_attachment(content, mimetype)
        if mimetype == CALENDAR_MIMETYPE and self.calendar_method:
            part.set_param("method", self.calendar_method, requote=False)
        if mimetype == "text/html" and self.related:
            # multipart/related around the HTML alone: the images belong to it, not to
            # the text or the calendar alternatives, nor to the attachments.
            related = SafeMIMEMultipart(
                _subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET
            )
            related.attach(part)
            for image in self.related:
                related.attach(image)
            return related
        return part


def inline_image_attach(
    message: EmailMultiAlternatives, content: bytes, *, cid: str, filename: str
) -> None:
    """Embed an image in a `message_build` message, for its HTML to show as
    `<img src="cid:{cid}">`: no remote image for the mail client to block."""
    image = MIMEImage(content)
    image.add_header("Content-ID", f"<{cid}>")
    image.add_header("Content-Disposition", "inline", filename=filename)
    message.related.append(image)


def message_build(
    delivery: Delivery,
    *,
    subject: str,
    template: str,
    context: dict,
    calendar: Calendar | None = None,
) -> EmailMultiAlternatives:
    """The email of `delivery`, from `<template>.txt` and `<template>.html`.

    Both templates are rendered in the recipient's language and get `site_name`,
    `site_url`, `subject` and the recipient's `name`; the HTML one is autoescaped, so
    names and titles can hold any text. A `calendar` must carry its METHOD (REQUEST,
    CANCEL…). Line breaks in the subject (a title typed with one) are folded into spaces
    rather than refused, since the person who typed them is not the one who would see
    the error.
    """
    with translation.override(delivery.language):
        subject = " ".join(re.split(r"[\r\n]+", str(subject))).strip()
        context = {
            "site_name": str(settings.SITE_NAME),
            "site_url": settings.SITE_URL,
            "subject": subject,
            "name": delivery.to_name,
            **context,
        }
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)

    method = str(calendar["METHOD"]) if calendar is not None else None
    message = _Message(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((delivery.to_name, delivery.to_email))],
        calendar_method=method,
    )
    message.attach_alternative(html, "text/html")
    if calendar is not None:
        ics = calendar.to_ical()
        message.attach_alternative(ics.decode(), CALENDAR_MIMETYPE)
        message.attach(CALENDAR_FILENAME, ics, CALENDAR_ATTACHMENT_MIMETYPE)
    return message
