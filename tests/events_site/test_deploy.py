"""Deployed over https (`SITE_URL=https://…`): Django's deployment checklist is clean,
plain http is redirected and browsers are told to stay on https."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

HTTPS_SITE = {
    "SITE_URL": "https://rencontres.example.org",
    "ALLOWED_HOSTS": "rencontres.example.org",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": "0",
}

# The answers of a deployed site, asked in its own process: settings are read at start.
ANSWERS = """
from django.test import Client
client = Client(HTTP_HOST="rencontres.example.org")
plain = client.get("/fr/programme/")
secure = client.get("/healthz", secure=True)
health = client.get("/healthz")
print(plain.status_code, plain["Location"])
print(secure["Strict-Transport-Security"])
print(health.status_code)
"""


def run(*arguments: str) -> subprocess.CompletedProcess:
    # The browser tests' switch for Playwright's event loop is no deployment's.
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *arguments],
        env={**environment, **HTTPS_SITE},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deployment_checklist_has_no_warning_over_https():
    result = run("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_redirects_plain_http_and_sends_hsts_but_not_to_the_health_check():
    result = run("shell", "--no-imports", "-c", ANSWERS)

    assert result.returncode == 0, result.stderr
    redirect, hsts, health = result.stdout.split("\n")[-4:-1]
    assert redirect == "301 https://rencontres.example.org/fr/programme/"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert health == "200"
