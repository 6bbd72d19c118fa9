"""Errors of invitations and registrations, each worded for the person who has to act."""

from events_site.kit.errors import Conflict, DomainError, Invalid, NotFound


class RegistrationsError(DomainError):
    pass


class InvalidSelection(RegistrationsError):
    """An invitation list that names nobody, or names someone unknown."""

    code = "invalid"


class MeetingNotOpen(RegistrationsError, Conflict):
    """The meeting is a draft or cancelled: nobody can be invited to it."""


class UnknownInvitation(RegistrationsError, NotFound):
    pass


class RegistrationClosed(RegistrationsError, Conflict):
    """The meeting takes no registrations now: a draft, cancelled, or outside its window."""


class InvalidRegistration(RegistrationsError, Invalid):
    """Input that breaks a registration rule; `errors` maps each field to its messages."""


class RegistrationNotChangeable(RegistrationsError, Conflict):
    """A cancelled registration, or one of a meeting that is over."""


class UnknownRegistration(RegistrationsError, NotFound):
    pass


class RegistrationConflict(RegistrationsError, Conflict):
    """A write that raced another one on the same data: sending it again is safe."""
