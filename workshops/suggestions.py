"""Suggested grouping: which orientation an unsorted post-it most resembles.

Post-its are short, written in French or Dutch, with or without accents, by people in a
hurry. So the comparison is on words: accents folded, case ignored, French and Dutch
stop words dropped, plurals trimmed, and each word weighted by how rare it is in the
workshop (TF-IDF), against each orientation's title and the post-its already under it.
Nothing is moved without the facilitator: a suggestion is accepted or turned down, and
one turned down is not offered again.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Contribution, Orientation, Workshop

# Below this cosine similarity the post-it is left alone: a wrong suggestion costs the
# facilitator more than none.
MIN_SCORE = 0.12
TITLE_WEIGHT = 2

_STOP_WORDS = """
    a au aux avec ce ces cet cette dans de des du elle en et est etre il ils je la le les
    leur leurs mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa
    se ses son sur ta te tes toi ton tu un une vos votre vous y a plus moins tres tout tous
    toute toutes afin entre sans sous chez comme donc or ni car ainsi aussi bien faire
    fait sont ont avoir peut doit etc cela ca celle celui ceux dont lorsque quand
    aan al alle als bij daar dan dat de deze die dit door een en er geen had heb hebben
    heeft hem het hier hij hoe hun ik in is ja je kan kon maar me meer men met mij mijn na
    naar niet niets nog nu of om omdat ons onze ook op over te tot u uit van veel voor
    want was wat we wel werd wie wij worden wordt zal ze zei zelf zich zij zijn zo zonder
    zou moet moeten kunnen meer minder tussen tegen
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without accents: "Élus" and "elus" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(text: str) -> list[str]:
    """The words of a text that carry meaning, in a comparable form."""
    words = []
    for word in _WORD.findall(fold(text)):
        if len(word) < 3 or word in STOP_WORDS or word.isdigit():
            continue
        if len(word) > 3 and word[-1] in "sx":
            word = word[:-1]
        words.append(word)
    return words


def key_terms(texts: Iterable[str], limit: int = 10) -> list[tuple[str, int]]:
    """The words most post-its use, with how many post-its use each (ties alphabetical,
    so that the same booklet is built twice alike)."""
    counts = Counter()
    for text in texts:
        counts.update(set(terms(text)))
    ranked = sorted(((w, n) for w, n in counts.items() if n > 1), key=lambda wn: (-wn[1], wn[0]))
    return ranked[:limit]


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
        workshop.contributions.filter(hidden=False, merged_into__isnull=True)
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
