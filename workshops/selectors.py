"""Reads shared by the console, the projector, the phones, the API and the booklet.

The timer state is what two hundred screens poll every second or so: it is built once
per change, by the change itself, and written to the shared cache after its commit
(`services.timer.timer_state_put`). A poll then costs one cache read.
"""

import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from events_site.kit.memo import BoundedMemo
from events_site.kit.pagination import narrowed
from events_site.kit.text import bilingual
from meetings.auth import facilitated_meetings, is_organiser
from meetings.models import Meeting

from . import cloud
from .errors import StaleTableToken, UnknownTable
from .models import (
    SCALE_MAX,
    SCALE_MIN,
    WORDS_PER_VOTER,
    Contribution,
    Orientation,
    OrientationProposal,
    PollAnswer,
    PollOption,
    Question,
    Round,
    Table,
    TextEmbedding,
    Vote,
    WordEntry,
    Workshop,
    room_sees,
)
from .suggestions import stored_vectors
from .words import WordGroup, key_texts, key_vectors, word_groups

LATEST_POSTITS = 12


def both_languages(obj, field_name: str) -> dict[str, str]:
    """A content field in French and Dutch, each falling back to the other."""
    return bilingual(getattr(obj, f"{field_name}_fr", ""), getattr(obj, f"{field_name}_nl", ""))


def timer_state_build(workshop_id: int) -> dict | None:
    """The state from the database, uncached: one query."""
    workshop = (
        Workshop.objects.select_related("current_round__question").filter(pk=workshop_id).first()
    )
    if workshop is None:
        return None
    round_ = workshop.current_round
    state = {
        "workshop": workshop.pk,
        "meeting": workshop.meeting_id,
        "workshop_status": workshop.status,
        "vote_open": workshop.vote_open,
        "vote_limit": workshop.vote_limit,
        "round": None,
        "state": "idle",
        "ends_at": None,
        "paused_remaining_s": None,
        "duration_s": None,
        "version": 0,
    }
    if round_ is not None:
        question = round_.question
        state.update(
            round={
                "id": round_.pk,
                "title": both_languages(round_, "title"),
                "kind": round_.kind,
                # A poll's or a cloud's results, or only the count of answers (screens).
                "results_shown": round_.results_shown,
                "question": (
                    {"id": question.pk, "text": both_languages(question, "text")}
                    if question
                    else None
                ),
            },
            state=round_.state,
            ends_at=round_.ends_at.isoformat() if round_.ends_at else None,
            paused_remaining_s=round_.paused_remaining_s,
            duration_s=round_.duration_s,
            version=round_.version,
        )
    digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
    state["etag"] = f'"{digest}"'
    return state


def timer_remaining_s(state: dict, now: datetime) -> float:
    ends_at = state["ends_at"] and datetime.fromisoformat(state["ends_at"])
    return Round.time_left_s(
        state["state"], ends_at, state["paused_remaining_s"], state["duration_s"], now
    )


def timer_body(state: dict, now: datetime) -> dict:
    """What GET /api/workshops/{id}/timer answers, and what pages paint before their first
    poll: the cached state with the time left and the server's clock at `now`."""
    return {
        "workshop": state["workshop"],
        "round": state["round"],
        "state": state["state"],
        "ends_at": state["ends_at"],
        "remaining_s": round(timer_remaining_s(state, now), 3),
        "server_now": now.isoformat(),
        "version": state["version"],
        "workshop_status": state["workshop_status"],
        "vote_open": state["vote_open"],
        "vote_limit": state["vote_limit"],
    }


# The part of each clock's JSON that does not change from one poll to the next, by its
# ETag (a digest of the whole state): serialised once per process for each clock.
_timer_json_fixed = BoundedMemo(most=1_000)


def timer_json(state: dict, now: datetime) -> str:
    """`timer_body(state, now)` as JSON, the hottest answer of the site: only the time
    left and the server's clock are written for each poll."""
    fixed = _timer_json_fixed.get(state["etag"])
    if fixed is None:
        body = timer_body(state, now)
        del body["remaining_s"], body["server_now"]
        fixed = _timer_json_fixed.remember(state["etag"], json.dumps(body)[:-1])
    # A number's JSON is its repr (`json.dumps` writes an int's or a finite float's so),
    # without the encoder's machinery: a third of this function.
    remaining_s = repr(round(timer_remaining_s(state, now), 3))
    return f'{fixed}, "remaining_s": {remaining_s}, "server_now": "{now.isoformat()}"}}'


def countdown_display(seconds: float) -> str:
    """The countdown's digits as the screens' script writes them (`Countdown.format`)."""
    total = math.ceil(seconds)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def unknown_table() -> StaleTableToken:
    """What a stale or forged table token gets: the phone page shows it as it is."""
    return StaleTableToken(
        _("This table's QR code is not valid any more: scan the code on your table again.")
    )


def table_of_another_workshop() -> UnknownTable:
    """What a valid token gets on another workshop's address."""
    return UnknownTable(
        _("This QR code is for another workshop: scan the code on your table again.")
    )


def table_by_token(token: str) -> Table:
    """The table of a QR code, with its workshop."""
    table = Table.objects.select_related("workshop").filter(token=token).first() if token else None
    if table is None:
        raise unknown_table()
    return table


# --- Workshops and their plan --------------------------------------------------------


def visible_postit_count() -> Count:
    """A workshop's post-its the room sees: neither hidden nor merged into another."""
    return Count("contributions", filter=room_sees("contributions__"))


def workshops_find(
    *,
    meeting: int | None = None,
    year: int | None = None,
    q: str = "",
    status: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Workshop]:
    """Workshops with their questions, rounds and visible post-it count, by meeting and
    order, in three queries whatever their number; `q` is contained in a title or the
    room."""
    return narrowed(
        Workshop.objects.prefetch_related("questions", "rounds").annotate(
            contribution_count=visible_postit_count()
        ),
        q=q,
        q_fields=("title_fr", "title_nl", "room"),
        meeting_id=meeting,
        meeting__programme__year=year,
        status=status,
        updated_at__gte=updated_since,
    ).order_by("meeting_id", "order", "pk")


def workshop_detail(workshop_id: int) -> Workshop:
    """A workshop with everything its console shows, in a fixed number of queries."""
    return (
        Workshop.objects.select_related("meeting", "current_round__question")
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk")),
            Prefetch("rounds", queryset=Round.objects.select_related("question")),
            Prefetch("orientations", queryset=Orientation.objects.order_by("order", "pk")),
            Prefetch("tables", queryset=Table.objects.order_by("pk")),
            "facilitators__organisation",
        )
        .annotate(has_proposals=Exists(OrientationProposal.objects.filter(workshop=OuterRef("pk"))))
        .get(pk=workshop_id)
    )


# --- Post-its ------------------------------------------------------------------------


def _postits(workshop: Workshop) -> QuerySet[Contribution]:
    return workshop.contributions.select_related("question", "table", "orientation").order_by(
        "created_at", "pk"
    )


def contributions(workshop: Workshop) -> QuerySet[Contribution]:
    """Post-its with what the board shows of each, and their dots counted."""
    return _postits(workshop).annotate(vote_count=Count("votes", distinct=True))


def phone_contributions(workshop: Workshop, voter: str) -> QuerySet[Contribution]:
    """What a phone sees: the visible post-its, each with `voted` (this voter's dot on
    it) from the same query, and not their count (the running score is the facilitators')."""
    return (
        _postits(workshop)
        .visible()
        .annotate(voted=Exists(Vote.objects.filter(contribution=OuterRef("pk"), voter=voter)))
    )


def latest_contributions(workshop_id: int) -> list[Contribution]:
    """The projector's visible post-its, newest first (as many as its script keeps)."""
    return list(
        Contribution.objects.visible()
        .filter(workshop_id=workshop_id)
        .order_by("-created_at", "-pk")[:LATEST_POSTITS]
    )


@dataclass
class BoardColumn:
    orientation: Orientation | None
    items: list[Contribution] = field(default_factory=list)


@dataclass
class BoardSection:
    question: Question | None
    columns: list[BoardColumn]


def board(workshop: Workshop) -> list[BoardSection]:
    """The console's board: per question, the visible post-its by orientation, unsorted
    first. Merged post-its hang under the one they were merged into."""
    items = list(contributions(workshop))
    merged: dict[int, list[Contribution]] = {}
    for item in items:
        if item.merged_into_id:
            merged.setdefault(item.merged_into_id, []).append(item)
    for item in items:
        item.merged_children = merged.get(item.pk, [])
    visible = [item for item in items if item.is_visible]
    orientations = list(workshop.orientations.all())
    questions: list[Question | None] = [*workshop.questions.all(), None]
    sections = []
    for question in questions:
        in_question = [
            item for item in visible if item.question_id == (question.pk if question else None)
        ]
        if question is None and not in_question:
            continue
        columns = [BoardColumn(None)] + [BoardColumn(o) for o in orientations]
        by_orientation = {column.orientation.pk: column for column in columns[1:]}
        for item in in_question:
            by_orientation.get(item.orientation_id, columns[0]).items.append(item)
        sections.append(BoardSection(question, columns))
    return sections


def hidden_contributions(workshop: Workshop) -> list[Contribution]:
    """The hidden post-its only: the database filters them, rather than this reading
    every post-it of the workshop a second time after `board`."""
    return list(contributions(workshop).filter(hidden=True))


def facilitator_meetings(user, now: datetime) -> list[Meeting]:
    """The meetings on a facilitator's home page, each with its workshops.

    Organisers see every meeting still to come, soonest first; a mayor or a member of
    staff sees the meetings they co-facilitate, newest first, past ones included, to
    get back to a workshop's board.
    """
    if is_organiser(user):
        meetings = Meeting.objects.filter(ends_at__gte=now).order_by("starts_at", "pk")
    else:
        meetings = facilitated_meetings(user)
    return list(
        meetings.prefetch_related(
            Prefetch(
                "workshops",
                queryset=Workshop.objects.annotate(contribution_count=visible_postit_count()),
            )
        )
    )


# --- Polls and word clouds -------------------------------------------------------------


@dataclass
class PollBar:
    """One bar of a poll's chart: an option (its label in both languages), or a value
    of the scale."""

    label: dict[str, str]
    count: int
    option: int | None = None
    value: int | None = None

    def share(self, voters: int) -> float:
        return self.count / voters if voters else 0.0


@dataclass
class PollResults:
    round: Round
    voters: int
    bars: list[PollBar]
    # The scale's mean, None for a choice or before the first answer.
    mean: float | None = None


def polls_results(rounds) -> dict[int, PollResults]:
    """The bars of each poll of `rounds`, in the options' order (or 1 to 5), and how
    many voters answered: three queries, whatever the number of polls and answers (the
    console shows every poll of the plan, the booklet every poll of a meeting)."""
    polls = {r.pk: r for r in rounds if r.kind == Round.Kind.POLL}
    if not polls:
        return {}
    answers = PollAnswer.objects.filter(round__in=polls)
    voters = dict(answers.values_list("round").annotate(n=Count("voter", distinct=True)).order_by())
    scale = defaultdict(dict)
    for round_id, value, n in (
        answers.filter(option=None).values_list("round", "value").annotate(n=Count("pk")).order_by()
    ):
        scale[round_id][value] = n
    options = defaultdict(list)
    for option in PollOption.objects.filter(round__in=polls).annotate(n=Count("answers")):
        options[option.round_id].append(option)
    results = {}
    for pk, round_ in polls.items():
        if round_.poll_mode == Round.PollMode.SCALE:
            counts = scale[pk]
            bars = [
                PollBar({"fr": str(v), "nl": str(v)}, counts.get(v, 0), value=v)
                for v in range(SCALE_MIN, SCALE_MAX + 1)
            ]
            total = sum(bar.count for bar in bars)
            mean = sum(bar.value * bar.count for bar in bars) / total if total else None
        else:
            bars = [PollBar(both_languages(o, "label"), o.n, option=o.pk) for o in options[pk]]
            mean = None
        results[pk] = PollResults(round_, voters.get(pk, 0), bars, mean)
    return results


def poll_results(round_: Round) -> PollResults:
    return polls_results([round_])[round_.pk]


def word_clouds(rounds, *, with_hidden: bool = False) -> dict[int, list[WordGroup]]:
    """The words of each words round of `rounds`, grouped across languages
    (`words.word_groups`), most voices first; the hidden ones only for the facilitators
    (`with_hidden`). The entries in one query, and the stored vectors of their keys in
    one per workshop."""
    clouds = {r.pk: r for r in rounds if r.kind == Round.Kind.WORDS}
    if not clouds:
        return {}
    entries = defaultdict(list)
    for entry in (
        WordEntry.objects.filter(round__in=clouds)
        .only("round_id", "voter", "text", "key", "hidden")
        .order_by("pk")
    ):
        entries[entry.round_id].append(entry)
    texts = {pk: key_texts((e.key, e.text) for e in entries[pk]) for pk in clouds}
    by_workshop = defaultdict(list)
    for pk, round_ in clouds.items():
        by_workshop[round_.workshop_id] += texts[pk].values()
    stored = {wid: stored_vectors(wid, t) for wid, t in by_workshop.items() if t}
    result = {}
    for pk, round_ in clouds.items():
        vectors = key_vectors(texts[pk], stored.get(round_.workshop_id, {}))
        groups = word_groups(entries[pk], vectors)
        result[pk] = groups if with_hidden else [g for g in groups if not g.hidden]
    return result


def word_cloud(round_: Round, *, with_hidden: bool = False) -> list[WordGroup]:
    return word_clouds([round_], with_hidden=with_hidden)[round_.pk]


def round_poll(round_: Round, voter: str) -> dict:
    """What a phone needs to answer (`PollOut`): the options, and whether this voter has
    answered or how many words it may still send. Three queries."""
    options = list(PollOption.objects.filter(round=round_))
    sent = WordEntry.objects.filter(round=round_, voter=voter).count() if voter else 0
    answered = PollAnswer.objects.filter(round=round_, voter=voter).exists() if voter else False
    return {
        "round": round_.pk,
        "kind": round_.kind,
        "title": both_languages(round_, "title"),
        "poll_mode": round_.poll_mode,
        "poll_max_choices": round_.poll_max_choices,
        "options": options,
        "results_shown": round_.results_shown,
        "answered": answered or sent >= WORDS_PER_VOTER,
        "words_left": max(WORDS_PER_VOTER - sent, 0) if round_.kind == Round.Kind.WORDS else 0,
    }


def cloud_title(round_: Round) -> str:
    """The cloud's text alternative starts with this: the round, in the page's language
    (modeltranslation falls back to the other one)."""
    return _("Word cloud: %(title)s") % {"title": round_.title}


def round_results_etag(round_: Round) -> str:
    """What a round's results are drawn from, as an ETag, in two or three small queries
    and no layout: a projector polling them is answered 304 while nothing changed, and the
    cloud is grouped and laid out again only when it did. For a words round: its
    entries, the hidden ones, and the workshop's stored vectors (words merge across
    languages as theirs arrive); for a poll: its answers and options. Both: whether they
    are revealed, the round's title and the language the answer is in."""
    if round_.kind == Round.Kind.WORDS:
        entries = WordEntry.objects.filter(round=round_)
        data = entries.aggregate(entries=Count("pk"), last=Max("pk"))
        # Which words are hidden, exactly: a sum or a count of them would take hiding one
        # word and showing another for no change.
        data["hidden"] = sorted(set(entries.filter(hidden=True).values_list("key", flat=True)))
        data["vectors"] = TextEmbedding.objects.filter(workshop_id=round_.workshop_id).count()
    else:
        data = PollAnswer.objects.filter(round=round_).aggregate(
            answers=Count("pk"), last=Max("pk")
        )
        data["options"] = list(
            PollOption.objects.filter(round=round_).values_list(
                "pk", "order", "label_fr", "label_nl"
            )
        )
    data |= {
        "shown": round_.results_shown,
        "mode": round_.poll_mode,
        "title": [round_.title_fr, round_.title_nl],
        "language": get_language(),
    }
    payload = json.dumps([round_.pk, round_.kind, data], sort_keys=True, default=str)
    return f'"{hashlib.sha256(payload.encode()).hexdigest()[:32]}"'


def round_results(round_: Round) -> dict:
    """A poll's or a words round's results (`ResultsOut`), for the facilitators' screens."""
    body = {"round": round_.pk, "kind": round_.kind, "results_shown": round_.results_shown}
    if round_.kind == Round.Kind.WORDS:
        groups = word_cloud(round_, with_hidden=True)
        shown = [g for g in groups if not g.hidden]
        voters = WordEntry.objects.filter(round=round_).values("voter").distinct().count()
        words = [
            {"label": g.label, "count": g.count, "keys": g.keys, "hidden": g.hidden} for g in groups
        ]
        return {
            **body,
            "voters": voters,
            "words": words,
            "svg": cloud.svg(shown, cloud_title(round_)),
        }
    results = poll_results(round_)
    bars = [
        {
            "label": bar.label,
            "count": bar.count,
            "share": round(bar.share(results.voters), 4),
            "option": bar.option,
            "value": bar.value,
        }
        for bar in results.bars
    ]
    mean = round(results.mean, 2) if results.mean is not None else None
    return {**body, "voters": results.voters, "bars": bars, "mean": mean}


@dataclass
class PollPanel:
    """A poll or a words round of the plan, with its results, for the console."""

    round: Round
    results: PollResults | None = None
    words: list[WordGroup] | None = None


def polls_panel(workshop: Workshop) -> list[PollPanel]:
    """The plan's polls and words rounds with their results (hidden words included),
    from the rounds `workshop_detail` prefetched: no query without a poll, then a
    bounded number whatever their count."""
    rounds = [r for r in workshop.rounds.all() if r.kind in (Round.Kind.POLL, Round.Kind.WORDS)]
    results = polls_results(rounds)
    clouds = word_clouds(rounds, with_hidden=True)
    return [PollPanel(r, results.get(r.pk), clouds.get(r.pk)) for r in rounds]


def orientation_proposals(workshop: Workshop) -> QuerySet[OrientationProposal]:
    """The workshop's proposed orientations in order, with their post-its."""
    return workshop.orientation_proposals.prefetch_related(
        Prefetch("contributions", queryset=Contribution.objects.only("pk"))
    )
