"""What the benchmarks that load a real server share: a throwaway database, a gunicorn
on a free port, and one-off HTTP requests to it."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]


def database_create() -> tuple[str, Callable[[], None]]:
    """Migrate a database of our own; return its URL for gunicorn and how to drop it.

    SQLite: the file DATABASE_URL names (a temporary one, set by the caller). PostgreSQL:
    a test database beside DATABASE_URL's, created and dropped as Django's test runner does.
    """
    from django.core.management import call_command
    from django.db import connection

    url = os.environ["DATABASE_URL"]
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return url, lambda: None
    real_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return (
        urlsplit(url)._replace(path=f"/{test_name}").geturl(),
        lambda: connection.creation.destroy_test_db(real_name, verbosity=0),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, str | None, bytes]:
    """Status, ETag and body of one GET on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("ETag"), response.read()
    finally:
        connection.close()


def gunicorn_start(
    database_url: str,
    options: Sequence[str] = ("--workers=2",),
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, int]:
    """A gunicorn serving the site on a free port, once it answers /healthz."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "events_site.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            *options,
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "DATABASE_URL": database_url},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz")[0] == 200:
                return server, port
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    server.kill()
    server.wait()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def gunicorn_stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
