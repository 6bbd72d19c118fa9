"""Errors of the reports, worded for the organiser who has to act."""

from events_site.kit.errors import Conflict, DomainError, Forbidden, Invalid


class ReportsError(DomainError):
    pass


class InvalidBookletRequest(ReportsError, Invalid):
    pass


class BookletNotApproved(ReportsError, Conflict):
    """Closing a meeting whose booklet nobody has approved yet."""


class BookletFilesNotReady(ReportsError, Conflict):
    """Closing a meeting while the approved booklet's files are being made, or failed."""


class ReviewRefused(ReportsError, Conflict):
    """A step of the review its booklet's state does not allow (approving a draft…)."""


class NotAReviewer(ReportsError, Forbidden):
    """Someone who is neither an organiser nor one of the meeting's facilitators."""


class InvalidComment(ReportsError, Invalid):
    pass


class InvalidDocumentRequest(ReportsError, Invalid):
    pass


class DocumentRefused(ReportsError, Forbidden):
    pass
