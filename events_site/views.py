"""Site-wide views that belong to no app."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render


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


def signin_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out password sign-in (`AXES_LOCKOUT_CALLABLE`):
    a page in the request's language saying how long to wait, not axes' bare English
    sentence."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "admin/locked_out.html", {"lockout_minutes": minutes}, status=429)
