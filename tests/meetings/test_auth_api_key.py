"""The organisers' API keys: remembered for a minute in the shared cache and for a few
seconds in each process, forgotten at once when the key is revoked or deleted."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from meetings import auth
from meetings.auth import OrganiserBearer, api_key_create
from meetings.models import ApiKey


def _authenticate(raw: str):
    return OrganiserBearer().authenticate(RequestFactory().post("/api/checkins"), raw)


def _later(monkeypatch, seconds: float) -> None:
    """This process's clock, `seconds` on."""
    now = auth.monotonic()
    monkeypatch.setattr(auth, "monotonic", lambda: now + seconds)


def test_a_key_is_read_once_then_served_from_the_cache(
    organiser, organiser_key, django_assert_num_queries, monkeypatch
):
    first = _authenticate(organiser_key)
    assert first.pk == organiser.pk
    with django_assert_num_queries(0):
        again = _authenticate(organiser_key)
    assert again.pk == organiser.pk
    assert again.get_full_name() == organiser.get_full_name()
    # Past this process's memory, the shared cache answers, still without a query.
    _later(monkeypatch, auth.API_KEY_LOCAL_S + 1)
    with django_assert_num_queries(0):
        assert _authenticate(organiser_key).pk == organiser.pk


def test_each_request_gets_its_own_user_object(organiser, organiser_key):
    first = _authenticate(organiser_key)
    first.first_name = "Changed in one request"
    assert _authenticate(organiser_key).first_name == organiser.first_name


def test_the_cached_user_saves_only_what_it_loaded(organiser, organiser_key):
    organiser.set_password("s3cret <b>&")
    organiser.save()
    _authenticate(organiser_key)
    user = _authenticate(organiser_key)
    user.first_name = "Élodie 🚲"
    user.save()
    organiser.refresh_from_db()
    assert organiser.first_name == "Élodie 🚲"
    assert organiser.check_password("s3cret <b>&")


@pytest.mark.parametrize("how", ["revoke", "delete"])
def test_a_key_revoked_or_deleted_in_the_admin_stops_working_at_once(organiser, how):
    key, raw = api_key_create(organiser)
    assert _authenticate(raw) is not None
    if how == "revoke":
        key.revoked_at = timezone.now()
        key.save()
    else:
        key.delete()
    assert _authenticate(raw) is None


def test_a_key_revoked_behind_the_cache_stops_working_when_it_expires(
    organiser, organiser_key, monkeypatch
):
    _authenticate(organiser_key)
    ApiKey.objects.update(revoked_at=timezone.now())
    # Documented: up to API_KEY_CACHE_S seconds late; the expiries are simulated here.
    assert _authenticate(organiser_key) is not None
    cache.clear()
    _later(monkeypatch, auth.API_KEY_LOCAL_S + 1)
    assert _authenticate(organiser_key) is None


def test_a_key_revoked_in_another_process_stops_working_here_within_seconds(
    organiser, organiser_key, monkeypatch
):
    _authenticate(organiser_key)
    # What the admin's save does in the other process: the row, and the shared cache.
    ApiKey.objects.update(revoked_at=timezone.now())
    cache.clear()

    assert _authenticate(organiser_key) is not None
    _later(monkeypatch, auth.API_KEY_LOCAL_S + 0.1)
    assert _authenticate(organiser_key) is None


def test_a_staff_user_outside_the_organisers_group_is_refused_every_time(db):
    from django.contrib.auth.models import User

    intern = User.objects.create_user("intern", is_staff=True)
    _key, raw = api_key_create(intern)
    assert _authenticate(raw) is None
    assert _authenticate(raw) is None


def test_unknown_keys_are_not_remembered(db, django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(1):
            assert _authenticate("pm_forged") is None


def test_last_use_is_recorded_when_the_key_is_read(organiser):
    key, raw = api_key_create(organiser)
    long_ago = timezone.now() - timedelta(hours=1)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=long_ago)
    _authenticate(raw)
    key.refresh_from_db()
    assert key.last_used_at > long_ago


def test_a_key_remembered_by_a_request_during_the_revoking_transaction_is_forgotten_on_commit(
    organiser, django_capture_on_commit_callbacks
):
    key, raw = api_key_create(organiser)
    before = auth._api_key_entry(key.digest)
    with django_capture_on_commit_callbacks(execute=True):
        key.revoked_at = timezone.now()
        key.save()
        # Another request, which still reads the key as committed, remembers it.
        cache.set(auth._api_key_cache_key(key.digest), before, auth.API_KEY_CACHE_S)
        auth._api_keys_seen[key.digest] = (auth.monotonic() + auth.API_KEY_LOCAL_S, before)

    assert _authenticate(raw) is None
