import pytest
from celery import current_app
from kombu.exceptions import OperationalError

from meetings import services
from meetings.models import Meeting
from tests.factories import MeetingFactory, cross_border_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(programme):
    meeting = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
    cross_border_pair(meeting)
    return meeting


def test_jobs_are_enqueued_only_after_commit(
    draft, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        current_app.tasks["tasks.programme_caches_warm"],
        "apply_async",
        lambda args, **kw: sent.append(args),
    )

    with django_capture_on_commit_callbacks() as callbacks:
        services.meeting_publish(draft)
        assert sent == [], "nothing may reach the broker before the transaction commits"
    for callback in callbacks:
        callback()

    assert sent == [(2027,)]


def test_publishing_succeeds_when_the_broker_is_down(
    draft, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(
        current_app.tasks["tasks.programme_caches_warm"], "apply_async", broker_down
    )

    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_publish(draft)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert "Could not enqueue tasks.programme_caches_warm" in caplog.text
