"""The outbox's hand-written statements keep the contract of their ORM twins: each case
runs on both (`tasks/outbox/sql.py`), with the same answers and the same rows written,
on whichever database the suite runs on."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tasks.models import Delivery
from tasks.outbox import sql

pytestmark = pytest.mark.django_db


def both(name: str):
    """Parametrise a test over the primitive `name` and its ORM twin."""
    return pytest.mark.parametrize(
        name, [getattr(sql, name), getattr(sql, f"{name}_orm")], ids=["sql", "orm"]
    )


def row(key: str, **overrides) -> dict:
    values = {
        "kind": "invitation",
        "idempotency_key": key,
        "to_email": "maire@example.fr",
        "to_name": "Marie <b>&</b> 🚲",
        "language": "fr",
        "reply_to": "",
        "person_id": None,
        "meeting_id": None,
        "programme_id": None,
        "context": {"note": "<b>&</b> 🚲", "n": [1, 2]},
    }
    return {**values, **overrides}


STATE = ("status", "attempts", "last_error", "claimed_at", "sent_at", "next_attempt_at")


def state(pk: int) -> tuple:
    return Delivery.objects.values_list(*STATE).get(pk=pk)


# --- Queueing ------------------------------------------------------------------------------


@both("deliveries_insert")
def test_new_rows_are_inserted_queued_and_stamped(deliveries_insert):
    before = timezone.now()

    inserted = deliveries_insert([row("a"), row("b", language="nl")], fresh=False)

    assert set(inserted) == {"a", "b"}
    for key, pk in inserted.items():
        delivery = Delivery.objects.get(pk=pk)
        assert delivery.idempotency_key == key
        assert {name: getattr(delivery, name) for name in sql.QUEUED_FIELDS} == row(
            key, language=delivery.language
        )
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("queued", 0, "")
        assert delivery.enqueued_at >= before and delivery.created_at >= before
    assert Delivery.objects.get(pk=inserted["b"]).language == "nl"


@both("deliveries_insert")
def test_keys_already_in_the_outbox_are_skipped_and_left_as_they_are(deliveries_insert):
    owed = Delivery.objects.create(**row("a", to_email="first@example.fr"))

    inserted = deliveries_insert([row("a"), row("b")], fresh=False)

    assert list(inserted) == ["b"]
    assert Delivery.objects.get(pk=owed.pk).to_email == "first@example.fr"
    assert Delivery.objects.count() == 2
    assert deliveries_insert([row("a"), row("b")], fresh=False) == {}


@both("deliveries_insert")
def test_fresh_keys_go_in_without_a_look(deliveries_insert):
    assert set(deliveries_insert([row("a"), row("b")], fresh=True)) == {"a", "b"}


@both("deliveries_insert")
def test_a_fresh_key_already_there_fails_the_transaction(deliveries_insert):
    Delivery.objects.create(**row("a"))

    with pytest.raises(IntegrityError), transaction.atomic():
        deliveries_insert([row("b"), row("a")], fresh=True)

    assert list(Delivery.objects.values_list("idempotency_key", flat=True)) == ["a"]


# --- Marking and claiming ------------------------------------------------------------------


@pytest.fixture
def now():
    return timezone.now()


def queued(key: str, **fields) -> Delivery:
    return Delivery.objects.create(**row(key), **fields)


@both("mark_sent_and_claim")
def test_a_due_row_is_claimed_once(mark_sent_and_claim, now):
    delivery = queued("a", attempts=1, next_attempt_at=now - timedelta(seconds=1))

    assert mark_sent_and_claim(now, claim=delivery.pk, attempts=1) is True
    assert mark_sent_and_claim(now, claim=delivery.pk, attempts=1) is False
    assert mark_sent_and_claim(now, claim=delivery.pk, attempts=2) is False

    assert state(delivery.pk) == ("sending", 2, "", now, None, now - timedelta(seconds=1))
    assert Delivery.objects.get(pk=delivery.pk).updated_at == now


@both("mark_sent_and_claim")
@pytest.mark.parametrize(
    "fields",
    [
        {"attempts": 1},  # moved since it was read
        {"next_attempt_at": timedelta(minutes=1)},  # not due yet
        {"status": Delivery.Status.SENDING},
        {"status": Delivery.Status.FAILED},
        {"status": Delivery.Status.SENT},
    ],
)
def test_a_row_not_as_read_or_not_due_is_not_claimed(mark_sent_and_claim, now, fields):
    if "next_attempt_at" in fields:
        fields = {"next_attempt_at": now + fields["next_attempt_at"]}
    delivery = queued("a", **fields)
    before = state(delivery.pk)

    assert mark_sent_and_claim(now, claim=delivery.pk, attempts=0) is False
    assert state(delivery.pk) == before


@both("mark_sent_and_claim")
def test_the_row_sent_is_marked_by_the_claim_of_the_next(mark_sent_and_claim, now):
    sent = queued("a", status=Delivery.Status.SENDING, attempts=1, last_error="timed out")
    following = queued("b")

    assert mark_sent_and_claim(now, sent=sent.pk, claim=following.pk, attempts=0) is True

    assert state(sent.pk) == ("sent", 1, "", None, now, None)
    assert state(following.pk) == ("sending", 1, "", now, None, None)


@both("mark_sent_and_claim")
def test_the_row_sent_is_marked_even_when_the_next_is_taken(mark_sent_and_claim, now):
    sent = queued("a", status=Delivery.Status.SENDING, attempts=1)
    taken = queued("b", status=Delivery.Status.SENDING, attempts=1)

    assert mark_sent_and_claim(now, sent=sent.pk, claim=taken.pk, attempts=0) is False

    assert state(sent.pk)[:1] == ("sent",)
    assert state(taken.pk) == ("sending", 1, "", None, None, None)


@both("mark_sent_and_claim")
def test_a_claim_goes_through_when_the_row_to_mark_is_no_longer_being_sent(
    mark_sent_and_claim, now
):
    failed = queued("a", status=Delivery.Status.FAILED, attempts=3, last_error="550 unknown")
    following = queued("b")

    assert mark_sent_and_claim(now, sent=failed.pk, claim=following.pk, attempts=0) is True

    assert state(failed.pk) == ("failed", 3, "550 unknown", None, None, None)


@both("mark_sent_and_claim")
def test_marking_alone_claims_nothing(mark_sent_and_claim, now):
    sent = queued("a", status=Delivery.Status.SENDING, attempts=1)

    assert mark_sent_and_claim(now, sent=sent.pk) is False
    assert state(sent.pk)[0] == "sent"


@both("commits_unflushed")
def test_claims_and_marks_inside_unflushed_commits_are_the_same(commits_unflushed, now):
    delivery = queued("a")

    with commits_unflushed():
        assert sql.mark_sent_and_claim(now, claim=delivery.pk, attempts=0) is True

    assert state(delivery.pk)[0] == "sending"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
