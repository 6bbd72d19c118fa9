"""Suggested grouping: which orientation an unsorted post-it most resembles.

The comparison is on words (`workshops.text.terms`: accents folded, French and Dutch stop
words dropped, plurals trimmed), each weighted by how rare it is in the workshop
(TF-IDF), against each orientation's title and the post-its already under it.
Nothing is moved without the facilitator: a suggestion is accepted or turned down, and
one turned down is not offered again.
"""

import math
from collections import Counter
from dataclasses import dataclass

from .models import Contribution, Orientation, Workshop
from .text import terms

# Below this cosine similarity the post-it is left alone: a wrong suggestion costs the
# facilitator more than none.
MIN_SCORE = 0.12
TITLE_WEIGHT = 2


@dataclass(frozen=True)
class Suggestion:
    contribution: Contribution
    orientation: Orientation
    score: float


def _vector(words: Counter, idf: dict[str, float]) -> dict[str, float]:
    vector = {word: count * idf.get(word, 0.0) for word, count in words.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {word: v / norm for word, v in vector.items()} if norm else {}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())


def orientation_suggestions(workshop: Workshop) -> list[Suggestion]:
    """For each visible, unsorted post-it, the orientation it most resembles, if any."""
    orientations = list(workshop.orientations.all())
    if not orientations:
        return []
    items = list(
        workshop.contributions.visible()
        .prefetch_related("rejected_orientations")
        .order_by("created_at", "pk")
    )
    words = {item.pk: Counter(terms(f"{item.text} {item.objective}")) for item in items}
    documents = [set(w) for w in words.values()]
    documents += [set(terms(f"{o.title_fr} {o.title_nl}")) for o in orientations]
    total = len(documents)
    frequency = Counter(word for document in documents for word in document)
    idf = {word: math.log((1 + total) / (1 + n)) + 1 for word, n in frequency.items()}

    profiles = {}
    for orientation in orientations:
        bag = Counter()
        for _ in range(TITLE_WEIGHT):
            bag.update(terms(f"{orientation.title_fr} {orientation.title_nl}"))
        for item in items:
            if item.orientation_id == orientation.pk:
                bag.update(words[item.pk])
        profiles[orientation.pk] = _vector(bag, idf)

    suggestions = []
    for item in items:
        if item.orientation_id is not None:
            continue
        vector = _vector(words[item.pk], idf)
        rejected = {o.pk for o in item.rejected_orientations.all()}
        scored = [
            (_cosine(vector, profiles[o.pk]), o) for o in orientations if o.pk not in rejected
        ]
        if not scored:
            continue
        score, best = max(scored, key=lambda pair: (pair[0], -pair[1].order, -pair[1].pk))
        if score >= MIN_SCORE:
            suggestions.append(Suggestion(item, best, round(score, 3)))
    return suggestions
