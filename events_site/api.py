"""The one NinjaAPI, mounted at /api/: every app contributes a router."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled
from ninja.errors import ValidationError as RequestInvalid

from meetings.api import router as meetings_router
from registrations.api import router as registrations_router
from registrations.checkin_api import router as checkin_router
from reports.api import router as reports_router
from reports.document_api import router as documents_router
from reports.review_api import router as review_router
from tasks.api import router as tasks_router
from tasks.webhook_api import router as webhooks_router
from workshops import privacy_api  # noqa: F401  (joins the directory's router)
from workshops.api import router as workshops_router

from .kit.errors import DomainError
from .kit.http_errors import http_status

api = NinjaAPI(
    title="Proximity meetings API",
    version="1",
    description=(
        "Programme, meetings, registrations and workshops of the cross-border proximity "
        "meetings. Public reads need no credentials; every write needs an organiser's "
        "session (with its CSRF token) or `Authorization: Bearer <key>`. Answers are in "
        "the language given by `?lang=` or `Accept-Language` (fr, nl, en; default fr).\n\n"
        "**Retries.** A registration, a check-in, invitations and a post-it (`POST`) may "
        "carry an `Idempotency-Key` header: 1 to 255 visible ASCII characters, such as a "
        "UUID v4, new for each new request. Sending the same request again with the same "
        "key (after a timeout, or a second press of a button) gives back the first answer, "
        "with `Idempotent-Replayed: true`, and writes nothing again; the same key with "
        "another request is refused with 422. Keys are kept 24 hours, per caller (user, "
        "phone, or anonymous for registrations: use random keys) and per operation. A "
        "refusal is not kept: the same key can be sent again once its cause is fixed. "
        "Two requests with the same key at once run once: the second waits for the first "
        "and gets its answer."
    ),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    body = {"detail": exc.message}
    errors = getattr(exc, "errors", None)
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=http_status(exc))


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(errors.values()))[0]
    return api.create_response(request, {"detail": first, "errors": errors}, status=422)


# Where pydantic says a value sits: the part of the request is not the field's name.
_REQUEST_PARTS = frozenset({"body", "query", "path", "header", "cookie", "form", "file", "payload"})


# pydantic names every accepted value of an enum: beyond this many characters (countries,
# time zones) the list hides the sentence, and the documentation shows it better. (ninja
# drops the value sent from the error, so the sentence cannot repeat it.)
ENUM_LISTED = 200


def _problem(error: dict) -> str:
    """pydantic's words for a field, but the API's own limits in the request's language."""
    if error.get("type") == "too_long":
        return _("at most %(limit)s items") % {"limit": error["ctx"]["max_length"]}
    if error.get("type") == "enum" and len(error["ctx"]["expected"]) > ENUM_LISTED:
        return _("not one of the accepted values, which /api/docs lists")
    return str(error.get("msg", ""))


@api.exception_handler(RequestInvalid)
def _request_invalid(request, exc: RequestInvalid):
    """A body or query of the wrong shape: one sentence naming the first field, and
    every field's messages under `errors`, as the services' own 422s have."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        path = [str(part) for part in error.get("loc", ()) if part not in _REQUEST_PARTS]
        errors.setdefault(".".join(path) or "__all__", []).append(_problem(error))
    field, messages = next(iter(errors.items()), ("__all__", [""]))
    if field == "__all__":
        detail = _("The request is not in the expected form: %(problem)s") % {
            "problem": messages[0]
        }
    else:
        detail = _("Check “%(field)s”: %(problem)s") % {"field": field, "problem": messages[0]}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """ninja's own refusals, in words a person can act on, in the request's language."""
    detail = str(exc)
    headers = {}
    if exc.status_code == 401:
        detail = _("Sign in first: an organiser's or facilitator's session, or an API key.")
    elif exc.status_code == 403 and "CSRF" in detail:
        detail = _("The page's security token is missing or out of date: reload the page.")
    elif isinstance(exc, Throttled):
        detail = _("Too many requests: wait a moment, then try again.")
        if exc.wait:
            headers["Retry-After"] = str(int(exc.wait))
    response = api.create_response(request, {"detail": detail}, status=exc.status_code)
    for name, value in headers.items():
        response[name] = value
    return response


api.add_router("/", meetings_router)
api.add_router("/", registrations_router)
api.add_router("/", checkin_router)
api.add_router("/", tasks_router)
api.add_router("/", webhooks_router)
api.add_router("/", workshops_router)
api.add_router("/", reports_router)
api.add_router("/", review_router)
api.add_router("/", documents_router)
