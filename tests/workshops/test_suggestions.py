"""Suggested grouping: by words, accents and language-neutral, never forced."""

import pytest

from workshops.services.orientations import orientation_create
from workshops.services.postits import (
    contribution_create,
    contribution_suggestion_reject,
    contribution_update,
)
from workshops.services.workshops import workshop_create
from workshops.suggestions import orientation_suggestions
from workshops.text import fold, terms


@pytest.fixture
def mobility(meeting):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    bikes = orientation_create(
        workshop, title_fr="Pistes cyclables transfrontalières", title_nl="Fietspaden"
    )
    buses = orientation_create(
        workshop, title_fr="Lignes de bus entre communes", title_nl="Buslijnen"
    )
    return workshop, bikes, buses


def _postit(workshop, text, **extra):
    return contribution_create(workshop, text=text, source="transcribed", **extra)


def test_words_are_folded_and_stop_words_dropped():
    assert fold("Élus ÉCOLE Kortrijk") == "elus ecole kortrijk"
    assert terms("Les élus de la commune et de het gemeentebestuur") == [
        "elu",
        "commune",
        "gemeentebestuur",
    ]
    assert terms("L'agenda d'échanges : pistes cyclables") == [
        "agenda",
        "echange",
        "piste",
        "cyclable",
    ]


def test_an_unsorted_postit_is_suggested_the_orientation_it_resembles(mobility):
    workshop, bikes, buses = mobility
    _postit(workshop, "Relier les pistes cyclables de Tourcoing et Mouscron")
    sorted_bus = _postit(workshop, "Un bus de nuit Lille–Kortrijk")
    contribution_update(sorted_bus, orientation=buses)
    bike = _postit(workshop, "Une piste CYCLABLE le long de la Lys")
    bus = _postit(workshop, "Plus de bus le dimanche, buslijnen op zondag")
    unrelated = _postit(workshop, "Organiser une fête des voisins")

    suggested = {s.contribution.pk: s.orientation.pk for s in orientation_suggestions(workshop)}
    assert suggested[bike.pk] == bikes.pk
    assert suggested[bus.pk] == buses.pk
    assert unrelated.pk not in suggested
    assert sorted_bus.pk not in suggested


def test_a_rejected_suggestion_is_not_offered_again(mobility):
    workshop, bikes, _buses = mobility
    bike = _postit(workshop, "Des pistes cyclables partout")
    assert [s.orientation for s in orientation_suggestions(workshop)] == [bikes]
    contribution_suggestion_reject(bike, bikes)
    assert all(s.contribution != bike for s in orientation_suggestions(workshop))


def test_hidden_and_merged_postits_get_no_suggestion(mobility):
    workshop, _bikes, _buses = mobility
    hidden = _postit(workshop, "Pistes cyclables")
    kept = _postit(workshop, "Piste cyclable")
    merged = _postit(workshop, "Pistes cyclables !")
    contribution_update(hidden, hidden=True)
    contribution_update(merged, merged_into=kept)
    assert [s.contribution for s in orientation_suggestions(workshop)] == [kept]


def test_no_orientation_no_suggestion(meeting):
    workshop = workshop_create(meeting, title_fr="Vide")
    _postit(workshop, "Pistes cyclables")
    assert orientation_suggestions(workshop) == []
