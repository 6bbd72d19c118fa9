"""Who may write: organisers, through their admin session or a personal API key."""

import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .models import ApiKey

KEY_PREFIX = "pm_"


def is_organiser(user) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=settings.ORGANISERS_GROUP).exists()


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
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        request.user = key.user
        return key.user


class OrganiserSession(SessionAuth):
    """The admin session; ninja's SessionAuth enforces the CSRF token on writes."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if is_organiser(user) else None


organiser_auth = [OrganiserBearer(), OrganiserSession()]
