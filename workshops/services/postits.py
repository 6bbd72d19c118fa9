"""Post-its: posting, editing, hiding and merging them."""

import functools

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit import sql

from .. import selectors
from ..errors import InvalidWorkshopData, UnknownTable
from ..models import (
    CONTRIBUTION_MAX_LENGTH,
    Contribution,
    Orientation,
    Question,
    Round,
    Table,
    Workshop,
)
from ._common import _check_question, _lock_open, _require_open, _save
from .embeddings import workshop_texts_embed_later


def _clean_text(value, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidWorkshopData(
            _("The post-it is empty: write something first."), {field: [_("This is required.")]}
        )
    if len(text) > CONTRIBUTION_MAX_LENGTH:
        raise InvalidWorkshopData(
            _("A post-it holds at most %(max)s characters; this one has %(count)s.")
            % {"max": CONTRIBUTION_MAX_LENGTH, "count": len(text)},
            {field: [_("Too long.")]},
        )
    return text


def contribution_create(
    workshop: Workshop,
    *,
    text: str,
    objective: str = "",
    author: str = "",
    question: Question | None = None,
    table: Table | None = None,
    source: str = Contribution.Source.PHONE,
    device: str = "",
    user=None,
) -> Contribution:
    """A new post-it; by default it answers the question of the round on the clock."""
    workshop = Workshop.objects.select_related("current_round").get(pk=workshop.pk)
    if table is not None and table.workshop_id != workshop.pk:
        raise UnknownTable(_("This table belongs to another workshop."))
    _check_question(workshop, question)
    return _contribution_insert(
        workshop,
        table,
        question,
        text=text,
        objective=objective,
        author=author,
        source=source,
        device=device,
        user=user,
    )


def contribution_post(
    workshop_id: int,
    token: str,
    *,
    text: str,
    objective: str = "",
    author: str = "",
    device: str = "",
) -> Contribution:
    """A post-it typed on the phone of the table with this token, in this workshop.

    A whole room posts at the bell, so this is one statement: an INSERT of the checked
    text that takes the table, the open workshop and the round on the clock from a
    SELECT by token (`_post_sql`). Building that with the ORM cost more than the
    database's work; an INSERT that reads in the same statement also cannot race a
    facilitator closing the workshop. Only when it inserts nothing are the reasons
    looked up, to say which one it was.
    """
    text, objective, author = _contribution_texts(text, objective, author)
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    row = None
    # An id no workshop can have inserts nothing: the reasons below say whose table it is.
    if sql.is_key(workshop_id):
        with connection.cursor() as cursor:
            cursor.execute(
                _post_sql(connection.vendor),
                [
                    text,
                    objective,
                    author,
                    Contribution.Source.PHONE,
                    False,
                    device[:64],
                    adapt(now),
                    adapt(now),
                    token,
                    workshop_id,
                    Workshop.Status.OPEN,
                ],
            )
            row = cursor.fetchone()
    if row is None:
        table = selectors.table_by_token(token)
        if table.workshop_id != workshop_id:
            raise selectors.table_of_another_workshop()
        _require_open(table.workshop)
        raise selectors.unknown_table()  # renewed between the two reads
    pk, table_id, table_name, round_id, question_id = row
    workshop_texts_embed_later(workshop_id)
    return Contribution(
        pk=pk,
        workshop_id=workshop_id,
        question_id=question_id,
        round_id=round_id,
        table=Table(pk=table_id, workshop_id=workshop_id, name=table_name, token=token),
        text=text,
        objective=objective,
        author=author,
        source=Contribution.Source.PHONE,
        device=device[:64],
        created_at=now,
        updated_at=now,
    )


# `contribution_post`'s statement; {names} are filled from the models, values are %s.
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


@functools.cache
def _post_sql(vendor: str) -> str:
    """`_POST_SQL` with the models' quoted table and column names, so that it follows
    them (PostgreSQL and SQLite ≥ 3.35 both take INSERT … SELECT … RETURNING). The
    columns left out are the nullable ones a new post-it has empty."""
    names = {}
    for prefix, model in [("c", Contribution), ("t", Table), ("w", Workshop), ("r", Round)]:
        names[model._meta.model_name] = model
        names.update({f"{prefix}_{name}": quoted for name, quoted in sql.columns(model).items()})
    return sql.fill(_POST_SQL, **names)


def _contribution_texts(text: str, objective: str, author: str) -> tuple[str, str, str]:
    """The text, objective and signature of a post-it, checked and trimmed."""
    text = _clean_text(text, "text", required=True)
    objective = _clean_text(objective, "objective", required=False)
    author = author.strip()
    author_max = Contribution._meta.get_field("author").max_length
    if len(author) > author_max:
        raise InvalidWorkshopData(
            _("Sign with at most %(max)s characters.") % {"max": author_max},
            {"author": [_("Too long.")]},
        )
    return text, objective, author


def _contribution_insert(
    workshop: Workshop,
    table: Table | None,
    question: Question | None,
    *,
    text: str,
    objective: str,
    author: str,
    source: str,
    device: str = "",
    user=None,
) -> Contribution:
    """Every field is checked here or comes from a row just read (of this workshop), so
    `full_clean`, with its query per foreign key and savepoint per check, is left out."""
    text, objective, author = _contribution_texts(text, objective, author)
    _require_open(workshop)
    current = workshop.current_round
    if question is None and current is not None:
        question_id = current.question_id
    else:
        question_id = question and question.pk
    workshop_texts_embed_later(workshop.pk)
    return Contribution.objects.create(
        workshop=workshop,
        question_id=question_id,
        round=current,
        table=table,
        text=text,
        objective=objective,
        author=author,
        source=source,
        device=device[:64],
        created_by=user if user is not None and user.is_authenticated else None,
    )


@transaction.atomic
def contribution_update(contribution: Contribution, **changes) -> Contribution:
    """Sort a post-it: its orientation, its wording, hidden or not, merged or not.

    `merged_into=None` un-merges. Merging into a post-it that was itself merged goes to
    the one it was merged into, so a chain never forms; the votes follow.
    """
    workshop = _lock_open(contribution.workshop)
    contribution = Contribution.objects.get(pk=contribution.pk)
    data = {}
    if "text" in changes:
        data["text"] = _clean_text(changes["text"], "text", required=True)
    if "objective" in changes:
        data["objective"] = _clean_text(changes["objective"], "objective", required=False)
    if "hidden" in changes:
        data["hidden"] = bool(changes["hidden"])
    if "orientation" in changes:
        orientation = changes["orientation"]
        if orientation is not None and orientation.workshop_id != workshop.pk:
            raise InvalidWorkshopData(
                _("This orientation belongs to another workshop."),
                {"orientation": [_("Not found.")]},
            )
        data["orientation"] = orientation
    if "merged_into" in changes:
        data["merged_into"] = _merge_target(contribution, changes["merged_into"], workshop)
    _save(contribution, data)
    if data.keys() & {"text", "objective"}:
        workshop_texts_embed_later(workshop.pk)
    if data.get("merged_into") is not None:
        _merge_followers(contribution, data["merged_into"])
    return contribution


def _merge_target(contribution: Contribution, target: Contribution | None, workshop):
    if target is None:
        return None
    if target.workshop_id != workshop.pk:
        raise InvalidWorkshopData(
            _("A post-it can only be merged with one of the same workshop."),
            {"merged_into": [_("Not found.")]},
        )
    target = target.merged_into or target
    if target.pk == contribution.pk:
        raise InvalidWorkshopData(
            _("A post-it cannot be merged into itself."), {"merged_into": [_("Choose another.")]}
        )
    return target


def _merge_followers(contribution: Contribution, target: Contribution) -> None:
    """Post-its merged into this one follow it; its dots move to the target, one per voter."""
    contribution.merged.update(merged_into=target)
    voters = set(target.votes.values_list("voter", flat=True))
    for vote in contribution.votes.all():
        if vote.voter in voters:
            vote.delete()
        else:
            vote.contribution = target
            vote.save(update_fields=["contribution"])
            voters.add(vote.voter)
    if target.orientation_id is None and contribution.orientation_id is not None:
        target.orientation_id = contribution.orientation_id
        target.save(update_fields=["orientation", "updated_at"])


@transaction.atomic
def contribution_suggestion_reject(contribution: Contribution, orientation: Orientation) -> None:
    _lock_open(contribution.workshop)
    contribution.rejected_orientations.add(orientation)
