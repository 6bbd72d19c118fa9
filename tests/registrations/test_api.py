"""POST /api/meetings/{id}/invitations: counts, reasons, and refusals that write nothing."""

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from meetings.models import Meeting, Person
from registrations.models import Invitation
from tasks.models import Delivery
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def invite(client, meeting_id, **body):
    return client.post(
        f"/api/meetings/{meeting_id}/invitations", body, content_type="application/json"
    )


def test_inviting_needs_an_organiser(client, meeting, marie):
    response = invite(client, meeting.pk, people=[marie.pk])

    assert response.status_code == 401
    assert not Invitation.objects.exists()


def test_organisers_invite_and_read_what_was_queued_and_skipped(
    api_client, meeting, marie, jan, django_capture_on_commit_callbacks
):
    broken = Person.objects.create(
        first_name="Paul", last_name="Sansmail", email="paul@", function="mayor"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(api_client, meeting.pk, people=[marie.pk, jan.pk, broken.pk])

    assert response.status_code == 200
    assert response.json() == {
        "queued": 2,
        "skipped": [
            {
                "person": broken.pk,
                "name": "Paul Sansmail",
                "email": "paul@",
                "reason": "“paul@” is not a valid email address.",
            }
        ],
    }
    assert len(mail.outbox) == 2
    assert set(Invitation.objects.values_list("invited_by__username", flat=True)) == {"organiser"}


def test_all_mayors_can_be_invited_in_one_call(api_client, meeting, marie, jan):
    response = invite(api_client, meeting.pk, all_mayors=True)

    mayors = Person.objects.filter(function__in=["mayor", "burgomaster"]).count()
    assert response.json() == {"queued": mayors, "skipped": []}


def test_unknown_ids_are_named_and_nothing_is_written(api_client, meeting, marie):
    response = invite(api_client, meeting.pk, people=[marie.pk, 9998, 9999], organisations=[777])

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "There is no person with id 9998, 9999. There is no organisation with id 777."
    )
    assert not Invitation.objects.exists()
    assert not Delivery.objects.exists()


def test_an_empty_selection_is_422(api_client, meeting):
    response = invite(api_client, meeting.pk)

    assert response.status_code == 422
    assert response.json() == {"detail": "Pick at least one person, organisation or all mayors."}


def test_a_cancelled_meeting_is_409_and_an_unknown_one_404(api_client, programme, marie):
    cancelled = MeetingFactory(programme=programme, status=Meeting.Status.CANCELLED)

    response = invite(api_client, cancelled.pk, people=[marie.pk])

    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]
    assert not Invitation.objects.exists()
    assert invite(api_client, 424242, people=[marie.pk]).status_code == 404


def test_the_reasons_are_in_the_language_of_the_request(api_client, meeting, marie):
    invite(api_client, meeting.pk, people=[marie.pk])

    response = api_client.post(
        f"/api/meetings/{meeting.pk}/invitations?lang=nl",
        {"people": [marie.pk]},
        content_type="application/json",
    )

    with translation.override("nl"):
        reason = gettext("Already invited to this meeting.")
    assert response.json()["skipped"][0]["reason"] == reason


def test_ids_beyond_any_key_are_unknown_not_a_crash(api_client, meeting):
    response = invite(api_client, meeting.pk, people=[2**64, -3], organisations=[10**30])

    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert str(2**64) in detail and "-3" in detail and str(10**30) in detail
    assert not Invitation.objects.exists()
