"""How a hot path sits in front of its documented API operation: the one rule for all.

A few requests are so frequent (a phone polling its table's timer every second, a door
scanner's scan) that django-ninja's machinery costs more than their answer: the API's
hundred URL patterns tried in turn, the auth classes, the body parsed through pydantic's
models, the headers read into dicts. For such an address, the site's URLs put a fast view
first (`fast_path`): it answers the requests it is sure of, in order, with the same
checks, reads and answer functions as the documented operation, and hands every other
request (no credentials, a malformed body, a write it does not know) to that operation
unchanged, which says what is wrong. The address, the OpenAPI document and every rule
stay django-ninja's; only the path through them is shorter.

Under a WSGI server the site's handler (`events_site.kit.fast_handler`) goes one step
further: it offers these addresses to their fast view before Django's middleware chain,
and only what it declines goes through the chain to this URL (and straight on to the
operation).
"""

import re
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from ninja import NinjaAPI, Schema
from pydantic import BaseModel, create_model

# A path converter (`<int:workshop_id>`): django-ninja writes its routes without them.
_CONVERTER = re.compile(r"<\w+:(\w+)>")

Fast = Callable[..., HttpResponse | None]


@cache
def _operations(api: NinjaAPI) -> dict[str, Callable]:
    """The API's views by their route: django-ninja builds its URL list anew at each
    reading, so it is read once for every fast path."""
    return {str(url.pattern): url.callback for url in api.urls[0]}


def body_model(schema: type[Schema]) -> type[BaseModel]:
    """`schema`'s own fields in a plain pydantic model, so that a fast path accepts and
    refuses the same JSON bodies as the operation: ninja's `Schema` reads its input
    through a getter made for Django objects (a wrapper, a call a field), which a JSON
    body does not need; it cost four times the validation itself."""
    fields = {name: (field.annotation, field) for name, field in schema.model_fields.items()}
    return create_model(f"{schema.__name__}Body", **fields)


def fast_path(api: NinjaAPI, route: str, fast: Fast) -> URLPattern:
    """The URL of `route` (relative to the API's prefix, with Django's path converters)
    answered by `fast`, else by `api`'s documented operation at that address.

    `fast` takes the request and the route's parameters and answers, or returns None for
    the documented operation to answer. What it raises is answered by the API's own
    handlers (`api.on_exception`), as if raised inside the operation."""
    documented = _operations(api)[_CONVERTER.sub(r"<\1>", route)]

    def answer(request: HttpRequest, **params) -> HttpResponse | None:
        try:
            return fast(request, **params)
        except Exception as error:  # handed to the API's handlers, as inside the operation
            return api.on_exception(request, error)

    def view(request: HttpRequest, **params) -> HttpResponse:
        # A request the handler has already offered to `fast` goes straight on.
        answered = None if request.META.get(DECLINED) else answer(request, **params)
        return answered if answered is not None else documented(request, **params)

    # As django-ninja's views: an operation checks CSRF itself, for session callers; a fast
    # path answers only callers ninja checks no CSRF for (an API key, a table token).
    view.csrf_exempt = True
    view.__name__ = view.__qualname__ = getattr(fast, "__name__", "fast_path")
    # How the handler knows a fast path's URL, and what it offers the request to.
    view.answer = answer
    return path(route, view)


# Set by the handler in the environ of a request whose fast view declined it.
DECLINED = "events_site.fast_path_declined"
