"""The workshops' hand-written statement keeps the contract of its ORM twin: each case
runs on both (`workshops/sql.py`), with the same answers and the same rows written, on
whichever database the suite runs on."""

import pytest

from tests.workshops.conftest import HOSTILE
from workshops import sql
from workshops.models import Contribution, Workshop
from workshops.services.tables import tables_create
from workshops.services.timer import timer_act
from workshops.services.workshops import workshop_close, workshop_create

pytestmark = pytest.mark.django_db

both = pytest.mark.parametrize(
    "postit_insert", [sql.postit_insert, sql.postit_insert_orm], ids=["sql", "orm"]
)

POSTIT = sql.PostIt(
    text=HOSTILE,
    objective="Moins de voitures, plus de bus 🚌",
    author="Marie <b>&</b>",
    source=Contribution.Source.PHONE,
    device="d" * 64,
)


def stored() -> list[dict]:
    """Every post-it's fields but its timestamps."""
    return list(
        Contribution.objects.values(
            "pk",
            "workshop_id",
            "table_id",
            "round_id",
            "question_id",
            "text",
            "objective",
            "author",
            "source",
            "device",
            "hidden",
            "orientation_id",
            "merged_into_id",
        )
    )


@both
def test_a_post_it_answers_the_round_on_the_clock_at_its_table(postit_insert, workshop):
    timer_act(workshop, "start")
    workshop.refresh_from_db()
    table = workshop.tables.order_by("pk").last()
    current = workshop.current_round

    posted = postit_insert(table.token, workshop.pk, POSTIT)

    assert posted[:5] == (
        Contribution.objects.get().pk,
        table.pk,
        table.name,
        current.pk,
        current.question_id,
    )
    assert posted.at == Contribution.objects.get().created_at
    assert stored() == [
        {
            "pk": posted.id,
            "workshop_id": workshop.pk,
            "table_id": table.pk,
            "round_id": current.pk,
            "question_id": current.question_id,
            **POSTIT._asdict(),
            "hidden": False,
            "orientation_id": None,
            "merged_into_id": None,
        }
    ]


@both
def test_a_post_it_with_no_round_on_the_clock_answers_no_question(postit_insert, workshop):
    table = workshop.tables.first()

    posted = postit_insert(table.token, workshop.pk, POSTIT)

    assert (posted.round_id, posted.question_id) == (None, None)
    assert Contribution.objects.get().question_id is None


@both
def test_a_vote_round_on_the_clock_has_no_question(postit_insert, workshop):
    vote = workshop.rounds.get(kind="vote")
    timer_act(workshop, "start", round_id=vote.pk)

    posted = postit_insert(workshop.tables.first().token, workshop.pk, POSTIT)

    assert (posted.round_id, posted.question_id) == (vote.pk, None)


@both
def test_a_closed_workshop_takes_no_post_it(postit_insert, workshop):
    table = workshop.tables.first()
    workshop_close(workshop)

    assert postit_insert(table.token, workshop.pk, POSTIT) is None
    assert stored() == []


@both
def test_a_wrong_token_posts_nothing(postit_insert, workshop, meeting):
    other = workshop_create(meeting, title_fr="Emploi", title_nl="Werk")
    tables_create(other, 1)
    renewed = workshop.tables.first().token[::-1]

    assert postit_insert(renewed, workshop.pk, POSTIT) is None
    assert postit_insert("", workshop.pk, POSTIT) is None
    # A table of another workshop, though that one is open.
    assert postit_insert(other.tables.get().token, workshop.pk, POSTIT) is None
    assert postit_insert(workshop.tables.first().token, 987654, POSTIT) is None
    assert stored() == []
    assert Workshop.objects.get(pk=other.pk).status == Workshop.Status.OPEN


def test_an_id_no_workshop_can_have_posts_nothing(workshop):
    """SQLite refuses to compare a column with it; the statement is not run."""
    assert sql.postit_insert(workshop.tables.first().token, 2**63, POSTIT) is None
