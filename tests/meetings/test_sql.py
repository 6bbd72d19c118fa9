"""The programme's hand-written statement keeps the contract of its ORM twin: each case
runs on both (`meetings/sql.py`), with the same answer, on whichever database the suite
runs on."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetings import selectors, sql
from meetings.models import AgendaItem, Meeting, Programme, Theme
from tests.factories import MeetingFactory, OrganisationFactory, ProgrammeFactory, ThemeFactory

pytestmark = pytest.mark.django_db

both = pytest.mark.parametrize(
    "programme_agendas",
    [sql.programme_agendas, sql.programme_agendas_orm],
    ids=["sql", "orm"],
)


def items(meeting, *starts, **fields):
    """Items created out of time order, so that the answer's order is the statement's."""
    return [
        AgendaItem.objects.create(
            meeting=meeting,
            kind=AgendaItem.Kind.TALK,
            start_offset_min=start,
            duration_min=15,
            title_fr=f"Exposé {start}",
            **fields,
        )
        for start in starts
    ]


@both
def test_every_public_meeting_s_agenda_comes_in_time_order(programme_agendas, programme):
    published = MeetingFactory(programme=programme)
    cancelled = MeetingFactory(programme=programme, status=Meeting.Status.CANCELLED)
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
    elsewhere = MeetingFactory(programme=ProgrammeFactory(year=programme.year + 1))
    items(published, 60, 0, 30)
    items(cancelled, 15)
    items(draft, 0)
    items(elsewhere, 0)
    MeetingFactory(programme=programme)  # no agenda: absent from the answer

    agendas = programme_agendas(programme.pk, selectors.PUBLIC_STATUSES)

    assert set(agendas) == {published.pk, cancelled.pk}
    assert [row.start_offset_min for row in agendas[published.pk]] == [0, 30, 60]
    assert agendas[published.pk][0] == sql.AgendaRow(published.pk, 0, 15, "Exposé 0", None, "", "")


@both
def test_two_items_at_the_same_minute_keep_the_order_they_were_made_in(programme_agendas, meeting):
    first, second = items(meeting, 0, 0, room="Salle <b>&</b> 🚲", address="Rue 1")
    rows = programme_agendas(meeting.programme_id, selectors.PUBLIC_STATUSES)[meeting.pk]
    assert [row.title_fr for row in rows] == [first.title_fr, second.title_fr]
    assert {row.room for row in rows} == {"Salle <b>&</b> 🚲"}


@both
def test_no_status_asked_for_answers_nothing(programme_agendas, meeting):
    items(meeting, 0)
    assert programme_agendas(meeting.programme_id, [Meeting.Status.DRAFT]) == {}


days_both = pytest.mark.parametrize(
    "programme_days", [sql.programme_days, sql.programme_days_orm], ids=["sql", "orm"]
)


@days_both
def test_each_public_meeting_s_day_is_its_own_time_zone_s(programme_days, programme):
    utc = ZoneInfo("UTC")
    late = MeetingFactory(
        programme=programme,
        starts_at=datetime(2027, 3, 10, 23, 30, tzinfo=utc),
        ends_at=datetime(2027, 3, 11, 1, 0, tzinfo=utc),
        venue_country="FR",
    )
    early = MeetingFactory(
        programme=programme,
        starts_at=datetime(2027, 3, 10, 3, 0, tzinfo=utc),
        ends_at=datetime(2027, 3, 10, 5, 0, tzinfo=utc),
        time_zone="America/Montreal",
        venue_country="CA",
        host_organisation=OrganisationFactory(country="BE"),
    )
    first, second = ThemeFactory(slug="a-first"), ThemeFactory(slug="b-second")
    early.themes.set([first, second])
    MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
    MeetingFactory(programme=ProgrammeFactory(year=programme.year + 1))

    rows = programme_days(programme.year, selectors.PUBLIC_STATUSES)

    assert sorted(rows[:2], key=lambda row: row.theme) == [
        sql.DayRow(early.pk, date(2027, 3, 9), "CA", "BE", theme_columns(first)),
        sql.DayRow(early.pk, date(2027, 3, 9), "CA", "BE", theme_columns(second)),
    ]
    assert rows[2:] == [sql.DayRow(late.pk, date(2027, 3, 11), "FR", None, None)]


def theme_columns(theme) -> tuple:
    """The theme's row as stored, in each language, whatever language is active."""
    return Theme.objects.rewrite(False).values_list(*sql.theme_fields()).get(pk=theme.pk)


@days_both
def test_a_theme_comes_with_its_name_in_each_language(programme_days, meeting):
    theme = ThemeFactory(slug="eau", name_fr="Eau & énergie 💧", name_nl="")
    meeting.themes.set([theme])

    (row,) = programme_days(meeting.programme.year, selectors.PUBLIC_STATUSES)

    assert row.theme == theme_columns(theme)
    assert dict(zip(sql.theme_fields(), row.theme, strict=True))["name_fr"] == "Eau & énergie 💧"


@days_both
def test_a_draft_programme_has_no_days(programme_days, meeting):
    Programme.objects.filter(pk=meeting.programme_id).update(status=Programme.Status.DRAFT)
    assert programme_days(meeting.programme.year, selectors.PUBLIC_STATUSES) == []


def test_the_programmes_and_the_days_come_together_as_each_alone(meeting):
    """`published_programmes_and_days` answers what its two statements answer apart."""
    meeting.themes.set([ThemeFactory(slug="eau")])
    ProgrammeFactory(year=2029)
    year = meeting.programme.year

    programmes, days = sql.published_programmes_and_days(year, selectors.PUBLIC_STATUSES)

    assert days == sql.programme_days_orm(year, selectors.PUBLIC_STATUSES) and len(days) == 1
    assert [(found.pk, found.title_fr) for found in programmes] == [
        (found.pk, found.title_fr) for found in sql.published_programmes_orm()
    ]
    assert [found.year for found in programmes] == [2029, year]


listed_both = pytest.mark.parametrize(
    "listed_meetings", [sql.listed_meetings, sql.listed_meetings_orm], ids=["sql", "orm"]
)


@listed_both
def test_the_listed_meetings_come_in_time_order_with_the_fields_shown(listed_meetings, programme):
    later = MeetingFactory(
        programme=programme, title_fr="Rencontre <b>&</b> 🚲", title_nl="", venue_country="BE"
    )
    earlier = MeetingFactory(
        programme=programme,
        starts_at=later.starts_at - timedelta(days=1),
        ends_at=later.ends_at - timedelta(days=1),
        status=Meeting.Status.CANCELLED,
    )
    same_time = MeetingFactory(
        programme=programme, starts_at=later.starts_at, ends_at=later.ends_at
    )
    MeetingFactory(programme=programme)  # not asked for

    found = listed_meetings({later.pk: None, same_time.pk: None, earlier.pk: None, 987654: None})

    assert [meeting.pk for meeting in found] == [earlier.pk, later.pk, same_time.pk]
    for meeting in found:
        stored = Meeting.objects.get(pk=meeting.pk)
        for name in sql.LISTED_FIELDS:
            assert getattr(meeting, name) == getattr(stored, name), name
        # Any other field is read when asked for.
        assert "description_fr" in meeting.get_deferred_fields()
    assert found[1].title == "Rencontre <b>&</b> 🚲" and found[1].venue_country.code == "BE"
    assert found[0].is_cancelled and found[0].local_starts_at == earlier.local_starts_at


@listed_both
def test_no_meeting_asked_for_answers_none(listed_meetings, meeting):
    assert listed_meetings([]) == []


@pytest.mark.parametrize(
    "published_programmes",
    [sql.published_programmes, sql.published_programmes_orm],
    ids=["sql", "orm"],
)
def test_the_published_programmes_come_newest_first_as_stored(published_programmes, programme):
    newer = ProgrammeFactory(year=2029, title_fr="Rencontres <b>&</b> 🚲", title_nl="")
    published = datetime(2028, 11, 2, 9, 30, tzinfo=ZoneInfo("UTC"))
    Programme.objects.filter(pk=newer.pk).update(published_at=published)
    ProgrammeFactory(year=2028, status=Programme.Status.DRAFT)

    found = published_programmes()

    assert [found_one.year for found_one in found] == [2029, 2027]
    for found_one in found:
        stored = Programme.objects.get(pk=found_one.pk)
        for field in Programme._meta.concrete_fields:
            assert getattr(found_one, field.attname) == getattr(stored, field.attname), field.name
    assert found[0].title == "Rencontres <b>&</b> 🚲"
    assert found[0].published_at == published
