"""Erasing a data subject (`workshops.subject`), on their request or an organiser's.

One transaction: a failure anywhere leaves everything as it was. What the key figures
and booklets count stays (registrations keep their status, check-in, function and
organisation; post-its keep their text; poll answers and words keep counting, from a
voter nobody can name), so a past meeting's figures do not move.
"""

import secrets

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import MD5, Concat
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


# The voter of an answer no one can be told from any more.
ANONYMOUS_VOTER = "anonymous:"


def answers_anonymise(answers) -> int:
    """Poll answers or words (`PollAnswer`, `WordEntry`) given by a voter nobody can
    name: each voter becomes a digest of itself salted with a secret forgotten at once,
    so that a voter's answers stay one voter's (a poll counts its voters) and one
    answer per voter still holds."""
    salt = secrets.token_hex(16)
    anonymous = Concat(Value(ANONYMOUS_VOTER), MD5(Concat("voter", Value(salt))))
    return answers.exclude(voter__startswith=ANONYMOUS_VOTER).order_by().update(voter=anonymous)


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
    their signature, poll answers and words their voter, emails not sent yet are not
    sent, and the person can no longer sign in. Logged without the erased data."""
    registration_ids = list(subject.registrations().values_list("pk", flat=True))
    # Before the post-its lose the signature that ties their phone to the person.
    answers = answers_anonymise(subject.poll_answers()) + answers_anonymise(subject.word_entries())
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
        answers=answers,
        deliveries=deliveries,
    )
