"""The admin's password sign-in locks out repeated failures per user name and client
address (django-axes), and says so in the reader's language."""

import pytest
from django.conf import settings


def sign_in(client, password, address="198.51.100.7", lang="nl"):
    return client.post(
        f"/{lang}/admin/login/",
        {"username": "organiser", "password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_wrong_passwords_lock_the_user_name_out_from_that_address(client, organiser):
    failures = [sign_in(client, "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]

    locked = sign_in(client, "pw-organiser-1")

    assert failures[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Te veel verkeerde wachtwoorden voor deze gebruikersnaam" in page
    assert "15 minuten" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_is_per_address_and_a_success_resets_the_count(client, organiser):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong")

    elsewhere = sign_in(client, "pw-organiser-1", address="203.0.113.9")
    assert elsewhere.status_code == 302

    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong", address="203.0.113.9")
    assert sign_in(client, "pw-organiser-1", address="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_the_lockout_counts_the_client_behind_our_proxy_not_a_forwarded_for(
    client, organiser, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/fr/admin/login/",
            {"username": "organiser", "password": "wrong"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    assert sign_in(client, "pw-organiser-1", lang="fr").status_code == 429
