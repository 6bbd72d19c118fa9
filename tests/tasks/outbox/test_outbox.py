import smtplib
from datetime import timedelta

import pytest
from celery import current_app
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tasks import outbox
from tasks.models import Delivery
from tasks.outbox import DeliverySpec, renderers, send, sweep
from tasks.outbox.enqueue import OutboxError
from tasks.outbox.queue import broker_outage
from tests.tasks.backends import ScriptedBackend

pytestmark = pytest.mark.django_db


@outbox.renderer("test-note")
def _render_note(delivery):
    if delivery.context.get("explode"):
        raise RuntimeError("template is broken")
    return EmailMultiAlternatives(
        subject=f"Note {delivery.context.get('n', '')}", body="Bonjour", to=[delivery.to_email]
    )


@pytest.fixture(autouse=True)
def scripted_smtp(settings):
    settings.EMAIL_BACKEND = "tests.tasks.backends.ScriptedBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    ScriptedBackend.script = []
    yield ScriptedBackend.script
    ScriptedBackend.script = []


def _spec(key="note:1", **overrides):
    values = {"kind": "test-note", "key": key, "to_email": "maire@example.fr", "language": "fr"}
    return DeliverySpec(**{**values, **overrides})


def _queue_and_send(django_capture_on_commit_callbacks, *specs):
    with django_capture_on_commit_callbacks(execute=True):
        keys = outbox.deliveries_queue(specs)
    return keys


def test_a_queued_email_is_sent_after_commit_with_a_stable_message_id(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        outbox.delivery_queue(_spec(reply_to="organisatrice@example.be"))
        assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.QUEUED
    for callback in callbacks:
        callback()

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == delivery.message_id
    assert message.reply_to == ["organisatrice@example.be"]


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


def test_a_transient_smtp_error_is_retried_later_with_backoff(
    scripted_smtp, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_RETRY_BASE_S = 30
    scripted_smtp.append(smtplib.SMTPDataError(451, b"4.3.0 Try again later"))

    _queue_and_send(django_capture_on_commit_callbacks, _spec())

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.last_error == "451 4.3.0 Try again later"
    assert 14 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 31
    assert mail.outbox == []

    Delivery.objects.update(next_attempt_at=timezone.now())
    send.deliveries_send([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_a_permanent_smtp_error_fails_with_the_reason_and_is_not_retried(
    scripted_smtp, django_capture_on_commit_callbacks
):
    scripted_smtp.append(
        smtplib.SMTPRecipientsRefused({"maire@example.fr": (550, b"5.1.1 No such user")})
    )
    _queue_and_send(django_capture_on_commit_callbacks, _spec())

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "maire@example.fr: 550 5.1.1 No such user"
    assert delivery.next_attempt_at is None
    send.deliveries_send([delivery.pk])
    assert mail.outbox == [] and Delivery.objects.get().attempts == 1


def test_retries_stop_after_the_last_attempt(scripted_smtp, django_capture_on_commit_callbacks):
    scripted_smtp.extend(ConnectionRefusedError(111, "Connection refused") for _ in range(3))
    _queue_and_send(django_capture_on_commit_callbacks, _spec())
    for _ in range(2):
        Delivery.objects.update(next_attempt_at=timezone.now())
        send.deliveries_send(list(Delivery.objects.values_list("pk", flat=True)))

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    assert "Connection refused" in delivery.last_error


def test_a_message_that_cannot_be_rendered_fails_without_stopping_the_batch(
    django_capture_on_commit_callbacks,
):
    _queue_and_send(
        django_capture_on_commit_callbacks,
        _spec(key="a", context={"explode": True}),
        _spec(key="b", to_email="burgemeester@example.be"),
    )
    statuses = dict(Delivery.objects.values_list("idempotency_key", "status"))
    assert statuses == {"a": Delivery.Status.FAILED, "b": Delivery.Status.SENT}
    assert "template is broken" in Delivery.objects.get(idempotency_key="a").last_error


def test_a_row_claimed_by_one_worker_is_not_sent_by_another():
    outbox.delivery_queue(_spec())
    pk = Delivery.objects.get().pk
    claimed = send._claim(pk)
    assert send._claim(pk) is None
    send.deliveries_send([pk])
    assert mail.outbox == []
    assert claimed.status == Delivery.Status.SENDING


def test_the_sweep_hands_on_rows_the_broker_or_a_dead_worker_left_behind(settings):
    outbox.deliveries_queue([_spec(key="orphan"), _spec(key="stuck"), _spec(key="fresh")])
    long_ago = timezone.now() - timedelta(hours=1)
    # Never handed to the broker (a publish that failed takes the stamp back).
    Delivery.objects.filter(idempotency_key="orphan").update(created_at=long_ago, enqueued_at=None)
    Delivery.objects.filter(idempotency_key="stuck").update(
        status=Delivery.Status.SENDING, claimed_at=long_ago, attempts=1, enqueued_at=long_ago
    )
    Delivery.objects.filter(idempotency_key="fresh").update(enqueued_at=timezone.now())

    assert sweep.deliveries_sweep() == 2

    sent = {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 2 and sent == {"maire@example.fr"}
    statuses = dict(Delivery.objects.values_list("idempotency_key", "status"))
    assert statuses == {"orphan": "sent", "stuck": "sent", "fresh": "queued"}


def test_an_organiser_can_resend_a_failed_email_only(django_capture_on_commit_callbacks):
    outbox.delivery_queue(_spec())
    delivery = Delivery.objects.get()
    with pytest.raises(OutboxError, match="Only a failed email"):
        sweep.delivery_resend(delivery)

    Delivery.objects.update(status=Delivery.Status.FAILED, attempts=3, last_error="550")
    with django_capture_on_commit_callbacks(execute=True):
        sweep.delivery_resend(delivery)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1


def test_a_batch_marks_each_row_sent_once_its_message_is_out():
    keys = outbox.deliveries_queue([_spec(key=f"note:{n}", context={"n": n}) for n in range(5)])
    ids = list(Delivery.objects.filter(idempotency_key__in=keys).values_list("pk", flat=True))

    send.deliveries_send(ids)

    assert len(mail.outbox) == 5
    rows = Delivery.objects.all()
    assert {(row.status, row.attempts, row.last_error) for row in rows} == {("sent", 1, "")}
    assert all(row.sent_at >= row.claimed_at for row in rows)


def test_a_row_changed_since_its_batch_read_it_is_claimed_and_read_again():
    outbox.delivery_queue(_spec())
    read = Delivery.objects.get()
    # Another worker took it, met a greylisting server, and put it back.
    Delivery.objects.filter(pk=read.pk).update(attempts=1, last_error="451 try later")

    claimed = send._claim(read.pk, read)

    assert claimed is not read
    assert (claimed.status, claimed.attempts) == (Delivery.Status.SENDING, 2)
    assert claimed.last_error == "451 try later"


def test_the_claim_that_follows_a_send_marks_it_sent_even_when_the_next_row_is_taken():
    outbox.deliveries_queue([_spec(key="a"), _spec(key="b")])
    first, second = Delivery.objects.order_by("pk")
    sent = send._claim(first.pk, first)
    send._claim(second.pk)  # taken by another worker meanwhile

    assert send._claim(second.pk, second, sent=sent) is None

    first.refresh_from_db()
    assert first.status == Delivery.Status.SENT and first.sent_at is not None
    second.refresh_from_db()
    assert (second.status, second.attempts) == (Delivery.Status.SENDING, 1)


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


def test_fresh_rows_the_broker_refused_are_left_to_the_sweep(
    django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(args, countdown=None):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(current_app.tasks["tasks.deliver"], "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliveries_queue([_spec(key="a"), _spec(key="b")], fresh=True)

    assert not Delivery.objects.filter(enqueued_at__isnull=False).exists()
    monkeypatch.undo()
    monkeypatch.setattr(broker_outage, "_retry_at", 0.0)  # the broker is tried again
    assert sweep.deliveries_sweep() == 2
    assert len(mail.outbox) == 2


def test_a_fresh_key_already_in_the_outbox_fails_the_callers_transaction():
    outbox.delivery_queue(_spec(key="a"))

    with pytest.raises(IntegrityError), transaction.atomic():
        outbox.deliveries_queue([_spec(key="a", to_email="autre@example.fr")], fresh=True)

    assert list(Delivery.objects.values_list("to_email", flat=True)) == ["maire@example.fr"]


class _RecordingSMTP:
    def __init__(self):
        self.sent = []

    def sendmail(self, sender, recipients, data):
        self.sent.append((sender, recipients, data))


def test_the_smtp_envelope_carries_the_bare_addresses_and_the_same_bytes():
    from django.core.mail.backends.smtp import EmailBackend

    backend = EmailBackend(host="127.0.0.1", port=1)
    backend.connection = _RecordingSMTP()
    message = EmailMultiAlternatives(
        "Réunion <b>& 🚲",
        "Bonjour",
        "Rencontres <noreply@example.org>",
        ['"Dupont, Marie <b>&" 🚲 <marie@example.fr>'],
    )

    send._send(backend, message, Delivery(to_email="marie@example.fr"))

    ((sender, recipients, data),) = backend.connection.sent
    assert (sender, recipients) == ("noreply@example.org", ["marie@example.fr"])
    assert data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1] == b"Bonjour"


def test_an_address_beyond_ascii_goes_through_the_backend(monkeypatch):
    from django.core.mail.backends.smtp import EmailBackend

    backend = EmailBackend(host="127.0.0.1", port=1)
    through_backend = []
    monkeypatch.setattr(backend, "send_messages", through_backend.extend)
    message = EmailMultiAlternatives("Objet", "Bonjour", "noreply@example.org", ["élu@mairie.fr"])

    send._send(backend, message, Delivery(to_email="élu@mairie.fr"))

    assert through_backend == [message]


def test_a_worker_keeps_a_fanout_value_across_batches_for_a_minute(monkeypatch):
    builds = []

    def build():
        builds.append(1)
        return len(builds)

    monkeypatch.setattr(renderers, "_fanout", {})
    assert outbox.fanout_memo("frame", build) == 1  # outside a batch: built every time
    clock = [1000.0]
    monkeypatch.setattr(renderers.time, "monotonic", lambda: clock[0])
    for _batch in range(2):
        with renderers.batch_of({}):
            assert outbox.fanout_memo("frame", build) == 2
    clock[0] += renderers.FANOUT_MEMO_S
    with renderers.batch_of({}):
        assert outbox.fanout_memo("frame", build) == 3
        assert outbox.fanout_memo(("frame", "other state"), build) == 4


def test_a_queued_email_replaced_in_its_transaction_is_sent_once_as_the_new_one(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliveries_queue([_spec(key="note:1", context={"n": 1})], fresh=True)
        first = Delivery.objects.get().pk
        outbox.delivery_replace(
            "note:1", _spec(key="note:2", to_email="burgemeester@example.be", context={"n": 2})
        )

    delivery = Delivery.objects.get()
    assert (delivery.pk, delivery.idempotency_key) == (first, "note:2")
    assert delivery.status == Delivery.Status.SENT
    (message,) = mail.outbox
    assert (message.subject, message.to) == ("Note 2", ["burgemeester@example.be"])


def test_only_a_queued_email_can_be_replaced(django_capture_on_commit_callbacks):
    _queue_and_send(django_capture_on_commit_callbacks, _spec(key="note:1"))

    with pytest.raises(OutboxError, match="note:1"):
        outbox.delivery_replace("note:1", _spec(key="note:2"))
    with pytest.raises(OutboxError, match="nothing:here"):
        outbox.delivery_replace("nothing:here", _spec(key="note:3"))
    assert list(Delivery.objects.values_list("idempotency_key", flat=True)) == ["note:1"]


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
