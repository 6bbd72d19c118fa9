"""The management commands: the organisers' API keys."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from meetings.auth import api_key_digest
from meetings.models import ApiKey


def test_create_api_key_prints_a_key_the_api_accepts(organiser, client):
    out = StringIO()
    call_command(
        "create_api_key", organiser.username, "--name", "import", stdout=out, stderr=StringIO()
    )
    raw = out.getvalue().strip()
    key = ApiKey.objects.get(user=organiser)
    assert key.name == "import"
    assert key.digest == api_key_digest(raw) != raw

    def create(token):
        return client.post(
            "/api/organisations",
            {"name": "Spiere-Helkijn", "kind": "municipality", "country": "BE", "postcode": "8587"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert create("pm_not-a-key").status_code == 401
    assert create(raw).status_code == 201


@pytest.mark.parametrize("username", ["nobody", "visitor"])
def test_create_api_key_refuses_unknown_users_and_non_organisers(db, username):
    User.objects.create_user("visitor")
    with pytest.raises(CommandError, match=username):
        call_command("create_api_key", username, stdout=StringIO(), stderr=StringIO())
    assert not ApiKey.objects.exists()
