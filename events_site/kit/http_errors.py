"""The HTTP status of each domain error's code: the one table the API's error handler
(`events_site/api.py`) and the HTML pages answer from, so a refusal gets the same status
through the API and through a form."""

from .errors import DomainError
from .schemas import ErrorOut

HTTP_STATUS = {
    "refused": 400,
    "not_signed_in": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "unsupported_type": 415,
    "invalid": 422,
}


def http_status(error: DomainError | type[DomainError]) -> int:
    """The status of an error, or of an error class for a refusal a page states
    without raising it."""
    return HTTP_STATUS[error.code]


def error_responses(*also: int) -> dict[int, type[ErrorOut]]:
    """A route's refusals for the OpenAPI document, `response={200: …, **error_responses()}`:
    `ErrorOut` under every status a domain error's code maps to, and under `also` (a
    throttle's 429), so that a status added to the table shows on every route."""
    return {status: ErrorOut for status in sorted({*HTTP_STATUS.values(), *also})}


def not_found_responses(*also: int) -> dict[int, type[ErrorOut]]:
    """A public read's refusals, which has nothing to refuse but what is not there (404)
    and an address the API cannot read (422: an id that is no number, a control
    character, which `events_site.kit.input_guard` refuses on every route)."""
    return {status: ErrorOut for status in sorted({404, 422, *also})}
