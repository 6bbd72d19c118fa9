"""The workshops' hand-written SQL, each statement behind a named primitive.

A whole room posts its post-its at the bell, and the ORM took longer to build a post-it's
two queries than the database to run them (`tests/bench/README.md` has the figures). Like
pretix's `locking.py`, this module is the one home of such a statement: the primitive's
signature says what it does to the rows, and it owns its statement and its
database-specific details, so the services read as the domain and call it.

Each primitive has an ORM twin, `<name>_orm`: plain Django doing the same thing, slower
and easier to read. `tests/workshops/test_sql.py` runs both on the same cases, on SQLite
and on PostgreSQL, so the twin is the contract the statement keeps on both.
"""

from datetime import datetime
from functools import cache
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from events_site.kit import sql

from .models import Contribution, Round, Table, Workshop


class PostIt(NamedTuple):
    """What a post-it says and where it came from, checked: stored as given."""

    text: str
    objective: str
    author: str
    source: str
    device: str


class Posted(NamedTuple):
    """A post-it inserted by `postit_insert`: its id, the table's id and name, the round
    on the clock and its question (or None), and its time."""

    id: int
    table_id: int
    table_name: str
    round_id: int | None
    question_id: int | None
    at: datetime


# The INSERT takes the table, the open workshop and the round on the clock from a SELECT
# by token: one statement, which also cannot race a facilitator closing the workshop.
# {names} are filled from the models, values are %s. The columns left out are the
# nullable ones a new post-it has empty.
_POST_SQL = """
INSERT INTO {contribution} ({c_workshop}, {c_question}, {c_round}, {c_table}, {c_text},
    {c_objective}, {c_author}, {c_source}, {c_hidden}, {c_device}, {c_created_at},
    {c_updated_at})
SELECT t.{t_workshop}, r.{r_question}, w.{w_current_round}, t.{t_id},
    %s, %s, %s, %s, %s, %s, %s, %s
FROM {table} t
JOIN {workshop} w ON w.{w_id} = t.{t_workshop}
LEFT JOIN {round} r ON r.{r_id} = w.{w_current_round}
WHERE t.{t_token} = %s AND t.{t_workshop} = %s AND w.{w_status} = %s
RETURNING {c_id}, {c_table}, (SELECT {t_name} FROM {table} WHERE {t_id} = {c_table}),
    {c_round}, {c_question}
"""


@cache
def _post_sql(vendor: str) -> str:
    """`_POST_SQL` with the models' quoted table and column names for the database
    `vendor` (PostgreSQL and SQLite ≥ 3.35 both take INSERT … SELECT … RETURNING)."""
    names = {}
    for prefix, model in [("c", Contribution), ("t", Table), ("w", Workshop), ("r", Round)]:
        names[model._meta.model_name] = model
        names.update({f"{prefix}_{name}": quoted for name, quoted in sql.columns(model).items()})
    return sql.fill(_POST_SQL, **names)


def postit_insert(token: str, workshop_id: int, postit: PostIt) -> Posted | None:
    """A visible post-it at the table with this token, answering the question of the
    round on the clock, if the table is of the workshop `workshop_id` and that workshop
    is open; None, with nothing written, otherwise."""
    if not sql.is_key(workshop_id):
        return None
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _post_sql(connection.vendor),
            [
                postit.text,
                postit.objective,
                postit.author,
                postit.source,
                False,
                postit.device,
                adapt(now),
                adapt(now),
                token,
                workshop_id,
                Workshop.Status.OPEN,
            ],
        )
        row = cursor.fetchone()
    return None if row is None else Posted(*row, at=now)


def postit_insert_orm(token: str, workshop_id: int, postit: PostIt) -> Posted | None:
    table = (
        Table.objects.select_related("workshop__current_round")
        .filter(token=token, workshop_id=workshop_id, workshop__status=Workshop.Status.OPEN)
        .first()
    )
    if table is None:
        return None
    current = table.workshop.current_round
    contribution = Contribution.objects.create(
        workshop_id=workshop_id,
        table=table,
        round=current,
        question_id=current.question_id if current is not None else None,
        **postit._asdict(),
    )
    return Posted(
        contribution.pk,
        table.pk,
        table.name,
        contribution.round_id,
        contribution.question_id,
        contribution.created_at,
    )
