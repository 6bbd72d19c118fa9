"""Headers every page carries: a Content-Security-Policy, and a Permissions-Policy that
lets only the door page use the camera."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATES = [
    path
    for app in ("events_site", "meetings", "registrations", "workshops", "reports", "tasks")
    for path in (Path(settings.BASE_DIR) / app / "templates").rglob("*.html")
]


def test_every_page_carries_the_content_security_policy(client, meeting):
    for path in ["/fr/programme/2027/", f"/fr/meetings/{meeting.pk}/", "/fr/admin/login/"]:
        header = client.get(path)["Content-Security-Policy"]
        policy = dict(directive.split(" ", 1) for directive in header.split("; "))

        assert policy["default-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert re.fullmatch(r"'self'(?: 'nonce-[^']+')?", policy["script-src"]), header


def test_only_the_door_page_may_use_the_camera(organiser_client, meeting):
    door = organiser_client.get(f"/fr/door/meetings/{meeting.pk}/")
    programme = organiser_client.get("/fr/programme/2027/")

    assert door.status_code == programme.status_code == 200
    assert "camera=(self)" in door["Permissions-Policy"]
    assert "camera=()" in programme["Permissions-Policy"]


def test_no_template_has_an_inline_script_without_the_nonce_or_an_event_handler():
    """Pages are built from these templates: what the policy would refuse must not be in
    them (the browser tests show the rest, on the pages they open)."""
    offending = []
    for path in TEMPLATES:
        html = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            if "src=" not in tag and "application/json" not in tag and "CSP_NONCE" not in tag:
                offending.append(f"{path.name}: {tag}")
        if "/email/" not in str(path):
            offending += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+=", html)]
    assert TEMPLATES
    assert offending == []
