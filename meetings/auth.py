"""Who may write: organisers (admin session or API key) and, for their own meetings,
facilitators, who sign in with a one-time link emailed to them.

Facilitators are mayors, not IT staff: no password to remember. Their link makes a
plain, non-staff Django user on first use, so sessions, CSRF and `login_required` work
for them exactly as for organisers, and `CheckIn.checked_in_by` can name them.
"""

import functools
import hashlib
import secrets
from datetime import timedelta
from time import monotonic

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.http.request import HttpHeaders
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from events_site.kit.errors import Forbidden

from .models import ApiKey, CoFacilitator, Meeting

KEY_PREFIX = "pm_"
# Where the WSGI environ keeps the `Authorization` header.
_AUTHORIZATION = HttpHeaders.to_wsgi_name("Authorization")
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


# How long a key's check is remembered in the shared cache. A door scanner sends a request
# a second, and reading the key, its user and the user's groups cost a third of a
# check-in. The price: a key revoked, or a user deactivated or taken out of the
# organisers group, by any other means than saving or deleting the key (which forgets
# it at once, see `_api_key_forget`), keeps working for up to this long.
API_KEY_CACHE_S = 60
# How long each server process also remembers a key's check itself: reading the shared
# cache costs a door scan a fifth of its time. A key revoked or deleted in the admin is
# forgotten at once by the process that saved it, and within this long by the others.
API_KEY_LOCAL_S = 5
# Keys a process remembers at most: beyond, it forgets them all and starts again.
API_KEY_LOCAL_MAX = 1000
_api_keys_seen: dict[str, tuple[float, tuple]] = {}
# The user fields a request may read; any other is loaded from the database on access,
# and `save()` writes only these (a deferred instance, as `.only()` makes).
_API_KEY_USER_FIELDS = frozenset(
    ("id", "username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")
)


@functools.cache
def _api_key_user_fields() -> tuple[str, ...]:
    """`_API_KEY_USER_FIELDS` in the model's order, the order `Model.from_db` expects;
    worked out once, not on every request a key signs."""
    fields = get_user_model()._meta.concrete_fields
    return tuple(field.attname for field in fields if field.attname in _API_KEY_USER_FIELDS)


def _api_key_cache_key(digest: str) -> str:
    return f"api-key:{digest}"


def _api_key_entry(digest: str) -> tuple | None:
    """What the cache remembers of a valid key: its user's fields and whether they are
    an organiser; None for an unknown or revoked key. Records the key's use."""
    key = (
        ApiKey.objects.select_related("user").filter(digest=digest, revoked_at__isnull=True).first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    values = tuple(getattr(key.user, name) for name in _api_key_user_fields())
    return values, is_organiser(key.user)


def _api_key_remembered(digest: str) -> tuple | None:
    """`_api_key_entry`, from this process's memory, else the shared cache, else the
    database (remembered in both)."""
    now = monotonic()
    seen = _api_keys_seen.get(digest)
    if seen is not None and seen[0] > now:
        return seen[1]
    cache_key = _api_key_cache_key(digest)
    entry = cache.get(cache_key)
    if entry is None:
        entry = _api_key_entry(digest)
        if entry is None:
            return None
        cache.set(cache_key, entry, API_KEY_CACHE_S)
    if len(_api_keys_seen) >= API_KEY_LOCAL_MAX:
        _api_keys_seen.clear()
    _api_keys_seen[digest] = (now + API_KEY_LOCAL_S, entry)
    return entry


def api_key_user(token: str):
    """The user of a valid key, organiser or not (`is_organiser` says), or None. Checked
    against the database at most once a minute per key (`API_KEY_CACHE_S`); unknown
    keys are not remembered, so each costs a read."""
    entry = _api_key_remembered(api_key_digest(token))
    if entry is None:
        return None
    values, organiser = entry
    user = get_user_model().from_db(DEFAULT_DB_ALIAS, _api_key_user_fields(), values)
    user._is_organiser = organiser
    return user


class OrganiserBearer(HttpBearer):
    """An organiser's API key."""

    def __call__(self, request):
        """ninja's own reading of `Authorization: Bearer <key>`, from the header's entry
        in `request.META`: `request.headers` builds a dict of every header first, a
        tenth of a door scan's key check."""
        value = request.META.get(_AUTHORIZATION)
        if not value:
            return None
        scheme, _space, token = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token):
        user = api_key_user(token)
        if user is None or not is_organiser(user):
            return None
        request.user = user
        return user


def api_key_or_session(view):
    """A page's view (a document: PDF, CSV, XLSX) that also takes the API's key, so that
    the `download_url` the API hands out works with the key that asked for it.

    With `Authorization: Bearer <key>` the key's user is the request's, and the view's
    own permission check follows (403 for a key whose user may not); a wrong or revoked
    key answers 401, never the sign-in page a script cannot follow. Without the header,
    the browser's session path is unchanged."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            user = api_key_user(token.strip())
            if user is None:
                response = HttpResponse(
                    _("Sign in first: an organiser's or facilitator's session, or an API key."),
                    status=401,
                    content_type="text/plain; charset=utf-8",
                )
                response["WWW-Authenticate"] = "Bearer"
                return response
            request.user = user
        return view(request, *args, **kwargs)

    return wrapper


@receiver([post_save, post_delete], sender=ApiKey)
def _api_key_forget(sender, instance: ApiKey, **kwargs) -> None:
    """A key revoked or deleted (in the admin) stops working at once in this process, and
    within `API_KEY_LOCAL_S` in the others.

    Forgotten now, for the rest of the saving transaction, and again once it commits: a
    request in between still reads the key as it was, and remembers that."""

    def forget() -> None:
        _api_keys_seen.pop(instance.digest, None)
        cache.delete(_api_key_cache_key(instance.digest))

    forget()
    transaction.on_commit(forget)


class SignedInSession(SessionAuth):
    """A Django session; ninja's SessionAuth enforces the CSRF token on writes.

    Only once someone is signed in: the token protects a session, and a caller with none
    is told to sign in (401, as the document says), not that a token is stale (403)."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class OrganiserSession(SignedInSession):
    """The admin session of an organiser. Anyone else signed in (a facilitator, a
    participant) is told it is not theirs (403), as the pages do, not to sign in again."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user and not is_organiser(user):
            raise Forbidden(_("This is for the network's organisers only."))
        return user


# The API's key check, one instance for every operation and for the fast paths that answer
# some key callers before django-ninja (`registrations.door_scan`).
organiser_key = OrganiserBearer()
organiser_auth = [organiser_key, OrganiserSession()]


class AnySession(SignedInSession):
    """Any signed-in user (organiser or facilitator); what they may touch is checked per
    object by `may_facilitate`. ninja's SessionAuth enforces the CSRF token on writes."""


facilitator_auth = [organiser_key, AnySession()]


def may_facilitate(user, meeting: Meeting | int) -> bool:
    """Organisers, and the meeting's co-facilitators and support staff."""
    if is_organiser(user):
        return True
    if not (user and user.is_authenticated and user.is_active and user.pk):
        return False
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    memo = user.__dict__.setdefault("_facilitated_meetings", {})
    if meeting_id not in memo:
        memo[meeting_id] = CoFacilitator.objects.filter(
            meeting_id=meeting_id, person__user=user
        ).exists()
    return memo[meeting_id]


def facilitated_meetings(user):
    """The meetings a signed-in facilitator helps run, newest first."""
    return (
        Meeting.objects.filter(cofacilitators__person__user=user).distinct().order_by("-starts_at")
    )


def safe_next(candidate: str, request=None) -> str:
    """`candidate` if it leads back to this site, else "": the one check of a page to go
    to after sign-in (Django's `url_has_allowed_host_and_scheme`, which also refuses
    "//host" and "/\\host"). Without a request, as for a link stored for later, no host
    is allowed: only a path on this site."""
    hosts = {request.get_host()} if request is not None else set()
    secure = request is not None and request.is_secure()
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts=hosts, require_https=secure
    ):
        return candidate
    return ""
