"""A data subject: everything the network holds about one person, whichever app holds it.

A signed-in person is their directory entry (`Person.user`) and every registration made
with their account's or their entry's address, compared without case, as the unique
indexes compare addresses. Post-its are theirs when signed with one of their names in a
meeting they registered for: the signature is free text, so that is the only link. Poll
answers and words are theirs when given as their account (a facilitator answers as
themself) or from a phone that posted one of their post-its: a phone's identity
(`workshops.devices`) is the only link a table gives.
This module is the highest layer the subject spans (meetings, registrations, the
outbox, workshops); `services.privacy` erases what it finds here.
"""

from dataclasses import dataclass
from functools import cached_property, reduce
from operator import or_

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from meetings.models import Person
from registrations.models import CheckIn, Consent, Registration
from tasks.models import Delivery

from .models import Contribution, PollAnswer, WordEntry


@dataclass(frozen=True)
class Subject:
    person: Person | None
    user: object | None
    emails: frozenset[str]

    @property
    def is_empty(self) -> bool:
        return self.person is None and not self.emails

    def _any_email(self, field: str) -> Q:
        return reduce(or_, (Q(**{f"{field}__iexact": email}) for email in self.emails), Q(pk=None))

    def registrations(self) -> QuerySet[Registration]:
        found = self._any_email("email")
        if self.person is not None:
            found |= Q(person=self.person)
        return Registration.objects.filter(found)

    def checkins(self) -> QuerySet[CheckIn]:
        return CheckIn.objects.filter(registration__in=self.registrations())

    @cached_property
    def names(self) -> frozenset[str]:
        """Every name the person signed up with, as a post-it would be signed."""
        names = {self.person.full_name} if self.person else set()
        names.update(
            f"{first} {last}".strip()
            for first, last in self.registrations().values_list("first_name", "last_name")
        )
        return frozenset(name for name in names if name)

    def contributions(self) -> QuerySet[Contribution]:
        signed = reduce(or_, (Q(author__iexact=name) for name in self.names), Q(pk=None))
        meetings = self.registrations().values("meeting_id")
        return Contribution.objects.filter(signed, workshop__meeting__in=meetings)

    def _answered(self) -> Q:
        """Answers given as the person's account (as a facilitator answers) or from a
        phone that posted one of their post-its, in one subquery."""
        phones = self.contributions().exclude(device="")
        found = Q(voter__in=phones.values(voter=Concat(Value("phone:"), "device")))
        if getattr(self.user, "pk", None):
            found |= Q(voter=f"user:{self.user.pk}")
        return found

    def poll_answers(self) -> QuerySet[PollAnswer]:
        return PollAnswer.objects.filter(self._answered())

    def word_entries(self) -> QuerySet[WordEntry]:
        return WordEntry.objects.filter(self._answered())

    def deliveries(self) -> QuerySet[Delivery]:
        found = self._any_email("to_email")
        if self.person is not None:
            found |= Q(person=self.person)
        return Delivery.objects.filter(found)


def _subject(person: Person | None, user) -> Subject:
    emails = {person.email if person else "", getattr(user, "email", "") or ""}
    return Subject(
        person=person,
        user=user,
        emails=frozenset(email.strip().casefold() for email in emails if email.strip()),
    )


def subject_of_user(user) -> Subject:
    """The signed-in person: their directory entry and their account's address."""
    return _subject(Person.objects.filter(user=user).first(), user)


def subject_of_person(person: Person) -> Subject:
    """The person an organiser erases on a request received by post."""
    return _subject(person, person.user)


def _when(moment):
    """In the site's time zone: the page formats it, the download writes ISO 8601."""
    return timezone.localtime(moment) if moment else None


def _meeting(meeting) -> dict:
    return {"id": meeting.pk, "title": meeting.title, "starts_at": _when(meeting.starts_at)}


def _directory_entry(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "function": person.function,
        "function_label": person.get_function_display(),
        "organisation": person.organisation.name if person.organisation else "",
        "country": str(person.country or ""),
        "preferred_language": person.preferred_language,
        "accepts_network_news": person.accepts_network_news,
    }


def _account(user) -> dict | None:
    if user is None:
        return None
    return {
        "username": user.get_username(),
        "email": user.email,
        "joined_at": _when(user.date_joined),
        "last_sign_in_at": _when(user.last_login),
    }


def _registration(registration: Registration) -> dict:
    checkin = getattr(registration, "checkin", None)
    return {
        "meeting": _meeting(registration.meeting),
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "function": registration.function,
        "organisation": registration.organisation_label,
        "country": str(registration.country or ""),
        "language": registration.language,
        "interpretation_needed": registration.interpretation_needed,
        "interpretation_to": registration.interpretation_to,
        "accessibility_notes": registration.accessibility_notes,
        "dietary_notes": registration.dietary_notes,
        "status": registration.status,
        "status_label": registration.get_status_display(),
        "registered_at": _when(registration.created_at),
        "cancelled_at": _when(registration.cancelled_at),
        "checked_in_at": _when(checkin.checked_in_at) if checkin else None,
    }


def _consents(subject: Subject) -> list[dict]:
    """Each consent as it was given, withdrawals included: what, which text, when."""
    given = Q(registration__in=subject.registrations())
    if subject.person is not None:
        given |= Q(person=subject.person)
    consents = Consent.objects.filter(given).select_related("registration__meeting")
    return [
        {
            "kind": consent.kind,
            "kind_label": consent.get_kind_display(),
            "version": consent.version,
            "meeting": _meeting(consent.registration.meeting) if consent.registration else None,
            "given_at": _when(consent.given_at),
            "withdrawn_at": _when(consent.withdrawn_at),
        }
        for consent in consents.order_by("given_at", "pk")
    ]


def _answer(answer: PollAnswer) -> dict:
    round_ = answer.round
    return {
        "meeting": _meeting(round_.workshop.meeting),
        "workshop": round_.workshop.title,
        "round": round_.title,
        "answer": answer.option.label if answer.option else answer.value,
        "answered_at": _when(answer.created_at),
    }


def _word(entry: WordEntry) -> dict:
    return {
        "meeting": _meeting(entry.round.workshop.meeting),
        "workshop": entry.round.workshop.title,
        "round": entry.round.title,
        "word": entry.text,
        "sent_at": _when(entry.created_at),
    }


def subject_export(subject: Subject) -> dict:
    """Everything held about the subject (dates as datetimes, for
    `DjangoJSONEncoder`): what `/me/data/` shows and
    `/me/data.json` gives. Codes (status, function) come with their label in the
    reader's language. Emails are listed by kind, date and status; their subject line
    and body are composed when sent and never stored."""
    registrations = list(
        subject.registrations()
        .select_related("meeting", "organisation", "checkin")
        .order_by("meeting__starts_at", "pk")
    )
    contributions = (
        subject.contributions().select_related("workshop__meeting").order_by("created_at", "pk")
    )
    deliveries = subject.deliveries().select_related("meeting").order_by("created_at", "pk")
    answers = subject.poll_answers().select_related("round__workshop__meeting", "option")
    words = subject.word_entries().select_related("round__workshop__meeting")
    return {
        "directory_entry": _directory_entry(subject.person),
        "account": _account(subject.user),
        "registrations": [_registration(registration) for registration in registrations],
        "check_ins": [
            {
                "meeting": _meeting(registration.meeting),
                "checked_in_at": _when(registration.checkin.checked_in_at),
                "method": registration.checkin.method,
            }
            for registration in registrations
            if getattr(registration, "checkin", None)
        ],
        "contributions": [
            {
                "meeting": _meeting(contribution.workshop.meeting),
                "workshop": contribution.workshop.title,
                "text": contribution.text,
                "objective": contribution.objective,
                "signed": contribution.author,
                "posted_at": _when(contribution.created_at),
            }
            for contribution in contributions
        ],
        "poll_answers": [_answer(a) for a in answers.order_by("created_at", "pk")],
        "words": [_word(entry) for entry in words.order_by("created_at", "pk")],
        "emails": [
            {
                "kind": delivery.kind,
                "meeting": _meeting(delivery.meeting) if delivery.meeting else None,
                "to": delivery.to_email,
                "queued_at": _when(delivery.created_at),
                "sent_at": _when(delivery.sent_at),
                "status": delivery.status,
                "status_label": delivery.get_status_display(),
            }
            for delivery in deliveries
        ],
        "consents": _consents(subject),
    }
