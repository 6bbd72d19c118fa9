"""The key terms of a workshop's post-its: what the seed booklet shows as a word cloud.

Plain term frequency over every visible post-it, French and Dutch alike, on the words
`workshops.text` makes comparable; each term is shown in the spelling its writers used
most.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable

from workshops.text import words

MIN_LENGTH = 4
# A word said once is not a key term of the workshop.
MIN_COUNT = 2


def key_terms(texts: Iterable[str], limit: int = 12) -> list[tuple[str, int]]:
    """The `limit` commonest meaningful words of `texts` said at least twice, with their
    counts; ties in alphabetical order so that the same post-its always give the same
    list."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for word, key in words(text, MIN_LENGTH):
            counts[key] += 1
            spellings[key][word.lower()] += 1
    repeated = [(key, count) for key, count in counts.items() if count >= MIN_COUNT]
    ranked = sorted(repeated, key=lambda item: (-item[1], item[0]))[:limit]
    return [(spellings[key].most_common(1)[0][0], count) for key, count in ranked]
