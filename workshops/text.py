"""The words of a post-it, made comparable: one set of rules for the whole product.

Post-its are short, written in French or in Dutch (a cross-border table writes in both),
with or without accents, by people in a hurry. Words are compared with accents, case and
ligatures folded, so "Réseau", "reseau" and "RÉSEAU" are one word; an elided article
("l'agenda", "d'échanges") is dropped; and the commonest function words of both
languages say nothing about the content.

The suggested grouping (`workshops.suggestions`) reads post-its through here.
"""

import re
from collections.abc import Iterator

from events_site.kit.text import fold

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

_FRENCH = """
    afin ainsi alors apres au aussi autre autres aux avant avec avoir bien ca car ce ceci
    cela celle celles celui ces cet cette ceux chaque chez comme dans de depuis des dire
    doit doivent donc dont du elle elles en encore entre est et etaient etait etc ete etre
    exemple faire fait faut font ici il ils je la le les leur leurs lors lorsque mais me
    meme memes mes mettre mise moi moins mon ne ni nos notre nous on ont or ou par parce
    pas permettre peut place plus pour pouvoir qu quand que quel quelle quelles quels qui
    sa sans se selon ses son sont sous suis sur ta te tes toi ton tous tout toute toutes
    tres tu un une unes uns vers via vos votre vous
"""
_DUTCH = """
    aan al alle alles als ben bij daar dan dat de deze die dit doen door een eens elk elke
    en er geen had heb hebben heeft hem het hier hij hoe hun iets ieder ik in is ja jaar
    je jullie kan kon kunnen maar me meer men met mij mijn minder moet moeten na naar niet
    niets nog nu of om omdat onder ons onze ook op over te tegen tot tussen uit van veel
    voor waar waarbij want was wat we wel welke werd wie wij worden wordt zal ze zei zelf
    zich zij zijn zo zoals zodat zonder zou zullen
"""
FRENCH_STOP_WORDS = frozenset(_FRENCH.split())
DUTCH_STOP_WORDS = frozenset(_DUTCH.split())
STOP_WORDS = FRENCH_STOP_WORDS | DUTCH_STOP_WORDS


def words(text: str, min_length: int = 3) -> Iterator[tuple[str, str]]:
    """Each meaningful word of `text`: (as written, folded)."""
    for match in WORD.finditer(text):
        word = match.group()
        if len(word) > 2 and word[1] in "'’":
            word = word[2:]
        key = fold(word)
        if len(key) >= min_length and key not in STOP_WORDS:
            yield word, key


def terms(text: str) -> list[str]:
    """The folded words of a text, plurals trimmed ("pistes" and "piste" match)."""
    return [key[:-1] if len(key) > 3 and key[-1] in "sx" else key for _word, key in words(text)]


def language(text: str) -> str | None:
    """ "fr" or "nl", by which language's function words the text uses more, or None
    when it cannot say (a list of names, a word or two, as many of each)."""
    keys = [fold(word) for word in WORD.findall(text)]
    french = sum(key in FRENCH_STOP_WORDS for key in keys)
    dutch = sum(key in DUTCH_STOP_WORDS for key in keys)
    if french == dutch:
        return None
    return "fr" if french > dutch else "nl"
