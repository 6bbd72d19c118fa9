from django.http import HttpResponse
from django.urls import include, path


def programme_brochure(request, year: int):
    return HttpResponse(status=501)


app_patterns = [path("programme/<int:year>.pdf", programme_brochure, name="programme_brochure")]
urls = path("", include((app_patterns, "reports")))
