"""Errors of the reports, worded for the organiser who has to act."""

from events_site.kit.errors import DomainError, Forbidden, Invalid


class ReportsError(DomainError):
    pass


class InvalidBookletRequest(ReportsError, Invalid):
    pass


class InvalidDocumentRequest(ReportsError, Invalid):
    pass


class DocumentRefused(ReportsError, Forbidden):
    pass
