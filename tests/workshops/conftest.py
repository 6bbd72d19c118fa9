"""Shared workshop fixtures: one workshop with its plan on the `meeting` fixture (and a
plainer one for the page tests), a signed-in facilitator, and the headers a table's phone sends.
"""

import pytest
from django.test import Client

from meetings.services.signin import person_user
from workshops import devices
from workshops.models import Contribution
from workshops.services.orientations import orientation_create
from workshops.services.plan import question_create, round_create
from workshops.services.postits import contribution_create
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_create

HOSTILE = "<script>alert(1)</script> <b>&</b> 🚲"


@pytest.fixture
def workshop(meeting):
    """Two questions, three rounds (writing on the first question, discussion on the
    second, then a vote), two tables, two orientations; two dots per voter."""
    workshop = workshop_create(
        meeting, title_fr="Mobilité", title_nl="Mobiliteit", room="Salle 1", vote_limit=2
    )
    first = question_create(
        workshop, text_fr="Comment relier nos communes ?", text_nl="Hoe verbinden we?"
    )
    second = question_create(workshop, text_fr="Avec quels moyens ?", text_nl="")
    for title, kind, question in [
        ("Écriture", "silent", first),
        ("Discussion", "discussion", second),
        ("Vote", "vote", None),
    ]:
        round_create(workshop, title_fr=title, kind=kind, duration_s=300, question=question)
    tables_create(workshop, 2)
    for title in ("Transports", "Emploi"):
        orientation_create(workshop, title_fr=title)
    return workshop


@pytest.fixture
def one_round_workshop(meeting):
    """The pages' workshop: one question in both languages and one silent two-minute
    round on it, no tables."""
    workshop = workshop_create(
        meeting, title_fr="Mobilité transfrontalière", title_nl="Grensoverschrijdende mobiliteit"
    )
    question = question_create(
        workshop,
        text_fr="Comment mieux relier nos communes ?",
        text_nl="Hoe verbinden we onze gemeenten beter?",
    )
    round_create(
        workshop,
        title_fr="Écriture silencieuse",
        title_nl="Stil schrijven",
        kind="silent",
        duration_s=120,
        question=question,
    )
    return workshop


@pytest.fixture
def facilitator(meeting):
    """The meeting's French co-facilitator, as signed in by a one-time link."""
    return person_user(meeting.cofacilitators.order_by("pk").first().person)


@pytest.fixture
def client(client):
    """API answers are asserted in English; pages take their language from the URL."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def facilitator_client(client, facilitator):
    client.force_login(facilitator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def phone(workshop):
    """The headers of a phone at one of the workshop's tables: `phone()` is at the first
    table, `phone(1, "other-device")` another phone at the second. Each name is one
    identity, issued by the server as the table's page would."""
    tables = list(workshop.tables.order_by("pk"))
    issued = {}

    def headers(table: int = 0, device: str = "phone-0001") -> dict[str, str]:
        table = tables[table]
        if (table.pk, device) not in issued:
            issued[table.pk, device] = devices.device_issue(table.pk, table.token)
        return {"X-Table-Token": table.token, "X-Device": issued[table.pk, device]}

    return headers


def device_of(headers: dict[str, str]) -> str:
    """The device id a phone's headers carry (what its post-its and dots record)."""
    return devices.device_verify(headers["X-Device"], headers["X-Table-Token"])[1]


JSON = "application/json"


@pytest.fixture
def phones(workshop, phone):
    """Post as a phone: `post(path, body, table=0, device=...)`."""

    def post(path, body=None, method="post", table=0, device="phone-0001"):
        client = Client(headers={**phone(table, device), "Accept-Language": "en"})
        # The test client would send a DELETE's missing body as the text "None".
        body = {} if body is None else body
        return getattr(client, method)(f"/api{path}", body, content_type=JSON)

    return post


def postit(workshop, text="Un bus de nuit", **kwargs) -> Contribution:
    return contribution_create(workshop, text=text, **kwargs)
