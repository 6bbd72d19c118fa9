"""Errors of the reports, worded for the organiser who has to act."""

from events_site.kit.errors import Conflict, DomainError, Invalid


class ReportsError(DomainError):
    pass


class InvalidBookletRequest(ReportsError, Invalid):
    pass


class MeetingNotClosable(ReportsError, Conflict):
    """Closing a meeting that is not published, or has not started yet."""
