"""The dot-vote: opening it, casting and withdrawing dots."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..errors import NotAllowed, VoteRefused
from ..models import UNSEATED_TABLE_VOTERS, Contribution, TableSeat, Vote, Workshop
from ._common import _lock_open
from .timer import _timer_changed


@transaction.atomic
def workshop_vote_set(workshop: Workshop, is_open: bool) -> Workshop:
    workshop = _lock_open(workshop)
    workshop.vote_open = is_open
    workshop.save(update_fields=["vote_open", "updated_at"])
    _timer_changed(workshop)
    return workshop


@transaction.atomic
def vote_cast(contribution: Contribution, voter: str, *, table_id: int | None = None) -> int:
    """Put one dot; returns the dots the voter has left.

    The workshop row is locked while the dots are counted, so two taps at once cannot
    go over a limit. A phone's dots are also counted against its table: a phone can be
    issued any number of identities (one a page load), but a table's phones together
    place at most its seats times the dots per voter.
    """
    if not voter:
        raise NotAllowed(_("Open this page from your table's QR code to vote."))
    workshop = _lock_open(contribution.workshop)
    if not workshop.vote_open:
        raise VoteRefused(_("The vote is not open: wait for the facilitators to open it."))
    if not contribution.is_visible:
        raise VoteRefused(_("This post-it was merged or hidden: vote for another one."))
    used = Vote.objects.filter(workshop=workshop, voter=voter).count()
    if used >= workshop.vote_limit:
        raise VoteRefused(
            _("You have placed all your %(limit)s dots.") % {"limit": workshop.vote_limit}
        )
    if table_id is not None:
        _table_dots_check(workshop, table_id)
    try:
        with transaction.atomic():
            Vote.objects.create(
                workshop=workshop, contribution=contribution, voter=voter, table_id=table_id
            )
    except IntegrityError:
        raise VoteRefused(_("You already put a dot on this post-it.")) from None
    return workshop.vote_limit - used - 1


def _table_dots_check(workshop: Workshop, table_id: int) -> None:
    """Refuse a dot beyond the table's seats (its seating plan's, or
    `UNSEATED_TABLE_VOTERS`) times the dots per voter."""
    seats = TableSeat.objects.filter(table_id=table_id).count() or UNSEATED_TABLE_VOTERS
    if Vote.objects.filter(table_id=table_id).count() >= seats * workshop.vote_limit:
        raise VoteRefused(
            _(
                "Your table has placed all its dots: %(seats)s seats, %(limit)s dots each. "
                "Ask a facilitator if someone at your table has not voted yet."
            )
            % {"seats": seats, "limit": workshop.vote_limit}
        )


@transaction.atomic
def vote_withdraw(contribution: Contribution, voter: str) -> int:
    workshop = _lock_open(contribution.workshop)
    if not workshop.vote_open:
        raise VoteRefused(_("The vote is closed: dots can no longer change."))
    Vote.objects.filter(contribution=contribution, voter=voter).delete()
    return workshop.vote_limit - Vote.objects.filter(workshop=workshop, voter=voter).count()
