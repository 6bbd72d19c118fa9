"""Read sent emails the way a mail client does: as bytes, through the `email` package."""

from email import message_from_bytes, policy
from email.message import EmailMessage

from django.core.mail import EmailMessage as DjangoEmailMessage
from icalendar import Calendar


def parsed(message: DjangoEmailMessage) -> EmailMessage:
    return message_from_bytes(message.message().as_bytes(), policy=policy.default)


def part(message: EmailMessage, content_type: str) -> EmailMessage:
    (found,) = [p for p in message.walk() if p.get_content_type() == content_type]
    return found


def text(message: DjangoEmailMessage) -> str:
    return part(parsed(message), "text/plain").get_content()


def html(message: DjangoEmailMessage) -> str:
    return part(parsed(message), "text/html").get_content()


def calendar(message: DjangoEmailMessage) -> tuple[EmailMessage, Calendar]:
    """The text/calendar part and the calendar it holds."""
    calendar_part = part(parsed(message), "text/calendar")
    return calendar_part, Calendar.from_ical(calendar_part.get_content())


def recipient(message: DjangoEmailMessage) -> str:
    """The address the message is for, whatever the encoding of the name before it."""
    (address,) = parsed(message)["To"].addresses
    return address.addr_spec
