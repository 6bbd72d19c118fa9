from django.conf import settings
from django.utils import translation


class QueryLanguageMiddleware:
    """Let `?lang=` choose the language of API answers and feeds.

    Feed and API URLs carry no language prefix, and a calendar client cannot send a
    chosen Accept-Language; an unknown code falls back to the default language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.GET.get("lang")
        if lang is None:
            return self.get_response(request)
        lang = lang.strip().lower()
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = lang
        with translation.override(lang):
            response = self.get_response(request)
        response.headers["Content-Language"] = lang
        return response
