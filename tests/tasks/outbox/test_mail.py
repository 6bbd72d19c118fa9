"""message_build: the multipart layout, headers and iMIP parts that mail clients rely on."""

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from meetings.calendar import calendar_build
from tasks.models import Delivery
from tasks.outbox.mail import message_build
from tests.mail import calendar, html, parsed, part, text

pytestmark = pytest.mark.django_db

TEMPLATE = "meetings/email/announcement"


def delivery(name="Marie Dupont", email="marie@example.org", language="fr"):
    return Delivery(
        kind="announcement",
        idempotency_key="test",
        to_email=email,
        to_name=name,
        language=language,
    )


def build(programme, recipient=None, **kwargs):
    context = {
        "programme": programme,
        "meetings": [],
        "programme_url": "https://example.org/programme/",
        "feed_url": "https://example.org/feed.ics",
    }
    return message_build(
        recipient or delivery(), subject="Programme", template=TEMPLATE, context=context, **kwargs
    )


def test_a_message_is_text_and_html_alternatives_from_the_site(programme):
    message = parsed(build(programme))

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == "Programme"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_both_bodies_are_in_the_recipients_language(programme, language):
    message = build(programme, delivery(name="Jan Peeters", language=language))

    with translation.override(language):
        expected = [
            gettext("Hello %(name)s,") % {"name": "Jan Peeters"},
            programme.title,
            gettext(
                "You receive this email because you agreed to receive news from the network. "
                "Reply to it if you no longer wish to."
            ),
        ]
    assert programme.title_fr != programme.title_nl
    for body in (text(message), html(message)):
        for line in expected:
            assert line in body


def test_names_with_markup_emoji_and_accents_are_escaped_in_html_and_encoded_in_to(programme):
    name = "<b>& Zoë 🎉"
    message = build(programme, delivery(name=name))

    to = parsed(message)["To"]
    assert (to.addresses[0].display_name, to.addresses[0].addr_spec) == (
        name,
        "marie@example.org",
    )
    assert "&lt;b&gt;&amp; Zoë 🎉" in html(message)
    assert "<b>&" not in html(message)
    assert name in text(message), "the text part is not HTML: nothing to escape"
    raw_to = [line for line in message.message().as_string().splitlines() if line.startswith("To:")]
    assert raw_to and raw_to[0].isascii()


def test_a_line_break_in_the_subject_is_folded_into_a_space(programme):
    context = {"programme": programme, "meetings": [], "programme_url": "", "feed_url": ""}
    message = message_build(
        delivery(), subject="Une\r\nBcc: x@evil.example", template=TEMPLATE, context=context
    )

    assert parsed(message)["Subject"] == "Une Bcc: x@evil.example"
    assert "Bcc" not in parsed(message)


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_a_calendar_is_an_alternative_whose_method_parameter_equals_its_method(
    programme, meeting, method
):
    invite = calendar_build([meeting], name="Rencontre", lang="fr", method=method)

    message = build(programme, calendar=invite)

    mime = parsed(message)
    assert mime.get_content_type() == "multipart/mixed"
    alternative = part(mime, "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar_part, parsed_calendar = calendar(message)
    assert calendar_part.get_param("method") == method == str(parsed_calendar["METHOD"])
    assert calendar_part.get_content_charset() == "utf-8"
    # As the SMTP backend writes it: unquoted, the way Google and Outlook write it.
    assert (
        f'Content-Type: text/calendar; charset="utf-8"; method={method}\r\n'.encode()
        in message.message().as_bytes(linesep="\r\n")
    )
    attachment = part(mime, "application/ics")
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == invite.to_ical()
