"""The programme's hand-written SQL, each statement behind a named primitive.

Like `registrations/sql.py` and pretix's `locking.py`, this module is the one home of
the statements the ORM builds too slowly for a hot path; each has an ORM twin,
`<name>_orm`, and `tests/meetings/test_sql.py` runs both on the same cases, so the twin
is the contract the statement keeps on every database.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection

from events_site.kit import sql

from .models import AgendaItem, Meeting


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
