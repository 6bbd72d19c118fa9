"""Site-wide views that belong to no app."""

from django.http import HttpResponse


def healthz(request):
    """Liveness for the load balancer: answers without the database, so a slow query
    elsewhere does not take the host out of rotation. The "ok" is for machines, not people.
    """
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
