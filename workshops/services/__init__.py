"""Every write a workshop knows: its plan, its timer, its post-its and their sorting.

Timer actions lock the workshop row first, so two facilitators pressing "pause" at the
same instant leave one consistent state: the second press finds the round paused and
changes nothing. Every change to a round bumps its version, which is the ETag that
pollers send back; the new timer state is built under the lock and cached after commit
(`_timer_changed`).

Every write that depends on the workshop being open takes the same lock and reads the
state under it (`_lock_open`), in one transaction: a facilitator's "close" lands before
or after it, never between the check and the write.
"""

import functools
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit import sql
from events_site.kit.validation import require_one_language, validated_save
from meetings.models import CoFacilitator, Meeting, Person

from .. import selectors
from ..errors import (
    InvalidWorkshopData,
    NotAllowed,
    TimerConflict,
    UnknownTable,
    VoteRefused,
    WorkshopClosed,
)
from ..models import (
    CONTRIBUTION_MAX_LENGTH,
    ROUND_MAX_DURATION_S,
    UNSEATED_TABLE_VOTERS,
    Contribution,
    Orientation,
    Question,
    Round,
    Table,
    TableSeat,
    Vote,
    Workshop,
)
from ..signals import workshop_closed

logger = logging.getLogger(__name__)

# The most one press of "add time" may add: a typo of 500 minutes is refused.
MAX_EXTENSION_S = 3600


def _save(instance, data) -> None:
    validated_save(instance, data, InvalidWorkshopData)


def _require_title(data: dict, instance, field: str = "title") -> None:
    message = _("Give a title in French or in Dutch.")
    require_one_language(data, instance, field, message, InvalidWorkshopData)


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


def _lock(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update().get(pk=workshop.pk)


def _require_open(workshop: Workshop) -> None:
    if workshop.is_closed:
        raise WorkshopClosed(_("This workshop is closed: it takes no more changes."))


def _lock_open(workshop: Workshop) -> Workshop:
    """The workshop's row, locked and read afresh, if it is open: the caller's copy may
    be older than a facilitator's "close", and the lock holds the close off until the
    write commits. Call it inside the write's transaction."""
    workshop = _lock(workshop)
    _require_open(workshop)
    return workshop


# --- The workshop and its plan ----------------------------------------------------------


@transaction.atomic
def workshop_create(meeting: Meeting, **data) -> Workshop:
    if meeting.is_cancelled:
        raise WorkshopClosed(_("This meeting is cancelled: it can have no workshop."))
    workshop = Workshop(meeting=meeting, order=_next_order(meeting.workshops.all()))
    _require_title(data, workshop)
    _save(workshop, data)
    return workshop


@transaction.atomic
def workshop_update(workshop: Workshop, **data) -> Workshop:
    workshop = _lock_open(workshop)
    _require_title(data, workshop)
    _save(workshop, data)
    _timer_changed(workshop)  # the screens show its vote limit
    return workshop


@transaction.atomic
def workshop_facilitators_set(workshop: Workshop, person_ids: Iterable[int]) -> Workshop:
    """The workshop's facilitators are taken from the meeting's co-facilitators and staff."""
    person_ids = set(person_ids)
    people = list(Person.objects.filter(pk__in=sql.key_candidates(person_ids)))
    if len(people) != len(person_ids):
        raise InvalidWorkshopData(
            _("Some of these people are not in the directory."),
            {"facilitators": [_("Unknown id.")]},
        )
    allowed = set(
        CoFacilitator.objects.filter(meeting_id=workshop.meeting_id).values_list(
            "person_id", flat=True
        )
    )
    outsiders = [p.full_name for p in people if p.pk not in allowed]
    if outsiders:
        raise InvalidWorkshopData(
            _("Only the meeting's co-facilitators and support staff can facilitate: %(names)s.")
            % {"names": ", ".join(outsiders)},
            {"facilitators": [_("Add them to the meeting's co-facilitators first.")]},
        )
    workshop.facilitators.set(people)
    return workshop


@transaction.atomic
def workshop_close(workshop: Workshop) -> Workshop:
    """Stop the clock, close the vote and the phones; the booklet can then be built."""
    workshop = _lock(workshop)
    if workshop.is_closed:
        return workshop
    now = timezone.now()
    for round_ in workshop.rounds.filter(state__in=[Round.State.RUNNING, Round.State.PAUSED]):
        _round_finish(round_, now)
    workshop.status = Workshop.Status.CLOSED
    workshop.vote_open = False
    workshop.closed_at = now
    workshop.save(update_fields=["status", "vote_open", "closed_at", "updated_at"])
    _timer_changed(workshop)
    transaction.on_commit(lambda: workshop_closed.send(sender=Workshop, workshop=workshop))
    return workshop


@transaction.atomic
def workshop_reopen(workshop: Workshop) -> Workshop:
    workshop = _lock(workshop)
    workshop.status = Workshop.Status.OPEN
    workshop.closed_at = None
    workshop.save(update_fields=["status", "closed_at", "updated_at"])
    _timer_changed(workshop)
    return workshop


@transaction.atomic
def workshop_vote_set(workshop: Workshop, is_open: bool) -> Workshop:
    workshop = _lock_open(workshop)
    workshop.vote_open = is_open
    workshop.save(update_fields=["vote_open", "updated_at"])
    _timer_changed(workshop)
    return workshop


@transaction.atomic
def question_create(workshop: Workshop, **data) -> Question:
    workshop = _lock_open(workshop)
    question = Question(workshop=workshop, order=_next_order(workshop.questions.all()))
    _require_title(data, question, "text")
    _save(question, data)
    return question


@transaction.atomic
def question_update(question: Question, **data) -> Question:
    workshop = _lock_open(question.workshop)
    _require_title(data, question, "text")
    _save(question, data)
    _timer_changed(workshop)  # the screens show the current round's question
    return question


@transaction.atomic
def question_delete(question: Question) -> None:
    workshop = _lock_open(question.workshop)
    question.delete()
    _timer_changed(workshop)


@transaction.atomic
def table_create(workshop: Workshop, name: str) -> Table:
    """Under the workshop's lock, so that two facilitators adding tables at once number
    them one after the other instead of meeting at the unique name."""
    workshop = _lock_open(workshop)
    table = Table(workshop=workshop)
    _save(table, {"name": name.strip()})
    return table


@transaction.atomic
def tables_create(workshop: Workshop, count: int) -> list[Table]:
    """Number the tables on from the last one: "Table 1", "Table 2"…"""
    if not 1 <= count <= 50:
        raise InvalidWorkshopData(
            _("Create between 1 and 50 tables at once."), {"count": [_("Out of range.")]}
        )
    workshop = _lock_open(workshop)
    existing = workshop.tables.count()
    return [
        table_create(workshop, _("Table %(number)s") % {"number": existing + i + 1})
        for i in range(count)
    ]


@transaction.atomic
def table_token_renew(table: Table) -> Table:
    """A new QR code for the table: the old one (a photo shared too widely) stops working."""
    _lock_open(table.workshop)
    old = Table.objects.values_list("token", flat=True).get(pk=table.pk)
    table.token = Table._meta.get_field("token").default()
    table.save(update_fields=["token"])
    transaction.on_commit(lambda: selectors.table_token_forget(old))
    return table


@transaction.atomic
def round_create(workshop: Workshop, **data) -> Round:
    workshop = _lock_open(workshop)
    round_ = Round(workshop=workshop, order=_next_order(workshop.rounds.all()))
    _require_title(data, round_)
    _check_question(workshop, data.get("question"))
    _save(round_, data)
    return round_


@transaction.atomic
def round_update(round_: Round, **data) -> Round:
    workshop = _lock_open(round_.workshop)
    round_ = Round.objects.get(pk=round_.pk)
    if "duration_s" in data and round_.state != Round.State.PLANNED:
        raise TimerConflict(_("This round has started: add or remove time with the timer instead."))
    _require_title(data, round_)
    _check_question(workshop, data.get("question", round_.question))
    _save(round_, data)
    _timer_changed(workshop)
    return round_


@transaction.atomic
def round_delete(round_: Round) -> None:
    workshop = _lock(round_.workshop)
    if round_.state in (Round.State.RUNNING, Round.State.PAUSED):
        raise TimerConflict(_("Finish this round before deleting it."))
    round_.delete()
    _timer_changed(workshop)


@transaction.atomic
def rounds_reorder(workshop: Workshop, round_ids: list[int]) -> list[Round]:
    workshop = _lock(workshop)
    rounds = {r.pk: r for r in workshop.rounds.all()}
    if sorted(round_ids) != sorted(rounds):
        raise InvalidWorkshopData(
            _("Give every round of this workshop exactly once."),
            {"rounds": [_("The list does not match the workshop's rounds.")]},
        )
    for order, pk in enumerate(round_ids, start=1):
        rounds[pk].order = order
    Round.objects.bulk_update(rounds.values(), ["order"])
    _timer_changed(workshop)
    return sorted(rounds.values(), key=lambda r: r.order)


UP, DOWN = "up", "down"


@transaction.atomic
def round_move(workshop: Workshop, round_: Round, direction: str) -> list[Round]:
    """Swap `round_` with its neighbour above (`UP`) or below; the first round moved up
    (or the last down) stays where it is. Read under the workshop's lock, so that two
    facilitators moving rounds at once each move what the other left."""
    workshop = _lock(workshop)
    order = list(workshop.rounds.order_by("order", "pk").values_list("pk", flat=True))
    index = order.index(round_.pk)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return rounds_reorder(workshop, order)


def _check_question(workshop: Workshop, question: Question | None) -> None:
    if question is not None and question.workshop_id != workshop.pk:
        raise InvalidWorkshopData(
            _("This question belongs to another workshop."), {"question": [_("Not found.")]}
        )


# --- The timer ----------------------------------------------------------------------------

START, PAUSE, RESUME, EXTEND, FINISH, NEXT, RESET = (
    "start",
    "pause",
    "resume",
    "extend",
    "finish",
    "next",
    "reset",
)
TIMER_ACTIONS = (START, PAUSE, RESUME, EXTEND, FINISH, NEXT, RESET)


def _bump(round_: Round, fields: list[str]) -> None:
    round_.version += 1
    round_.save(update_fields=[*fields, "version"])


def _round_finish(round_: Round, now) -> None:
    round_.state = Round.State.FINISHED
    round_.finished_at = now
    round_.ends_at = None
    round_.paused_remaining_s = None
    _bump(round_, ["state", "finished_at", "ends_at", "paused_remaining_s"])


def _round_start(workshop: Workshop, round_: Round, now) -> None:
    for other in workshop.rounds.filter(
        state__in=[Round.State.RUNNING, Round.State.PAUSED]
    ).exclude(pk=round_.pk):
        _round_finish(other, now)
    round_.state = Round.State.RUNNING
    round_.started_at = now
    round_.ends_at = now + round_.duration
    round_.paused_remaining_s = None
    round_.finished_at = None
    _bump(round_, ["state", "started_at", "ends_at", "paused_remaining_s", "finished_at"])
    if workshop.current_round_id != round_.pk:
        workshop.current_round = round_
        workshop.save(update_fields=["current_round", "updated_at"])


def _timer_changed(workshop: Workshop) -> None:
    """Build what the screens will poll now, while the workshop row is locked, and cache
    it once committed: two changes in a row are cached in the order they committed."""
    state = selectors.timer_state_build(workshop.pk)
    transaction.on_commit(lambda: selectors.timer_state_put(workshop.pk, state))


@transaction.atomic
def timer_act(
    workshop: Workshop, action: str, *, seconds: int | None = None, round_id: int | None = None
) -> Round:
    """Apply one console action to the workshop's current round (or `round_id` on start).

    Pressing what is already true (pause a paused round, resume a running one) changes
    nothing and is not an error: that is what a second facilitator's press means.
    """
    if action not in TIMER_ACTIONS:
        raise InvalidWorkshopData(
            _("Unknown timer action “%(action)s”: use one of %(actions)s.")
            % {"action": action, "actions": ", ".join(TIMER_ACTIONS)},
            {"action": [_("Unknown action.")]},
        )
    workshop = _lock_open(workshop)
    now = timezone.now()
    rounds = list(workshop.rounds.all())
    if not rounds:
        raise TimerConflict(_("This workshop has no round yet: add one to the plan first."))
    by_id = {r.pk: r for r in rounds}
    if round_id is not None and round_id not in by_id:
        raise InvalidWorkshopData(
            _("This round belongs to another workshop."), {"round": [_("Not found.")]}
        )
    current = by_id.get(round_id or workshop.current_round_id)

    if action == START:
        target = current or next((r for r in rounds if r.state == Round.State.PLANNED), None)
        if target is None:
            raise TimerConflict(_("Every round is finished: reset one to run it again."))
        if target.state in (Round.State.RUNNING, Round.State.PAUSED) and round_id is None:
            return target
        if target.state == Round.State.FINISHED:
            raise TimerConflict(_("This round is finished: reset it to run it again."))
        _round_start(workshop, target, now)
        result = target
    elif action == NEXT:
        after = [r for r in rounds if r.state == Round.State.PLANNED and r != current]
        if current is not None:
            after = [r for r in after if (r.order, r.pk) > (current.order, current.pk)] or after
        if not after:
            raise TimerConflict(_("There is no next round: the plan is done."))
        if current is not None and current.state in (Round.State.RUNNING, Round.State.PAUSED):
            _round_finish(current, now)
        _round_start(workshop, after[0], now)
        result = after[0]
    else:
        if current is None:
            raise TimerConflict(_("No round has started yet: press start first."))
        result = _timer_change_current(current, action, seconds, now)
    _timer_changed(workshop)
    return result


def _timer_change_current(round_: Round, action: str, seconds: int | None, now) -> Round:
    state = round_.state
    if action == RESET:
        round_.state = Round.State.PLANNED
        round_.ends_at = round_.paused_remaining_s = None
        round_.started_at = round_.finished_at = None
        _bump(round_, ["state", "ends_at", "paused_remaining_s", "started_at", "finished_at"])
        return round_
    if state == Round.State.FINISHED:
        raise TimerConflict(_("This round is finished: reset it or go to the next one."))
    if action == PAUSE:
        if state == Round.State.RUNNING:
            round_.paused_remaining_s = round_.remaining_s(now)
            round_.state = Round.State.PAUSED
            round_.ends_at = None
            _bump(round_, ["state", "ends_at", "paused_remaining_s"])
        elif state == Round.State.PLANNED:
            raise TimerConflict(_("This round has not started: there is nothing to pause."))
    elif action == RESUME:
        if state == Round.State.PAUSED:
            round_.ends_at = now + timedelta(seconds=round_.paused_remaining_s)
            round_.paused_remaining_s = None
            round_.state = Round.State.RUNNING
            _bump(round_, ["state", "ends_at", "paused_remaining_s"])
        elif state == Round.State.PLANNED:
            raise TimerConflict(_("This round has not started: press start."))
    elif action == EXTEND:
        if seconds is None or seconds <= 0 or seconds > MAX_EXTENSION_S:
            raise InvalidWorkshopData(
                _("Add between 1 second and 60 minutes."),
                {"seconds": [_("Give a positive number of seconds, at most 3600.")]},
            )
        if state == Round.State.RUNNING:
            # Time added after the bell counts from now, not from the missed end.
            round_.ends_at = max(round_.ends_at, now) + timedelta(seconds=seconds)
            _bump(round_, ["ends_at"])
        elif state == Round.State.PAUSED:
            round_.paused_remaining_s += seconds
            _bump(round_, ["paused_remaining_s"])
        else:
            round_.duration_s = min(round_.duration_s + seconds, ROUND_MAX_DURATION_S)
            _bump(round_, ["duration_s"])
    elif action == FINISH:
        _round_finish(round_, now)
    return round_


# --- Post-its --------------------------------------------------------------------------


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


# --- Orientations -------------------------------------------------------------------


@transaction.atomic
def orientation_create(workshop: Workshop, **data) -> Orientation:
    workshop = _lock_open(workshop)
    orientation = Orientation(workshop=workshop, order=_next_order(workshop.orientations.all()))
    _require_title(data, orientation)
    _save(orientation, data)
    return orientation


@transaction.atomic
def orientation_update(orientation: Orientation, **data) -> Orientation:
    _lock_open(orientation.workshop)
    _require_title(data, orientation)
    _save(orientation, data)
    return orientation


@transaction.atomic
def orientation_delete(orientation: Orientation) -> None:
    """Its post-its go back to "not sorted"; none is lost."""
    _lock_open(orientation.workshop)
    orientation.delete()


# --- Dot-vote -----------------------------------------------------------------------


@transaction.atomic
def vote_cast(contribution: Contribution, voter: str, *, table_id: int | None = None) -> int:
    """Put one dot; returns the dots the voter has left.

    The workshop row is locked while the dots are counted, so two taps at once cannot
    go over a limit. A phone's dots are also counted against its table: a phone can be
    issued any number of identities (one a page load), but a table's phones together
    place at most its seats times the dots per voter.
    """
    if not voter:
        raise NotAllowed(_("Open this page from your table's QR code to vote."))
    workshop = _lock_open(contribution.workshop)
    if not workshop.vote_open:
        raise VoteRefused(_("The vote is not open: wait for the facilitators to open it."))
    if not contribution.is_visible:
        raise VoteRefused(_("This post-it was merged or hidden: vote for another one."))
    used = Vote.objects.filter(workshop=workshop, voter=voter).count()
    if used >= workshop.vote_limit:
        raise VoteRefused(
            _("You have placed all your %(limit)s dots.") % {"limit": workshop.vote_limit}
        )
    if table_id is not None:
        _table_dots_check(workshop, table_id)
    try:
        with transaction.atomic():
            Vote.objects.create(
                workshop=workshop, contribution=contribution, voter=voter, table_id=table_id
            )
    except IntegrityError:
        raise VoteRefused(_("You already put a dot on this post-it.")) from None
    return workshop.vote_limit - used - 1


def _table_dots_check(workshop: Workshop, table_id: int) -> None:
    """Refuse a dot beyond the table's seats (its seating plan's, or
    `UNSEATED_TABLE_VOTERS`) times the dots per voter."""
    seats = TableSeat.objects.filter(table_id=table_id).count() or UNSEATED_TABLE_VOTERS
    if Vote.objects.filter(table_id=table_id).count() >= seats * workshop.vote_limit:
        raise VoteRefused(
            _(
                "Your table has placed all its dots: %(seats)s seats, %(limit)s dots each. "
                "Ask a facilitator if someone at your table has not voted yet."
            )
            % {"seats": seats, "limit": workshop.vote_limit}
        )


@transaction.atomic
def vote_withdraw(contribution: Contribution, voter: str) -> int:
    workshop = _lock_open(contribution.workshop)
    if not workshop.vote_open:
        raise VoteRefused(_("The vote is closed: dots can no longer change."))
    Vote.objects.filter(contribution=contribution, voter=voter).delete()
    return workshop.vote_limit - Vote.objects.filter(workshop=workshop, voter=voter).count()
