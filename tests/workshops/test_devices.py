"""One phone is one voter: the server issues each phone its identity, refuses any other,
and bounds what a table's phones vote together by its seats."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reports.booklet_data import booklet_data
from tests.ticket_factories import RegistrationFactory
from workshops import devices
from workshops.errors import VoteRefused
from workshops.models import UNSEATED_TABLE_VOTERS, Contribution, TableSeat, Vote
from workshops.services.postits import contribution_create
from workshops.services.timer import timer_act
from workshops.services.votes import vote_cast, vote_withdraw, workshop_vote_set

from .conftest import device_of

pytestmark = pytest.mark.django_db

JSON = "application/json"
DEVICE = re.compile(r'data-device="([^"]+)"')


@pytest.fixture
def table(workshop):
    return workshop.tables.order_by("pk").first()


def page_url(table) -> str:
    with translation.override("en"):
        return reverse("screen:phone", args=[table.token])


def page_device(client: Client, table) -> str:
    """The identity the table's page gives the phone that opens it."""
    response = client.get(page_url(table))
    assert response.status_code == 200
    return DEVICE.search(response.content.decode()).group(1)


def as_phone(table, device: str) -> Client:
    return Client(
        headers={"X-Table-Token": table.token, "X-Device": device, "Accept-Language": "en"}
    )


def dot(client: Client, contribution):
    return client.post(f"/api/contributions/{contribution.pk}/votes")


# --- The identity ------------------------------------------------------------------------


def test_the_page_issues_the_phone_an_identity_it_keeps_in_an_http_only_cookie(
    client, table, settings
):
    settings.SESSION_COOKIE_SECURE = False
    first = client.get(page_url(table))
    device = DEVICE.search(first.content.decode()).group(1)
    cookie = first.cookies[devices.cookie_name(table.pk)]

    assert cookie.value == device
    assert (cookie["httponly"], cookie["samesite"], cookie["secure"]) == (True, "Lax", "")
    assert "no-store" in first["Cache-Control"]
    assert devices.device_verify(device, table.token)[0] == table.pk
    # A reload is the same voter; another phone (no cookie) is another.
    assert page_device(client, table) == device
    assert page_device(Client(), table) != device


def test_the_identity_cookie_is_secure_when_the_site_is_served_over_https(client, table, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = client.get(page_url(table))
    assert response.cookies[devices.cookie_name(table.pk)]["secure"] is True


@pytest.mark.parametrize("forgery", ["invented", "tampered", "other-table", "other-token"])
def test_an_identity_the_server_did_not_issue_for_this_table_is_refused(
    workshop, table, committed, forgery
):
    committed(timer_act, workshop, "start")
    other_table = workshop.tables.order_by("pk").last()
    issued = page_device(Client(), table)
    device = {
        "invented": "phone-0001",
        "tampered": issued.replace(f"{table.pk}.", f"{table.pk}0.", 1),
        "other-table": page_device(Client(), other_table),
        "other-token": devices.device_issue(table.pk, "a-token-of-no-table"),
    }[forgery]
    phone = as_phone(table, device)
    # The genuine identity is checked first: its process remembers it (`device_verify`),
    # and that must not let a forged one through.
    assert as_phone(table, issued).get(f"/api/workshops/{workshop.pk}/timer").status_code == 200

    for response in [
        phone.get(f"/api/workshops/{workshop.pk}/timer"),
        phone.get(f"/api/workshops/{workshop.pk}/contributions"),
        phone.post(f"/api/workshops/{workshop.pk}/contributions", {"text": "Un bus"}, JSON),
    ]:
        assert response.status_code == 422
        assert response.json()["detail"] == "This phone sent no valid device id: reload the page."
    assert not Contribution.objects.exists()
    assert as_phone(table, issued).get(f"/api/workshops/{workshop.pk}/timer").status_code == 200


# --- A table's dots ------------------------------------------------------------------------


def test_fresh_identities_cannot_place_more_dots_than_the_table_has_seats(
    workshop, table, settings
):
    """Each page load is a new voter with its dots; together they stop at the table's
    seats (none recorded: `UNSEATED_TABLE_VOTERS`) times the dots per voter."""
    settings.WORKSHOP_TABLE_THROTTLE_RATE = settings.WORKSHOP_DEVICE_THROTTLE_RATE = ""
    posts = [contribution_create(workshop, text=text) for text in "AB"]
    workshop_vote_set(workshop, True)
    bound = UNSEATED_TABLE_VOTERS * workshop.vote_limit

    answers = []
    for _phone in range(UNSEATED_TABLE_VOTERS + 3):
        phone = as_phone(table, page_device(Client(), table))
        answers += [dot(phone, post).status_code for post in posts]

    assert answers.count(200) == bound
    assert answers.count(409) == len(answers) - bound
    assert Vote.objects.filter(table=table).count() == bound
    refused = dot(as_phone(table, page_device(Client(), table)), posts[0])
    assert refused.json()["detail"].startswith("Your table has placed all its dots: 12 seats")
    # Another table's phones still have theirs.
    other = workshop.tables.order_by("pk").last()
    assert dot(as_phone(other, page_device(Client(), other)), posts[0]).status_code == 200


def test_a_seated_table_places_its_seats_times_the_dots_per_voter(workshop, table, meeting):
    for _person in range(2):
        registration = RegistrationFactory(meeting=meeting)
        TableSeat.objects.create(workshop=workshop, table=table, registration=registration)
    posts = [contribution_create(workshop, text=text) for text in "ABC"]
    workshop_vote_set(workshop, True)
    voters = [f"phone:{table.pk}.voter{n}" for n in range(3)]

    for voter in voters[:2]:
        for post in posts[: workshop.vote_limit]:
            vote_cast(post, voter, table_id=table.pk)
    with pytest.raises(VoteRefused, match="2 seats, 2 dots each"):
        vote_cast(posts[2], voters[2], table_id=table.pk)

    # A dot taken back can be placed again, by anyone at the table.
    vote_withdraw(posts[0], voters[0])
    assert vote_cast(posts[2], voters[2], table_id=table.pk) == 1


# --- Who wrote a post-it --------------------------------------------------------------------


def test_phones_are_not_told_who_wrote_a_post_it_the_facilitators_are(
    workshop, phone, facilitator_client
):
    contribution_create(workshop, text="Un bus", author="Marie Dupont")
    phone_client = Client(headers={**phone(), "Accept-Language": "en"})
    posted = phone_client.post(
        f"/api/workshops/{workshop.pk}/contributions", {"text": "Un train", "author": "Jan"}, JSON
    )
    listed = phone_client.get(f"/api/workshops/{workshop.pk}/contributions").json()

    assert posted.status_code == 201
    assert posted.json()["author"] is None
    assert [(item["text"], item["author"]) for item in listed] == [
        ("Un bus", None),
        ("Un train", None),
    ]
    assert Contribution.objects.get(device=device_of(phone())).author == "Jan"
    board = facilitator_client.get(f"/api/workshops/{workshop.pk}/contributions").json()
    assert [item["author"] for item in board] == ["Marie Dupont", "Jan"]
    console = facilitator_client.get(f"/en/facilitate/workshops/{workshop.pk}/").content.decode()
    assert "Marie Dupont" in console
    (section,) = booklet_data(workshop.meeting).workshops
    annex = {item.text: item.author for entry in section.annex for item in entry.items}
    assert annex == {"Un bus": "Marie Dupont", "Un train": "Jan"}
