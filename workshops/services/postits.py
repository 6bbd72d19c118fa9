"""Post-its: posting, editing, hiding and merging them."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import selectors, sql
from ..errors import InvalidWorkshopData, UnknownTable
from ..models import (
    CONTRIBUTION_MAX_LENGTH,
    Contribution,
    Orientation,
    Question,
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

    A whole room posts at the bell, so this is one statement (`sql.postit_insert`): an
    INSERT of the checked text that takes the table, the open workshop and the round on
    the clock by token, so it cannot race a facilitator closing the workshop. Only when
    it inserts nothing are the reasons looked up, to say which one it was.
    """
    text, objective, author = _contribution_texts(text, objective, author)
    postit = sql.PostIt(text, objective, author, Contribution.Source.PHONE, device[:64])
    posted = sql.postit_insert(token, workshop_id, postit)
    if posted is None:
        table = selectors.table_by_token(token)
        if table.workshop_id != workshop_id:
            raise selectors.table_of_another_workshop()
        _require_open(table.workshop)
        raise selectors.unknown_table()  # renewed between the two reads
    workshop_texts_embed_later(workshop_id)
    return Contribution(
        pk=posted.id,
        workshop_id=workshop_id,
        question_id=posted.question_id,
        round_id=posted.round_id,
        table=Table(
            pk=posted.table_id, workshop_id=workshop_id, name=posted.table_name, token=token
        ),
        **postit._asdict(),
        created_at=posted.at,
        updated_at=posted.at,
    )


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
