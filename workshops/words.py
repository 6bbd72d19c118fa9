"""The words of a words round, grouped into the cloud's words, across French and Dutch.

Entries are already folded (`services.polls.word_key`): "Mobilité" and "mobilite" are
one key. Keys are then grouped, the most sent first (the first sent among equals): a
key joins the first group whose
leading key it matches, so a group never chains from one word to a third unrelated one.
Two keys match
- by meaning, when both have a vector stored by the embedding job (the multilingual
  sentence encoder, `workshops.encoder`), of the key's first spelling in lower case
  (`key_texts`: the model reads accents, and "velo"/"fiets" scores 0.61 where
  "vélo"/"fiets" scores 0.88): a cosine of at least `SAME_WORD`. Measured on that
  model, a word and its translation score 0.76-0.93 ("mobilité"/"mobiliteit" 0.93,
  "emploi"/"werkgelegenheid" 0.80, "pont"/"brug" 0.78, "transport en commun"/"openbaar
  vervoer" 0.81), two different words of one theme 0.36-0.61 ("vélo"/"voiture" 0.57,
  "mobilité"/"transport" 0.59, "vervoer"/"mobiliteit" 0.60);
- else by spelling, when the encoder is not installed or a key's vector is not stored
  yet: a `difflib` ratio of at least `SAME_SPELLING` between keys of four letters or
  more, which joins "mobilite"/"mobiliteit" (0.89), "cultuur"/"culture" (0.86) and
  plurals, and keeps "bus"/"but" and "velo"/"vlot" apart.

A group counts its voters once each (one who wrote both spellings is one voice); its
label is its leading key's commonest spelling, as written (the first among equals).
"""

import difflib
from collections import Counter
from dataclasses import dataclass, field

from . import encoder

SAME_WORD = 0.75
SAME_SPELLING = 0.8
SPELLING_MIN_LENGTH = 4


@dataclass
class WordGroup:
    label: str
    keys: list[str]
    voters: set[str] = field(default_factory=set)
    spellings: Counter = field(default_factory=Counter)
    hidden: bool = False

    @property
    def count(self) -> int:
        return len(self.voters)


def _same_spelling(a: str, b: str) -> bool:
    if min(len(a), len(b)) < SPELLING_MIN_LENGTH:
        return False
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= SAME_SPELLING and matcher.ratio() >= SAME_SPELLING


def _matches(a: str, b: str, vectors: dict) -> bool:
    if a in vectors and b in vectors:
        return float(vectors[a] @ vectors[b]) >= SAME_WORD
    return _same_spelling(a, b)


def word_groups(entries, vectors: dict | None = None) -> list[WordGroup]:
    """The cloud's words from `entries` (each with `voter`, `text`, `key`, `hidden`, in
    the order they were sent), most voices first, then alphabetically. `vectors` maps a
    key to its unit vector; without it, spelling alone groups. A group is hidden when
    any of its keys is: a word hidden stays hidden under another spelling."""
    vectors = vectors or {}
    by_key: dict[str, WordGroup] = {}
    for entry in entries:
        group = by_key.setdefault(entry.key, WordGroup(entry.text, [entry.key]))
        group.voters.add(entry.voter)
        group.spellings[entry.text] += 1
        group.hidden = group.hidden or entry.hidden
    # Most voices first, then the first sent (`by_key` keeps the order of arrival).
    ranked = sorted(by_key.values(), key=lambda g: -g.count)
    groups: list[WordGroup] = []
    for single in ranked:
        key = single.keys[0]
        lead = next((g for g in groups if _matches(g.keys[0], key, vectors)), None)
        if lead is None:
            groups.append(single)
            continue
        lead.keys.append(key)
        lead.voters |= single.voters
        lead.spellings.update(single.spellings)
        lead.hidden = lead.hidden or single.hidden
    for group in groups:
        lead_spellings = by_key[group.keys[0]].spellings
        group.label = max(lead_spellings, key=lead_spellings.__getitem__)
    groups.sort(key=lambda g: (-g.count, g.label.casefold()))
    return groups


def key_texts(pairs) -> dict[str, str]:
    """What is embedded for each key: its first spelling (of `pairs` of (key, text), in
    the order sent), in lower case. The embedding job and the cloud read the same."""
    texts: dict[str, str] = {}
    for key, text in pairs:
        texts.setdefault(key, text.lower())
    return texts


def key_vectors(texts: dict[str, str], stored: dict[str, bytes]) -> dict:
    """Each key's unit vector from the stored ones (by the digest of its `key_texts`)."""
    found = [(key, stored.get(encoder.digest(text))) for key, text in texts.items()]
    found = [(key, blob) for key, blob in found if blob is not None]
    if not found:
        return {}
    matrix = encoder.vectors([blob for _key, blob in found])
    return {key: matrix[row] for row, (key, _blob) in enumerate(found)}
