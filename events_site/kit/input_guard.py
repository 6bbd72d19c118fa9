"""Requests that no page or operation can mean, refused once, before any of them runs.

A NUL byte in a ticket's token, a query value or a registration's notes reached
PostgreSQL, which cannot store one, and the visitor got a 500; other control characters
break the PDFs, the iCal feeds and the emails further on. Rather than each view guarding
each field, this middleware refuses them everywhere with a sentence: in the address and
the query (one line each, so no control character at all), and in the text of JSON and
form bodies (where tab, line feed and carriage return stay: a textarea posts CRLF). It
also holds the API's rule that a write's body, when there is one, is a JSON object (or,
for an upload, a multipart form).

The common request pays for a regular expression over its raw path and query, and a
write's body for one more over its bytes; only a hit decodes and walks the values, to
name the field.
"""

import json
import re

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from events_site.views import API_PREFIX

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# One line of text: an address, a query value, a field name.
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f]")
# A text field: tab, line feed and carriage return are text; half a UTF-16 pair, which
# JSON can spell (`\ud800`) but no database can store, is not.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# The quick tests on the raw request: a hit only means "look closer".
_MAYBE_IN_QUERY = re.compile(r"%[01][0-9a-f]|[\x00-\x1f]", re.IGNORECASE)
_MAYBE_IN_FORM = re.compile(rb"%[01][0-9a-f]|[\x00-\x08\x0b\x0c\x0e-\x1f]", re.IGNORECASE)
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED_IN_JSON = re.compile(rb"\\u(?:00[01]|d[89a-f])", re.IGNORECASE)


class InputGuardMiddleware:
    """Sits after the language middlewares, so that its sentences are in the visitor's
    language, and before everything that reads the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return input_refusal(request) or self.get_response(request)


def input_refusal(request) -> HttpResponse | None:
    """The answer to a request no page or operation can mean; None for any other. The
    middleware's rule, and the fast path handler's (`events_site.kit.fast_handler`)."""
    api = request.path_info.startswith(API_PREFIX)
    if _CONTROL_IN_LINE.search(request.path_info):
        return _refuse(
            api,
            _("The address contains a control character: check the link."),
            422 if api else 400,
        )
    if _MAYBE_IN_QUERY.search(request.META.get("QUERY_STRING", "")):
        name = _field_in(request.GET.lists(), _CONTROL_IN_LINE)
        if name is not None:
            return _refuse(api, _control_message(name), 422 if api else 400, field=_shown(name))
    if request.method not in _WRITES:
        return None
    # An upload is a multipart form, in the API too: its body is never read whole
    # (a file may be far larger than any JSON), only its fields.
    if api and request.content_type != "multipart/form-data":
        return _api_body_refusal(request)
    if _form_may_hold_control(request):
        name = _field_in(request.POST.lists(), _CONTROL_IN_TEXT)
        if name is not None:
            return _refuse(api, _control_message(name), 422 if api else 400)
    return None


def _form_may_hold_control(request) -> bool:
    """A multipart form is read field by field (its files are bytes, not text, and are
    left alone); an urlencoded one only when its bytes could spell a control character."""
    if request.content_type == "multipart/form-data":
        return True
    return request.content_type == "application/x-www-form-urlencoded" and bool(
        _MAYBE_IN_FORM.search(request.body)
    )


def _api_body_refusal(request) -> HttpResponse | None:
    """An API write takes a JSON object or nothing, whatever its operation reads."""
    body = request.body
    if not body.strip() or _empty_form(request, body):
        return None
    if _RAW_CONTROL.search(body):
        return _refuse(True, _("The body contains a control character: remove it."), 422)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return _refuse(True, _not_an_object_message(), 400)
    if not isinstance(data, dict):
        return _refuse(True, _not_an_object_message(), 422)
    if _ESCAPED_IN_JSON.search(body):
        name = _field_in_json(data)
        if name is not None:
            return _refuse(True, _control_message(name), 422, field=_shown(name))
    return None


def _empty_form(request, body: bytes) -> bool:
    """A multipart form without a field (what an HTML form with no input posts, and what
    some clients send for "nothing") carries no data, like no body at all."""
    if request.content_type != "multipart/form-data":
        return False
    boundary = request.content_params.get("boundary", "")
    return body.strip() == f"--{boundary}--".encode("latin-1", "replace")


def _field_in(pairs, control: re.Pattern) -> str | None:
    """The name of the first field whose name or values hold a control character."""
    for name, values in pairs:
        if _CONTROL_IN_LINE.search(name) or any(control.search(value) for value in values):
            return name
    return None


def _field_in_json(data: dict) -> str | None:
    """Where a control character sits in a JSON body, as the API names fields
    ("people.3", "title_fr"); walked without recursion, since nesting is the sender's."""
    pending: list[tuple[str, object]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if _CONTROL_IN_TEXT.search(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                here = f"{path}.{key}" if path else key
                if _CONTROL_IN_TEXT.search(key):
                    return here
                pending.append((here, item))
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}", item) for index, item in enumerate(value))
    return None


def _shown(name: str) -> str:
    """A field's name fit to be shown, even when the control character is in it."""
    return _CONTROL_IN_LINE.sub("\N{REPLACEMENT CHARACTER}", name)


def _control_message(name: str) -> str:
    return _("“%(field)s” contains a control character: remove it.") % {"field": _shown(name)}


def _not_an_object_message() -> str:
    return _('The body must be a JSON object, such as {"name": "value"}.')


def _refuse(api: bool, message: str, status: int = 400, field: str | None = None):
    if not api:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    body = {"detail": message}
    if field is not None:
        body["errors"] = {field: [message]}
    return JsonResponse(body, status=status)
