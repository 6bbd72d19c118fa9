"""The seating plan mixes the border, languages and functions at every table."""

from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from meetings.services.signin import person_user
from registrations.models import CheckIn, Registration
from workshops.errors import InvalidWorkshopData
from workshops.seating import Guest, seating_deal, seating_gaps, seating_plan, seating_plan_make
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_create


def _arrive(meeting, n, *, country, language, function="mayor", checked_in=True):
    start = Registration.objects.filter(meeting=meeting).count()
    people = []
    for i in range(start, start + n):
        registration = Registration.objects.create(
            meeting=meeting,
            first_name=f"P{i}",
            last_name=country,
            email=f"p{i}@{country.lower()}.example",
            function=function,
            organisation_name=f"Commune {i % 5} {country}",
            organisation_country=country,
            language=language,
            privacy_consent_at=timezone.now(),
            status=Registration.Status.CONFIRMED,
        )
        if checked_in:
            CheckIn.objects.create(registration=registration, method=CheckIn.Method.MANUAL)
        people.append(registration)
    return people


@pytest.fixture
def workshop(meeting):
    workshop = workshop_create(meeting, title_fr="Atelier")
    tables_create(workshop, 4)
    return workshop


def test_every_table_gets_each_side_and_each_language(workshop):
    meeting = workshop.meeting
    _arrive(meeting, 11, country="FR", language="fr")
    _arrive(meeting, 3, country="BE", language="fr", function="officer")
    _arrive(meeting, 4, country="BE", language="nl", function="burgomaster")
    _arrive(meeting, 5, country="BE", language="nl", checked_in=False)

    plan = seating_plan_make(workshop)

    seated = [r for people in plan.values() for r in people]
    assert len(seated) == 18
    assert len({r.pk for r in seated}) == 18
    assert all(r.checkin for r in seated)
    sizes = sorted(len(people) for people in plan.values())
    assert sizes[-1] - sizes[0] <= 1
    for people in plan.values():
        assert {"FR", "BE"} <= {r.organisation_country.code for r in people}
        assert {"fr", "nl"} <= {r.language for r in people}
    assert seating_gaps(workshop, plan) == []
    assert seating_plan(workshop) == {
        t: sorted(p, key=lambda r: (r.last_name, r.first_name)) for t, p in plan.items()
    }


def test_a_new_plan_replaces_the_old_one(workshop):
    _arrive(workshop.meeting, 8, country="FR", language="fr")
    seating_plan_make(workshop)
    _arrive(workshop.meeting, 4, country="BE", language="nl")
    plan = seating_plan_make(workshop)
    assert sum(len(p) for p in plan.values()) == 12
    assert workshop.seats.count() == 12


def test_gaps_are_named_when_the_room_allows_better(workshop):
    _arrive(workshop.meeting, 8, country="FR", language="fr")
    _arrive(workshop.meeting, 4, country="BE", language="nl")
    plan = seating_plan(workshop)
    tables = list(plan)
    everyone = list(Registration.objects.all())
    plan[tables[0]] = [r for r in everyone if r.language == "nl"]
    plan[tables[1]] = [r for r in everyone if r.language == "fr"]
    gaps = seating_gaps(workshop, plan)
    assert f"{tables[1].name} has nobody from Belgium." in gaps
    assert f"{tables[1].name} has no Dutch speaker." in gaps


def test_a_plan_needs_tables_and_people(meeting):
    workshop = workshop_create(meeting, title_fr="Sans tables")
    with pytest.raises(InvalidWorkshopData, match="tables first"):
        seating_plan_make(workshop)
    tables_create(workshop, 2)
    with pytest.raises(InvalidWorkshopData, match="Nobody is checked in"):
        seating_plan_make(workshop)


def test_the_deal_spreads_functions_and_organisations():
    guests = [
        Guest(
            key=i,
            side="FR" if i % 2 else "BE",
            language="fr",
            elected=i < 6,
            organisation=str(i % 3),
        )
        for i in range(12)
    ]
    tables = seating_deal(guests, 3)
    for table in tables:
        assert len(table) == 4
        assert Counter(g.side for g in table) == {"FR": 2, "BE": 2}
        assert sum(g.elected for g in table) == 2


def test_the_plan_page_and_table_cards_are_for_the_meetings_facilitators(client, workshop):
    from io import BytesIO

    from django.contrib.auth.models import User
    from pypdf import PdfReader

    _arrive(workshop.meeting, 3, country="FR", language="fr")
    odd = Registration.objects.first()
    odd.first_name = "<b>Zoë & 🚲"
    odd.save()
    page = f"/en/facilitate/workshops/{workshop.pk}/seating/"
    cards = f"/en/facilitate/workshops/{workshop.pk}/tables.pdf"
    assert client.get(page).status_code == 302
    client.force_login(User.objects.create_user("someone"))
    assert client.get(page).status_code == 403
    assert client.get(cards).status_code == 403

    client.force_login(person_user(workshop.meeting.cofacilitators.first().person))
    assert client.post(page).status_code == 302
    html = client.get(page).content.decode()
    assert "&lt;b&gt;Zoë &amp; 🚲" in html
    assert "/t/" in html and "/en/t/" not in html

    response = client.get(cards)
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    assert len(reader.pages) == 4
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Table 1" in text and "Table 4" in text
    assert "<b>Zoë &" in text


def test_an_organisers_api_key_prints_the_table_cards(client, workshop, organiser_key):
    cards = f"/en/facilitate/workshops/{workshop.pk}/tables.pdf"
    response = client.get(cards, HTTP_AUTHORIZATION=f"Bearer {organiser_key}")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    assert client.get(cards, HTTP_AUTHORIZATION="Bearer pm_forged").status_code == 401


# --- Through the API ------------------------------------------------------------------


def test_the_api_makes_a_plan_and_reads_it_back(
    api_client, workshop, django_assert_max_num_queries
):
    _arrive(workshop.meeting, 6, country="FR", language="fr")
    _arrive(workshop.meeting, 4, country="BE", language="nl", function="burgomaster")
    url = f"/api/workshops/{workshop.pk}/seating"
    before = api_client.get(url).json()
    assert (before["present"], len(before["tables"])) == (10, 4)
    assert all(table["people"] == [] for table in before["tables"])

    made = api_client.post(url)

    assert made.status_code == 200, made.content
    plan = made.json()
    assert sum(len(table["people"]) for table in plan["tables"]) == 10
    for table in plan["tables"]:
        assert {"FR", "BE"} <= {person["country"] for person in table["people"]}
        assert table["phone_url"].startswith("http")
    assert plan["gaps"] == []
    with django_assert_max_num_queries(8):
        read = api_client.get(url).json()
    assert read == plan


def test_the_api_refuses_a_plan_with_nobody_in_the_room_and_keeps_the_old_one(api_client, workshop):
    url = f"/api/workshops/{workshop.pk}/seating"
    refused = api_client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "Nobody is checked in yet: the plan is made from the people in the room."
    )
    assert refused.json()["errors"]
    assert not workshop.seats.exists()


def test_the_api_gaps_speak_the_requests_language(api_client, workshop):
    _arrive(workshop.meeting, 8, country="FR", language="fr")
    _arrive(workshop.meeting, 4, country="BE", language="nl")
    api_client.post(f"/api/workshops/{workshop.pk}/seating")
    first = workshop.tables.order_by("pk").first()
    workshop.seats.filter(registration__language="nl").update(table=first)  # moved by hand
    gaps = api_client.get(f"/api/workshops/{workshop.pk}/seating?lang=nl").json()["gaps"]
    assert "Table 2 heeft niemand uit België." in gaps


def test_the_api_seating_is_for_the_meetings_facilitators(client, workshop):
    url = f"/api/workshops/{workshop.pk}/seating"
    assert client.get(url).status_code == 401
    assert client.post(url).status_code == 401
    client.force_login(User.objects.create_user("someone"))
    assert client.get(url).status_code == 403
    client.force_login(person_user(workshop.meeting.cofacilitators.first().person))
    assert client.get(url).status_code == 200
    assert client.get("/api/workshops/999999/seating").status_code == 404
