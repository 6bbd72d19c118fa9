from django.conf import settings
from django.utils import translation


class QueryLanguageMiddleware:
    """Let `?lang=` choose the language of API answers and feeds.

    Feed and API URLs carry no language prefix, and a calendar client cannot send a
    chosen Accept-Language; an unknown code falls back to the default language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = query_language(request)
        if lang is None:
            return self.get_response(request)
        with translation.override(lang):
            response = self.get_response(request)
        response.headers["Content-Language"] = lang
        return response


def query_language(request) -> str | None:
    """The language `?lang=` chooses, also set as the request's; None without one. The
    middleware's rule, and the fast path handler's (`events_site.kit.fast_handler`)."""
    lang = request.GET.get("lang")
    if lang is None:
        return None
    lang = lang.strip().lower()
    if lang not in {code for code, _name in settings.LANGUAGES}:
        lang = settings.LANGUAGE_CODE
    request.LANGUAGE_CODE = lang
    return lang
