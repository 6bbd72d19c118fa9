"""One-time sign-in links: asking for one, spending it, and the account it signs in.

Facilitators and participants are mayors, not IT staff: no password to remember. A
link makes a plain, non-staff Django user on first use, so sessions, CSRF and
`login_required` work for them exactly as for organisers. Anyone the network knows may
ask for one: whoever is in the directory, and whoever registered for a meeting.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tasks.outbox import delivery_queue

from ..auth import safe_next
from ..emails import email_delivery, person_delivery
from ..errors import MeetingsError
from ..models import LoginLink, Person

# Links one address may be sent per hour: enough for a lost email, not for a mail bomb.
LOGIN_LINKS_PER_HOUR = 5
LOGIN_LINK = "login_link"


class LoginLinkInvalid(MeetingsError):
    pass


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
