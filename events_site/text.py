"""Text compared the way people read it, shared by every app."""

import unicodedata


def fold(text: str | None) -> str:
    """Lower case without accents or ligatures: "Élodie" is found as "elodie" and sorts
    with the Es; "Œuvre" is "oeuvre", "België" "belgie"."""
    text = (text or "").casefold().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
