import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from meetings.auth import api_key_create
from meetings.models import Person
from tests.factories import MeetingFactory, PersonFactory, ProgrammeFactory, cross_border_pair


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords the production way costs a second per user on this hardware.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("CI") == "true":
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine or not settings.REDIS_URL:
            raise pytest.UsageError(
                "CI=true needs DATABASE_URL=postgres://… and REDIS_URL=redis://…: "
                f"got database engine {engine!r} and REDIS_URL={settings.REDIS_URL!r}."
            )


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages raised outside a request are asserted in English, whatever ran before."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Unit tests run jobs in-process even when a broker is configured.

    Only `integration` tests talk to the broker, with a real worker of their own; the
    others would otherwise leave their jobs in Redis for nobody.
    """
    if request.node.get_closest_marker("integration"):
        yield
        return
    from events_site.celery import app

    eager = app.conf.task_always_eager
    app.conf.update(task_always_eager=True)
    yield
    app.conf.update(task_always_eager=eager)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from meetings import auth
    from tasks.outbox.queue import broker_outage
    from workshops.services import timer

    cache.clear()
    auth._api_keys_seen.clear()
    timer._phones_seen.clear()
    timer._clocks.forget()
    # A test that took the broker down must not leave the next one skipping it.
    broker_outage.recovered()
    yield


@pytest.fixture
def programme(db):
    return ProgrammeFactory(year=2027)


@pytest.fixture
def meeting(programme):
    """A published cross-border meeting with its FR/BE co-facilitator pair."""
    meeting = MeetingFactory(programme=programme)
    cross_border_pair(meeting)
    return meeting


@pytest.fixture
def started_meeting(db):
    """A published cross-border meeting that began a minute ago."""
    starts_at = timezone.now() - timedelta(minutes=1)
    meeting = MeetingFactory(
        programme=ProgrammeFactory(year=timezone.localtime(starts_at).year),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
    )
    cross_border_pair(meeting)
    return meeting


@pytest.fixture
def organiser(db):
    user = User.objects.create_user("organiser", "organiser@example.org", "pw-organiser-1")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get_or_create(name="organisers")[0])
    return user


@pytest.fixture
def organiser_key(organiser):
    _key, raw = api_key_create(organiser, "tests")
    return raw


@pytest.fixture
def api_client(client, organiser_key):
    """A test client that sends the organiser's bearer key with every request, in English."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {organiser_key}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call as a request does: its after-commit work (an eager `deliver`, the timer
    cache) included."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


@pytest.fixture
def organiser_client(client, organiser):
    """A test client signed in as the organiser (their admin session)."""
    client.force_login(organiser)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    """The default storage in a folder of the test's own, returned to look into."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    """Every file under a storage folder, as paths relative to it."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def jan(db):
    return PersonFactory(
        first_name="Jan",
        last_name="Peeters",
        email="jan.peeters@kortrijk.example",
        function=Person.Function.BURGOMASTER,
        preferred_language="nl",
        organisation__country="BE",
    )


@pytest.fixture
def subject_world(meeting, organiser, jan):
    """Marie's data among others', around `meeting`, held 40 days ago: her directory entry
    with a sign-in account, her registration under the same address in other letters
    (checked in, with notes), a post-it she signed, an email sent to her; Jan beside her
    with all the same; and a later meeting where Marie holds the last seat and Sofie
    waits. Names carry markup and emoji."""
    from registrations.services.consents import registration_consents_record
    from tasks.models import Delivery
    from tests.ticket_factories import RegistrationFactory, checkin_make
    from workshops.services.plan import question_create
    from workshops.services.postits import contribution_create
    from workshops.services.workshops import workshop_create

    held = timezone.now() - timedelta(days=40)
    meeting.starts_at, meeting.ends_at = held, held + timedelta(hours=3)
    meeting.save(update_fields=["starts_at", "ends_at"])
    user = User.objects.create_user("person-marie", "marie.dupont@lille.example")
    marie = PersonFactory(
        first_name="Marie <b>&",
        last_name="Dupont 🌻",
        email="marie.dupont@lille.example",
        phone="+33 6 12 34 56 78",
        user=user,
    )
    registrations = {}
    for key, person, email, language in (
        ("marie", marie, "Marie.Dupont@LILLE.example", "fr"),
        ("jan", jan, jan.email, "nl"),
    ):
        registration = RegistrationFactory(
            meeting=meeting,
            person=person,
            first_name=person.first_name,
            last_name=person.last_name,
            email=email,
            function=person.function,
            organisation=person.organisation,
            language=language,
            accessibility_notes=f"{key}: fauteuil roulant",
            dietary_notes=f"{key}: sans gluten",
            share_contact=True,
        )
        checkin_make(registration, by=organiser)
        registration_consents_record(registration, timezone.now())
        registrations[key] = registration
    registrations["absent"] = RegistrationFactory(meeting=meeting, dietary_notes="végétarien")
    registrations["cancelled"] = RegistrationFactory(
        meeting=meeting, status="cancelled", language="nl"
    )
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    question_create(workshop, text_fr="Comment relier nos communes ?")
    posts = {
        "marie": contribution_create(
            workshop, text="Un bus de nuit", author="marie <B>& DUPONT 🌻", source="transcribed"
        ),
        "jan": contribution_create(
            workshop, text="Een fietspad", author="Jan Peeters", source="transcribed"
        ),
        "unsigned": contribution_create(workshop, text="Un café des maires"),
    }
    deliveries = {
        key: Delivery.objects.create(
            kind="registration_confirmed",
            idempotency_key=f"test:{key}",
            to_email=registration.email,
            to_name=registration.full_name,
            language=registration.language,
            meeting=meeting,
            status=Delivery.Status.SENT,
            last_error=f"421 try later <{registration.email}>",
        )
        for key, registration in registrations.items()
        if key in ("marie", "jan")
    }
    later = MeetingFactory(
        programme=meeting.programme,
        starts_at=held + timedelta(days=70),
        ends_at=held + timedelta(days=70, hours=3),
        capacity=1,
        seats_taken=1,
    )
    registrations["later"] = RegistrationFactory(
        meeting=later, person=marie, email=marie.email, first_name="Marie", last_name="Dupont"
    )
    registrations["waiting"] = RegistrationFactory(
        meeting=later, first_name="Sofie", status="waitlisted"
    )
    return {
        "meeting": meeting,
        "later": later,
        "user": user,
        "marie": marie,
        "jan": jan,
        "registrations": registrations,
        "posts": posts,
        "deliveries": deliveries,
    }


@pytest.fixture
def contact_meeting(started_meeting, settings, tmp_path):
    """A meeting over and closed, whose contact list is owed: Marie (in the directory,
    French, with a phone) and Sofie (outside it, Dutch, an emoji and markup in her
    names) came and share their contact; Paul shares but did not come; Léa came and
    does not share."""
    from tests.factories import OrganisationFactory, PersonFactory
    from tests.ticket_factories import RegistrationFactory, checkin_make

    settings.MEDIA_ROOT = tmp_path
    meeting = started_meeting
    marie = PersonFactory(
        first_name="Marie",
        last_name="Dupont",
        email="marie.dupont@lille.example",
        phone="+33 3 20 00 00 00",
        organisation=OrganisationFactory(name="Ville de Lille", city="Lille", country="FR"),
    )
    people = {
        "marie": RegistrationFactory(
            meeting=meeting,
            person=marie,
            first_name="Marie",
            last_name="Dupont",
            email="Marie.Dupont@lille.example",
            organisation=marie.organisation,
            share_contact=True,
        ),
        "sofie": RegistrationFactory(
            meeting=meeting,
            first_name="Sofie 🌷",
            last_name="<b>& Claes",
            email="sofie.claes@menen.example",
            function="alderman",
            organisation=None,
            organisation_name="Stad Menen",
            organisation_country="BE",
            language="nl",
            share_contact=True,
        ),
        "paul": RegistrationFactory(meeting=meeting, first_name="Paul", share_contact=True),
        "lea": RegistrationFactory(meeting=meeting, first_name="Léa", share_contact=False),
    }
    for name in ("marie", "sofie", "lea"):
        checkin_make(people[name])
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1),
        closed_at=timezone.now(),
    )
    meeting.refresh_from_db()
    return {"meeting": meeting, **people}
