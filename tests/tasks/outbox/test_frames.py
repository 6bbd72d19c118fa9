"""Frames: a message built once and stamped per recipient is the message built for them."""

import re

import pytest

from tasks.models import Delivery
from tasks.outbox.frames import message_frame
from tasks.outbox.mail import _Message, message_build

pytestmark = pytest.mark.django_db

TEMPLATE = "meetings/email/announcement"
DATE = re.compile(rb"^Date: [^\r\n]*\r\n", re.MULTILINE)


def delivery(name="Marie Dupont", email="marie@example.org", language="fr"):
    return Delivery(
        kind="announcement", idempotency_key=email, to_email=email, to_name=name, language=language
    )


def announcement(programme, subject="Le programme"):
    def build(recipient: Delivery, values) -> _Message:
        context = {
            "programme": programme,
            "meetings": [],
            "programme_url": "https://example.org/programme/",
            "feed_url": values["feed"],
        }
        return message_build(
            recipient, subject=subject(recipient), template=TEMPLATE, context=context
        )

    return build


def smtp_bytes(message, frame) -> bytes:
    """What the SMTP backend sends, with the frame's MIME boundaries and without the Date."""
    message.extra_headers["Message-ID"] = "<1@proximity-meetings>"
    message.reply_to = ["organisatrice@example.org"]
    tree = message.message()
    if hasattr(tree, "walk"):  # a built message: give it the frame's boundaries
        multiparts = [part for part in tree.walk() if part.is_multipart()]
        for part, boundary in zip(multiparts, frame.boundaries, strict=True):
            part.set_boundary(boundary)
    return DATE.sub(b"", tree.as_bytes(linesep="\r\n"))


@pytest.mark.parametrize(
    "name",
    [
        "Jan Peeters",
        "Zoë <b>&amp; l'Été 🎉",
        'Anne-Sophie "Fifi" Van den Bossche',
        "Éléonore-Marguerite " * 9 + "de la Tour",
    ],
)
def test_a_stamped_message_is_byte_for_byte_the_message_built_for_that_recipient(programme, name):
    build = announcement(programme, subject=lambda recipient: "Le programme 2027")
    frame = message_frame(build, delivery(), {"feed": "https://example.org/feed.ics?lang=fr"})
    assert frame.usable

    recipient = delivery(name=name, email="zoe@example.org")
    values = {"feed": "https://example.org/feed.ics?lang=fr&n=<2>"}
    stamped = frame.stamp(recipient, values)

    assert stamped.frame is frame
    assert smtp_bytes(stamped, frame) == smtp_bytes(build(recipient, values), frame)
    assert stamped.to == build(recipient, values).to


def test_a_frame_that_differs_from_the_full_build_is_not_used(programme, caplog):
    # The subject names the recipient: the head every recipient shares is not shared.
    build = announcement(programme, subject=lambda recipient: f"Pour {recipient.to_name}")

    frame = message_frame(build, delivery(), {"feed": "https://example.org/feed.ics"})

    assert not frame.usable
    assert "built one by one" in caplog.text
    message = frame.stamp(delivery(name="Jan"), {"feed": "https://example.org/feed.ics"})
    assert type(message) is _Message
    assert message.subject == "Pour Jan"


def test_a_recipient_without_a_name_is_built_in_full(programme):
    build = announcement(programme, subject=lambda recipient: "Le programme 2027")
    frame = message_frame(build, delivery(), {"feed": "https://example.org/feed.ics"})

    message = frame.stamp(delivery(name=""), {"feed": "https://example.org/feed.ics"})

    assert type(message) is _Message, "the template greets nobody in particular"


def test_a_stamped_message_changed_afterwards_is_built_in_full(programme):
    build = announcement(programme, subject=lambda recipient: "Le programme 2027")
    frame = message_frame(build, delivery(), {"feed": "https://example.org/feed.ics"})
    stamped = frame.stamp(delivery(name="Jan"), {"feed": "https://example.org/feed.ics"})

    stamped.body += "\nPS : venez nombreux."

    assert frame.flatten(stamped) is None
    assert b"PS : venez nombreux." in stamped.message().as_bytes(linesep="\r\n")


@pytest.mark.parametrize(
    "value",
    [
        "Tue, 01 Dec 2026 01:58:27 -0000",
        "<invite.12.3456.abcdef@proximity-meetings>",
        '"Dupont, Marie <b>&" <marie@example.fr>',
        "Jo  Two-Spaces <jo@example.fr>",
        " leading@example.fr",
        "tab\tinside@example.fr",
        "Zoë 🚲 <zoe@example.fr>",
        "x" * 73,
        "x" * 74,
        "Very Long Name " * 6 + "<long@example.fr>",
    ],
)
def test_header_lines_are_what_django_and_the_generator_write(value):
    from django.core.mail.message import forbid_multi_line_headers

    from tasks.outbox.frames import _SMTP, _header

    for name in ("To", "Date", "Message-ID"):
        assert _header(name, value, "utf-8") == _SMTP.fold_binary(
            *forbid_multi_line_headers(name, value, "utf-8")
        )
