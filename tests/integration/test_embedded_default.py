"""The embedded default runs the whole product: `make run`'s Procfile (the site, one
worker and beat) on SQLite and the filesystem broker, in a temporary var/, with no Redis
and no PostgreSQL. Mail goes to a real SMTP server on loopback."""

import json
import time
import urllib.request
from email.header import decode_header, make_header

import pytest

from tests.embedded import EmbeddedSite
from tests.integration.smtp_sink import SmtpSink, free_port

pytestmark = pytest.mark.integration


# Run inside the embedded site's own process: a meeting starting in a day less 30 s, so
# that its 1-day reminder fell due half a minute ago for a registrant confirmed two days
# before; an email a dead worker left "sending"; 200 people to invite; an API key.
SETUP = """
import json
from datetime import timedelta
from django.contrib.auth.models import Group, User
from django.conf import settings
from django.utils import timezone
from meetings.auth import api_key_create
from registrations.services.delivery import registration_delivery
from registrations.services.registration import REGISTRATION_CONFIRMED
from tasks.models import Delivery
from tasks.outbox import deliveries_queue
from tests.factories import MeetingFactory, PersonFactory, ProgrammeFactory, cross_border_pair
from tests.ticket_factories import RegistrationFactory

now = timezone.now()
starts = now + timedelta(days=1, seconds=-30)
meeting = MeetingFactory(
    programme=ProgrammeFactory(year=timezone.localtime(starts).year),
    starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=500,
)
cross_border_pair(meeting)
registration = RegistrationFactory(
    meeting=meeting, email="due@example.org", confirmed_at=now - timedelta(days=2)
)
deliveries_queue([
    registration_delivery(registration, kind=REGISTRATION_CONFIRMED, key="stuck:1")
])
Delivery.objects.filter(idempotency_key="stuck:1").update(
    status=Delivery.Status.SENDING, claimed_at=now - timedelta(hours=1), attempts=1
)
people = [PersonFactory(email=f"invited{n}@example.org") for n in range(200)]
organiser = User.objects.create_user("organiser", is_staff=True)
organiser.groups.add(Group.objects.get_or_create(name=settings.ORGANISERS_GROUP)[0])
print(json.dumps({
    "meeting": meeting.pk,
    "people": [person.pk for person in people],
    "key": api_key_create(organiser, "embedded test")[1],
}))
"""


def _sent_to(sink: SmtpSink, predicate) -> list:
    with sink.handler.lock:
        return [m for m in sink.handler.messages if predicate(m["To"] or "")]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """The Procfile's three processes, as `make run` starts them, on a fresh var/, with
    beat's schedule in seconds rather than minutes so that the test sees a few rounds."""
    with SmtpSink() as sink:
        site = EmbeddedSite(
            tmp_path_factory.mktemp("var"),
            sink.url,
            OUTBOX_SWEEP_S="1",
            OUTBOX_STUCK_AFTER_S="2",
            OUTBOX_REQUEUE_AFTER_S="2",
            REMINDERS_EVERY_S="1",
        )
        site.run("migrate", "--noinput")
        data = json.loads(site.run(script=SETUP).splitlines()[-1])
        site.start(port=free_port())
        yield site, sink, data
        output = site.stop()
        for name in ("web", "worker", "beat"):
            assert f"{name}.1 stopped" in output, f"Ctrl-C left {name} running:\n{output}"


def test_a_reminder_due_a_minute_ago_leaves_once(embedded):
    site, sink, _data = embedded
    site.wait(lambda: _sent_to(sink, lambda to: "due@" in to), "the 1-day reminder")
    time.sleep(3)  # three more rounds of beat's reminder job
    subjects = [
        str(make_header(decode_header(m["Subject"])))
        for m in _sent_to(sink, lambda to: "due@" in to)
    ]
    assert sum(subject.startswith("Rappel") for subject in subjects) == 1, subjects


def test_an_email_left_sending_by_a_dead_worker_is_swept_up(embedded):
    site, sink, _data = embedded
    site.wait(
        lambda: len(_sent_to(sink, lambda to: "due@" in to)) == 2,
        "the swept confirmation beside the reminder",
    )


def test_inviting_200_people_returns_at_once_and_the_worker_sends_them(embedded):
    site, sink, data = embedded
    request = urllib.request.Request(  # noqa: S310 - our own loopback site
        f"{site.url}/api/meetings/{data['meeting']}/invitations",
        data=json.dumps({"people": data["people"]}).encode(),
        headers={
            "Authorization": f"Bearer {data['key']}",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        answered = time.monotonic() - started
        assert response.status in (200, 201, 202)
    assert answered < 1.0, f"the request took {answered:.2f} s"
    invited = lambda: _sent_to(sink, lambda to: "invited" in to)  # noqa: E731
    assert len(invited()) < len(data["people"]), "the request sent the emails itself"
    site.wait(lambda: len(invited()) >= len(data["people"]), "200 invitations")
    assert len({m["To"] for m in invited()}) == len(data["people"]) == 200
