"""One-time sign-in links: asking for one, spending it, and the account it signs in.

Facilitators are mayors, not IT staff: no password to remember. Their link makes a
plain, non-staff Django user on first use, so sessions, CSRF and `login_required` work
for them exactly as for organisers.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tasks.outbox import delivery_queue

from ..auth import safe_next
from ..emails import person_delivery
from ..errors import MeetingsError
from ..models import LoginLink, Meeting, Person

# Links one address may be sent per hour: enough for a lost email, not for a mail bomb.
LOGIN_LINKS_PER_HOUR = 5
LOGIN_LINK = "login_link"


class LoginLinkInvalid(MeetingsError):
    pass


def login_link_request(email: str, next_url: str = "") -> bool:
    """Email a sign-in link to the facilitator with this address, if there is one.

    The caller answers the same whatever this returns, so the form reveals nobody's
    role; the return value is for tests and logs.
    """
    person = (
        Person.objects.filter(
            email__iexact=email.strip(),
            cofacilitations__meeting__status__in=[Meeting.Status.PUBLISHED, Meeting.Status.DRAFT],
        )
        .distinct()
        .first()
    )
    if person is None:
        return False
    now = timezone.now()
    with transaction.atomic():
        # The person row serialises two requests for the same address.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        recent = LoginLink.objects.filter(
            person=person, created_at__gte=now - timedelta(hours=1)
        ).count()
        if recent >= LOGIN_LINKS_PER_HOUR:
            return False
        link = LoginLink.objects.create(
            person=person,
            expires_at=now + LoginLink.TTL,
            next_url=safe_next(next_url),
        )
        delivery_queue(
            person_delivery(
                person, kind=LOGIN_LINK, key=f"login:{link.pk}", context={"link": link.pk}
            )
        )
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
        return facilitator_user(link.person), link.next_url


@transaction.atomic
def facilitator_user(person: Person):
    """The person's sign-in account, made on first use (the person row is locked, so two
    first links spent at once make one account)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id is None:
        user = get_user_model().objects.create_user(
            username=f"person-{person.pk}",
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    return person.user
