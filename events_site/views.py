"""Site-wide views that belong to no app."""

from datetime import date

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views import defaults

# Where urls.py mounts the API: below it, every answer is JSON, failures included.
API_PREFIX = "/api/"


def healthz(request):
    """Liveness for the load balancer: answers without the database, so a slow query
    elsewhere does not take the host out of rotation. The "ok" is for machines, not people.
    """
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def unknown_language(request, lang: str, rest: str):
    """A page asked for in a language we do not speak falls back to French.

    A link shared as /de/… or /fr-be/… should land somewhere useful, not on a 404.
    """
    query = request.META.get("QUERY_STRING")
    return redirect(f"/{settings.LANGUAGE_CODE}/{rest}" + (f"?{query}" if query else ""))


# The audit the statement reports: what tests/e2e/test_accessibility_browser.py runs
# (a test keeps them in step), and the day the statement was last drawn up.
ACCESSIBILITY_AUDIT = {"tool": "axe-core 4.14.1", "pages": 56, "date": date(2026, 12, 3)}


def accessibility_statement(request):
    """The statement French and Belgian public bodies must publish (RGAA's model)."""
    return render(
        request,
        "accessibility.html",
        {"audit": ACCESSIBILITY_AUDIT, "contact": settings.ACCESSIBILITY_CONTACT},
    )


def signin_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out password sign-in (`AXES_LOCKOUT_CALLABLE`):
    a page in the request's language saying how long to wait, not axes' bare English
    sentence."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "admin/locked_out.html", {"lockout_minutes": minutes}, status=429)


# Django's error handlers (handler400, 404, 500 in urls.py): an API client reads JSON, even
# when the failure happened before any operation ran; a person gets Django's pages.


def _answers_json(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request, exception):
    """A request Django refused to read: too large, too many fields, a broken upload."""
    if not _answers_json(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        detail = _("The request is larger than %(size)s: send less at once.") % {
            "size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
        return JsonResponse({"detail": detail}, status=413)
    if isinstance(exception, TooManyFieldsSent):
        detail = _("The request has more than %(count)s fields: send fewer at once.") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    else:
        detail = _("The request could not be read: check its form and try again.")
    return JsonResponse({"detail": detail}, status=400)


def page_not_found(request, exception):
    if not _answers_json(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": _("There is no such address in the API.")}, status=404)


def server_error(request):
    """The exception itself is in the server's log, never in the answer."""
    if not _answers_json(request):
        return defaults.server_error(request)
    detail = _("Something went wrong on our side; it has been logged. Try again in a moment.")
    return JsonResponse({"detail": detail}, status=500)
