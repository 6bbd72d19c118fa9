from django.http import Http404, HttpResponse
from django.urls import include, path
from django.utils import translation

from meetings.errors import UnknownProgramme

from .brochure import brochure_payload


def programme_brochure(request, year: int):
    lang = translation.get_language()
    try:
        payload = brochure_payload(year, lang)
    except UnknownProgramme:
        raise Http404 from None
    response = HttpResponse(payload, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="programme-{year}-{lang}.pdf"'
    return response


app_patterns = [path("programme/<int:year>.pdf", programme_brochure, name="programme_brochure")]
urls = path("", include((app_patterns, "reports")))
