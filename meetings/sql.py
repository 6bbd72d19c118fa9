"""The programme's hand-written SQL, each statement behind a named primitive.

Like `registrations/sql.py` and pretix's `locking.py`, this module is the one home of
the statements the ORM builds too slowly for a hot path; each has an ORM twin,
`<name>_orm`, and `tests/meetings/test_sql.py` runs both on the same cases, so the twin
is the contract the statement keeps on every database.
"""

from collections.abc import Collection, Iterable
from datetime import date
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection

from events_site.kit import sql

from .models import AgendaItem, Meeting, Organisation, Programme, Theme


class AgendaRow(NamedTuple):
    """An agenda item as its line in a year feed shows it, named like `AgendaItem`'s
    fields (what `calendar._EventWriter.agenda` reads)."""

    meeting_id: int
    start_offset_min: int
    duration_min: int
    title_fr: str | None
    title_nl: str | None
    room: str
    address: str


_AGENDAS_SQL = """
    SELECT {meeting_id}, {start}, {duration}, {title_fr}, {title_nl}, {room}, {address}
    FROM {agenda}
    WHERE {meeting_id} IN (
        SELECT {id} FROM {meeting} WHERE {programme_id} = %s AND {status} IN ({statuses})
    )
    ORDER BY {meeting_id}, {start}, {item_id}
"""


def _by_meeting(rows: Iterable[AgendaRow]) -> dict[int, list[AgendaRow]]:
    agendas: dict[int, list[AgendaRow]] = {}
    for row in rows:
        agendas.setdefault(row.meeting_id, []).append(row)
    return agendas


def programme_agendas(programme_id: int, statuses: Iterable[str]) -> dict[int, list[AgendaRow]]:
    """The agenda of every meeting of the programme in one of `statuses`, in one
    statement, by meeting and in time order.

    Written by hand: a year holds thousands of items, and model instances cost a year
    feed's cold build more than the statement does (`tests/bench/README.md`)."""
    statuses = list(statuses)
    statement = sql.fill(
        _AGENDAS_SQL,
        agenda=AgendaItem,
        meeting=Meeting,
        title_fr=(AgendaItem, "title_fr"),
        title_nl=(AgendaItem, "title_nl"),
        room=(AgendaItem, "room"),
        address=(AgendaItem, "address"),
        meeting_id=(AgendaItem, "meeting"),
        start=(AgendaItem, "start_offset_min"),
        duration=(AgendaItem, "duration_min"),
        item_id=(AgendaItem, "id"),
        id=(Meeting, "id"),
        programme_id=(Meeting, "programme"),
        status=(Meeting, "status"),
        statuses=", ".join(["%s"] * len(statuses)),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [programme_id, *statuses])
        return _by_meeting(map(AgendaRow._make, cursor.fetchall()))


def programme_agendas_orm(programme_id: int, statuses: Iterable[str]) -> dict[int, list[AgendaRow]]:
    rows = (
        AgendaItem.objects.filter(meeting__programme_id=programme_id, meeting__status__in=statuses)
        .order_by("meeting_id", "start_offset_min", "pk")
        .values_list(*AgendaRow._fields)
    )
    return _by_meeting(AgendaRow._make(row) for row in rows)


class DayRow(NamedTuple):
    """A public meeting of a programme as the page's index reads it: one row per theme
    (`theme` None for a meeting without one)."""

    meeting_id: int
    day: date  # the day it starts, in its own time zone
    venue_country: str
    host_country: str | None
    theme: tuple | None  # the theme's columns, in `theme_fields()` order


@cache
def theme_fields() -> tuple[str, ...]:
    """What `Theme.from_db` is given of a theme, in the model's order: all of it (its
    names in each language are added to the model once the apps are ready)."""
    return tuple(field.attname for field in Theme._meta.concrete_fields)


_DAYS_SQL = """
    SELECT m.{id}, CAST(m.{starts_at} AT TIME ZONE m.{time_zone} AS date), m.{venue_country},
           o.{country}, {theme_columns}
    FROM {meeting} m
    LEFT JOIN {organisation} o ON o.{organisation_id} = m.{host_id}
    LEFT JOIN {themes} t ON t.{meeting_id} = m.{id}
    LEFT JOIN {theme} th ON th.{theme_pk} = t.{theme_id}
    WHERE m.{programme_id} = (
        SELECT p.{programme_pk} FROM {programme} p WHERE p.{year} = %s AND p.{published} = %s
    ) AND m.{status} IN ({statuses})
    ORDER BY m.{starts_at}, m.{id}
"""


def _day_row(row: tuple) -> DayRow:
    return DayRow(*row[:4], None if row[4] is None else row[4:])


def programme_days(year: int, statuses: Iterable[str]) -> list[DayRow]:
    """Every meeting of the published programme of `year` in one of `statuses`, in time
    order, with its local day, its venue's and host's countries and its themes, in one
    statement.

    Written by hand on PostgreSQL, which finds the local day itself: the page of a
    programme of hundreds of meetings is cut from these rows, and loading each start as
    an aware datetime to move it into its zone cost as much as rendering a month of
    them. The themes come in the same statement: their own query was a tenth of a cold
    page's reads. SQLite has no time zones: there, the ORM twin."""
    if connection.vendor != "postgresql":
        return programme_days_orm(year, statuses)
    statuses = list(statuses)
    with connection.cursor() as cursor:
        cursor.execute(_days_sql(len(statuses)), _days_params(year, statuses))
        return list(map(_day_row, cursor.fetchall()))


def _days_params(year: int, statuses: list[str]) -> list:
    return [year, Programme.Status.PUBLISHED, *statuses]


@cache
def _days_sql(statuses: int) -> str:
    themes = Meeting.themes.through
    return sql.fill(
        _DAYS_SQL,
        meeting=Meeting,
        organisation=Organisation,
        themes=themes,
        theme=Theme,
        id=(Meeting, "id"),
        starts_at=(Meeting, "starts_at"),
        time_zone=(Meeting, "time_zone"),
        venue_country=(Meeting, "venue_country"),
        host_id=(Meeting, "host_organisation"),
        programme_id=(Meeting, "programme"),
        status=(Meeting, "status"),
        programme=Programme,
        programme_pk=(Programme, "id"),
        year=(Programme, "year"),
        published=(Programme, "status"),
        country=(Organisation, "country"),
        organisation_id=(Organisation, "id"),
        theme_id=(themes, "theme"),
        meeting_id=(themes, "meeting"),
        theme_pk=(Theme, "id"),
        theme_columns=", ".join(f"th.{sql.column(Theme, name)}" for name in theme_fields()),
        statuses=", ".join(["%s"] * statuses),
    )


def programme_days_orm(year: int, statuses: Iterable[str]) -> list[DayRow]:
    rows = (
        Meeting.objects.filter(
            programme__year=year,
            programme__status=Programme.Status.PUBLISHED,
            status__in=statuses,
        )
        .order_by("starts_at", "pk")
        # The theme's own columns, not the active language's name in their place.
        .rewrite(False)
        .values_list(
            "pk",
            "starts_at",
            "time_zone",
            "venue_country",
            "host_organisation__country",
            *(f"themes__{name}" for name in theme_fields()),
        )
    )
    zones: dict[str, ZoneInfo] = {}
    return [
        _day_row(
            (
                pk,
                starts_at.astimezone(zones.setdefault(time_zone, ZoneInfo(time_zone))).date(),
                venue,
                host,
                *theme,
            )
        )
        for pk, starts_at, time_zone, venue, host, *theme in rows
    ]


# What the programme page shows of a meeting (`meetings/programme.html`): its long texts,
# host and co-facilitators are the meeting page's.
LISTED_FIELDS = (
    "id",
    "title",
    "title_fr",
    "title_nl",
    "status",
    "starts_at",
    "ends_at",
    "time_zone",
    "venue_name",
    "venue_city",
    "venue_country",
)

_LISTED_SQL = "SELECT {columns} FROM {meeting} WHERE {id} IN ({{ids}}) ORDER BY {starts_at}, {id}"


@cache
def _listed_sql() -> tuple[str, list[str]]:
    """The statement (its ids left to fill), and its columns' names in the order of the
    model's fields (the order `Model.from_db` reads them in)."""
    names = [f.attname for f in Meeting._meta.concrete_fields if f.name in LISTED_FIELDS]
    statement = sql.fill(
        _LISTED_SQL,
        meeting=Meeting,
        columns=", ".join(sql.column(Meeting, name) for name in names),
        id=(Meeting, "id"),
        starts_at=(Meeting, "starts_at"),
    )
    return statement, names


def listed_meetings(ids: Collection[int]) -> list[Meeting]:
    """The meetings `ids` in time order, with their `LISTED_FIELDS` only (the others
    deferred, as `only` leaves them).

    Written by hand: the ORM spent longer building and loading this read of a page's
    meetings than PostgreSQL running it, a tenth of the programme page's cold build
    (`tests/bench/README.md`)."""
    if not ids:
        return []
    statement, names = _listed_sql()
    return sql.instances(
        Meeting, names, statement.format(ids=", ".join(["%s"] * len(ids))), list(ids)
    )


def listed_meetings_orm(ids: Collection[int]) -> list[Meeting]:
    return list(Meeting.objects.filter(pk__in=ids).only(*LISTED_FIELDS).order_by("starts_at", "pk"))


_PROGRAMMES_SQL = "SELECT {columns} FROM {programme} WHERE {status} = %s ORDER BY {year} DESC"


@cache
def _programmes_sql() -> tuple[str, list[str]]:
    names = [field.attname for field in Programme._meta.concrete_fields]
    statement = sql.fill(
        _PROGRAMMES_SQL,
        programme=Programme,
        columns=", ".join(sql.column(Programme, name) for name in names),
        status=(Programme, "status"),
        year=(Programme, "year"),
    )
    return statement, names


def published_programmes() -> list[Programme]:
    """Every published programme, newest first: a handful of rows, read by the
    programme page each time it is built, which the ORM took longer to build the
    statement of than PostgreSQL to run."""
    statement, names = _programmes_sql()
    return sql.instances(Programme, names, statement, [Programme.Status.PUBLISHED])


def published_programmes_orm() -> list[Programme]:
    return list(Programme.objects.filter(status=Programme.Status.PUBLISHED).order_by("-year"))


def published_programmes_and_days(
    year: int, statuses: Iterable[str]
) -> tuple[list[Programme], list[DayRow]]:
    """`published_programmes()` and `programme_days(year, statuses)` in one round trip on
    PostgreSQL (`events_site.kit.sql.sent_together`): what a programme page's index is
    built from, read when a change has left none. Cold, the programmes' own round trip
    cost as much as the statement of the days."""
    if connection.vendor != "postgresql":
        return published_programmes(), programme_days(year, statuses)
    statuses = list(statuses)
    programmes_sql, names = _programmes_sql()
    with connection.cursor() as programmes, connection.cursor() as days:
        with sql.sent_together():
            programmes.execute(programmes_sql, [Programme.Status.PUBLISHED])
            days.execute(_days_sql(len(statuses)), _days_params(year, statuses))
        programme_rows, day_rows = programmes.fetchall(), days.fetchall()
    return sql.loaded(Programme, names, programme_rows), list(map(_day_row, day_rows))
