"""Who is asking: one client address, believed from forwarded headers only when a
trusted proxy sent them (events_site/kit/client.py), and gunicorn configured alike."""

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory

from events_site.kit.client import client_address


def address(settings, peer, forwarded_for=None, proxies=()):
    settings.TRUSTED_PROXIES = list(proxies)
    headers = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_address(RequestFactory().get("/", **headers))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "proxies", "expected"),
    [
        # Nobody trusted (the default): the peer, whatever it writes.
        ("198.51.100.9", "203.0.113.1", (), "198.51.100.9"),
        # An untrusted peer writing the header is still the client.
        ("198.51.100.9", "203.0.113.1", ("10.0.0.0/8",), "198.51.100.9"),
        # Our proxy appended the client; what the client wrote before it is ignored.
        ("10.0.0.1", "6.6.6.6, 203.0.113.1", ("10.0.0.0/8",), "203.0.113.1"),
        # Two proxies of ours: the right-most hop that is not one of them.
        ("10.0.0.2", "6.6.6.6, 203.0.113.1, 10.0.0.1", ("10.0.0.0/8",), "203.0.113.1"),
        ("2001:db8::2", "203.0.113.1, 2001:db8::1", ("2001:db8::/64",), "203.0.113.1"),
        # A trusted proxy sending no header, or garbage: the last address vouched for.
        ("10.0.0.1", None, ("10.0.0.1",), "10.0.0.1"),
        ("10.0.0.2", "not-an-address, 10.0.0.1", ("10.0.0.0/8",), "10.0.0.1"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(
    settings, peer, forwarded_for, proxies, expected
):
    assert address(settings, peer, forwarded_for, proxies) == expected


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = ["10.0.0.1"]

    spoofed = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="198.51.100.9")
    proxied = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.1")

    assert spoofed.status_code == 301
    assert spoofed["Location"].startswith("https://")
    assert proxied.status_code == 200


def gunicorn_setting(name: str, **environment) -> str:
    env = {key: value for key, value in os.environ.items() if key != "TRUSTED_PROXIES"}
    code = f"import events_site.gunicorn as g; print(repr(g.{name}))"
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code],
        env={**env, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_gunicorn_trusts_forwarded_headers_from_the_same_proxies_only():
    assert gunicorn_setting("forwarded_allow_ips") == "''"
    assert gunicorn_setting("forwarded_allow_ips", TRUSTED_PROXIES="10.0.0.1, 10.1.0.0/16") == repr(
        "10.0.0.1,10.1.0.0/16"
    )


def test_gunicorns_access_log_names_the_client_as_the_throttles_do(settings):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from events_site.gunicorn import Logger

    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    environ = {
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=0)
    request = SimpleNamespace(headers=[])

    atoms = Logger(Config()).atoms(response, request, environ, timedelta())

    assert atoms["h"] == "203.0.113.1"
