"""Retention, rule by rule: each removes what it must and keeps what the key figures and
booklets count (`booklet_data(...).figures`, identical before and after). The rules on
registrations and emails live in `registrations.services.retention`; they run with the
one on post-its from `workshops.services.retention`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from registrations.models import CheckIn, Registration
from registrations.services.retention import months_before
from reports.booklet_data import booklet_data
from tasks.models import Delivery, WebhookCall
from tasks.tasks import retention
from tasks.webhooks.services import webhook_create
from tests.ticket_factories import RegistrationFactory
from workshops.models import Contribution
from workshops.services.retention import retention_apply

pytestmark = pytest.mark.django_db

NOTHING = {
    "notes_deleted": 0,
    "cancelled_anonymised": 0,
    "held_anonymised": 0,
    "signin_links_deleted": 0,
    "deliveries_stripped": 0,
    "webhook_calls_deleted": 0,
    "signatures_removed": 0,
    "poll_answers_anonymised": 0,
    "words_anonymised": 0,
}


def _rows():
    """Every value of every row a rule may touch, to show that nothing else moved."""
    return (
        list(Registration.objects.order_by("pk").values()),
        list(Delivery.objects.order_by("pk").values()),
        list(CheckIn.objects.order_by("pk").values()),
        list(Contribution.objects.order_by("pk").values("pk", "author", "text")),
    )


def _held(world):
    return Registration.objects.filter(meeting=world["meeting"])


def test_a_cancelled_registration_is_anonymised_30_days_later(subject_world):
    cancelled = subject_world["registrations"]["cancelled"]
    cancelled_at = timezone.now() - timedelta(days=5)
    Registration.objects.filter(pk=cancelled.pk).update(cancelled_at=cancelled_at)
    figures = booklet_data(subject_world["meeting"]).figures

    early = retention_apply(cancelled_at + timedelta(days=29))
    assert early["cancelled_anonymised"] == 0
    assert retention_apply(cancelled_at + timedelta(days=31))["cancelled_anonymised"] == 1

    cancelled.refresh_from_db()
    assert (cancelled.first_name, cancelled.last_name) == ("", "Geanonimiseerde deelnemer")
    assert cancelled.email == f"registration-{cancelled.pk}@anonymised.invalid"
    assert cancelled.status == "cancelled"
    assert booklet_data(subject_world["meeting"]).figures == figures
    # The others of the meeting are not touched by this rule.
    assert _held(subject_world).filter(anonymised_at__isnull=False).count() == 1


def test_needs_of_a_held_meeting_are_deleted_30_days_after_it(subject_world):
    ended = subject_world["meeting"].ends_at
    figures = booklet_data(subject_world["meeting"]).figures
    assert retention_apply(ended + timedelta(days=29))["notes_deleted"] == 0
    assert _held(subject_world).exclude(dietary_notes="").count() == 3

    assert retention_apply(ended + timedelta(days=31))["notes_deleted"] == 3

    assert not _held(subject_world).exclude(accessibility_notes="", dietary_notes="").exists()
    assert _held(subject_world).filter(last_name="Peeters", anonymised_at=None).exists()
    assert booklet_data(subject_world["meeting"]).figures == figures
    later = subject_world["registrations"]["later"]
    assert Registration.objects.get(pk=later.pk).email == later.email


def test_registrations_of_a_held_meeting_are_anonymised_after_retention_months(
    subject_world, settings
):
    meeting = subject_world["meeting"]
    figures = booklet_data(meeting).figures
    checkins = CheckIn.objects.filter(registration__meeting=meeting).count()
    due = months_before(meeting.ends_at, -settings.RETENTION_MONTHS)
    assert due - meeting.ends_at > timedelta(days=700)
    early = retention_apply(due - timedelta(days=1))
    assert (early["held_anonymised"], early["cancelled_anonymised"]) == (0, 1)
    assert early["signatures_removed"] == 0

    assert retention_apply(due + timedelta(days=1))["held_anonymised"] == 3

    held = _held(subject_world)
    assert not held.filter(anonymised_at=None).exists()
    assert not held.filter(email__contains="example").exists()
    assert set(held.values_list("last_name", flat=True)) == {
        "Participant anonymisé",
        "Geanonimiseerde deelnemer",
    }
    assert not held.filter(person__isnull=False).exists()
    # Post-its stay, signed by nobody.
    posts = Contribution.objects.filter(workshop__meeting=meeting)
    assert sorted(posts.values_list("text", "author")) == [
        ("Een fietspad", ""),
        ("Un bus de nuit", ""),
        ("Un café des maires", ""),
    ]
    # What the figures count is kept: statuses, check-ins, functions, organisations.
    assert CheckIn.objects.filter(registration__meeting=meeting).count() == checkins
    assert booklet_data(meeting).figures == figures
    # The meeting still to come is not.
    later = Registration.objects.get(pk=subject_world["registrations"]["later"].pk)
    assert later.anonymised_at is None


def test_a_shorter_setting_is_the_rule(subject_world, settings):
    settings.RETENTION_MONTHS = 1
    assert retention_apply()["held_anonymised"] == 4


def test_deliveries_lose_their_recipient_after_90_days_and_keep_status_and_counts(
    subject_world,
):
    sent = subject_world["deliveries"]["marie"]
    queued = Delivery.objects.create(
        kind="reminder", idempotency_key="test:queued", to_email="x@example.org", language="fr"
    )
    by_status = sorted(Delivery.objects.values_list("kind", "status", "meeting_id"))
    assert retention_apply(sent.created_at + timedelta(days=89))["deliveries_stripped"] == 0

    assert retention_apply(sent.created_at + timedelta(days=91))["deliveries_stripped"] == 2

    sent.refresh_from_db()
    assert (sent.to_email, sent.to_name, sent.status, sent.kind) == (
        "",
        "",
        "sent",
        "registration_confirmed",
    )
    assert sent.last_error == "421 try later <>"
    assert sorted(Delivery.objects.values_list("kind", "status", "meeting_id")) == by_status
    queued.refresh_from_db()
    assert queued.to_email == "x@example.org"  # still to be sent: its worker owns it


def test_webhook_calls_done_with_are_deleted_with_the_emails_rule(db, organiser):
    webhook = webhook_create(organiser, url="https://93.184.216.34/h", events=["checkin.created"])
    calls = {
        status: WebhookCall.objects.create(
            webhook=webhook,
            event="checkin.created",
            payload={"data": {"registration": {"email": "sofie.claes@menen.example"}}},
            status=status,
        )
        for status in ("delivered", "failed", "queued", "sending")
    }
    created = calls["delivered"].created_at
    assert retention_apply(created + timedelta(days=89))["webhook_calls_deleted"] == 0

    assert retention_apply(created + timedelta(days=91))["webhook_calls_deleted"] == 2

    assert set(WebhookCall.objects.values_list("status", flat=True)) == {"queued", "sending"}


def test_a_spent_sign_in_link_is_deleted_a_day_after_it_expires(db):
    """It holds the address that asked, whoever it was; the hourly limit on links per
    address still sees the day's."""
    from meetings.models import LoginLink

    link = LoginLink.objects.create(
        email="sofie.claes@menen.example", expires_at=timezone.now() + LoginLink.TTL
    )
    assert retention_apply(link.expires_at + timedelta(hours=23))["signin_links_deleted"] == 0
    assert LoginLink.objects.filter(pk=link.pk).exists()
    assert retention_apply(link.expires_at + timedelta(hours=25))["signin_links_deleted"] == 1
    assert not LoginLink.objects.exists()


def test_a_dry_run_counts_what_a_run_does_and_changes_nothing(subject_world):
    later = timezone.now() + timedelta(days=800)
    before = _rows()
    planned = retention_apply(later, dry_run=True)
    assert _rows() == before
    assert planned == retention_apply(later)
    assert planned == {
        "notes_deleted": 3,
        "cancelled_anonymised": 1,
        "held_anonymised": 5,  # the 3 left of the held meeting, the 2 of the later one
        "deliveries_stripped": 2,
        "webhook_calls_deleted": 0,
        "signatures_removed": 2,
        "poll_answers_anonymised": 0,
        "words_anonymised": 0,
        "signin_links_deleted": 0,
    }
    # Run again, it has nothing left to do.
    assert retention_apply(later, dry_run=True) == NOTHING


def test_the_command_prints_each_rule_and_its_dry_run_writes_nothing(subject_world, settings):
    settings.RETENTION_NOTES_DAYS = 1
    before = _rows()
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert _rows() == before
    printed = out.getvalue()
    assert "Dry run: nothing was changed." in printed
    assert "accessibility and dietary notes deleted: 3" in printed
    assert "registrations of held meetings anonymised: 0" in printed

    out = StringIO()
    call_command("retention", stdout=out)
    assert "Dry run" not in out.getvalue()
    assert "accessibility and dietary notes deleted: 3" in out.getvalue()
    assert not _held(subject_world).exclude(dietary_notes="").exists()


def test_beat_runs_the_rules_daily(subject_world):
    schedule = settings.CELERY_BEAT_SCHEDULE["retention"]
    assert (schedule["task"], schedule["schedule"]) == ("tasks.retention", 24 * 3600.0)
    old = RegistrationFactory(meeting=subject_world["meeting"], status="cancelled")
    Registration.objects.filter(pk=old.pk).update(cancelled_at=timezone.now() - timedelta(days=31))
    retention.delay()
    assert Registration.objects.get(pk=old.pk).anonymised_at is not None


def test_months_before_keeps_the_day_or_takes_the_month_end():
    moment = timezone.now().replace(year=2027, month=3, day=31)
    assert months_before(moment, 1).date().isoformat() == "2027-02-28"
    assert months_before(moment, 24).date().isoformat() == "2025-03-31"
    assert months_before(moment, -10).date().isoformat() == "2028-01-31"
