"""Accent folding, the one way every app compares and sorts what people typed."""

import pytest
from django.core.exceptions import ValidationError

from events_site.kit.text import bilingual, breaks_a_line, email_masked, fold
from meetings.models import validate_single_line
from tasks.outbox import recipient_problem


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


@pytest.mark.parametrize(
    "name", ["Jean\r\nBcc: x@example.org", "Jean\0", "Jean\tClaes", "A\u2028B"]
)
def test_a_name_with_a_line_break_or_control_character_breaks_a_line(name):
    assert breaks_a_line(name)


@pytest.mark.parametrize("name", ["Jean-Marie d’Hondt", "Élodie  Van den Broeck", ""])
def test_a_name_on_one_line_does_not(name):
    assert not breaks_a_line(name)


def test_the_directory_the_import_and_the_outbox_refuse_the_same_names():
    with pytest.raises(ValidationError):
        validate_single_line("Jean\tClaes")
    assert recipient_problem("jean@example.be", "Jean\tClaes")
    assert recipient_problem("jean@example.be", "Jean Claes") is None


@pytest.mark.parametrize(
    "fr, nl, both",
    [
        ("Mobilité", "Mobiliteit", {"fr": "Mobilité", "nl": "Mobiliteit"}),
        ("Mobilité", "", {"fr": "Mobilité", "nl": "Mobilité"}),
        (None, "Mobiliteit", {"fr": "Mobiliteit", "nl": "Mobiliteit"}),
        (None, None, {"fr": "", "nl": ""}),
    ],
)
def test_each_language_falls_back_to_the_other(fr, nl, both):
    assert bilingual(fr, nl) == both


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("annelies@kortrijk.be", "a…@kortrijk.be"),
        ("é.lodie@mouscron.be", "é…@mouscron.be"),
        ('"a@b"@example.org', '"…@example.org'),
    ],
)
def test_an_address_is_masked_but_its_first_letter_and_domain(address, masked):
    assert email_masked(address) == masked
