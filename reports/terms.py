"""The key terms of a workshop's post-its: what the seed booklet shows as a word cloud.

Plain term frequency over every visible post-it, French and Dutch alike (a cross-border
table writes in both). Words are compared with accents and case folded, so "Réseau",
"reseau" and "RÉSEAU" count as one; each term is shown in the spelling its writers used
most. Stop words of both languages, and words shorter than `MIN_LENGTH`, say nothing
about the content and are left out.
"""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

MIN_LENGTH = 4
# A word said once is not a key term of the workshop.
MIN_COUNT = 2
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

# The commonest function words of French and Dutch (and the filler of a post-it), folded.
_STOP_WORDS = """
    alors aussi autre autres avec avoir cela celle celles celui ceux cette comme dans depuis
    des donc dont elle elles encore entre etre etc faire fait faut leur leurs lors mais meme
    memes mettre moins nous notre nos par parce pas peut plus pour pouvoir quand que quel
    quelle quelles quels qui sans selon ses son sont sous suis sur tous tout toute toutes
    tres une unes uns vers vous votre vos ainsi afin chaque avant apres car ceci cet chez
    dire doit doivent ete etaient etait font ici mise place permettre via exemple
    aan alle alles als ben bij daar dan dat deze die dit doen door een eens elk elke geen
    had heb hebben heeft het hier hoe hun iets ieder jaar kan kunnen maar meer met moet
    moeten naar niet niets nog ook onder ons onze over veel voor waar wat wel werd wordt
    worden zal zich zijn zoals zodat zou zullen tussen omdat waarbij welke wij jullie
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def fold(word: str) -> str:
    """Lower case without accents or ligatures: "Œuvre" → "oeuvre", "België" → "belgie"."""
    word = word.lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def key_terms(texts: Iterable[str], limit: int = 12) -> list[tuple[str, int]]:
    """The `limit` commonest meaningful words of `texts` said at least twice, with their
    counts; ties in alphabetical order so that the same post-its always give the same
    list."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for match in WORD.finditer(text):
            word = match.group()
            # "l'agenda", "d'échanges": the elided article says nothing.
            if len(word) > 2 and word[1] in "'’":
                word = word[2:]
            key = fold(word)
            if len(key) < MIN_LENGTH or key in STOP_WORDS:
                continue
            counts[key] += 1
            spellings[key][word.lower()] += 1
    repeated = [(key, count) for key, count in counts.items() if count >= MIN_COUNT]
    ranked = sorted(repeated, key=lambda item: (-item[1], item[0]))[:limit]
    return [(spellings[key].most_common(1)[0][0], count) for key, count in ranked]
