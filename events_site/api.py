"""The one NinjaAPI, mounted at /api/: every app contributes a router."""

from django.core.exceptions import ValidationError
from ninja import NinjaAPI

from meetings.api import router as meetings_router
from registrations.api import router as registrations_router
from registrations.checkin_api import router as checkin_router
from reports.api import router as reports_router
from tasks.api import router as tasks_router
from workshops.api import router as workshops_router

from .errors import DomainError

api = NinjaAPI(
    title="Proximity meetings API",
    version="1",
    description=(
        "Programme, meetings, registrations and workshops of the cross-border proximity "
        "meetings. Public reads need no credentials; every write needs an organiser's "
        "session (with its CSRF token) or `Authorization: Bearer <key>`. Answers are in "
        "the language given by `?lang=` or `Accept-Language` (fr, nl, en; default fr)."
    ),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    body = {"detail": exc.message}
    errors = getattr(exc, "errors", None)
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(errors.values()))[0]
    return api.create_response(request, {"detail": first, "errors": errors}, status=422)


api.add_router("/", meetings_router)
api.add_router("/", registrations_router)
api.add_router("/", checkin_router)
api.add_router("/", tasks_router)
api.add_router("/", workshops_router)
api.add_router("/", reports_router)
