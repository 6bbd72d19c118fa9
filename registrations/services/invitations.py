"""Invitations, and the emails of a meeting's changes to everyone invited or registered.

Every email is an outbox row written in the transaction of the change that causes it,
under a key that makes asking twice harmless (`invite:<meeting>:<person>`…).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.emails import person_delivery
from meetings.models import Meeting, Organisation, Person
from tasks.outbox import deliveries_queue, recipient_problem

from .. import selectors
from ..errors import InvalidSelection, MeetingNotOpen
from ..models import Invitation, Registration
from .delivery import registration_delivery
from .seats import HOLDING

logger = logging.getLogger(__name__)

MAYOR_FUNCTIONS = (Person.Function.MAYOR, Person.Function.BURGOMASTER)
INVITATION = "invitation"
MEETING_UPDATE = "meeting_update"
MEETING_CANCEL = "meeting_cancel"

# One email per person and per change: an update per SEQUENCE, one cancellation.
# Registrants outside the directory are keyed `r<registration>` in place of the person.
CHANGE_KEYS = {
    MEETING_UPDATE: "update:{meeting}:{sequence}:{person}",
    MEETING_CANCEL: "cancel:{meeting}:{person}",
}


@dataclass(frozen=True)
class SkippedInvitee:
    person: int
    name: str
    email: str
    reason: str


@dataclass
class InviteReport:
    queued: int = 0
    skipped: list[SkippedInvitee] = field(default_factory=list)


def _reply_to(user) -> str:
    """Answers go to the organiser who sent the invitation, else to the agency's address."""
    return (user.email if user is not None else "") or settings.DEFAULT_REPLY_TO


@transaction.atomic
def meeting_invite(
    meeting: Meeting,
    *,
    people: Iterable[Person] = (),
    organisations: Iterable[Organisation] = (),
    all_mayors: bool = False,
    invited_by,
) -> InviteReport:
    """Invite the picked people, everyone of the picked organisations, and/or all mayors
    and burgomasters of the network.

    Whoever cannot be written to, or is already invited, is reported and skipped; the
    others are invited. The meeting row is locked, so a cancellation running at the same
    time either sees these invitations (and cancels them) or is seen (and refuses them).
    """
    person_ids = {person.pk for person in people}
    organisation_ids = {organisation.pk for organisation in organisations}
    if not (person_ids or organisation_ids or all_mayors):
        raise InvalidSelection(_("Pick at least one person, organisation or all mayors."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise MeetingNotOpen(_("This meeting is cancelled: nobody can be invited to it any more."))
    if meeting.status == Meeting.Status.DRAFT:
        raise MeetingNotOpen(_("This meeting is not published yet: publish it, then invite."))

    selection = Q(pk__in=person_ids) | Q(organisation_id__in=organisation_ids)
    if all_mayors:
        selection |= Q(function__in=MAYOR_FUNCTIONS)
    invitees = (
        Person.objects.filter(selection)
        .only("first_name", "last_name", "email", "preferred_language")
        .order_by("last_name", "first_name", "pk")
    )
    already_invited = set(
        Invitation.objects.filter(meeting=meeting).values_list("person_id", flat=True)
    )
    reply_to = _reply_to(invited_by)
    report = InviteReport()
    invitations, specs = [], []
    for person in invitees:
        if person.pk in already_invited:
            reason = _("Already invited to this meeting.")
        else:
            reason = recipient_problem(person.email, person.full_name)
        if reason:
            report.skipped.append(SkippedInvitee(person.pk, person.full_name, person.email, reason))
            continue
        invitations.append(Invitation(meeting=meeting, person=person, invited_by=invited_by))
        specs.append(
            person_delivery(
                person,
                kind=INVITATION,
                key=f"invite:{meeting.pk}:{person.pk}",
                reply_to=reply_to,
                meeting_id=meeting.pk,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    report.queued = len(deliveries_queue(specs))
    return report


def meeting_change_notify(meeting: Meeting, kind: str) -> int:
    """Queue `kind` (an update or a cancellation) to everyone invited or registered
    (confirmed or waiting), once per address; returns how many.

    Runs inside the transaction of the change. An address that went bad since the
    invitation only leaves its owner out, and is logged: it must not block the change.
    """
    invitations = Invitation.objects.filter(meeting=meeting).select_related("person", "invited_by")
    specs = []
    seen: set[str] = set()
    for invitation in invitations:
        person = invitation.person
        seen.add(person.email.lower())
        problem = recipient_problem(person.email, person.full_name)
        if problem:
            logger.warning(
                "No %s of meeting %s for person %s: %s", kind, meeting.pk, person.pk, problem
            )
            continue
        key = CHANGE_KEYS[kind].format(
            meeting=meeting.pk, sequence=meeting.sequence, person=person.pk
        )
        specs.append(
            person_delivery(
                person,
                kind=kind,
                key=key,
                reply_to=_reply_to(invitation.invited_by),
                meeting_id=meeting.pk,
            )
        )
    registrants = Registration.objects.filter(meeting=meeting, status__in=HOLDING).only(
        "first_name", "last_name", "email", "language", "person_id", "meeting_id"
    )
    for registration in registrants.order_by("pk"):
        email = registration.email.lower()
        if email in seen:
            continue
        seen.add(email)
        problem = recipient_problem(registration.email, registration.full_name)
        if problem:
            logger.warning(
                "No %s of meeting %s for registration %s: %s",
                kind,
                meeting.pk,
                registration.pk,
                problem,
            )
            continue
        key = CHANGE_KEYS[kind].format(
            meeting=meeting.pk, sequence=meeting.sequence, person=f"r{registration.pk}"
        )
        specs.append(registration_delivery(registration, kind=kind, key=key))
    return len(deliveries_queue(specs))


def invitation_open(token: str) -> Invitation:
    """Record the first time the personal link was followed."""
    invitation = selectors.invitation_by_token(token)
    if invitation.opened_at is None:
        invitation.opened_at = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=invitation.opened_at
        )
    return invitation
