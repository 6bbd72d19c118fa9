"""Who may write: organisers (admin session or API key) and, for their own meetings,
facilitators; and how everyone else the network knows signs in to their own space.

Facilitators and participants are mayors, not IT staff: no password to remember. A
one-time link emailed to them makes a plain, non-staff Django user on first use, so
sessions, CSRF and `login_required` work for them exactly as for organisers, and
`CheckIn.checked_in_by` can name them.
"""

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from time import monotonic

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.security import HttpBearer, SessionAuth

from tasks.outbox import delivery_queue

from .emails import email_delivery, person_delivery
from .errors import MeetingsError
from .models import ApiKey, CoFacilitator, LoginLink, Meeting, Person

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


class OrganiserBearer(HttpBearer):
    """An organiser's API key. Checked against the database at most once a minute per key
    (`API_KEY_CACHE_S`); unknown keys are not remembered, so each costs a read."""

    def authenticate(self, request, token):
        digest = api_key_digest(token)
        entry = _api_key_remembered(digest)
        if entry is None:
            return None
        values, organiser = entry
        if not organiser:
            return None
        user = get_user_model().from_db(DEFAULT_DB_ALIAS, _api_key_user_fields(), values)
        user._is_organiser = organiser
        request.user = user
        return user


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
    """The admin session of an organiser."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if is_organiser(user) else None


organiser_auth = [OrganiserBearer(), OrganiserSession()]


class AnySession(SignedInSession):
    """Any signed-in user (organiser or facilitator); what they may touch is checked per
    object by `may_facilitate`. ninja's SessionAuth enforces the CSRF token on writes."""


facilitator_auth = [OrganiserBearer(), AnySession()]


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


# --- One-time sign-in links ----------------------------------------------------------

# Links one address may be sent per hour: enough for a lost email, not for a mail bomb.
LOGIN_LINKS_PER_HOUR = 5
LOGIN_LINK = "login_link"


class LoginLinkInvalid(MeetingsError):
    pass


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


@dataclass(frozen=True)
class Signer:
    """Someone outside the directory who may still sign in: the address they gave, the
    name and the language to write to them in."""

    email: str
    full_name: str
    language: str


# Apps above this one that know people outside the directory (registrations) say here
# who an address belongs to, so that sign-in need not import them.
SIGNER_FINDERS: list[Callable[[str], Signer | None]] = []


def signer_finder(find: Callable[[str], Signer | None]) -> Callable[[str], Signer | None]:
    SIGNER_FINDERS.append(find)
    return find


def _signer(email: str) -> Signer | None:
    for find in SIGNER_FINDERS:
        signer = find(email)
        if signer is not None:
            return signer
    return None


def login_link_request(email: str, next_url: str = "") -> bool:
    """Email a sign-in link to whoever the network knows by this address: someone in
    the directory, else someone who registered for a meeting.

    The caller answers the same whatever this returns, so the form reveals nobody's
    presence or role; the return value is for tests and logs.
    """
    address = email.strip()
    person = Person.objects.filter(email__iexact=address).first()
    signer = None if person is not None else _signer(address)
    if person is None and signer is None:
        return False
    now = timezone.now()
    with transaction.atomic():
        if person is not None:
            # The person row serialises two requests for the same address.
            Person.objects.select_for_update().filter(pk=person.pk).first()
        recent = LoginLink.objects.filter(
            email=address.lower(), created_at__gte=now - timedelta(hours=1)
        ).count()
        if recent >= LOGIN_LINKS_PER_HOUR:
            return False
        link = LoginLink.objects.create(
            person=person,
            email=address.lower(),
            expires_at=now + LoginLink.TTL,
            next_url=safe_next(next_url),
        )
        key, context = f"login:{link.pk}", {"link": link.pk}
        if person is not None:
            spec = person_delivery(person, kind=LOGIN_LINK, key=key, context=context)
        else:
            spec = email_delivery(
                signer, kind=LOGIN_LINK, key=key, language=signer.language, context=context
            )
        delivery_queue(spec)
    return True


def login_link_use(token: str) -> tuple:
    """Spend a link: (the user to sign in, where to go). Used once, within its TTL.

    The conditional UPDATE is the whole guard: two clicks at the same instant (a mail
    scanner and the person) cannot both win.
    """
    now = timezone.now()
    with transaction.atomic():
        spent = LoginLink.objects.filter(
            token=token, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        link = LoginLink.objects.select_related("person").filter(token=token).first()
        if not spent:
            if link is None:
                raise LoginLinkInvalid(_("This sign-in link is not valid."))
            if link.used_at is not None:
                raise LoginLinkInvalid(_("This sign-in link was already used: ask for a new one."))
            raise LoginLinkInvalid(
                ngettext(
                    "This sign-in link has expired (links last %(minutes)s minute): "
                    "ask for a new one.",
                    "This sign-in link has expired (links last %(minutes)s minutes): "
                    "ask for a new one.",
                    LoginLink.ttl_minutes(),
                )
                % {"minutes": LoginLink.ttl_minutes()}
            )
        if link.person_id is not None:
            return person_user(link.person), link.next_url
        return signer_user(link.email), link.next_url


def _signer_username(email: str) -> str:
    """The username of a participant outside the directory: derived from the address,
    so that one address makes one account, without putting the address in it."""
    return "signer-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def signer_user(email: str):
    """The sign-in account of a participant outside the directory: a plain user, and no
    directory entry. A `Person` would add them to the organisers' directory, its
    invitations and its news, which they never asked for; their registrations are found
    by the account's email instead."""
    users = get_user_model().objects
    username = _signer_username(email)
    user = users.filter(username=username).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            return users.create_user(username=username, email=email.strip().lower())
    except IntegrityError:
        # Two first links of this address spent at once: the other one made it.
        return users.get(username=username)


@transaction.atomic
def person_user(person: Person):
    """The sign-in account of someone in the directory, made on first use (the person
    row is locked, so two first links spent at once make one account). The account they
    had as a participant before entering the directory becomes theirs."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id is None:
        users = get_user_model().objects
        user = users.filter(
            username=_signer_username(person.email), person__isnull=True
        ).first() or users.create_user(
            username=f"person-{person.pk}",
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    return person.user
