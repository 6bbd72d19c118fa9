import contextlib
import os
import signal
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


class Worker:
    """A real `celery worker` process on the test database and the real Redis broker."""

    def __init__(self, env: dict[str, str], args: list[str]):
        self.env = env
        self.args = args
        self.process: subprocess.Popen | None = None
        self.log = b""
        self.reaped = False

    def start(self) -> "Worker":
        self.process = subprocess.Popen(  # noqa: S603 - our own worker command
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
                *self.args,
            ],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own process group: the embedded beat is a forked child that holds the
            # output pipe, and outlives a worker signalled alone.
            start_new_session=True,
        )
        return self

    def _signal_all(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def _output(self) -> None:
        """Read what the group printed until the pipe closes; a group that will not close
        it is killed, so that no test waits forever on a stray child."""
        try:
            self.log += self.process.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            self._signal_all(signal.SIGKILL)
            self.log += self.process.communicate(timeout=20)[0]
        self.reaped = True

    def kill(self) -> None:
        """SIGKILL to the worker and its beat: no warm shutdown, no acknowledgement,
        whatever they were doing, as when their machine goes down."""
        self._signal_all(signal.SIGKILL)
        self._output()

    def stop(self) -> str:
        if not self.reaped:
            # The group even when the worker is gone: its beat may not be.
            self._signal_all(signal.SIGTERM)
            self._output()
        return self.log.decode(errors="replace")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.stop()}")


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start workers with extra environment; they are all stopped after the test.

    With `beat=True` the worker also runs Celery beat, and so the outbox sweep.
    """
    _require_real_services()
    celery_app.control.purge()
    workers: list[Worker] = []

    def start(*, beat: bool = False, **env: str) -> Worker:
        base = {**os.environ, "DATABASE_URL": _test_database_url(), "PYTHONUNBUFFERED": "1"}
        args = ["--beat", f"--schedule={tmp_path / f'beat-{len(workers)}'}"] if beat else []
        worker = Worker({**base, **env}, args).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker_process(start_worker):
    return start_worker()


def wait_for(predicate, *, timeout: float = 60.0, worker: Worker | None = None, what: str):
    """Poll until `predicate()` is truthy; on timeout, show what the worker printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None:
            worker.check_alive()
        time.sleep(0.2)
    output = worker.stop() if worker is not None else ""
    pytest.fail(f"timed out waiting for {what}. Worker output:\n{output}")
