import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache

from meetings import programme_page, selectors
from meetings.cache import programme_generation_bump
from meetings.models import CoFacilitator, Meeting, Programme
from meetings.programme_page import programme_pages_warm
from tests.factories import (
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def test_programme_groups_meetings_by_month_in_local_time(client, meeting):
    later = MeetingFactory(
        programme=meeting.programme,
        title_fr="Rencontre automnale",
        starts_at=meeting.starts_at.replace(month=10),
        ends_at=meeting.ends_at.replace(month=10),
    )
    MeetingFactory(programme=meeting.programme, status=Meeting.Status.DRAFT, title_fr="Secret")

    page = client.get("/fr/programme/2027/").content.decode()

    assert page.index("Mars 2027") < page.index(meeting.title_fr) < page.index("Octobre 2027")
    assert page.index("Octobre 2027") < page.index(later.title_fr)
    assert "9:30" in page or "09:30" in page
    assert "Secret" not in page


def test_programme_in_dutch_uses_dutch_titles_and_months(client, meeting):
    page = client.get("/nl/programme/2027/").content.decode()
    assert meeting.title_nl in page and "Maart 2027" in page
    assert 'lang="nl"' in page


def test_every_page_links_to_itself_in_the_other_languages(client, meeting):
    page = client.get(f"/fr/meetings/{meeting.pk}/").content.decode()
    for prefix in ("/fr/", "/nl/", "/en/"):
        assert f'href="{prefix}meetings/{meeting.pk}/"' in page


def test_filters_by_theme_and_by_country(client, programme):
    water = ThemeFactory(slug="eau")
    french = MeetingFactory(programme=programme, venue_country="FR", title_fr="À Halluin")
    french.themes.add(water)
    belgian = MeetingFactory(programme=programme, venue_country="BE", title_fr="À Menin")

    by_theme = client.get("/fr/programme/2027/?theme=eau").content.decode()
    assert french.title_fr in by_theme and belgian.title_fr not in by_theme

    by_country = client.get("/fr/programme/2027/?country=be").content.decode()
    assert belgian.title_fr in by_country and french.title_fr not in by_country
    assert '<option value="BE" selected>' in by_country

    nothing = client.get("/fr/programme/2027/?theme=eau&country=BE").content.decode()
    assert "Aucune rencontre" in nothing or "No meeting" in nothing


def test_a_meeting_hosted_across_the_border_is_found_under_the_host_country(client, programme):
    host = OrganisationFactory(country="BE", name="Menen")
    meeting = MeetingFactory(programme=programme, venue_country="FR", host_organisation=host)
    assert meeting.title_fr in client.get("/fr/programme/2027/?country=BE").content.decode()


def test_the_programme_index_comes_back_from_the_cache_as_it_was_built(programme):
    """The cache pickles it by columns (`ProgrammeIndex.__reduce__`), each day once."""
    water, mobility = ThemeFactory(slug="eau"), ThemeFactory(slug="mobilite")
    host = OrganisationFactory(country="BE", name="Menen")
    first = MeetingFactory(programme=programme, venue_country="FR", host_organisation=host)
    first.themes.add(water, mobility)
    MeetingFactory(programme=programme, venue_country="BE", starts_at=first.starts_at)
    index = selectors.programme_index(programme.year)

    cache.set("index", index)
    restored = cache.get("index")

    assert restored == index and len(index.meetings) == 2
    assert restored.meetings[0].day is restored.meetings[1].day
    assert restored.matching("eau", "BE") == [index.meetings[0]]
    assert restored.programme.title_fr == programme.title_fr and restored.years == [2027]
    empty = ProgrammeFactory(year=2031)
    cache.set("empty", selectors.programme_index(2031))
    assert cache.get("empty") == selectors.ProgrammeIndex(
        programme=empty, years=[2031, 2027], meetings=[], themes=[], codes=frozenset()
    )


def test_a_meeting_whose_local_day_falls_back_a_month_is_shown_in_that_month():
    """The index is in time order, and a later start in a time zone further west can
    still be on the last day of the month before."""
    montreal, brussels, montreal_later = (
        selectors.Listed(1, date(2027, 2, 28), (), ("CA",)),
        selectors.Listed(2, date(2027, 3, 1), (), ("BE",)),
        selectors.Listed(3, date(2027, 2, 28), (), ("CA",)),
    )
    by_month = programme_page._by_month([montreal, brussels, montreal_later])
    assert by_month == {
        date(2027, 2, 1): [montreal, montreal_later],
        date(2027, 3, 1): [brussels],
    }


def test_cancelled_meetings_are_shown_as_cancelled(client, programme):
    meeting = MeetingFactory(
        programme=programme, status=Meeting.Status.CANCELLED, cancellation_reason="Salle fermée"
    )
    listing = client.get("/en/programme/2027/").content.decode()
    assert 'class="meeting cancelled"' in listing
    detail = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert "notice-cancelled" in detail and "Salle fermée" in detail
    assert "seats-left" not in detail


def test_meeting_page_shows_pair_venue_languages_and_seats(client, meeting):
    page = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    for cofacilitator in meeting.cofacilitators.select_related("person__organisation"):
        assert cofacilitator.person.full_name in page
        assert cofacilitator.person.organisation.name in page
    assert meeting.venue_name in page and "Belgium" in page
    assert "Français" in page and "Nederlands" in page
    assert f"{meeting.capacity} / {meeting.capacity}" in page


def test_user_text_is_escaped(client, programme):
    meeting = MeetingFactory(
        programme=programme, title_fr="<b>&</b> 🎉", venue_name="<script>x</script>"
    )
    page = client.get(f"/fr/meetings/{meeting.pk}/").content.decode()
    assert "&lt;b&gt;&amp;&lt;/b&gt; 🎉" in page
    assert "<script>x</script>" not in page


@pytest.mark.parametrize(
    "url",
    ["/fr/programme/2026/", "/fr/programme/2031/", "/fr/meetings/{draft}/", "/fr/meetings/999999/"],
)
def test_drafts_and_unknowns_are_404(client, programme, url):
    ProgrammeFactory(year=2026, status=Programme.Status.DRAFT)
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
    assert client.get(url.format(draft=draft.pk)).status_code == 404


def test_a_published_meeting_of_a_draft_programme_stays_hidden(client, db):
    programme = ProgrammeFactory(year=2028, status=Programme.Status.DRAFT)
    meeting = MeetingFactory(programme=programme)
    assert client.get(f"/fr/meetings/{meeting.pk}/").status_code == 404


def test_root_redirects_to_the_current_programme(client, meeting):
    response = client.get("/fr/programme/", follow=True)
    assert response.redirect_chain[-1][0] == "/fr/programme/2027/"


def _bulk_programme(programme, n: int) -> None:
    """N published meetings with themes and a pair each, written in a few queries."""
    themes = [ThemeFactory(slug=f"t{i}") for i in range(3)]
    fr, be = PersonFactory(organisation__country="FR"), PersonFactory(organisation__country="BE")
    start = MeetingFactory.build(programme=programme).starts_at.replace(month=1, day=4)
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                programme=programme,
                title_fr=f"Rencontre {i}",
                title_nl=f"Ontmoeting {i}",
                starts_at=start + timedelta(hours=14 * i),
                ends_at=start + timedelta(hours=14 * i + 3),
                venue_name="Salle",
                venue_city="Tournai",
                venue_country="BE" if i % 2 else "FR",
                status=Meeting.Status.PUBLISHED,
            )
            for i in range(n)
        ]
    )
    Meeting.themes.through.objects.bulk_create(
        [Meeting.themes.through(meeting=m, theme=themes[i % 3]) for i, m in enumerate(meetings)]
    )
    CoFacilitator.objects.bulk_create(
        [CoFacilitator(meeting=m, person=p) for m in meetings for p in (fr, be)]
    )


def test_a_programme_of_500_meetings_is_a_month_a_page_in_a_few_queries(
    client, programme, django_assert_max_num_queries
):
    _bulk_programme(programme, 500)
    with django_assert_max_num_queries(3):
        response = client.get("/fr/programme/2027/?theme=t1&month=2027-03")
    html = response.content.decode()
    assert 'aria-current="page">Mars 2027' in html
    assert 'href="?theme=t1&amp;month=2027-04"' in html
    assert "167 rencontres" in html

    shown = 0
    links = re.findall(
        r'href="\?month=(\d{4}-\d{2})"', client.get("/nl/programme/2027/").content.decode()
    )
    assert len(links) >= 8
    for month in links:
        # The index, the programme with it, is kept: a page after the first reads its
        # meetings alone.
        with django_assert_max_num_queries(1):
            page = client.get(f"/nl/programme/2027/?month={month}")
        assert len(page.content) < 150_000
        shown += page.content.decode().count('class="meeting"')
    first = client.get("/nl/programme/2027/").content.decode()
    assert shown + first.count('class="meeting"') == 500


def test_a_crowded_month_is_shown_in_parts_of_consecutive_days(
    client, programme, django_assert_max_num_queries
):
    start = MeetingFactory.build(programme=programme).starts_at.replace(month=3, day=2, hour=9)
    Meeting.objects.bulk_create(
        Meeting(
            programme=programme,
            title_fr=f"Rencontre {i}",
            starts_at=start + timedelta(hours=2 * i),
            ends_at=start + timedelta(hours=2 * i + 1),
            venue_name="Salle",
            venue_city="Tournai",
            venue_country="BE",
            status=Meeting.Status.PUBLISHED,
        )
        for i in range(250)
    )
    page = client.get("/fr/programme/2027/?month=2027-03").content.decode()
    parts = re.findall(r'href="\?month=2027-03&amp;part=(\d)"', page)
    assert parts == ["2", "3"]
    assert 'aria-current="page">2–' in page
    shown = page.count('class="meeting"')
    for part in parts:
        with django_assert_max_num_queries(1):
            other = client.get(f"/fr/programme/2027/?month=2027-03&part={part}")
        shown += other.content.decode().count('class="meeting"')
    assert shown == 250
    beyond = client.get("/fr/programme/2027/?month=2027-03&part=9").content.decode()
    assert beyond.count('class="meeting"') == page.count('class="meeting"')


def test_the_programme_page_is_built_once_per_change_and_answers_304(
    client, programme, meeting, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = client.get("/fr/programme/2027/?country=be")
    assert first.status_code == 200 and first["ETag"]
    assert "max-age" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = client.get("/fr/programme/2027/?country=BE", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        MeetingFactory(programme=programme, title_fr="Nouvelle <b>& 🚲", venue_country="BE")
    changed = client.get("/fr/programme/2027/?country=BE", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "Nouvelle &lt;b&gt;&amp; 🚲" in changed.content.decode()
    # The language switcher keeps the page's filters, not what else the address held.
    assert 'href="/nl/programme/2027/?country=BE"' in changed.content.decode()


@pytest.mark.parametrize("prefix", ["de", "fr-be", "es"])
def test_an_unknown_language_falls_back_to_french(client, meeting, prefix):
    response = client.get(f"/{prefix}/programme/2027/?country=BE")
    assert response.status_code == 302
    assert response["Location"] == "/fr/programme/2027/?country=BE"


def test_an_unknown_page_in_a_known_language_is_still_404(client, db):
    assert client.get("/nl/nowhere/").status_code == 404


def test_the_warm_up_builds_every_page_of_the_programme_before_anyone_asks(
    client, programme, django_assert_num_queries
):
    _bulk_programme(programme, 200)
    built = programme_pages_warm(2027)

    months = re.findall(
        r'href="\?month=(\d{4}-\d{2})"', client.get("/fr/programme/2027/").content.decode()
    )
    assert built == 3 * (1 + len(months) + 1)  # every language: the default page, each month
    for language in ("fr", "nl", "en"):
        for month in ["", *months]:
            with django_assert_num_queries(0):
                page = client.get(f"/{language}/programme/2027/?month={month}")
            assert page.status_code == 200


def test_the_warm_up_stops_once_the_programme_changes_again(programme, monkeypatch):
    _bulk_programme(programme, 200)
    built = []

    def build(*args, **kwargs):
        built.append(args)
        programme_generation_bump()

    monkeypatch.setattr("meetings.programme_page.programme_page_payload", build)
    assert programme_pages_warm(2027) == 1 == len(built)
