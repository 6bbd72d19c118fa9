"""Anonymising registrations: on an erasure request, and by the retention rules.

An anonymised registration keeps what the key figures and booklets count (status,
check-in, function, organisation, languages and interpretation) and loses what named the
person: names, address, notes, its place in the contact list (its consent to it is
withdrawn; the consent rows stay, as the record of what was agreed), and its links to
the directory entry and the invitation.
Its manage link no longer opens (`selectors.registration_by_token`).
"""

from django.conf import settings
from django.db.models import Case, CharField, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from events_site.kit.text import fold
from meetings.services.privacy import ANONYMISED_DOMAIN, anonymised_name

from ..models import Consent, Registration
from ..webhooks import registration_calls_redact

NOTES_CLEARED = {"accessibility_notes": "", "dietary_notes": ""}


def registrations_notes_clear(registrations: QuerySet[Registration]) -> int:
    """Accessibility and dietary notes can reveal health: deleted once not needed."""
    return (
        registrations.exclude(**NOTES_CLEARED)
        .order_by()
        .update(**NOTES_CLEARED, updated_at=timezone.now())
    )


def _in_own_language(text) -> Case:
    """`text(language)` for each row, in the row's language."""
    return Case(
        *(When(language=code, then=Value(text(code))) for code, _label in settings.LANGUAGES),
        default=Value(text(settings.LANGUAGE_CODE)),
    )


def registrations_anonymise(registrations: QuerySet[Registration]) -> int:
    """One UPDATE whatever the number of rows: the name in each row's own language, an
    address unique per row (the per-meeting unique index still holds) that no mail
    server accepts. The webhook calls that told of them are rewritten to match."""
    now = timezone.now()
    name = _in_own_language(anonymised_name)
    email = Concat(
        Value("registration-"),
        Cast("pk", output_field=CharField()),
        Value(f"@{ANONYMISED_DOMAIN}"),
        output_field=CharField(),
    )
    fresh = registrations.filter(anonymised_at__isnull=True)
    fresh_ids = list(fresh.values_list("pk", flat=True))
    Consent.objects.filter(
        kind=Consent.Kind.CONTACT_SHARING, registration__in=fresh, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    anonymised = fresh.order_by().update(
        first_name="",
        last_name=name,
        # The door finds the row by its placeholder, not by its old name or address.
        search_text=_in_own_language(lambda code: fold(anonymised_name(code))),
        email=email,
        **NOTES_CLEARED,
        # Nobody is put in a contact list under a placeholder name.
        share_contact=False,
        person=None,
        invitation=None,
        anonymised_at=now,
        updated_at=now,
    )
    registration_calls_redact(fresh_ids)
    return anonymised
