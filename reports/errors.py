"""Errors of the reports, worded for the organiser who has to act."""

from events_site.errors import Conflict, DomainError, Invalid, NotFound


class ReportsError(DomainError):
    pass


class InvalidBookletRequest(ReportsError, Invalid):
    pass


class UnknownBooklet(ReportsError, NotFound):
    pass


class MeetingNotClosable(ReportsError, Conflict):
    pass
