"""An approved booklet is told to the webhooks that listen to it, once it has committed."""

import json

import pytest

from tasks.models import WebhookCall
from tests.booklet_review import booklet_approved_make

pytestmark = pytest.mark.django_db


def test_an_approved_booklet_is_told_with_its_version_after_its_commit(
    webhook, receiver, organiser, meeting, django_capture_on_commit_callbacks
):
    organiser.first_name, organiser.last_name = "Anne", "Organisatrice"
    organiser.save()

    with django_capture_on_commit_callbacks(execute=True):
        approval = booklet_approved_make(meeting, organiser)
        assert not WebhookCall.objects.exists(), "nothing before the approval commits"

    (call,) = receiver.calls
    assert call["headers"]["X-Proximity-Event"] == "booklet.approved"
    assert json.loads(call["body"])["data"]["booklet"] == {
        "meeting": meeting.pk,
        "version": approval.number,
        "approved_at": approval.approved_at.isoformat(),
        "approved_by": "Anne Organisatrice",
    }
    assert WebhookCall.objects.get().status == "delivered"
