"""Errors of workshops, worded for the facilitator (or the participant) who has to act."""

from events_site.kit.errors import Conflict, DomainError, Forbidden, Invalid, NotFound


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


class NotAllowed(WorkshopsError, Forbidden):
    pass
