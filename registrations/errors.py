"""Errors of invitations and registrations, each worded for the person who has to act."""

from events_site.errors import Conflict, DomainError, NotFound


class RegistrationsError(DomainError):
    pass


class InvalidSelection(RegistrationsError):
    """An invitation list that names nobody, or names someone unknown."""

    status_code = 422


class MeetingNotOpen(RegistrationsError, Conflict):
    """The meeting is a draft or cancelled: nobody can be invited to it."""


class UnknownInvitation(RegistrationsError, NotFound):
    pass
