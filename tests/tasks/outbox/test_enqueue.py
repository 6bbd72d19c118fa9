"""`tasks.outbox.enqueue`: an email owed, written once per key in the caller's transaction."""

import pytest
from celery import current_app
from django.core import mail
from django.db import IntegrityError, connection, transaction

from tasks import outbox
from tasks.models import Delivery
from tasks.outbox.enqueue import OutboxError
from tests.tasks.outbox.conftest import _queue_and_send, _spec

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scripted_smtp")]


def test_the_same_key_never_sends_twice(django_capture_on_commit_callbacks):
    _queue_and_send(django_capture_on_commit_callbacks, _spec(), _spec())
    assert _queue_and_send(django_capture_on_commit_callbacks, _spec()) == []
    assert Delivery.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"to_name": "Jean\r\nBcc: tous@example.org"}, "line break"),
        ({"to_email": "maire@example.fr\nBcc: x@example.org"}, "line break"),
        ({"to_email": "pas-une-adresse"}, "not a valid email"),
        ({"reply_to": "nope"}, "not a valid email"),
    ],
)
def test_unsafe_recipients_are_refused_and_nothing_is_written(overrides, message):
    with pytest.raises(OutboxError, match=message):
        outbox.deliveries_queue([_spec(key="ok"), _spec(key="bad", **overrides)])
    assert not Delivery.objects.exists()


def test_fresh_keys_are_written_in_one_statement_and_enqueued_by_id(
    django_capture_on_commit_callbacks, django_assert_num_queries, monkeypatch
):
    published = []
    monkeypatch.setattr(
        current_app.tasks["tasks.deliver"],
        "apply_async",
        lambda args, countdown=None: published.append(args[0]),
    )

    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(1):
        keys = outbox.deliveries_queue([_spec(key="a"), _spec(key="b")], fresh=True)

    assert keys == ["a", "b"]
    assert published == [list(Delivery.objects.order_by("pk").values_list("pk", flat=True))]
    assert not Delivery.objects.filter(enqueued_at__isnull=True).exists()


def test_a_fresh_key_already_in_the_outbox_fails_the_callers_transaction():
    outbox.delivery_queue(_spec(key="a"))

    with pytest.raises(IntegrityError), transaction.atomic():
        outbox.deliveries_queue([_spec(key="a", to_email="autre@example.fr")], fresh=True)

    assert list(Delivery.objects.values_list("to_email", flat=True)) == ["maire@example.fr"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL only")
def test_a_fanout_with_keys_already_owed_is_one_statement_on_postgresql(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    outbox.delivery_queue(_spec(key="owed", context={"n": 0}))

    with django_assert_num_queries(1):
        keys = outbox.deliveries_queue(
            [_spec(key=f"note:{n}", context={"n": n}) for n in (1, 2)] + [_spec(key="owed")]
        )

    assert keys == ["note:1", "note:2"]
    rows = Delivery.objects.filter(idempotency_key__startswith="note:").order_by("pk")
    assert [(row.context, row.status, row.attempts) for row in rows] == [
        ({"n": 1}, Delivery.Status.QUEUED, 0),
        ({"n": 2}, Delivery.Status.QUEUED, 0),
    ]
    assert all(row.enqueued_at and row.created_at for row in rows)
