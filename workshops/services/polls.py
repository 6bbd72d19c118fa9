"""Polls and word clouds: the room's voice on the projector.

A round of kind "poll" offers options written in French and Dutch (or a 1-to-5 scale),
a round of kind "words" collects up to three short words or phrases per phone. Both
count voters the way the dot-vote does: by the signed identity of a phone (`devices`),
or a facilitator as themself, each once; and since a phone can be issued a new identity
by clearing its cookies, a table's phones together answer at most once per seat.

Every write locks the workshop row first (`_lock_open`), as the dot-vote does, so two
taps of one phone at once are one answer, and a facilitator's "close" or "reveal" lands
before or after an answer, never between its check and its write.
"""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events_site.kit.text import fold

from ..errors import InvalidWorkshopData, NotAllowed, VoteRefused
from ..models import (
    POLL_MAX_OPTIONS,
    SCALE_MAX,
    SCALE_MIN,
    UNSEATED_TABLE_VOTERS,
    WORD_MAX_LENGTH,
    WORDS_PER_VOTER,
    PollAnswer,
    PollOption,
    Round,
    TableSeat,
    WordEntry,
)
from ._common import _lock_open, _next_order, _require_title, _save
from .embeddings import workshop_texts_embed_later
from .timer import _timer_changed

_SPACES = re.compile(r"\s+")
# What is left of a word once folded: letters, digits, inner apostrophes and hyphens.
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def word_key(text: str) -> str:
    """A word as the cloud compares it: case, accents and ligatures folded, spaces
    collapsed, punctuation at its ends dropped ("Mobilité !" and "mobilite" are one),
    unless nothing else is left (an emoji is a word)."""
    folded = _SPACES.sub(" ", fold(text)).strip()
    return _EDGES.sub("", folded) or folded


def _require_kind(round_: Round, kind: str) -> None:
    if round_.kind != kind:
        label = Round.Kind(kind).label
        raise InvalidWorkshopData(
            _("This round is not a %(kind)s round.") % {"kind": label},
            {"round": [_("Choose a round of kind “%(kind)s”.") % {"kind": label}]},
        )


def _require_open_round(round_: Round) -> None:
    if round_.state not in (Round.State.RUNNING, Round.State.PAUSED):
        raise VoteRefused(_("This round is not on the clock: wait for the facilitators."))


def _round_locked(round_: Round, kind: str) -> Round:
    """The round afresh, under its workshop's lock, if it is of `kind`."""
    _lock_open(round_.workshop)
    round_ = Round.objects.select_related("workshop").get(pk=round_.pk)
    _require_kind(round_, kind)
    return round_


def _table_voters_check(model, round_: Round, table_id: int | None) -> None:
    """A new voter at a table that has already answered once per seat is refused."""
    if table_id is None:
        return
    seats = TableSeat.objects.filter(table_id=table_id).count() or UNSEATED_TABLE_VOTERS
    voters = model.objects.filter(round=round_, table_id=table_id).values("voter").distinct()
    if voters.count() >= seats:
        raise VoteRefused(
            _(
                "Your table has answered once per seat (%(seats)s). "
                "Ask a facilitator if someone at your table has not answered yet."
            )
            % {"seats": seats}
        )


# --- Options ---------------------------------------------------------------------------


@transaction.atomic
def poll_option_create(round_: Round, **data) -> PollOption:
    """A new option at the end of the poll's list; a scale has none of its own."""
    round_ = _round_locked(round_, Round.Kind.POLL)
    if round_.poll_mode == Round.PollMode.SCALE:
        raise InvalidWorkshopData(
            _("A 1-to-5 scale has no options to write: change the poll's mode first."),
            {"poll_mode": [_("Choose single or multiple choice.")]},
        )
    if round_.poll_options.count() >= POLL_MAX_OPTIONS:
        raise InvalidWorkshopData(
            _("A poll offers at most %(max)s options.") % {"max": POLL_MAX_OPTIONS},
            {"label": [_("Too many options.")]},
        )
    option = PollOption(round=round_, order=_next_order(round_.poll_options.all()))
    _require_title(data, option, "label")
    _save(option, data)
    return option


@transaction.atomic
def poll_option_update(option: PollOption, **data) -> PollOption:
    _round_locked(option.round, Round.Kind.POLL)
    _require_title(data, option, "label")
    _save(option, data)
    return option


@transaction.atomic
def poll_option_delete(option: PollOption) -> None:
    """The option goes, with the answers that ticked it."""
    _round_locked(option.round, Round.Kind.POLL)
    option.delete()


@transaction.atomic
def round_results_reveal(round_: Round, revealed: bool = True) -> Round:
    """Show (or hide again) a poll's or a cloud's results on the screens."""
    _lock_open(round_.workshop)
    round_ = Round.objects.select_related("workshop").get(pk=round_.pk)
    if round_.kind not in (Round.Kind.POLL, Round.Kind.WORDS):
        raise InvalidWorkshopData(
            _("Only a poll or a word cloud has results to reveal."),
            {"round": [_("Choose a poll or a words round.")]},
        )
    round_.results_revealed = revealed
    round_.save(update_fields=["results_revealed"])
    _timer_changed(round_.workshop)
    return round_


# --- Answers ---------------------------------------------------------------------------


def _answer_rows(round_: Round, options: list[int], value: int | None) -> list[dict]:
    """The rows of one answer, checked against the poll's mode."""
    if round_.poll_mode == Round.PollMode.SCALE:
        if value is None or options:
            raise InvalidWorkshopData(
                _("Answer this poll with a value from %(min)s to %(max)s.")
                % {"min": SCALE_MIN, "max": SCALE_MAX},
                {"value": [_("This is required.")]},
            )
        if not SCALE_MIN <= value <= SCALE_MAX:
            raise InvalidWorkshopData(
                _("Choose a value from %(min)s to %(max)s; %(value)s is off the scale.")
                % {"min": SCALE_MIN, "max": SCALE_MAX, "value": value},
                {"value": [_("Off the scale.")]},
            )
        return [{"value": value}]
    if value is not None or not options:
        raise InvalidWorkshopData(
            _("Tick an option of this poll."), {"options": [_("This is required.")]}
        )
    chosen = sorted(set(options))
    known = set(round_.poll_options.filter(pk__in=chosen).values_list("pk", flat=True))
    if len(known) != len(chosen):
        raise InvalidWorkshopData(
            _("One of the options ticked is not in this poll: reload the page."),
            {"options": [_("Unknown option.")]},
        )
    if round_.poll_mode == Round.PollMode.SINGLE and len(chosen) > 1:
        raise InvalidWorkshopData(
            _("This poll takes a single choice: tick one option."),
            {"options": [_("One option only.")]},
        )
    limit = round_.poll_max_choices
    if limit is not None and len(chosen) > limit:
        raise InvalidWorkshopData(
            ngettext("Tick at most %(limit)s option.", "Tick at most %(limit)s options.", limit)
            % {"limit": limit},
            {"options": [_("Too many options.")]},
        )
    return [{"option_id": pk} for pk in chosen]


@transaction.atomic
def poll_answer(
    round_: Round,
    voter: str,
    *,
    options: list[int] | None = None,
    value: int | None = None,
    table_id: int | None = None,
) -> list[PollAnswer]:
    """A voter's one answer: the options ticked, or a value on the scale. A second
    answer is refused: the first one is already in the results the room has seen."""
    if not voter:
        raise NotAllowed(_("Open this page from your table's QR code to answer."))
    round_ = _round_locked(round_, Round.Kind.POLL)
    _require_open_round(round_)
    rows = _answer_rows(round_, list(options or []), value)
    if PollAnswer.objects.filter(round=round_, voter=voter).exists():
        raise VoteRefused(_("You have already answered this poll."))
    _table_voters_check(PollAnswer, round_, table_id)
    try:
        with transaction.atomic():
            return PollAnswer.objects.bulk_create(
                [PollAnswer(round=round_, voter=voter, table_id=table_id, **row) for row in rows]
            )
    except IntegrityError:
        raise VoteRefused(_("You have already answered this poll.")) from None


def _clean_words(words: list[str]) -> list[tuple[str, str]]:
    """(as written, folded) for each word sent, each once."""
    cleaned: dict[str, str] = {}
    for word in words:
        text = _SPACES.sub(" ", word or "").strip()
        if len(text) > WORD_MAX_LENGTH:
            raise InvalidWorkshopData(
                _("A word or phrase holds at most %(max)s characters; “%(word)s…” has %(count)s.")
                % {"max": WORD_MAX_LENGTH, "word": text[:20], "count": len(text)},
                {"words": [_("Too long.")]},
            )
        key = word_key(text)
        if key:
            cleaned.setdefault(key, text)
    if not cleaned:
        raise InvalidWorkshopData(
            _("Write a word or a short phrase first."), {"words": [_("This is required.")]}
        )
    return [(text, key) for key, text in cleaned.items()]


@transaction.atomic
def words_send(round_: Round, voter: str, words: list[str], *, table_id: int | None = None) -> int:
    """Add a voter's words to the cloud, up to `WORDS_PER_VOTER` in all; returns how
    many they may still send. A word they already sent is not counted twice."""
    if not voter:
        raise NotAllowed(_("Open this page from your table's QR code to answer."))
    round_ = _round_locked(round_, Round.Kind.WORDS)
    _require_open_round(round_)
    cleaned = _clean_words(words)
    sent = set(WordEntry.objects.filter(round=round_, voter=voter).values_list("key", flat=True))
    new = [(text, key) for text, key in cleaned if key not in sent]
    if len(sent) + len(new) > WORDS_PER_VOTER:
        raise VoteRefused(
            ngettext(
                "Each phone sends at most %(max)s words; you may send %(left)s more.",
                "Each phone sends at most %(max)s words; you may send %(left)s more.",
                WORDS_PER_VOTER - len(sent),
            )
            % {"max": WORDS_PER_VOTER, "left": WORDS_PER_VOTER - len(sent)}
        )
    if not sent:
        _table_voters_check(WordEntry, round_, table_id)
    hidden = set(
        WordEntry.objects.filter(
            round=round_, key__in=[key for _text, key in new], hidden=True
        ).values_list("key", flat=True)
    )
    WordEntry.objects.bulk_create(
        [
            WordEntry(
                round=round_,
                voter=voter,
                text=text,
                key=key,
                hidden=key in hidden,
                table_id=table_id,
            )
            for text, key in new
        ]
    )
    workshop_texts_embed_later(round_.workshop_id)
    return WORDS_PER_VOTER - len(sent) - len(new)


@transaction.atomic
def word_hide(round_: Round, keys: list[str], hidden: bool = True) -> int:
    """Hide (or show again) a word of the cloud: every entry of its group, by their
    folded spellings (`words.WordGroup.keys`). Returns how many entries."""
    round_ = _round_locked(round_, Round.Kind.WORDS)
    folded = {word_key(key) for key in keys} - {""}
    if not folded:
        raise InvalidWorkshopData(_("Say which word to hide."), {"keys": [_("This is required.")]})
    return WordEntry.objects.filter(round=round_, key__in=folded).update(hidden=hidden)
