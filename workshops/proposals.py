"""Suggested orientations: for a workshop with post-its and no orientation yet, groups of
its unsorted post-its, each titled in French and in Dutch from its own words.

The post-its are grouped by average-link agglomeration on cosine similarity: two groups
join while their post-its resemble each other, on average, more than the workshop's
post-its resemble each other in general. With the sentence encoder the vectors are its
stored ones (`workshops.encoder`), less the workshop's mean vector: a workshop's post-its
all speak of its theme, and what tells its ideas apart is what is left once the theme is
taken out. Without the encoder, or while a post-it's vector is not stored yet, they are
TF-IDF vectors of their folded words (`workshops.suggestions`), which only group
post-its of one language. `tests/bench/bench_grouping.py` measures both against the
labelled workshops.

No text is generated: a group's French title is the text of its most central French
post-it (the one closest to the group's mean), its Dutch title that of its most central
Dutch one, and where the group has none in a language, its most central post-it of the
other stands in. A lone post-it is no group: it stays unsorted.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from . import encoder
from .models import Contribution, Workshop
from .suggestions import contribution_text, stored_vectors, words_of
from .text import language

# Groups join while the mean cosine between their post-its is above this: with the
# encoder, of vectors less the workshop's mean (0 is "no more alike than any two");
# with words alone, of TF-IDF vectors (sharing one uncommon word is enough).
MEANING_THRESHOLD = 0.05
WORDS_THRESHOLD = 0.05
MIN_GROUP = 2
TITLE_MAX = 80

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s|\s[–—-]\s|\n")


@dataclass(frozen=True)
class ProposedGroup:
    contributions: list[Contribution]
    title_fr: str
    title_nl: str


def title_from(text: str) -> str:
    """A post-it's text as a heading: its first sentence, cut at a word before
    `TITLE_MAX` characters, with its final punctuation dropped."""
    text = " ".join(text.split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0] or text
    if len(first) > TITLE_MAX:
        cut = first[: TITLE_MAX - 1].rsplit(" ", 1)[0] or first[: TITLE_MAX - 1]
        first = cut.rstrip(" ,;:–-") + "…"
    return first.rstrip(" .!?;:")


def _unit(matrix):
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def _meaning_vectors(workshop: Workshop, texts: list[str]):
    """The stored vectors less their mean, or None unless every text has one."""
    stored = stored_vectors(workshop, texts)
    blobs = [stored.get(encoder.digest(t)) for t in texts]
    if not blobs or any(b is None for b in blobs):
        return None
    matrix = encoder.vectors(blobs).astype(np.float64)
    return _unit(matrix - matrix.mean(axis=0))


def _word_vectors(texts: list[str]):
    bags = [Counter(words_of(t)) for t in texts]
    frequency = Counter(word for bag in bags for word in bag)
    column = {word: n for n, word in enumerate(frequency)}
    matrix = np.zeros((len(texts), len(column)))
    for row, bag in enumerate(bags):
        for word, count in bag.items():
            idf = math.log((1 + len(texts)) / (1 + frequency[word])) + 1
            matrix[row, column[word]] = count * idf
    return _unit(matrix)


def average_link(similarity, threshold: float) -> list[list[int]]:
    """Rows grouped by average linkage: the two groups whose mean pairwise similarity is
    highest join, until no two are above `threshold`. Each group's rows in order."""
    size = len(similarity)
    linked = np.array(similarity, dtype=np.float64)
    np.fill_diagonal(linked, -np.inf)
    members = [[n] for n in range(size)]
    counts = np.ones(size)
    for _merge in range(size - 1):
        a, b = np.unravel_index(np.argmax(linked), linked.shape)
        if linked[a, b] <= threshold:
            break
        merged = (linked[a] * counts[a] + linked[b] * counts[b]) / (counts[a] + counts[b])
        linked[a], linked[:, a] = merged, merged
        linked[b], linked[:, b] = -np.inf, -np.inf
        linked[a, a] = -np.inf
        counts[a] += counts[b]
        members[a] += members[b]
        members[b] = []
    return [sorted(group) for group in members if group]


def _title(items, centrality, lang: str) -> str:
    ranked = sorted(range(len(items)), key=lambda n: -centrality[n])
    of_language = [n for n in ranked if language(items[n].text) == lang]
    return title_from(items[(of_language or ranked)[0]].text)


def orientation_groups(workshop: Workshop) -> list[ProposedGroup]:
    """The groups the visible, unsorted post-its fall into, largest first; none while
    the workshop has orientations (the suggestions file post-its under those)."""
    if workshop.orientations.exists():
        return []
    items = list(
        workshop.contributions.visible()
        .filter(orientation=None)
        .only("workshop", "text", "objective", "orientation")
        .order_by("created_at", "pk")
    )
    if len(items) < MIN_GROUP:
        return []
    texts = [contribution_text(item) for item in items]
    vectors = _meaning_vectors(workshop, texts) if encoder.available() else None
    threshold = MEANING_THRESHOLD
    if vectors is None:
        vectors, threshold = _word_vectors(texts), WORDS_THRESHOLD
    groups = []
    for rows in average_link(vectors @ vectors.T, threshold):
        if len(rows) < MIN_GROUP:
            continue
        members = vectors[rows]
        centrality = members @ members.mean(axis=0)
        group = [items[n] for n in rows]
        groups.append(
            ProposedGroup(group, _title(group, centrality, "fr"), _title(group, centrality, "nl"))
        )
    return sorted(groups, key=lambda g: -len(g.contributions))
