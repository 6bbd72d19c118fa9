"""Erasing a person from the directory, on their request.

The row stays, so that what points to it (co-facilitations of past meetings, the
erasure's own log) still holds; what identified the person goes. The placeholder address
keeps the unique index on emails satisfied and can never receive mail (`.invalid` is
reserved, RFC 2606).
"""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from ..models import LoginLink, Person

ANONYMISED_NAME = gettext_lazy("Anonymised participant")
ANONYMISED_DOMAIN = "anonymised.invalid"


def anonymised_name(language: str) -> str:
    """The name an anonymised row carries, in the language it is read in."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return str(ANONYMISED_NAME)


def anonymised_email(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{ANONYMISED_DOMAIN}"


def user_close(user) -> None:
    """The account can no longer sign in (a one-time link, a password or a session: an
    inactive user is refused by every backend), and no longer names anyone."""
    user.is_active = False
    user.set_unusable_password()
    user.email = user.first_name = user.last_name = ""
    # A participant's user name is derived from their address (`signin._signer_username`):
    # it goes too, and the address may make a new account one day.
    user.username = f"erased-{user.pk}"
    user.save(
        update_fields=["is_active", "password", "email", "first_name", "last_name", "username"]
    )


def login_links_delete(emails) -> None:
    """Sign-in links not yet used, asked for with one of these addresses."""
    LoginLink.objects.filter(email__in=[email.lower() for email in emails]).delete()


@transaction.atomic
def person_anonymise(person: Person) -> Person:
    """Names, address and phone go, the sign-in with them; function and organisation stay
    (they are the organisation's, and past key figures count them)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    user = person.user
    person.first_name = ""
    person.last_name = anonymised_name(person.preferred_language)
    person.email = anonymised_email("person", person.pk)
    person.phone = ""
    person.accepts_network_news = False
    person.user = None
    person.save()
    LoginLink.objects.filter(person=person).delete()
    if user is not None:
        user_close(user)
    return person
