"""The dot-vote: dots placed up to the limit and taken back, by phones and facilitators."""

import pytest

from workshops.models import Vote
from workshops.services.postits import contribution_update
from workshops.services.votes import workshop_vote_set
from workshops.services.workshops import workshop_close, workshop_create

from .conftest import device_of, postit

pytestmark = pytest.mark.django_db


def vote(phones, contribution, method="post", device="phone-0001"):
    return phones(f"/contributions/{contribution.pk}/votes", method=method, device=device)


def test_a_phone_places_its_dots_up_to_the_limit_and_takes_them_back(workshop, phone, phones):
    first, second, third = (postit(workshop, text) for text in "ABC")
    workshop_vote_set(workshop, True)

    assert vote(phones, first).json() == {"dots_left": 1}
    again = vote(phones, first)
    assert again.status_code == 409
    assert again.json()["detail"] == "You already put a dot on this post-it."
    assert vote(phones, second).json() == {"dots_left": 0}
    beyond = vote(phones, third)
    assert beyond.status_code == 409
    assert beyond.json()["detail"] == "You have placed all your 2 dots."
    assert vote(phones, third, device="another-phone").json() == {"dots_left": 1}

    assert vote(phones, first, method="delete").json() == {"dots_left": 1}
    assert vote(phones, third).json() == {"dots_left": 0}
    assert Vote.objects.filter(voter=f"phone:{device_of(phone())}").count() == 2


def test_no_dot_while_the_vote_is_closed_nor_on_a_hidden_post_it(workshop, phones):
    item, hidden = postit(workshop, "A"), postit(workshop, "B")
    contribution_update(hidden, hidden=True)

    closed = vote(phones, item)
    assert closed.status_code == 409
    assert closed.json()["detail"] == "The vote is not open: wait for the facilitators to open it."
    workshop_vote_set(workshop, True)
    assert vote(phones, hidden).status_code == 409
    workshop_close(workshop)
    assert vote(phones, item).status_code == 409
    assert vote(phones, item, method="delete").status_code == 409
    assert not Vote.objects.exists()


def test_a_facilitator_votes_as_themself(facilitator_client, facilitator, workshop):
    item = postit(workshop)
    workshop_vote_set(workshop, True)

    response = facilitator_client.post(f"/api/contributions/{item.pk}/votes")

    assert response.json() == {"dots_left": 1}
    assert Vote.objects.get().voter == f"user:{facilitator.pk}"


def test_a_phone_cannot_vote_in_another_workshop(workshop, meeting, phones):
    other = workshop_create(meeting, title_fr="Autre")
    workshop_vote_set(other, True)

    response = vote(phones, postit(other))

    assert response.status_code == 404
    assert not Vote.objects.exists()
