"""`tasks.outbox.enqueue.deliveries_drain`: a burst of single emails handed on by one job."""

import pytest
from celery import current_app
from django.core import mail
from django.utils import timezone

from tasks import outbox
from tasks.models import Delivery
from tasks.outbox import sweep
from tasks.outbox.enqueue import DRAIN_TASK, deliveries_drain
from tasks.outbox.queue import broker_outage
from tests.tasks.outbox.conftest import _spec

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scripted_smtp")]


@pytest.fixture(autouse=True)
def _drain_on(settings):
    settings.OUTBOX_DRAIN = True


@pytest.fixture
def published(monkeypatch):
    """The drain jobs and the `tasks.deliver` batches handed to the broker, not run."""
    jobs = {DRAIN_TASK: [], "tasks.deliver": []}
    for name, sent in jobs.items():
        monkeypatch.setattr(
            current_app.tasks[name],
            "apply_async",
            lambda args, countdown=None, sent=sent: sent.append(args),
        )
    return jobs


def _commit(django_capture_on_commit_callbacks, spec):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliveries_queue([spec], fresh=True, drain=True)


def test_a_burst_is_one_drain_job_and_the_drain_reads_what_committed_while_it_was_queued(
    django_capture_on_commit_callbacks, published
):
    # Committed while the first one's drain is queued: their commits ask for nothing.
    for key, language in (("c", "nl"), ("a", "fr"), ("b", "nl")):
        _commit(django_capture_on_commit_callbacks, _spec(key=key, language=language))

    assert published[DRAIN_TASK] == [()]
    assert published["tasks.deliver"] == []
    assert not Delivery.objects.filter(enqueued_at__isnull=False).exists()

    assert deliveries_drain() == 3

    ids = dict(Delivery.objects.values_list("idempotency_key", "pk"))
    assert published["tasks.deliver"] == [([ids["a"], ids["c"], ids["b"]],)]  # send order
    assert not Delivery.objects.filter(enqueued_at__isnull=True).exists()
    # The drain began by clearing its flag: the next commit asks for another one.
    _commit(django_capture_on_commit_callbacks, _spec(key="d"))
    assert published[DRAIN_TASK] == [(), ()]
    assert deliveries_drain() == 1
    assert published["tasks.deliver"][-1] == ([Delivery.objects.get(idempotency_key="d").pk],)


def test_the_drain_takes_only_the_rows_nobody_handed_on(django_capture_on_commit_callbacks):
    outbox.deliveries_queue([_spec(key="own-job"), _spec(key="retry"), _spec(key="sent")])
    Delivery.objects.filter(idempotency_key="retry").update(
        attempts=1, next_attempt_at=timezone.now(), enqueued_at=None
    )
    Delivery.objects.filter(idempotency_key="sent").update(
        status=Delivery.Status.SENT, enqueued_at=None
    )

    assert deliveries_drain() == 0


def test_without_a_worker_the_drain_runs_at_commit_and_sends(django_capture_on_commit_callbacks):
    _commit(django_capture_on_commit_callbacks, _spec(key="a"))
    _commit(django_capture_on_commit_callbacks, _spec(key="b"))

    assert len(mail.outbox) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_drain_the_broker_refused_leaves_the_rows_to_the_sweep_and_asks_again(
    django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(args, countdown=None):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(current_app.tasks[DRAIN_TASK], "apply_async", broker_down)
    _commit(django_capture_on_commit_callbacks, _spec(key="a"))
    monkeypatch.setattr(broker_outage, "_retry_at", 0.0)  # the broker is tried again
    # The failed publish cleared its flag: this commit tries the broker again.
    _commit(django_capture_on_commit_callbacks, _spec(key="b"))
    assert broker_outage._missed == 1

    monkeypatch.undo()
    monkeypatch.setattr(broker_outage, "_retry_at", 0.0)
    assert sweep.deliveries_sweep() == 2
    assert len(mail.outbox) == 2
