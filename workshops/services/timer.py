"""The timer of a workshop's rounds, and its cached state.

Timer actions lock the workshop row first, so two facilitators pressing "pause" at the
same instant leave one consistent state: the second press finds the round paused and
changes nothing. Every change to a round bumps its version, which is the ETag that
pollers send back; the new timer state is built under the lock and cached after commit
(`_timer_changed`).
"""

from datetime import timedelta
from time import monotonic

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext as _

from events_site.kit.memo import BoundedMemo
from events_site.kit.tracked_memory import TrackedMemory

from .. import selectors
from ..errors import InvalidWorkshopData, TimerConflict
from ..models import ROUND_MAX_DURATION_S, Round, Workshop
from ._common import _lock_open
from .tables import TABLE_KEY_PREFIX, _token_key, table_workshop_id

# The most one press of "add time" may add: a typo of 500 minutes is refused.
MAX_EXTENSION_S = 3600


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
    transaction.on_commit(lambda: timer_state_put(workshop.pk, state))


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
    # Checked whatever the action: the document gives `seconds` its bounds, and a value
    # outside them is a mistake even where the action has no use for it.
    if (action == EXTEND or seconds is not None) and not _seconds_valid(seconds):
        raise InvalidWorkshopData(
            _("Add between 1 second and 60 minutes."),
            {"seconds": [_("Give a positive number of seconds, at most 3600.")]},
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


def _seconds_valid(seconds: int | None) -> bool:
    return seconds is not None and 0 < seconds <= MAX_EXTENSION_S


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


TIMER_CACHE_S = 300
TIMER_KEY_PREFIX = "timer:"


def _timer_key(workshop_id: int) -> str:
    return f"{TIMER_KEY_PREFIX}{workshop_id}"


def timer_state_put(workshop_id: int, state: dict | None) -> None:
    """Write the state a change built (see `_timer_changed`).

    Writing it, rather than dropping the key for the next poll to rebuild, closes a race:
    a poll that read the database just before the commit would otherwise put the old
    state back after the drop, and screens would show it until the key expired.
    """
    _phones_seen.clear()
    _clocks.forget()
    if state is None:
        cache.delete(_timer_key(workshop_id))
    else:
        cache.set(_timer_key(workshop_id), state, TIMER_CACHE_S)


def timer_state(workshop_id: int) -> dict | None:
    """The cached state of the workshop's clock, or None for an unknown workshop."""
    key = _timer_key(workshop_id)
    state = cache.get(key)
    if state is None:
        state = selectors.timer_state_build(workshop_id)
        if state is not None:
            # `add`: a change committed since our read has written a newer state.
            cache.add(key, state, TIMER_CACHE_S)
    return state


# Without Redis to announce changes (the embedded default), how long each server process
# answers a phone that holds the clock it last read for that table from its own memory,
# without reading the cache. Only a phone sending the very ETag remembered is answered
# so (a 304, no body), so no phone is ever given an older clock than it holds; a change
# made in another process reaches the phones up to this much later (on top of their
# one-second poll), and a renewed table token still gets a 304 for as long.
TIMER_LOCAL_S = 0.5
_phones_seen = BoundedMemo(most=10_000)

# With Redis, the tokens' workshops and the clocks as the cache holds them, remembered by
# each process for as long as Redis announces no write to them
# (`events_site.kit.tracked_memory`): every phone, with or without the current ETag, is
# answered without a round trip, and never with an older clock than another process
# just handed out.
_clocks = TrackedMemory(TIMER_KEY_PREFIX, TABLE_KEY_PREFIX)


def etag_held(if_none_match: str, etag: str) -> bool:
    """Whether a request's If-None-Match header (`if_none_match`, as sent) names `etag`.

    A phone sends back the very ETag it was last given, once a second: that is compared
    first, and Django's `parse_etags` (a regular expression over each tag listed) reads
    only what is not."""
    return if_none_match == etag or (bool(if_none_match) and etag in parse_etags(if_none_match))


def table_timer_state(
    token: str, workshop_id: int, if_none_match: str = ""
) -> tuple[int, dict | None]:
    """A phone's poll: the workshop of its table token and, if that is the one asked
    about, its clock. One cache read for both, or none: with Redis, while this process's
    memory of them is kept true (`_clocks`); without, when the phone holds (its
    If-None-Match, `etag_held`) the clock this process read for it just before."""
    token_key, timer_key = _token_key(token), _timer_key(workshop_id)
    found = _clocks.get_many([token_key, timer_key])
    untracked = found is None
    if untracked:
        now = monotonic()
        seen = _phones_seen.get((token, workshop_id))
        if seen is not None and seen[0] > now and etag_held(if_none_match, seen[1]["etag"]):
            return workshop_id, seen[1]
        found = cache.get_many([token_key, timer_key])
    table_workshop = found.get(token_key) or table_workshop_id(token)
    if table_workshop != workshop_id:
        return table_workshop, None
    state = found.get(timer_key) or timer_state(workshop_id)
    if state is not None and untracked:
        _phones_seen.remember((token, workshop_id), (now + TIMER_LOCAL_S, state))
    return table_workshop, state
