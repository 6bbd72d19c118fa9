"""Proposed orientations: made on the facilitator's demand, then accepted (renamed or
not) or discarded one by one. Nothing is sorted until one is accepted."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import ProposalRefused
from ..models import Orientation, OrientationProposal, Workshop
from ..proposals import orientation_groups
from ._common import _lock_open
from .orientations import orientation_create


@transaction.atomic
def orientation_proposals_make(workshop: Workshop) -> list[OrientationProposal]:
    """Replace the workshop's proposals with new ones, from its post-its as they are."""
    workshop = _lock_open(workshop)
    if workshop.orientations.exists():
        raise ProposalRefused(
            _("This workshop already has orientations: its post-its are suggested under them.")
        )
    if not workshop.contributions.visible().filter(orientation=None).exists():
        raise ProposalRefused(_("There are no unsorted post-its to group yet."))
    workshop.orientation_proposals.all().delete()
    proposals = []
    for order, group in enumerate(orientation_groups(workshop), start=1):
        proposal = OrientationProposal.objects.create(
            workshop=workshop, title_fr=group.title_fr, title_nl=group.title_nl, order=order
        )
        proposal.contributions.set(group.contributions)
        proposals.append(proposal)
    return proposals


@transaction.atomic
def orientation_proposal_accept(proposal: OrientationProposal, **titles) -> Orientation:
    """The proposal becomes an orientation, under the titles given (its own where none
    is), and takes its post-its that are still visible and unsorted."""
    workshop = _lock_open(proposal.workshop)
    data = {
        "title_fr": proposal.title_fr,
        "title_nl": proposal.title_nl,
        **{field: value.strip() for field, value in titles.items() if value is not None},
    }
    orientation = orientation_create(workshop, **data)
    proposal.contributions.visible().filter(orientation=None).update(orientation=orientation)
    proposal.delete()
    return orientation


@transaction.atomic
def orientation_proposal_discard(proposal: OrientationProposal) -> None:
    _lock_open(proposal.workshop)
    proposal.delete()
