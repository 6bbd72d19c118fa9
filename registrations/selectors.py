"""Reads of invitations, shared by the API, the admin, the pages and the renderers."""

from collections.abc import Collection

from django.utils.translation import gettext as _

from meetings.models import Organisation, Person

from .errors import InvalidSelection, UnknownInvitation
from .models import Invitation


def invitation_by_token(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("meeting").filter(token=token).first()
    if invitation is None:
        raise UnknownInvitation(_("This invitation link is not valid."))
    return invitation


def invitation_for_delivery(meeting_id: int | None, person_id: int | None) -> Invitation | None:
    """The invitation an email is about, with its meeting: the recipient is on the delivery."""
    return (
        Invitation.objects.select_related("meeting")
        .filter(meeting_id=meeting_id, person_id=person_id)
        .first()
    )


def _by_ids(model, ids: Collection[int], unknown_message: str) -> tuple[list, str | None]:
    found = list(model.objects.filter(pk__in=ids))
    unknown = sorted(set(ids) - {obj.pk for obj in found})
    if not unknown:
        return found, None
    return found, unknown_message % {"ids": ", ".join(map(str, unknown))}


def invitees_pick(
    person_ids: Collection[int], organisation_ids: Collection[int]
) -> tuple[list[Person], list[Organisation]]:
    """The people and organisations an organiser picked by id; unknown ids are named."""
    people, unknown_people = _by_ids(Person, person_ids, _("There is no person with id %(ids)s."))
    organisations, unknown_organisations = _by_ids(
        Organisation, organisation_ids, _("There is no organisation with id %(ids)s.")
    )
    problems = [problem for problem in (unknown_people, unknown_organisations) if problem]
    if problems:
        raise InvalidSelection(" ".join(problems))
    return people, organisations
