"""Errors of workshops, worded for the facilitator (or the participant) who has to act."""

from events_site.kit.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, NotSignedIn


class WorkshopsError(DomainError):
    pass


class InvalidWorkshopData(WorkshopsError, Invalid):
    """Input that breaks a rule; `errors` maps each field to its messages."""


class TimerConflict(WorkshopsError, Conflict):
    """An action the round's state does not allow (pause a finished round…)."""


class WorkshopClosed(WorkshopsError, Conflict):
    pass


class VoteRefused(WorkshopsError, Conflict):
    pass


class ProposalRefused(WorkshopsError, Conflict):
    """Orientations proposed where the workshop has some already, or nothing to group."""


class UnknownTable(WorkshopsError, NotFound):
    """A table token that is stale, forged or of another workshop."""


class StaleTableToken(UnknownTable, NotSignedIn):
    """A table token that names no table (renewed, or made up). The token is the
    phone's credential: a wrong one answers 401, as a wrong key does, even beside a
    valid key; the phone's page shows its own 404 page for it."""

    code = NotSignedIn.code


class NotAllowed(WorkshopsError, Forbidden):
    pass
