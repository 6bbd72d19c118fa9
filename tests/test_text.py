"""Accent folding, the one way every app compares and sorts what people typed."""

import pytest

from events_site.text import fold


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("Élodie", "elodie"),
        ("Œuvre", "oeuvre"),
        ("België", "belgie"),
        ("Prénom*", "prenom*"),
        ("l’Aa", "l'aa"),
        (None, ""),
    ],
)
def test_case_accents_and_ligatures_fold_away(typed, folded):
    assert fold(typed) == folded
