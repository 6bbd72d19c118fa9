"""A meeting's registrations as organisers list them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.services.signin import person_user
from registrations.models import CheckIn, Invitation, Registration
from tests.factories import OrganisationFactory, PersonFactory
from tests.ticket_factories import RegistrationFactory, checkin_make


@pytest.fixture
def registrations(meeting):
    kortrijk = OrganisationFactory(name="Stad Kortrijk", country="BE")
    return {
        "marie": RegistrationFactory(meeting=meeting, first_name="Marie", last_name="Dupont"),
        "sofie": RegistrationFactory(
            meeting=meeting,
            first_name="Sofie <b>&",
            last_name="Claes 🌷",
            function="burgomaster",
            organisation=kortrijk,
        ),
        "paul": RegistrationFactory(
            meeting=meeting,
            first_name="Paul",
            last_name="Lefebvre",
            status=Registration.Status.WAITLISTED,
            organisation=None,
            organisation_name="Agence AGUR",
            organisation_country="BE",
        ),
        "elsewhere": RegistrationFactory(last_name="Ailleurs"),
    }


def names(response) -> list[str]:
    return [row["last_name"] for row in response.json()["results"]]


def test_organisers_list_a_meetings_registrations(
    api_client, meeting, registrations, django_assert_max_num_queries
):
    RegistrationFactory.create_batch(30, meeting=meeting)
    api_client.get(f"/api/meetings/{meeting.pk}/registrations", {"limit": 1})
    with django_assert_max_num_queries(3):
        response = api_client.get(f"/api/meetings/{meeting.pk}/registrations", {"limit": 200})
    body = response.json()
    assert body["count"] == 33 and body["next"] is None
    sofie = next(row for row in body["results"] if row["last_name"] == "Claes 🌷")
    assert (sofie["organisation_name"], sofie["country"]) == ("Stad Kortrijk", "BE")
    assert "manage_token" not in sofie and "ticket_secret" not in sofie
    assert sofie["anonymised_at"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "<b>&"}, ["Claes 🌷"]),
        ({"status": "waitlisted"}, ["Lefebvre"]),
        ({"function": "burgomaster"}, ["Claes 🌷"]),
        ({"country": "be"}, ["Claes 🌷", "Lefebvre"]),
    ],
)
def test_registrations_filters(api_client, meeting, registrations, query, expected):
    assert names(api_client.get(f"/api/meetings/{meeting.pk}/registrations", query)) == expected


def test_registrations_by_organisation_and_since_a_change(api_client, meeting, registrations):
    path = f"/api/meetings/{meeting.pk}/registrations"
    marie = registrations["marie"]
    assert names(api_client.get(path, {"organisation": marie.organisation_id})) == ["Dupont"]
    cut = timezone.now() + timedelta(minutes=1)
    Registration.objects.filter(pk=marie.pk).update(updated_at=cut)
    assert names(api_client.get(path, {"updated_since": cut.isoformat()})) == ["Dupont"]


def test_only_organisers_list_registrations(client, meeting, registrations):
    path = f"/api/meetings/{meeting.pk}/registrations"
    assert client.get(path).status_code == 401
    client.force_login(person_user(meeting.cofacilitators.first().person))
    assert client.get(path).status_code == 403


def test_an_unknown_meeting_has_no_registrations(api_client, db):
    assert api_client.get("/api/meetings/999999/registrations").status_code == 404


def test_organisers_list_a_meetings_invitations(
    api_client, client, meeting, django_assert_max_num_queries
):
    kortrijk = OrganisationFactory(name="Stad Kortrijk", country="BE")
    sofie = PersonFactory(
        first_name="Sofie <b>&", last_name="Claes 🌷", function="burgomaster", organisation=kortrijk
    )
    Invitation.objects.create(meeting=meeting, person=sofie, answered_at=timezone.now())
    for person in PersonFactory.create_batch(20):
        Invitation.objects.create(meeting=meeting, person=person)
    path = f"/api/meetings/{meeting.pk}/invitations"
    api_client.get(path, {"limit": 1})
    with django_assert_max_num_queries(3):
        body = api_client.get(path, {"limit": 200}).json()
    assert body["count"] == 21
    for query in ({"answered": "true"}, {"country": "be"}, {"q": "<b>&"}):
        (row,) = api_client.get(path, query).json()["results"]
        assert row["person"]["last_name"] == "Claes 🌷" and "token" not in row
    assert api_client.get(path, {"answered": "false"}).json()["count"] == 20
    assert client.get(path, HTTP_AUTHORIZATION="").status_code == 401


def test_organisers_list_who_came(
    api_client, meeting, registrations, django_assert_max_num_queries
):
    checkin_make(registrations["sofie"], method=CheckIn.Method.MANUAL)
    for registration in RegistrationFactory.create_batch(20, meeting=meeting):
        checkin_make(registration)
    checkin_make(registrations["elsewhere"])
    path = f"/api/meetings/{meeting.pk}/checkins"
    api_client.get(path, {"limit": 1})
    with django_assert_max_num_queries(3):
        body = api_client.get(path, {"limit": 200}).json()
    assert body["count"] == 21
    (sofie,) = api_client.get(path, {"method": "manual"}).json()["results"]
    assert (sofie["first_name"], sofie["organisation_name"]) == ("Sofie <b>&", "Stad Kortrijk")
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert api_client.get(path, {"since": later}).json()["count"] == 0
