"""Text compared the way people read it, shared by every app."""

import unicodedata


def fold(text: str | None) -> str:
    """Lower case without accents or ligatures: "Élodie" is found as "elodie" and sorts
    with the Es; "Œuvre" is "oeuvre", "België" "belgie"."""
    text = (text or "").casefold().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def email_masked(address: str) -> str:
    """An address shown to whoever holds the page, recognisable by its owner but not
    readable by someone looking over a shoulder: "a…@kortrijk.be"."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}…@{domain}"


def breaks_a_line(text: str) -> bool:
    """Names and addresses end up in email headers, where a line break forges a header.

    Any control character counts (CR, LF, NUL, tab…), and so do the Unicode line and
    paragraph separators, which some mail and spreadsheet software also break on.
    """
    return any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text)


def entries(text: str | None) -> list[str]:
    """A list typed one entry a line (a meeting's ambitions), with blank lines and
    typed bullets left out."""
    stripped = (line.strip(" \t-•*") for line in (text or "").splitlines())
    return [line for line in stripped if line]


def bilingual(fr: str | None, nl: str | None) -> dict[str, str]:
    """A content text in French and Dutch, each falling back to the other: either
    language alone is enough to publish, and no screen or page shows an empty title."""
    fr, nl = fr or "", nl or ""
    return {"fr": fr or nl, "nl": nl or fr}
