"""The site's WSGI handler: its hottest requests offered to their fast views before the
middleware chain.

A scan at a meeting's door, a phone's poll of the timer and a rush's registration have
fast views (`events_site.kit.fast_paths`). Through Django they still paid for the whole middleware
chain, every class in turn: about 0.7 ms of the 1.5 ms a scan cost in one process, where
`/healthz` costs 0.55 ms in all. Most of that work has nothing to do with such a request:
sessions, CSRF, the signed-in user, messages, the sign-in lockout, static files; and the
security headers, which are the same on every API answer, are built again for each.

So the site's WSGI handler (`FastPathHandler`, in `events_site.wsgi`) offers a request
at a fast path's address to its fast view first, with what the chain would have done
to it, by the chain's own code:

- before: the forwarded scheme believed only from a trusted proxy, the language
  (`LocaleMiddleware`, then `?lang=`), and the checks that refuse or redirect (the https
  redirect, the input guard, the allowed hosts and user agents). When one of them would
  answer, the handler declines and the chain answers, as it would have.
- after: the language's and the length's headers by the same middleware, and the
  headers every API answer gets from the rest (security, content security policy,
  permissions policy, frame options), made once per scheme by those middleware
  themselves on a probe answer (`_constant_headers`).

A request the fast view declines (no key, a session, a body to refuse) goes through the
whole chain to the documented operation, as before. Each middleware of the settings
must be known here (`_ROLES`), so that one added later is a decision, not an omission;
`tests/events_site/test_fast_handler.py` holds the handler's answers to the chain's,
header for header.
"""

from functools import cache
from io import BytesIO

from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured, PermissionDenied
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from django.utils.module_loading import import_string

from .client import untrusted_proto_forget
from .fast_paths import DECLINED
from .input_guard import input_refusal
from .middleware import query_language

_REQUEST, _HEADERS, _BROWSER = "request", "headers", "browser"
# What each middleware of the settings is to a fast path's request: its rule, which
# `FastFirst` calls itself before or after the view (_REQUEST: a middleware given this
# role needs its call written there), the same headers on every API answer, made once by
# the middleware itself (_HEADERS), or nothing a fast path's caller (an API key, a table
# token, an anonymous registration) uses (_BROWSER).
_ROLES = {
    "events_site.kit.client.TrustedProxyMiddleware": {_REQUEST},
    "django.middleware.security.SecurityMiddleware": {_REQUEST, _HEADERS},
    "csp.middleware.CSPMiddleware": {_HEADERS},
    "django_permissions_policy.PermissionsPolicyMiddleware": {_HEADERS},
    "whitenoise.middleware.WhiteNoiseMiddleware": {_BROWSER},
    "django.contrib.sessions.middleware.SessionMiddleware": {_BROWSER},
    "django.middleware.locale.LocaleMiddleware": {_REQUEST},
    "events_site.kit.middleware.QueryLanguageMiddleware": {_REQUEST},
    "events_site.kit.input_guard.InputGuardMiddleware": {_REQUEST},
    "django.middleware.common.CommonMiddleware": {_REQUEST},
    "django.middleware.csrf.CsrfViewMiddleware": {_BROWSER},
    "django.contrib.auth.middleware.AuthenticationMiddleware": {_BROWSER},
    "django.contrib.messages.middleware.MessageMiddleware": {_BROWSER},
    "django.middleware.clickjacking.XFrameOptionsMiddleware": {_HEADERS},
    "axes.middleware.AxesMiddleware": {_BROWSER},
}
# Left to each answer: its own length, type and language.
_PER_ANSWER = frozenset({"content-length", "content-type", "content-language", "vary"})


def _unused(request):
    raise AssertionError("the handler calls its middleware's halves, never a chain")


class FastPathHandler(WSGIHandler):
    """Django's WSGI handler, with `FastFirst` in front of its middleware chain: the same
    request objects, signals, error handling, logging and answers, everything but the
    chain itself for what a fast view answers."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async)
        chain = self._middleware_chain
        fast = convert_exception_to_response(FastFirst())

        def fast_then_chain(request: HttpRequest) -> HttpResponse:
            response = fast(request)
            return response if response is not None else chain(request)

        self._middleware_chain = fast_then_chain


class FastFirst:
    """The answer of a fast view with what the chain does to it; None when the chain
    must answer (not a fast path's address, a check that answers, a view that declines)."""

    def __init__(self):
        unknown = [path for path in settings.MIDDLEWARE if path not in _ROLES]
        if unknown:
            raise ImproperlyConfigured(
                f"events_site.kit.fast_handler does not know {', '.join(unknown)}: say in "
                "_ROLES what it does to a fast path's request (its rule run by the handler, "
                "headers only, or nothing a key's or a token's caller uses)."
            )
        self._security = SecurityMiddleware(_unused)
        self._locale = LocaleMiddleware(_unused)
        self._common = CommonMiddleware(_unused)

    def __call__(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        for prefix, pattern in _fast_patterns(settings.ROOT_URLCONF):
            match = path.startswith(prefix) and pattern.resolve(path[len(prefix) :])
            if match:
                break
        else:
            return None
        if self._refused(request):
            return None
        lang = query_language(request)
        if lang is not None:
            translation.activate(lang)
        response = match.func.answer(request, **match.kwargs)
        if response is None:
            request.META[DECLINED] = True
            return None
        for name, value in _constant_headers(request.is_secure()):
            if name not in response:
                response[name] = value
        if lang is not None:
            response.headers["Content-Language"] = lang
        response = self._common.process_response(request, response)
        return self._locale.process_response(request, response)

    def _refused(self, request: HttpRequest) -> bool:
        """The chain's request half, in its order: whether one of its checks answers."""
        untrusted_proto_forget(request)
        if self._security.process_request(request) is not None:
            return True
        self._locale.process_request(request)
        try:
            return (
                input_refusal(request) is not None
                or self._common.process_request(request) is not None
            )
        except (DisallowedHost, PermissionDenied):  # the chain answers them (400, 403)
            return True


@cache
def _fast_patterns(urlconf: str) -> tuple[tuple[str, URLPattern], ...]:
    """The URLconf's fast paths (`fast_paths.fast_path`), with the path of the include
    they sit in."""
    return tuple(
        (f"/{entry.pattern}", pattern)
        for entry in get_resolver(urlconf).url_patterns
        if isinstance(entry, URLResolver)
        for pattern in entry.url_patterns
        if isinstance(pattern, URLPattern) and hasattr(pattern.callback, "answer")
    )


@cache
def _constant_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    """The headers the _HEADERS middleware give an API answer, made by them on a probe
    (on https, HSTS too). Each adds its own only when the answer has none, as here."""
    response = HttpResponse(content_type="application/json")
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/",
            "wsgi.url_scheme": "https" if secure else "http",
            "wsgi.input": BytesIO(),
        }
    )
    for path in reversed(settings.MIDDLEWARE):
        if _HEADERS not in _ROLES[path]:
            continue
        middleware = import_string(path)
        if hasattr(middleware, "process_response"):
            response = middleware(_unused).process_response(request, response)
        else:
            response = middleware(lambda request, answer=response: answer)(request)
    return tuple(
        (name, value) for name, value in response.items() if name.lower() not in _PER_ANSWER
    )


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    _fast_patterns.cache_clear()
    _constant_headers.cache_clear()
