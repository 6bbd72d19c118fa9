"""Every workshop write that depends on the workshop being open reads that state on the
workshop's locked row, not on the copy its caller holds: a copy loaded before a
facilitator closed the workshop is refused, and nothing is written.

`tests/integration/test_workshop_lock.py` shows on PostgreSQL that each write waits for
a transaction that holds the workshop's row.
"""

from dataclasses import dataclass

import pytest

from workshops.errors import WorkshopClosed
from workshops.models import Contribution, Orientation, Question, Table, Workshop
from workshops.services import orientations as orientations_services
from workshops.services import plan as plan_services
from workshops.services import postits as postits_services
from workshops.services import tables as tables_services
from workshops.services.postits import contribution_create
from workshops.services.workshops import workshop_close


@dataclass
class Stale:
    """Objects loaded before the workshop was closed, each caching the open workshop."""

    workshop: Workshop
    table: Table
    orientation: Orientation
    contribution: Contribution


def stale_copies(workshop: Workshop) -> Stale:
    return Stale(
        workshop=Workshop.objects.get(pk=workshop.pk),
        table=Table.objects.select_related("workshop").filter(workshop=workshop).first(),
        orientation=Orientation.objects.select_related("workshop")
        .filter(workshop=workshop)
        .first(),
        contribution=Contribution.objects.select_related("workshop")
        .filter(workshop=workshop)
        .first(),
    )


def _written() -> tuple:
    """What the writes below would change."""
    return (
        Question.objects.count(),
        sorted(Table.objects.values_list("name", "token")),
        sorted(Orientation.objects.values_list("pk", "title_fr")),
        Contribution.rejected_orientations.through.objects.count(),
    )


# Each write, as a caller holding the stale copies would call it.
WRITES = {
    "question_create": lambda s: plan_services.question_create(s.workshop, text_fr="Et après ?"),
    "table_create": lambda s: tables_services.table_create(s.workshop, "Table 9"),
    "tables_create": lambda s: tables_services.tables_create(s.workshop, 2),
    "table_token_renew": lambda s: tables_services.table_token_renew(s.table),
    "orientation_create": lambda s: orientations_services.orientation_create(
        s.workshop, title_fr="Santé"
    ),
    "orientation_update": lambda s: orientations_services.orientation_update(
        s.orientation, title_fr="Bus"
    ),
    "orientation_delete": lambda s: orientations_services.orientation_delete(s.orientation),
    "contribution_suggestion_reject": lambda s: postits_services.contribution_suggestion_reject(
        s.contribution, s.orientation
    ),
}


@pytest.fixture
def open_workshop(workshop):
    """The shared workshop, with one post-it to reject a suggestion for."""
    contribution_create(workshop, text="Un bus de nuit", source="transcribed")
    return workshop


@pytest.mark.parametrize("write", WRITES)
def test_a_write_on_a_copy_older_than_the_close_is_refused(open_workshop, write):
    stale = stale_copies(open_workshop)
    before = _written()
    workshop_close(Workshop.objects.get(pk=open_workshop.pk))

    with pytest.raises(WorkshopClosed):
        WRITES[write](stale)

    assert _written() == before


@pytest.mark.parametrize("write", WRITES)
def test_the_same_write_goes_through_while_the_workshop_is_open(open_workshop, write):
    stale = stale_copies(open_workshop)
    before = _written()

    WRITES[write](stale)

    assert _written() != before
