"""The programme's hand-written SQL, each statement behind a named primitive.

Like `registrations/sql.py` and pretix's `locking.py`, this module is the one home of
the statements the ORM builds too slowly for a hot path; each has an ORM twin,
`<name>_orm`, and `tests/meetings/test_sql.py` runs both on the same cases, so the twin
is the contract the statement keeps on every database.
"""

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection

from events_site.kit import sql

from .models import AgendaItem, Meeting, Organisation


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
    (`theme_id` None for a meeting without one)."""

    meeting_id: int
    day: date  # the day it starts, in its own time zone
    venue_country: str
    host_country: str | None
    theme_id: int | None


_DAYS_SQL = """
    SELECT m.{id}, CAST(m.{starts_at} AT TIME ZONE m.{time_zone} AS date), m.{venue_country},
           o.{country}, t.{theme_id}
    FROM {meeting} m
    LEFT JOIN {organisation} o ON o.{organisation_id} = m.{host_id}
    LEFT JOIN {themes} t ON t.{meeting_id} = m.{id}
    WHERE m.{programme_id} = %s AND m.{status} IN ({statuses})
    ORDER BY m.{starts_at}, m.{id}
"""


def programme_days(programme_id: int, statuses: Iterable[str]) -> list[DayRow]:
    """Every meeting of the programme in one of `statuses`, in time order, with its local
    day, its venue's and host's countries and its themes, in one statement.

    Written by hand on PostgreSQL, which finds the local day itself: the page of a
    programme of hundreds of meetings is cut from these rows, and loading each start as
    an aware datetime to move it into its zone cost as much as rendering a month of
    them. SQLite has no time zones: there, the ORM twin."""
    if connection.vendor != "postgresql":
        return programme_days_orm(programme_id, statuses)
    statuses = list(statuses)
    themes = Meeting.themes.through
    statement = sql.fill(
        _DAYS_SQL,
        meeting=Meeting,
        organisation=Organisation,
        themes=themes,
        id=(Meeting, "id"),
        starts_at=(Meeting, "starts_at"),
        time_zone=(Meeting, "time_zone"),
        venue_country=(Meeting, "venue_country"),
        host_id=(Meeting, "host_organisation"),
        programme_id=(Meeting, "programme"),
        status=(Meeting, "status"),
        country=(Organisation, "country"),
        organisation_id=(Organisation, "id"),
        theme_id=(themes, "theme"),
        meeting_id=(themes, "meeting"),
        statuses=", ".join(["%s"] * len(statuses)),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [programme_id, *statuses])
        return list(map(DayRow._make, cursor.fetchall()))


def programme_days_orm(programme_id: int, statuses: Iterable[str]) -> list[DayRow]:
    rows = (
        Meeting.objects.filter(programme_id=programme_id, status__in=statuses)
        .order_by("starts_at", "pk")
        .values_list(
            "pk", "starts_at", "time_zone", "venue_country", "host_organisation__country", "themes"
        )
    )
    zones: dict[str, ZoneInfo] = {}
    return [
        DayRow(
            pk,
            starts_at.astimezone(zones.setdefault(time_zone, ZoneInfo(time_zone))).date(),
            venue,
            host,
            theme_id,
        )
        for pk, starts_at, time_zone, venue, host, theme_id in rows
    ]
