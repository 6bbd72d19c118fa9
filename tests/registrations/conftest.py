import itertools

import pytest

from events_site.kit.memo import BoundedMemo
from meetings.models import Meeting, Person
from registrations.models import Registration
from registrations.services import registration as registration_services
from registrations.services.registration import registration_create
from tasks.models import Delivery
from tests.factories import MeetingFactory, PersonFactory


@pytest.fixture(autouse=True)
def rules_forgotten(monkeypatch):
    """Each test starts with a process that has read no meeting: a memory left by another
    test's meeting of the same id would only cost a look-up, but would change the
    statements a test counts or intercepts."""
    monkeypatch.setattr(registration_services, "_RULES_READ", BoundedMemo(1000))


@pytest.fixture
def marie(db):
    return PersonFactory(
        first_name="Marie",
        last_name="Dupont",
        email="marie.dupont@lille.example",
        preferred_language="fr",
        organisation__country="FR",
    )


def registration_data(**overrides) -> dict:
    """What the form or the API sends for a Belgian alderwoman outside the directory."""
    return {
        "first_name": "Sofie",
        "last_name": "Claes",
        "email": "sofie.claes@menen.example",
        "function": Person.Function.ALDERMAN,
        "organisation": None,
        "organisation_name": "Stad Menen",
        "organisation_country": "BE",
        "language": "nl",
        "interpretation_needed": False,
        "interpretation_to": "",
        "accessibility_notes": "",
        "dietary_notes": "",
        "share_contact": True,
        "privacy_consent": True,
        **overrides,
    }


@pytest.fixture
def register():
    """Register through the service, a new address each call unless one is given.

    After-commit jobs do not run (the test's transaction never commits): the outbox rows
    are written, nothing is sent. Use `committed` around it to send.
    """

    numbers = itertools.count(1)

    def run(meeting, invitation_token=None, **overrides):
        overrides.setdefault("email", f"registrant{next(numbers)}@example.org")
        registration, _created = registration_create(
            meeting, data=registration_data(**overrides), invitation_token=invitation_token
        )
        return registration

    return run


@pytest.fixture
def small_meeting(programme):
    """Two seats, no co-facilitators needed: registrations do not look at them."""
    return MeetingFactory(programme=programme, capacity=2)


def seats(meeting) -> int:
    return Meeting.objects.get(pk=meeting.pk).seats_taken


def kinds_to(email: str) -> list[str]:
    return list(
        Delivery.objects.filter(to_email=email).order_by("pk").values_list("kind", flat=True)
    )


def fresh(registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)
