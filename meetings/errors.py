"""Errors of the programme domain, each worded for the organiser who has to fix it."""

from django.utils.translation import gettext as _

from events_site.kit.errors import Conflict, DomainError, Forbidden, Invalid, NotFound


class MeetingsError(DomainError):
    pass


class InvalidData(MeetingsError, Invalid):
    """Input that breaks a model rule; `errors` maps each field to its messages."""


class NotPublishable(MeetingsError, Conflict):
    pass


class WrongState(MeetingsError, Conflict):
    pass


class InUse(MeetingsError, Conflict):
    """Deleting what other rows still refer to."""


class MeetingNotClosable(MeetingsError, Conflict):
    """Closing a meeting that is not published, or has not started yet."""


class UnknownProgramme(MeetingsError, NotFound):
    pass


class UnknownMeeting(MeetingsError, NotFound):
    @classmethod
    def of(cls, meeting_id) -> "UnknownMeeting":
        """The error for a meeting id that names no meeting, in the request's language."""
        return cls(_("There is no meeting with id %(id)s.") % {"id": meeting_id})


class UnknownDocument(MeetingsError, NotFound):
    @classmethod
    def of(cls, document_id) -> "UnknownDocument":
        return cls(_("There is no document with id %(id)s.") % {"id": document_id})


class DocumentTooLarge(InvalidData):
    """An upload over `DOCUMENT_MAX_MB`."""

    code = "too_large"


class DocumentTypeRefused(InvalidData):
    """An upload whose content is none of the accepted types, whatever its name says."""

    code = "unsupported_type"


class DocumentNotVisible(MeetingsError, Forbidden):
    """A document the visitor may not open, with who may and how they get in."""


class AgendaClash(MeetingsError, Conflict):
    """An agenda item that would overlap another one of the same meeting."""
