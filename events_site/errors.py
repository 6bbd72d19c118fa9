"""The root of every app's domain errors.

Services raise these with a sentence a person can act on; the API turns them into a 4xx
and the admin into an error message, so neither has to know the business rule.
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    """Input that breaks a rule; `errors` maps each field to its messages."""

    status_code = 422

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.errors = errors


class Forbidden(DomainError):
    """Signed in, but not one of the people this belongs to."""

    status_code = 403
