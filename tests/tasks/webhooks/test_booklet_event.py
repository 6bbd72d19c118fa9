"""An approved booklet is told to the webhooks that listen to it: its call is written in
the approval's transaction, as the outbox's calls are, and leaves after its commit."""

import json

import pytest
from django.db import transaction

from reports.models import BookletApproval
from reports.review import booklet_approve, booklet_submit
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
        assert WebhookCall.objects.get().status == "queued", "owed with the approval"
        assert receiver.calls == [], "nothing leaves before the approval commits"

    (call,) = receiver.calls
    assert call["headers"]["X-Proximity-Event"] == "booklet.approved"
    assert json.loads(call["body"])["data"]["booklet"] == {
        "meeting": meeting.pk,
        "version": approval.number,
        "approved_at": approval.approved_at.isoformat(),
        "approved_by": "Anne Organisatrice",
    }
    assert WebhookCall.objects.get().status == "delivered"


class _Abandoned(Exception):
    pass


def test_an_approval_rolled_back_owes_no_call(
    webhook, receiver, organiser, meeting, django_capture_on_commit_callbacks
):
    booklet_submit(meeting, organiser)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(_Abandoned),
        transaction.atomic(),
    ):
        booklet_approve(meeting, organiser)
        assert WebhookCall.objects.filter(event="booklet.approved").count() == 1
        raise _Abandoned

    assert not BookletApproval.objects.exists()
    assert not WebhookCall.objects.exists()
    assert receiver.calls == []
