"""Suggested grouping: which orientation an unsorted post-it belongs to, in either language.

Two signals, added:
- meaning: the multilingual sentence encoder's vectors (`workshops.encoder`), stored by
  the embedding job when a post-it or an orientation is written. An orientation is the
  unit mean of its title (French and Dutch averaged) and of its sorted post-its, with
  equal weight, so that an orientation without post-its still has its title, and
  one with many is not drowned by it. A Dutch post-it lands under a French title;
- words (TF-IDF over folded words, `workshops.text.terms`, plus numbers and short
  acronyms such as bus lines, roads and "BE"): what an encoder blurs, the name of a
  commune, line 54, the VDAB, weighs here.
Without the encoder (the `grouping` extra not installed), or for a post-it whose vector
is not stored yet, only the words count, as before.

Each suggestion carries its `score` (similarity, 0 to 1) and its `margin` over the
runner-up orientation: `CONFIDENT_MARGIN` is where suggestions were right nine times in
ten on the measured workshops (`tests/bench/bench_grouping.py`). Nothing is moved
without the facilitator: a suggestion is accepted or turned down, and one turned down is
not offered again.

"Same idea" pairs are post-its whose meanings nearly coincide, in either language
(`SAME_IDEA`): the console offers to merge them.
"""

import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from . import encoder
from .models import Contribution, Orientation, TextEmbedding, Workshop
from .text import terms

# Lexical only: below this cosine the post-it is left alone, a wrong suggestion costs
# the facilitator more than none.
MIN_SCORE = 0.12
TITLE_WEIGHT = 2
# With meaning: a lead of this much over the next orientation is a confident suggestion.
CONFIDENT_MARGIN = 0.07
# Two post-its this close mean the same thing: a translation, or a near paraphrase,
# scores 0.73-0.78; the closest two different ideas of the measured workshops 0.70.
SAME_IDEA = 0.72

# Numbers and codes ("54", "N58", "A22") and two-letter acronyms, which `terms` drops.
_MARKER = re.compile(r"\b(?:\w*\d\w*|[A-Z]{2})\b")


@dataclass(frozen=True)
class Suggestion:
    contribution: Contribution
    orientation: Orientation
    score: float
    margin: float

    @property
    def confident(self) -> bool:
        return self.margin >= CONFIDENT_MARGIN


@dataclass(frozen=True)
class SameIdea:
    first: Contribution
    second: Contribution
    score: float


def contribution_text(contribution: Contribution) -> str:
    """What a post-it says, as it is embedded and compared."""
    return f"{contribution.text}\n{contribution.objective}".strip()


def orientation_texts(orientation: Orientation) -> list[str]:
    return [t for t in (orientation.title_fr, orientation.title_nl) if t]


@functools.lru_cache(maxsize=4096)
def words_of(text: str) -> tuple[str, ...]:
    """Remembered per process: the console asks again for the same post-its."""
    return (*terms(text), *(f"#{m.lower()}" for m in _MARKER.findall(text)))


def _vector(words: Counter, idf: dict[str, float]) -> dict[str, float]:
    vector = {word: count * idf.get(word, 0.0) for word, count in words.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {word: v / norm for word, v in vector.items()} if norm else {}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())


def _lexical(items, orientations) -> dict[int, dict[int, float]]:
    """TF-IDF cosine of each unsorted post-it with each orientation's title and post-its."""
    words = {item.pk: Counter(words_of(contribution_text(item))) for item in items}
    titles = {o.pk: words_of(f"{o.title_fr} {o.title_nl}") for o in orientations}
    documents = [set(w) for w in words.values()] + [set(t) for t in titles.values()]
    frequency = Counter(word for document in documents for word in document)
    idf = {w: math.log((1 + len(documents)) / (1 + n)) + 1 for w, n in frequency.items()}
    bags = {o.pk: Counter(list(titles[o.pk]) * TITLE_WEIGHT) for o in orientations}
    for item in items:
        if item.orientation_id in bags:
            bags[item.orientation_id].update(words[item.pk])
    profiles = {pk: _vector(bag, idf) for pk, bag in bags.items()}
    scores = {}
    for item in items:
        if item.orientation_id is None:
            vector = _vector(words[item.pk], idf)
            scores[item.pk] = {pk: _cosine(vector, p) for pk, p in profiles.items()}
    return scores


def stored_vectors(workshop: Workshop, texts: list[str]) -> dict[str, bytes]:
    """The stored vectors of these texts, by digest, in one query (none without the
    encoder)."""
    if not encoder.available() or not texts:
        return {}
    rows = TextEmbedding.objects.filter(
        workshop=workshop,
        encoder=encoder.ENCODER,
        digest__in={encoder.digest(t) for t in texts},
    ).values_list("digest", "vector")
    return {digest: bytes(vector) for digest, vector in rows}


def _unit(vector):
    norm = float((vector * vector).sum()) ** 0.5
    return vector / norm if norm else vector


def _semantic(items, orientations, stored) -> dict[int, dict[int, float]]:
    """Cosine of each unsorted post-it that has a vector with each orientation, if every
    orientation has one (a title or a sorted post-it with a vector)."""
    blobs = {item.pk: stored.get(encoder.digest(contribution_text(item))) for item in items}
    embedded = [item for item in items if blobs[item.pk] is not None]
    matrix = encoder.vectors([blobs[item.pk] for item in embedded])
    row = {item.pk: n for n, item in enumerate(embedded)}
    members = {o.pk: [] for o in orientations}
    for item in embedded:
        if item.orientation_id in members:
            members[item.orientation_id].append(row[item.pk])
    profiles = []
    for orientation in orientations:
        titles = [stored.get(encoder.digest(t)) for t in orientation_texts(orientation)]
        titles = [_unit(v) for v in encoder.vectors([b for b in titles if b is not None])]
        parts = [_unit(sum(titles))] if titles else []
        if members[orientation.pk]:
            parts.append(_unit(matrix[members[orientation.pk]].sum(axis=0)))
        if not parts:
            return {}
        profiles.append(_unit(sum(parts)))
    unsorted = [item for item in embedded if item.orientation_id is None]
    if not unsorted:
        return {}
    scores = matrix[[row[item.pk] for item in unsorted]] @ encoder.stacked(profiles).T
    return {
        item.pk: {o.pk: float(s) for o, s in zip(orientations, line, strict=True)}
        for item, line in zip(unsorted, scores.tolist(), strict=True)
    }


def orientation_suggestions(workshop: Workshop) -> list[Suggestion]:
    """For each visible, unsorted post-it, the orientation it most resembles, if any.

    Four queries: the orientations, the post-its, their turned-down orientations and the
    stored vectors; no model runs here.
    """
    orientations = list(workshop.orientations.all())
    if not orientations:
        return []
    items = list(
        workshop.contributions.visible()
        .only("workshop", "text", "objective", "orientation")
        .order_by("created_at", "pk")
    )
    turned_down = Contribution.rejected_orientations.through.objects.filter(
        contribution__workshop=workshop
    ).values_list("contribution_id", "orientation_id")
    rejections = defaultdict(set)
    for contribution_id, orientation_id in turned_down:
        rejections[contribution_id].add(orientation_id)
    texts = [contribution_text(i) for i in items]
    texts += [t for o in orientations for t in orientation_texts(o)]
    lexical = _lexical(items, orientations)
    semantic = _semantic(items, orientations, stored_vectors(workshop, texts))
    # Ties go to the first orientation of the board.
    candidates = [(o.pk, (-o.order, -o.pk), o) for o in orientations]
    suggestions = []
    for item in items:
        if item.orientation_id is not None:
            continue
        rejected = rejections[item.pk]
        words, meaning = lexical[item.pk], semantic.get(item.pk)
        scored = sorted(
            ((meaning[pk] + words[pk]) / 2 if meaning else words[pk], rank, o)
            for pk, rank, o in candidates
            if pk not in rejected
        )
        if not scored or (not meaning and scored[-1][0] < MIN_SCORE):
            continue
        score, _rank, best = scored[-1]
        margin = score - scored[-2][0] if len(scored) > 1 else score
        suggestions.append(Suggestion(item, best, round(max(score, 0.0), 3), round(margin, 3)))
    return suggestions


def same_ideas(workshop: Workshop) -> list[SameIdea]:
    """Pairs of visible post-its that say the same thing, in either language, closest
    first; a post-it is in one pair at most (its closest), so one gesture merges it."""
    if not encoder.available():
        return []
    items = list(workshop.contributions.visible().order_by("created_at", "pk"))
    stored = stored_vectors(workshop, [contribution_text(i) for i in items])
    items = [i for i in items if encoder.digest(contribution_text(i)) in stored]
    if len(items) < 2:
        return []
    matrix = encoder.vectors([stored[encoder.digest(contribution_text(i))] for i in items])
    similarity = matrix @ matrix.T
    close = [
        (float(similarity[a, b]), a, b)
        for a, b in zip(*(similarity >= SAME_IDEA).nonzero(), strict=True)
        if a < b
    ]
    pairs, paired = [], set()
    for score, a, b in sorted(close, reverse=True):
        if a not in paired and b not in paired:
            paired.update((a, b))
            pairs.append(SameIdea(items[a], items[b], round(score, 3)))
    return pairs
