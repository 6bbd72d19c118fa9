"""`tasks.outbox.send`: claiming, sending, marking and retrying what is owed."""

import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from tasks import outbox
from tasks.models import Delivery
from tasks.outbox import renderers, send
from tests.tasks.outbox.conftest import _queue_and_send, _spec

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scripted_smtp")]


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
