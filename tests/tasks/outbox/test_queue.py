import pytest
from celery import current_app
from django.conf import settings
from kombu.exceptions import OperationalError

from meetings.models import Meeting
from meetings.services.meetings import meeting_publish
from tasks.outbox.queue import broker_outage, enqueue_on_commit_once, publish
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
        meeting_publish(draft)
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
        meeting = meeting_publish(draft)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert "The broker is unavailable" in caplog.text


def test_a_broker_that_failed_is_left_alone_for_a_while_and_reported_once(monkeypatch, caplog):
    """A hung broker costs a request its timeouts: the requests after it must not each
    pay them again, nor each write a log line."""
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Timeout reading from socket")

    monkeypatch.setattr(current_app.tasks["tasks.outbox_sweep"], "apply_async", broker_down)

    assert [publish("tasks.outbox_sweep", ()) for _ in range(20)] == [False] * 20
    assert len(attempts) == 1
    assert caplog.text.count("The broker is unavailable") == 1

    monkeypatch.setattr(broker_outage, "_retry_at", 0.0)  # RETRY_AFTER_S later
    monkeypatch.setattr(
        current_app.tasks["tasks.outbox_sweep"], "apply_async", lambda *a, **kw: None
    )
    assert publish("tasks.outbox_sweep", ()) is True
    assert "The broker answers again" in caplog.text


def test_a_publish_gives_up_on_a_hung_broker_within_its_timeouts():
    """kombu waits on a silent broker forever unless told; Celery retries a publish
    three times by default. One retry, to reconnect after a broker restart."""
    options = current_app.conf.broker_transport_options
    assert options["socket_timeout"] == options["socket_connect_timeout"]
    assert options["socket_timeout"] == settings.REDIS_BROKER_TIMEOUT_S
    assert current_app.conf.task_publish_retry_policy["max_retries"] == 1


def test_a_burst_of_writes_queues_one_job_that_runs_after_the_burst(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        current_app.tasks["tasks.workshop_texts_embed"],
        "apply_async",
        lambda args, **kw: sent.append((args, kw["countdown"])),
    )
    current_app.conf.update(task_always_eager=False)  # a worker's; the fixture restores it
    with django_capture_on_commit_callbacks(execute=True):
        for _post_it in range(30):
            enqueue_on_commit_once("tasks.workshop_texts_embed", 7, window_s=1.0)
        enqueue_on_commit_once("tasks.workshop_texts_embed", 8, window_s=1.0)
    assert sent == [((7,), 2.0), ((8,), 2.0)]
