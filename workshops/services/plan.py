"""A workshop's plan: its questions and its timed rounds, in order."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import InvalidWorkshopData, TimerConflict
from ..models import Question, Round, Workshop
from ._common import _check_question, _lock, _lock_open, _next_order, _require_title, _save
from .timer import _timer_changed


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
