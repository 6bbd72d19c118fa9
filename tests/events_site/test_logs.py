"""Tokens that open someone's page never reach a log line (events_site/kit/logs.py)."""

import io
import logging
import sys

import pytest

from events_site.kit.logs import RedactSecrets


@pytest.fixture
def server_log(settings):
    """What the site's configured handlers write, as the server's log would show it."""
    names = settings.LOGGING["root"]["handlers"]
    handlers = [h for h in logging.getLogger().handlers if h.get_name() in names]
    assert handlers
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def test_a_404_on_a_manage_link_logs_the_path_without_its_token(client, db, server_log):
    token = "Zk3v9Q-secret-manage-token"

    response = client.get(f"/fr/r/{token}/")

    assert response.status_code == 404
    log = server_log.getvalue()
    assert "/fr/r/[redacted]/" in log
    assert token not in log


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /api/registrations/abc123 HTTP/1.1", "GET /api/registrations/[redacted] HTTP/1.1"),
        ("/nl/r/abc123/ticket.pdf", "/nl/r/[redacted]/ticket.pdf"),
        ("/calendar/r/abc123.ics", "/calendar/r/[redacted]"),
        ("/fr/i/abc123/", "/fr/i/[redacted]/"),
        ("/t/abc123/ and /nl/t/abc123/", "/t/[redacted]/ and /nl/t/[redacted]/"),
        ("/fr/signin/abc123/", "/fr/signin/[redacted]/"),
        (
            "/fr/meetings/4/register/?invitation=abc123&x=1",
            "/fr/meetings/4/register/?invitation=[redacted]&x=1",
        ),
        (
            "/fr/programme/2027/ /api/meetings/4/registrations",
            "/fr/programme/2027/ /api/meetings/4/registrations",
        ),
    ],
)
def test_every_kind_of_token_is_redacted(line, expected):
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, "", 0, "%(r)s", ({"r": line},), None
    )

    RedactSecrets().filter(record)

    assert record.getMessage() == expected


def test_a_traceback_quoting_a_token_is_redacted():
    try:
        raise LookupError("no registration at /api/registrations/abc123")
    except LookupError:
        record = logging.LogRecord("django", logging.ERROR, "", 0, "failed", (), sys.exc_info())

    RedactSecrets().filter(record)

    text = logging.Formatter().format(record)
    assert "/api/registrations/[redacted]" in text
    assert "abc123" not in text


def test_gunicorns_access_log_goes_through_the_same_filter():
    from django.conf import settings

    from events_site.gunicorn import logconfig_dict

    for name in ("gunicorn.access", "gunicorn.error"):
        for handler in logconfig_dict["loggers"][name]["handlers"]:
            assert "redact_secrets" in settings.LOGGING["handlers"][handler]["filters"]
