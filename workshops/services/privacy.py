"""Erasing a data subject (`workshops.subject`), on their request or an organiser's.

One transaction: a failure anywhere leaves everything as it was. What the key figures
and booklets count stays (registrations keep their status, check-in, function and
organisation; post-its keep their text), so a past meeting's figures do not move.
"""

from django.db import transaction
from django.utils import timezone

from meetings.models import Erasure
from meetings.services.privacy import login_links_delete, person_anonymise, user_close
from registrations.models import Registration
from registrations.services.privacy import registrations_anonymise
from registrations.services.registration import registration_cancel
from registrations.services.seats import meeting_over
from tasks.outbox import deliveries_forget

from ..models import Contribution
from ..subject import Subject

ACTIVE = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def contributions_unsign(contributions) -> int:
    """The post-its stay on the board and in the booklet, signed by nobody."""
    return contributions.exclude(author="").order_by().update(author="", updated_at=timezone.now())


def _upcoming_cancel(registrations) -> None:
    """A seat kept for nobody would be lost to the waiting list: upcoming registrations
    are cancelled first, which promotes the next person as any cancellation does."""
    now = timezone.now()
    for registration in registrations.filter(status__in=ACTIVE).select_related("meeting"):
        if not meeting_over(registration.meeting, now):
            registration_cancel(registration)


@transaction.atomic
def subject_erase(subject: Subject, *, by, channel: str) -> Erasure:
    """Names become "Anonymised participant", addresses and notes go, post-its lose
    their signature, emails not sent yet are not sent, and the person can no longer sign
    in. Logged without the erased data."""
    registration_ids = list(subject.registrations().values_list("pk", flat=True))
    contributions = contributions_unsign(subject.contributions())
    if subject.user is not None:
        Contribution.objects.filter(created_by=subject.user).update(created_by=None)
    registrations = Registration.objects.filter(pk__in=registration_ids)
    _upcoming_cancel(registrations)
    deliveries = deliveries_forget(subject.deliveries())
    anonymised = registrations_anonymise(registrations)
    login_links_delete(subject.emails)
    if subject.person is not None:
        person_anonymise(subject.person)
    elif subject.user is not None:
        user_close(subject.user)
    return Erasure.objects.create(
        erased_by=by,
        erased_by_name=by.get_username() if by else "",
        channel=channel,
        person=subject.person,
        registrations=anonymised,
        contributions=contributions,
        deliveries=deliveries,
    )
