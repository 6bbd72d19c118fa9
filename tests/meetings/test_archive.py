"""The front door, the links between programme years, the archive of past meetings, and
what a past or closed meeting's page says."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from meetings.models import Meeting, Programme
from tests.factories import (
    BRUSSELS,
    MeetingFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def _at(year, month=3, day=12):
    return datetime(year, month, day, 9, 30, tzinfo=BRUSSELS)


@pytest.fixture
def years():
    """Past programmes 2023 and 2024, this year's with one meeting already over, and next
    year's with meetings to come."""
    this_year = timezone.localdate().year
    past = MeetingFactory(
        programme=ProgrammeFactory(year=this_year),
        starts_at=timezone.now() - timedelta(days=1, hours=3),
        ends_at=timezone.now() - timedelta(days=1),
        title_fr="Passée cette année",
    )
    upcoming = MeetingFactory(
        programme=ProgrammeFactory(year=this_year + 1), starts_at=_at(this_year + 1)
    )
    old = [
        MeetingFactory(programme=ProgrammeFactory(year=year), starts_at=_at(year))
        for year in (2023, 2024)
    ]
    return {"past": past, "upcoming": upcoming, "old": old, "this_year": this_year}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_front_door_opens_on_the_nearest_year_with_meetings_to_come(client, years, lang):
    for url in ("/", f"/{lang}/"):
        response = client.get(url, follow=True, headers={"accept-language": lang})
        assert response.redirect_chain[-1][0] == f"/{lang}/programme/{years['this_year'] + 1}/"


def test_without_meetings_to_come_the_front_door_opens_on_the_latest_programme(client, db):
    MeetingFactory(programme=ProgrammeFactory(year=2024), starts_at=_at(2024))
    ProgrammeFactory(year=2025)
    response = client.get("/fr/", follow=True)
    assert response.redirect_chain[-1][0] == "/fr/programme/2025/"


def test_every_programme_page_links_the_other_years_and_the_archive(client, years):
    ProgrammeFactory(year=2022, status=Programme.Status.DRAFT)
    body = client.get("/nl/programme/2023/").content.decode()
    for year in (2024, years["this_year"], years["this_year"] + 1):
        assert f'href="/nl/programme/{year}/"' in body
    assert 'aria-current="page">2023<' in body
    assert "/nl/programme/2022/" not in body
    assert 'href="/nl/archive/"' in body


def test_the_archive_lists_past_meetings_newest_first_with_host_themes_and_results(client, years):
    past = years["past"]
    past.host_organisation = OrganisationFactory(name="Ville de Comines <b>&")
    past.closed_at = timezone.now()
    past.save()
    past.themes.add(ThemeFactory(slug="eau", name_fr="Eau", name_nl="Water"))
    MeetingFactory(
        programme=past.programme,
        starts_at=past.starts_at,
        ends_at=past.ends_at,
        status=Meeting.Status.CANCELLED,
        title_fr="Annulée",
    )
    body = client.get("/fr/archive/").content.decode()
    titles = [past.title_fr, years["old"][1].title_fr, years["old"][0].title_fr]
    positions = [body.index(title) for title in titles]
    assert positions == sorted(positions)
    assert years["upcoming"].title_fr not in body and "Annulée" not in body
    assert "En partenariat avec Ville de Comines &lt;b&gt;&amp;" in body
    assert '<span class="theme">Eau</span>' in body
    assert f'href="/fr/meetings/{past.pk}/results/"' in body
    assert f'href="/fr/meetings/{years["old"][0].pk}/results/"' not in body
    dutch = client.get("/nl/archive/").content.decode()
    assert "In samenwerking met Ville de Comines" in dutch and ">Water<" in dutch


def test_the_archive_searches_title_and_commune_and_filters_theme_and_year(client, years):
    old_2023, old_2024 = years["old"]
    Meeting.objects.filter(pk=old_2023.pk).update(venue_city="Wervik", title_nl="Grenswater")
    old_2024.themes.add(ThemeFactory(slug="mobilite"))

    def titles(query):
        body = client.get(f"/fr/archive/?{query}").content.decode()
        return {m.title_fr for m in (years["past"], old_2023, old_2024) if m.title_fr in body}

    assert titles("q=wervik") == {old_2023.title_fr}
    assert titles("q=grensWATER") == {old_2023.title_fr}
    assert titles("theme=mobilite") == {old_2024.title_fr}
    assert titles("year=2024") == {old_2024.title_fr}
    assert titles("year=nope&q=%3Cb%3E%F0%9F%8C%B1") == set()


def test_the_archive_is_paginated_in_at_most_8_queries_whatever_its_size(
    client, db, django_assert_max_num_queries
):
    programme = ProgrammeFactory(year=2024)
    themes = [ThemeFactory(slug=f"t{i}") for i in range(3)]
    host = OrganisationFactory()
    start = _at(2024, 1, 4)
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                programme=programme,
                title_fr=f"Rencontre {i:03}",
                starts_at=start + timedelta(hours=14 * i),
                ends_at=start + timedelta(hours=14 * i + 3),
                venue_name="Salle",
                venue_city="Tournai",
                venue_country="BE",
                host_organisation=host,
                status=Meeting.Status.PUBLISHED,
            )
            for i in range(250)
        ]
    )
    Meeting.themes.through.objects.bulk_create(
        [Meeting.themes.through(meeting=m, theme=themes[i % 3]) for i, m in enumerate(meetings)]
    )
    with django_assert_max_num_queries(8):
        first = client.get("/fr/archive/").content.decode()
    assert first.count('class="meeting"') == 20
    assert "Rencontre 249" in first and "Page 1 sur 13" in first
    with django_assert_max_num_queries(8):
        last = client.get("/nl/archive/?theme=t0&page=3").content.decode()
    assert last.count('class="meeting"') == 20
    assert 'href="?theme=t0&amp;page=2"' in last


def test_a_past_meeting_says_so_and_a_closed_one_links_its_results(client, years):
    past = years["past"]
    body = client.get(f"/fr/meetings/{past.pk}/").content.decode()
    assert "Cette rencontre est passée." in body
    assert "/results/" not in body
    Meeting.objects.filter(pk=past.pk).update(closed_at=timezone.now())
    body = client.get(f"/nl/meetings/{past.pk}/").content.decode()
    assert f'href="/nl/meetings/{past.pk}/results/"' in body
    upcoming = client.get(f"/fr/meetings/{years['upcoming'].pk}/").content.decode()
    assert "Cette rencontre est passée." not in upcoming
