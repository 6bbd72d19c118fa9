"""The root of every app's domain errors.

Services raise these with a sentence a person can act on, and a `code` that says what
kind of refusal it is; `events_site/kit/http_errors.py` is the one table from codes to HTTP,
which the API and the pages both answer from, so neither has to know the business rule
and the same refusal gets the same status wherever it is met.
"""


class DomainError(Exception):
    code = "refused"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field


class NotSignedIn(DomainError):
    """Nobody the request could be taken from: sign in, or scan a table's code."""

    code = "not_signed_in"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """What the data's current state does not allow (a closed workshop, a full vote…)."""

    code = "conflict"


class Invalid(DomainError):
    """Input that breaks a rule; `errors` maps each field to its messages."""

    code = "invalid"

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.errors = errors


class Forbidden(DomainError):
    """Signed in, but not one of the people this belongs to."""

    code = "forbidden"
