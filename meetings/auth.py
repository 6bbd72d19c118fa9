"""Who may write: organisers, through their admin session or a personal API key."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .models import ApiKey

KEY_PREFIX = "pm_"
# "Last used" is for spotting forgotten keys, not an audit log: a door scanner sending a
# request a second must not also write a row a second.
LAST_USED_PRECISION = timedelta(minutes=5)


def is_organiser(user) -> bool:
    """Staff in the organisers group; remembered on the user object for the request."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if not hasattr(user, "_is_organiser"):
        user._is_organiser = (
            user.is_superuser or user.groups.filter(name=settings.ORGANISERS_GROUP).exists()
        )
    return user._is_organiser


def api_key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(user, name: str = "") -> tuple[ApiKey, str]:
    """Create a key; the raw value is returned once and never stored."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=user,
        name=name,
        prefix=raw[len(KEY_PREFIX) : len(KEY_PREFIX) + 8],
        digest=api_key_digest(raw),
    )
    return key, raw


class OrganiserBearer(HttpBearer):
    def authenticate(self, request, token):
        key = (
            ApiKey.objects.select_related("user")
            .filter(digest=api_key_digest(token), revoked_at__isnull=True)
            .first()
        )
        if key is None or not is_organiser(key.user):
            return None
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        request.user = key.user
        return key.user


class OrganiserSession(SessionAuth):
    """The admin session; ninja's SessionAuth enforces the CSRF token on writes."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if is_organiser(user) else None


organiser_auth = [OrganiserBearer(), OrganiserSession()]
