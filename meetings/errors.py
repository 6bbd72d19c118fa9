"""Errors of the programme domain, each worded for the organiser who has to fix it."""

from events_site.errors import Conflict, DomainError, NotFound


class MeetingsError(DomainError):
    pass


class InvalidData(MeetingsError):
    """Input that breaks a model rule; `errors` maps each field to its messages."""

    status_code = 422

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.errors = errors


class NotPublishable(MeetingsError, Conflict):
    pass


class WrongState(MeetingsError, Conflict):
    pass


class UnknownProgramme(MeetingsError, NotFound):
    pass


class UnknownMeeting(MeetingsError, NotFound):
    pass
