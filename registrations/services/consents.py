"""Consents, recorded as given: what for, which version of its text, when, and when
withdrawn.

A registration gives two on its form: the privacy notice (required) and, if ticked,
contact sharing. A person in the directory gives or withdraws network news from their
own space, or an organiser records it in the directory. Withdrawing contact sharing
there takes the person out of every contact list served from then on, for all their
registrations; copies already sent stay sent.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meetings.models import Person

from ..models import Consent, Registration

# The texts of these two consents are the form's and the personal space's sentences:
# change the version with them.
CONTACT_SHARING_VERSION = "2026-12"
NETWORK_NEWS_VERSION = "2026-12"
# The version of a network-news consent an organiser entered in the directory.
RECORDED_BY_ORGANISERS = "recorded by organisers"


def consent_version(kind: str) -> str:
    """The version of the text a consent of `kind` is given for now."""
    if kind == Consent.Kind.PRIVACY_NOTICE:
        return settings.PRIVACY_NOTICE_VERSION
    if kind == Consent.Kind.CONTACT_SHARING:
        return CONTACT_SHARING_VERSION
    return NETWORK_NEWS_VERSION


def _consent_set(
    kind: str,
    given: bool,
    now: datetime,
    *,
    registration: Registration | None = None,
    person: Person | None = None,
) -> None:
    """Make the standing consent of `kind` match `given`. A consent standing for an
    older version of the text is closed and given again for the current one."""
    version = consent_version(kind)
    standing = Consent.objects.filter(
        kind=kind, registration=registration, person=person, withdrawn_at__isnull=True
    )
    if given and standing.filter(version=version).exists():
        return
    standing.update(withdrawn_at=now)
    if given:
        Consent.objects.create(
            kind=kind, version=version, registration=registration, person=person, given_at=now
        )


def registration_consents_given(registration: Registration) -> list[tuple[str, str]]:
    """The consents a registration's form gives, each its kind and its text's version:
    what a new registration records with it (`sql.registration_write`)."""
    kinds = [Consent.Kind.PRIVACY_NOTICE]
    if registration.share_contact:
        kinds.append(Consent.Kind.CONTACT_SHARING)
    return [(kind, consent_version(kind)) for kind in kinds]


def registration_consents_record(registration: Registration, now: datetime) -> None:
    """The consents of a registration whose earlier ones may stand (one made again), in
    its transaction: each standing one of an older text closed, each given again for
    the current one."""
    _consent_set(Consent.Kind.PRIVACY_NOTICE, True, now, registration=registration)
    _consent_set(
        Consent.Kind.CONTACT_SHARING, registration.share_contact, now, registration=registration
    )


def contact_sharing_record(registration: Registration, now: datetime) -> None:
    """The registrant changed their mind on contact sharing (manage page, API)."""
    _consent_set(
        Consent.Kind.CONTACT_SHARING, registration.share_contact, now, registration=registration
    )


@transaction.atomic
def contact_sharing_withdraw(registrations: Iterable[Registration]) -> int:
    """Take the person out of every contact list of these registrations (all of theirs,
    past meetings included); returns how many registrations shared their contact."""
    now = timezone.now()
    ids = [registration.pk for registration in registrations]
    sharing = Registration.objects.select_for_update().filter(pk__in=ids, share_contact=True)
    changed = list(sharing.values_list("pk", flat=True))
    Registration.objects.filter(pk__in=changed).update(share_contact=False, updated_at=now)
    Consent.objects.filter(
        kind=Consent.Kind.CONTACT_SHARING, registration__in=ids, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    return len(changed)


@transaction.atomic
def network_news_set(person: Person, given: bool) -> Person:
    """The person's own choice of the network's news, with its record.

    Written without `save()`: a save is an organiser's change to the directory, which
    `network_news_recorded` records as theirs."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    now = timezone.now()
    Person.objects.filter(pk=person.pk).update(accepts_network_news=given, updated_at=now)
    person.accepts_network_news = given
    _consent_set(Consent.Kind.NETWORK_NEWS, given, now, person=person)
    return person


def network_news_recorded(person: Person) -> None:
    """An organiser set or cleared the person's network news (admin, import, API): the
    record follows, as theirs (`RECORDED_BY_ORGANISERS`: the person agreed with them, not
    to a text of this site). A consent the person gave here stays while it stands."""
    standing = Consent.objects.filter(
        kind=Consent.Kind.NETWORK_NEWS, person=person, registration=None, withdrawn_at=None
    )
    now = timezone.now()
    if not person.accepts_network_news:
        standing.update(withdrawn_at=now)
    elif not standing.exists():
        Consent.objects.create(
            kind=Consent.Kind.NETWORK_NEWS,
            version=RECORDED_BY_ORGANISERS,
            person=person,
            given_at=now,
        )
