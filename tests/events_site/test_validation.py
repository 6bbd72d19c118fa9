"""The shared rule of bilingual content: either language is enough, neither is refused."""

from types import SimpleNamespace

import pytest

from events_site.kit.errors import Invalid
from events_site.kit.validation import require_one_language

SAVED = SimpleNamespace(title_fr="", title_nl="Titel")


@pytest.mark.parametrize(
    "data", [{}, {"title_fr": "Titre", "title_nl": ""}, {"title_nl": " Andere titel "}]
)
def test_a_title_in_french_or_in_dutch_is_enough_with_what_is_saved_counting(data):
    require_one_language(data, SAVED, "title", "Give a title.")


@pytest.mark.parametrize("data", [{"title_nl": "  "}, {"title_fr": "", "title_nl": None}])
def test_a_change_leaving_neither_language_is_refused_on_the_french_field(data):
    with pytest.raises(Invalid) as refused:
        require_one_language(data, SAVED, "title", "Give a title.")
    assert refused.value.message == "Give a title."
    assert refused.value.errors == {
        "title_fr": ["This field is required in at least one language."]
    }
