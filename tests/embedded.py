"""The embedded default as `make run` starts it, for tests and benchmarks: the Procfile's
processes (the site, one worker, beat) on SQLite and the filesystem broker, in a var/ of
their own, with no PostgreSQL and no Redis whatever the calling process uses."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
_SERVICES = {"DATABASE_URL", "REDIS_URL", "REDIS_CACHE_URL", "CELERY_EAGER", "DEBUG"}


class EmbeddedSite:
    def __init__(self, var: Path, email_url: str, **env: str):
        inherited = {name: value for name, value in os.environ.items() if name not in _SERVICES}
        self.env = {
            **inherited,
            "VAR_DIR": str(var),
            "EMAIL_URL": email_url,
            "PATH": f"{BIN}:{inherited.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "events_site.settings",
            **env,
        }
        self.procfile: subprocess.Popen | None = None
        self.url = ""

    def run(self, *args: str, script: str | None = None) -> str:
        """`manage.py args…`, or a Python script after `django.setup()`: its output."""
        if script is not None:
            args = ("-c", f"import django\ndjango.setup()\n{script}")
        else:
            args = ("manage.py", *args)
        done = subprocess.run(  # noqa: S603 - our own interpreter and project
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"{args[:2]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, *processes: str, port: int) -> str:
        """Start the Procfile's processes (all by default) and wait until the site
        answers on `port`."""
        # runserver prints every request: its lines would drown the worker's.
        honcho = [
            str(BIN / "honcho"),
            "-f",
            "events_site/Procfile",
            "-d",
            ".",
            "start",
            "-q",
            "web",
        ]
        self.procfile = subprocess.Popen(  # noqa: S603 - honcho from our own environment
            [*honcho, "-p", str(port), *processes],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}"
        self.wait(self._answers, "the site to answer")
        return self.url

    def _answers(self) -> bool:
        try:
            return urllib.request.urlopen(f"{self.url}/healthz", timeout=2).status == 200  # noqa: S310
        except OSError:
            return False

    def wait(self, predicate, what: str, timeout: float = 60.0) -> None:
        """Poll until `predicate()` holds; if it never does, stop everything and raise
        with what the processes printed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.procfile.poll() is not None:
                break
            time.sleep(0.1)
        printed = "\n".join(self.stop().splitlines()[-60:])
        raise TimeoutError(f"timed out waiting for {what}; the processes' last lines:\n{printed}")

    def stop(self) -> str:
        """Ctrl-C, as a person at `make run` would: what the processes printed."""
        if self.procfile.poll() is None:
            os.killpg(self.procfile.pid, signal.SIGINT)
        return self.procfile.communicate(timeout=60)[0]
