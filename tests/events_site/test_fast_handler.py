"""The handler of the hottest requests (`events_site.kit.fast_handler`): what it answers, it
answers as Django's whole middleware chain would, header for header; what the chain
would refuse or redirect, and what a fast view declines, the chain answers.

Both are called as a WSGI server calls them: the site's handler (`events_site.wsgi`)
and Django's own, with the same environ.
"""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from events_site import wsgi
from events_site.kit.client import TrustedProxyMiddleware
from events_site.kit.fast_handler import FastFirst, FastPathHandler
from meetings.auth import OrganiserBearer
from tests.ticket_factories import RegistrationFactory
from workshops import devices
from workshops.services.plan import round_create
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.django_db


def fast_first(environ, start_response):
    """The site's handler, made as the test's settings are (as Django's below)."""
    return FastPathHandler()(environ, start_response)


def chain(environ, start_response):
    return WSGIHandler()(environ, start_response)


def call(app, method, path, body=None, **headers):
    """The status, headers and body `app` answers, as a WSGI server gets them. The test's
    transaction keeps its connection: not closed at the request's edges, as in Django's
    test client."""
    environ = (
        RequestFactory()
        .generic(
            method,
            path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=headers,
        )
        .environ
    )
    started = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = app(environ, lambda status, items: started.append((status, items)))
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, items = started[0]
    return status, dict(items), content


@pytest.fixture
def chain_runs(monkeypatch):
    """The requests that went through the middleware chain (into its first step)."""
    runs = []
    first = TrustedProxyMiddleware.__call__
    monkeypatch.setattr(
        TrustedProxyMiddleware,
        "__call__",
        lambda self, request: runs.append(request.path) or first(self, request),
    )
    return runs


def same_answers(ours, chain_answer, varying=("Content-Length",)):
    """The two answers agree but for what differs between two people's answers."""
    (our_status, our_headers, our_body), (status, headers, body) = ours, chain_answer
    drop = {name: None for name in varying}
    assert (our_status, sorted({**our_headers, **drop}.items())) == (
        status,
        sorted({**headers, **drop}.items()),
    )
    return json.loads(our_body or b"null"), json.loads(body or b"null")


@pytest.fixture
def tickets(meeting):
    """Two tickets whose holders' answers differ by their names only."""
    first = RegistrationFactory(meeting=meeting, last_name="Lenoir <b>&</b> 🚲")
    return [first, RegistrationFactory(meeting=meeting, organisation=first.organisation)]


@pytest.mark.parametrize(
    "query, secure, headers",
    [
        ("", False, {"Accept-Language": "nl-BE,nl;q=0.9"}),
        ("?lang=en", False, {"Accept-Language": "nl"}),
        ("", True, {"X-Forwarded-Proto": "https", "Cookie": "django_language=nl"}),
    ],
    ids=["accept-language", "query-language", "https-by-proxy"],
)
def test_a_scan_is_answered_by_the_handler_as_by_the_chain(
    settings, meeting, organiser_key, tickets, chain_runs, query, secure, headers
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_HSTS_SECONDS = 3600
    key = {"Authorization": f"Bearer {organiser_key}", **headers}

    answers = [
        call(
            app,
            "POST",
            f"/api/checkins{query}",
            {"secret": t.ticket_secret, "meeting": meeting.pk},
            **key,
        )
        for app, t in zip((fast_first, chain), tickets, strict=True)
    ]

    ours, theirs = same_answers(*answers)
    assert chain_runs == ["/api/checkins"]  # the chain's call only
    assert ours["outcome"] == theirs["outcome"] == "checked_in"
    assert ours["message"].replace(tickets[0].full_name, "") == theirs["message"].replace(
        tickets[1].full_name, ""
    )
    assert ("Strict-Transport-Security" in answers[0][1]) is secure
    assert "Welkom" in ours["message"] if not query else "Welcome" in ours["message"]


def test_an_error_of_a_fast_view_is_answered_by_the_handler_as_by_the_chain(
    organiser_key, tickets, chain_runs
):
    key = {"Authorization": f"Bearer {organiser_key}"}
    body = {"secret": tickets[0].ticket_secret, "meeting": 2**64}

    ours, theirs = same_answers(
        *(call(app, "POST", "/api/checkins", body, **key) for app in (fast_first, chain))
    )

    assert ours == theirs and ours["detail"]
    assert len(chain_runs) == 1


@pytest.fixture
def phone(meeting):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    round_create(workshop, title_fr="Écriture", kind="silent", duration_s=120)
    tables_create(workshop, 1)
    table = workshop.tables.get()
    device = devices.device_issue(table.pk, table.token)
    return workshop, {"X-Table-Token": table.token, "X-Device": device, "Accept-Language": "fr"}


def test_a_phones_poll_and_its_304_are_answered_by_the_handler_as_by_the_chain(phone, chain_runs):
    workshop, headers = phone
    path = f"/api/workshops/{workshop.pk}/timer"

    polls = [call(app, "GET", path, **headers) for app in (fast_first, chain)]
    same_answers(*polls, varying=())
    unchanged = [
        call(app, "GET", path, **headers, **{"If-None-Match": polls[0][1]["ETag"]})
        for app in (fast_first, chain)
    ]
    same_answers(*unchanged, varying=())

    assert [status for status, _headers, _body in unchanged] == ["304 Not Modified"] * 2
    assert len(chain_runs) == 2


def test_a_registration_is_answered_by_the_handler_as_by_the_chain(meeting, chain_runs):
    def body(n):
        return {
            "first_name": "Sofie",
            "last_name": "Claes <b>&</b> 🚲",
            "email": f"sofie.{n}@menen.example",
            "function": "alderman",
            "organisation_name": "Stad Menen",
            "organisation_country": "BE",
            "language": "nl",
            "privacy_consent": True,
        }

    path = f"/api/meetings/{meeting.pk}/registrations"
    answers = [
        call(app, "POST", path, body(n), **{"Accept-Language": "nl"})
        for n, app in enumerate((fast_first, chain))
    ]

    ours, theirs = same_answers(*answers)
    assert answers[0][0] == "201 Created"
    assert ours.keys() == theirs.keys()
    assert len(chain_runs) == 1


@pytest.mark.parametrize(
    "change, request_",
    [
        ({"SECURE_SSL_REDIRECT": True}, {}),
        ({}, {"HTTP_HOST": "evil.example"}),
        ({}, {"body": {"secret": "A\u0000B", "meeting": 1}}),
        ({}, {"body": ["not", "an", "object"]}),
    ],
    ids=["https-redirect", "host-not-allowed", "nul-in-body", "not-an-object"],
)
def test_what_the_chain_refuses_or_redirects_the_handler_leaves_to_it(
    settings, organiser_key, chain_runs, change, request_
):
    for name, value in change.items():
        setattr(settings, name, value)
    body = request_.get("body", {"secret": "X" * 20, "meeting": 1})
    host = {"Host": request_["HTTP_HOST"]} if "HTTP_HOST" in request_ else {}
    key = {"Authorization": f"Bearer {organiser_key}", **host}

    answers = [call(app, "POST", "/api/checkins", body, **key) for app in (fast_first, chain)]

    assert answers[0] == answers[1]
    assert int(answers[0][0][:3]) in (301, 400, 422)
    assert chain_runs == ["/api/checkins"] * 2


def test_a_request_the_fast_view_declines_reaches_the_operation_once(
    monkeypatch, organiser_key, tickets, chain_runs
):
    """A wrong key: the fast view's check says no once, the operation's once, then 401."""
    checks = []
    authenticate = OrganiserBearer.authenticate
    monkeypatch.setattr(
        OrganiserBearer,
        "authenticate",
        lambda self, request, token: checks.append(token) or authenticate(self, request, token),
    )
    body = {"secret": tickets[0].ticket_secret, "meeting": tickets[0].meeting_id}

    status, _headers, _body = call(
        fast_first, "POST", "/api/checkins", body, Authorization="Bearer nope"
    )

    assert status.startswith("401")
    assert checks == ["nope", "nope"]
    assert chain_runs == ["/api/checkins"]


def test_a_middleware_the_handler_does_not_know_stops_the_start(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.events_site.test_fast_handler.Unknown"]

    with pytest.raises(ImproperlyConfigured, match=r"test_fast_handler\.Unknown"):
        FastFirst()


def test_the_floor_and_pages_go_through_the_chain(chain_runs):
    status, _headers, body = call(wsgi.application, "GET", "/healthz")

    assert (status, body) == ("200 OK", b"ok")
    assert chain_runs == ["/healthz"]
