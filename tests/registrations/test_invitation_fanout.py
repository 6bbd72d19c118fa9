"""A fan-out of invitations in one batch: one read for the batch, one statement per email,
and each message exactly the invitation built for its invitee."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Person
from meetings.services.meetings import meeting_cancel, meeting_update
from registrations import emails
from registrations.models import Invitation
from registrations.services.invitations import meeting_invite
from tasks.models import Delivery
from tasks.outbox.enqueue import SEND_ORDER
from tasks.outbox.frames import _Stamped
from tasks.outbox.send import deliveries_send
from tests.factories import MeetingFactory, OrganisationFactory
from tests.mail import calendar, recipient

pytestmark = pytest.mark.django_db

DATE = re.compile(rb"^Date: [^\r\n]*\r\n", re.MULTILINE)
NAMES = [
    ("Marie", "Dupont"),
    ("<b>&amp;", "Zoë 🎉"),
    ('Anne-Sophie "Fifi"', "Van den Bossche"),
    ("Éléonore-Marguerite " * 4, "de la Tour d'Auvergne"),
    ("Jan", "Peeters"),
]


def invitees(count: int) -> list[Person]:
    organisation = OrganisationFactory()
    return Person.objects.bulk_create(
        Person(
            first_name=NAMES[n % len(NAMES)][0],
            last_name=f"{NAMES[n % len(NAMES)][1]} {n}",
            email=f"maire{n}@example.org",
            function=Person.Function.MAYOR,
            organisation=organisation,
            preferred_language=("fr", "nl", "en")[n % 3],
        )
        for n in range(count)
    )


def queued(meeting, people, organiser, django_capture_on_commit_callbacks) -> list[int]:
    with django_capture_on_commit_callbacks(execute=False):
        meeting_invite(meeting, people=people, invited_by=organiser)
    return list(
        Delivery.objects.filter(meeting=meeting).order_by(*SEND_ORDER).values_list("pk", flat=True)
    )


def built_in_full(message: _Stamped, delivery: Delivery, values: dict) -> bytes:
    """The message of `delivery` built by the renderer's own code, as the frame's
    stand-in was, with the frame's MIME boundaries; without its Date."""
    built = message.frame.build(delivery, values)
    built.extra_headers["Message-ID"] = delivery.message_id
    built.reply_to = [delivery.reply_to] if delivery.reply_to else []
    tree = built.message()
    multiparts = [part for part in tree.walk() if part.is_multipart()]
    for part, boundary in zip(multiparts, message.frame.boundaries, strict=True):
        part.set_boundary(boundary)
    return DATE.sub(b"", tree.as_bytes(linesep="\r\n"))


def sent(message: _Stamped) -> bytes:
    """What the SMTP backend sends, without the Date."""
    return DATE.sub(b"", message.message().as_bytes(linesep="\r\n"))


def test_each_stamped_invitation_is_the_invitation_built_for_its_invitee(
    meeting, organiser, django_capture_on_commit_callbacks
):
    ids = queued(meeting, invitees(15), organiser, django_capture_on_commit_callbacks)

    deliveries_send(ids)

    assert len(mail.outbox) == 15
    assert all(type(message) is _Stamped for message in mail.outbox)
    # (The locmem backend keeps deep copies: frames are told apart by their boundaries.)
    frames = {message.frame.boundaries[0] for message in mail.outbox}
    assert len(frames) == 3, "one frame per language"
    deliveries = {row.to_email: row for row in Delivery.objects.all()}
    for message in mail.outbox:
        delivery = deliveries[recipient(message)]
        invitation = Invitation.objects.get(meeting=meeting, person=delivery.person_id)
        link = emails._invitation_link(delivery.language, invitation.token)
        assert sent(message) == built_in_full(message, delivery, {"link": link})
        _part, invite = calendar(message)
        assert str(invite.events[0]["ATTENDEE"]) == f"mailto:{delivery.to_email}"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_batch_reads_once_and_writes_one_statement_per_email(
    programme, organiser, django_capture_on_commit_callbacks
):
    people = invitees(40)
    statements = {}
    for size in (20, 40):
        meeting = MeetingFactory(programme=programme)
        ids = queued(meeting, people[:size], organiser, django_capture_on_commit_callbacks)
        with CaptureQueriesContext(connection) as queries:
            deliveries_send(ids)
        sql = [query["sql"] for query in queries.captured_queries]
        statements[size] = (
            len([s for s in sql if s.lstrip().startswith("UPDATE")]),
            len(sql) - len([s for s in sql if s.lstrip().startswith("UPDATE")]),
        )

    # The claim of each email marks the one before as sent; the last is marked alone.
    assert statements[20][0] == 20 + 1 and statements[40][0] == 40 + 1
    assert statements[20][1] == statements[40][1], "reads do not grow with the batch"


@pytest.mark.parametrize("change", ["update", "cancel"])
def test_calendar_updates_to_every_invitee_are_stamped_as_built(
    meeting, organiser, committed, change
):
    committed(meeting_invite, meeting, people=invitees(12), invited_by=organiser)
    mail.outbox.clear()

    if change == "update":
        committed(
            meeting_update,
            meeting,
            starts_at=meeting.starts_at + timedelta(days=1),
            ends_at=meeting.ends_at + timedelta(days=1),
        )
    else:
        committed(meeting_cancel, meeting, reason="Salle indisponible")

    assert len(mail.outbox) == 12
    assert all(type(message) is _Stamped for message in mail.outbox)
    kind = f"meeting_{change}"
    deliveries = {row.to_email: row for row in Delivery.objects.filter(kind=kind)}
    for message in mail.outbox:
        delivery = deliveries[recipient(message)]
        assert sent(message) == built_in_full(message, delivery, {})
