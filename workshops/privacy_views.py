"""A signed-in person's data rights: see everything held about them, take it away as
JSON, and erase it (`workshops.subject`, `services.privacy`)."""

import json

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_safe

from meetings.models import Erasure

from .services.privacy import subject_erase
from .subject import subject_export, subject_of_user


@require_safe
@login_required
def me_data(request):
    subject = subject_of_user(request.user)
    response = render(request, "workshops/privacy/data.html", {"data": subject_export(subject)})
    add_never_cache_headers(response)
    return response


@require_safe
@login_required
def me_data_json(request):
    payload = json.dumps(
        subject_export(subject_of_user(request.user)),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@login_required
def me_erase(request):
    """Asks once more (GET), then erases and signs out (POST)."""
    if request.method == "GET":
        return render(request, "workshops/privacy/erase.html")
    subject_erase(subject_of_user(request.user), by=request.user, channel=Erasure.Channel.SELF)
    logout(request)
    return render(request, "workshops/privacy/erased.html")
