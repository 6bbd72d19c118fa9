"""The demo site: `manage.py load_demo` builds a plausible network, and a rerun changes nothing."""

from datetime import timedelta
from io import BytesIO, StringIO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from events_site.demo import network as demo
from meetings.auth import is_organiser
from meetings.models import (
    AgendaItem,
    CoFacilitator,
    Document,
    Meeting,
    Organisation,
    Person,
    Programme,
    Theme,
)
from registrations.models import CheckIn, Registration
from reports.booklet import booklet_pdf
from reports.booklet_data import booklet_data
from tasks.models import Delivery
from tests.conftest import stored_files

DEMO_MODELS = (
    Organisation,
    Person,
    Theme,
    Programme,
    Meeting,
    CoFacilitator,
    AgendaItem,
    User,
    Registration,
    CheckIn,
    Delivery,
    Document,
)


def counts():
    return {model.__name__: model.objects.count() for model in DEMO_MODELS}


def test_load_demo_builds_a_plausible_network_and_a_rerun_changes_nothing(
    db, monkeypatch, media_root
):
    monkeypatch.delenv("DEMO_ORGANISER_PASSWORD", raising=False)
    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    loaded = counts()
    call_command("load_demo", stdout=second)
    assert counts() == loaded

    organiser = User.objects.get(username=demo.ORGANISER_USERNAME)
    assert is_organiser(organiser)
    words = [word for word in first.getvalue().split() if len(word) == 16]  # token_urlsafe(12)
    [password] = [word for word in words if organiser.check_password(word)]
    assert password not in second.getvalue()

    # It ends with what a person needs to start, in French then in Dutch.
    *_, french, dutch, end = first.getvalue().split("─" * 72)
    assert end.strip() == ""
    [open_meeting] = [m for m in Meeting.objects.all() if m.registration_is_open][:1]
    facilitator = open_meeting.cofacilitators.first().person
    for lang, block, title in (
        ("fr", french, open_meeting.title_fr),
        ("nl", dutch, open_meeting.title_nl),
    ):
        assert f"{settings.SITE_URL}/{lang}/" in block
        assert f"{settings.SITE_URL}/{lang}/admin/" in block
        assert f"{demo.ORGANISER_USERNAME}," in block and f"{password}," in block
        assert facilitator.email in block and f"/{lang}/signin/" in block
        assert title in block
    assert "Inscriptions ouvertes" in french and "Inschrijvingen open" in dutch
    assert "celui déjà choisi" in second.getvalue()

    next_year = Programme.objects.get(year=timezone.localdate().year + 1)
    assert next_year.is_published
    published = list(next_year.meetings.filter(status=Meeting.Status.PUBLISHED))
    assert len(published) >= 8
    for meeting in published:
        assert meeting.local_starts_at.year == next_year.year
        assert meeting.local_starts_at.strftime("%H:%M") in ("09:30", "14:00")
        assert (
            meeting.time_zone
            == {"FR": "Europe/Paris", "BE": "Europe/Brussels"}[meeting.venue_country.code]
        )
        sides = {
            c.person.organisation.country.code
            for c in meeting.cofacilitators.filter(role=CoFacilitator.Role.CO_FACILITATOR)
        }
        assert sides == {"FR", "BE"}
    [cancelled] = next_year.meetings.filter(status=Meeting.Status.CANCELLED)
    assert cancelled.cancellation_reason
    [past] = Meeting.objects.filter(status=Meeting.Status.PUBLISHED, ends_at__lt=timezone.now())
    confirmed = past.registrations.filter(status=Registration.Status.CONFIRMED)
    assert past.seats_taken == confirmed.count() > 0
    checkins = CheckIn.objects.filter(registration__meeting=past)
    assert 0 < checkins.count() < confirmed.count()  # some registered people did not come
    for checkin in checkins.select_related("registration"):
        assert checkin.checked_in_by == organiser
        assert past.starts_at - timedelta(hours=1) <= checkin.checked_in_at <= past.ends_at
        assert checkin.registration.confirmed_at < past.registration_closes
    # The past meeting's confirmations are history: none is left for the worker to send.
    emails = Delivery.objects.filter(meeting=past)
    assert emails.count() == confirmed.count()
    assert not emails.exclude(status=Delivery.Status.SENT).exists()

    # The past meeting runs like seed 003's launch day, its workshops in parallel.
    kinds = [item.kind for item in past.agenda_items.all()]
    assert kinds == ["welcome", "plenary", "workshops", "closing"]
    slot = past.agenda_items.get(kind="workshops")
    rooms = [workshop.room for workshop in slot.workshops.all()]
    assert len(rooms) >= 2 and len(set(rooms)) == len(rooms)
    assert past.agenda_items.get(kind="plenary").speakers.count() >= 2
    # Its first workshop heard the room: a poll, and a word cloud across the languages.
    (first, *_others) = booklet_data(past).workshops
    (poll,) = first.polls
    assert poll.voters == 30 and len(poll.bars) == 4
    (cloud,) = first.clouds
    assert cloud.words[0].label == "mobilité" and cloud.words[0].count >= 6
    # One upcoming meeting visits a site in its host commune.
    visit = AgendaItem.objects.get(kind="site_visit", meeting__programme=next_year)
    assert visit.meeting.host_organisation.city in visit.address
    assert visit.map_url

    # Seed 004: "une trentaine d'adhérents", and the past meeting's plenary slides.
    assert 25 <= Organisation.objects.members().count() <= 35
    assert Organisation.objects.filter(membership="lapsed").exists()
    slides = Document.objects.get(kind=Document.Kind.SLIDES)
    assert slides.meeting.ends_at < timezone.now()
    assert slides.visibility == Document.Visibility.PUBLIC
    assert slides.agenda_item.kind == AgendaItem.Kind.PLENARY
    with slides.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(handle).pages)
    assert "Bilan des coopérations de la Lys" in text
    assert "De workshops van vanmorgen" in text
    # Its booklet was submitted and approved, then the meeting closed: its results page
    # shows the approved version, in French and in Dutch.
    (approval,) = past.booklet_approvals.all()
    assert past.booklet_review.state == "approved" and approval.approved_at <= past.closed_at
    approved = sorted(f.file.name for f in approval.files.all())
    assert len(approved) >= 2
    assert stored_files(media_root) == sorted(
        [*(d.file.name for d in Document.objects.all()), *approved]
    )

    # Its booklet reads like seed 003's: every section, in its order, in both languages.
    booklet = booklet_data(past)
    assert [s.key for s in booklet.sections()] == [
        "cover",
        "contents",
        "context",
        "figures",
        "agenda",
        "principles",
        *["workshop"] * 4,
        "next_steps",
        "annexes",
    ]
    assert len(booklet.ambitions["fr"]) == 4 and len(booklet.photos) == 4
    assert all(w.strong_ideas["fr"] and w.strong_ideas["nl"] for w in booklet.workshops)
    assert booklet.logos and not booklet.contacts
    assert booklet_data(past, audience="participants").contacts
    text = " ".join(
        page.extract_text() for page in PdfReader(BytesIO(booklet_pdf(booklet, "fr+nl"))).pages[2:]
    )
    position = -1
    for lang in ("fr", "nl"):
        for section in booklet.sections()[2:]:
            position = text.index(section.title(lang), position + 1)


def test_the_demo_organiser_keeps_the_password_given_by_the_environment(db):
    assert demo.ensure_organiser("chosen-by-env-1") == (True, None)
    assert demo.ensure_organiser(None) == (False, None)
    assert User.objects.get(username=demo.ORGANISER_USERNAME).check_password("chosen-by-env-1")
