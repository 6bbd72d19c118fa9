import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from events_site.celery import app as celery_app


def _require_real_services():
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine and settings.REDIS_URL:
        return
    message = (
        "integration tests need DATABASE_URL=postgres://… and REDIS_URL=redis://… "
        f"(got {engine} and REDIS_URL={settings.REDIS_URL!r})"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` process on the test database and the real Redis broker."""
    _require_real_services()
    celery_app.control.purge()
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "events_site",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname=pytest-%h",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def wait_for(predicate, *, timeout: float = 60.0, worker=None, what: str = "condition"):
    """Poll until `predicate()` is truthy; on timeout, show what the worker printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}): {worker.stdout.read().decode()}")
        time.sleep(0.2)
    output = ""
    if worker is not None:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode()
    pytest.fail(f"timed out waiting for {what}. Worker output:\n{output}")
