"""A kept PostgreSQL connection is checked before each request uses it: without a round
trip when a request let go of it a moment ago, with Django's `SELECT 1` when it has been
idle longer; and one the server has ended is replaced, not handed to the request."""

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoPostgreSQL

from events_site.kit.postgresql import base

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend only"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def round_trips(monkeypatch):
    """The `SELECT 1` checks sent (Django's `is_usable`)."""
    sent = []

    def is_usable(self):
        sent.append(self.alias)
        return DjangoPostgreSQL.is_usable(self)

    monkeypatch.setattr(base.DatabaseWrapper, "is_usable", is_usable)
    return sent


def _request_served() -> int:
    """A request that uses the connection, as a server runs it: the connection is
    looked at when the request starts and ends; returns its server process."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    connection.close_if_unusable_or_obsolete()
    return pid


def test_a_connection_used_a_moment_ago_is_checked_without_a_round_trip(round_trips):
    first = _request_served()
    assert _request_served() == first
    assert _request_served() == first
    assert round_trips == []


def test_a_connection_idle_longer_gets_the_select_1(round_trips, monkeypatch):
    first = _request_served()
    monkeypatch.setattr(base, "QUIET_S", 0.0)
    assert _request_served() == first
    assert round_trips == ["default"]


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(round_trips):
    first = _request_served()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    finally:
        other.close()
    deadline = time.monotonic() + 5
    while connection._quiet() and time.monotonic() < deadline:
        time.sleep(0.01)
    second = _request_served()
    assert second != first
    # The ended connection had something to read: it got the full check, which failed.
    assert round_trips == ["default"]
