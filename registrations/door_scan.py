"""A door scanner's scan, answered before django-ninja's machinery.

A meeting's door scans a ticket every second or so per scanner, hundreds at once when a
big meeting opens: `POST /api/checkins` is the door's hottest request, and its answer is
one hand-written statement (`sql.py`). Through django-ninja it also paid for the API's
URL list (46 patterns tried before the door's), the auth classes, the body parsed
through the operation's pydantic models and the headers read into a dict: together as
much as the statement itself.

So the site's URLs send this one address here first (`events_site.kit.fast_paths`, the
rule of every such path). A scanner with an organiser's key (the operation's own check,
`meetings.auth.organiser_key`) and a body `ScanIn` accepts is answered here by the
operation's own check, write and answer (`checkin_api.scan_answer`); anything else — no
key or a wrong one, a facilitator's session, a malformed body, an `Idempotency-Key` to
honour — goes on to the documented operation (`checkin_api.checkin_scan`), which says
what is wrong. The address, the OpenAPI document and every rule stay django-ninja's.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.http.request import HttpHeaders

from events_site.kit.fast_paths import body_model
from events_site.kit.idempotency import HEADER as IDEMPOTENCY_KEY
from meetings.auth import organiser_key

from .checkin_api import scan_answer
from .schemas import ScanIn

# The address of `checkin_api.checkin_scan`, below the API's prefix.
ROUTE = "checkins"
# Where the WSGI environ keeps the header: looked up there, as the key is
# (`OrganiserBearer`), without building `request.headers` from every header.
_IDEMPOTENCY_KEY = HttpHeaders.to_wsgi_name(IDEMPOTENCY_KEY)
_ScanBody = body_model(ScanIn)


def organiser_scan(request: HttpRequest) -> HttpResponse | None:
    """The answer to a scan sent with an organiser's key; None for any other request.

    The body is read first, as it costs no query: a scan the operation will refuse does
    not check a key twice."""
    if request.method != "POST" or _IDEMPOTENCY_KEY in request.META:
        return None
    try:
        body = _ScanBody.model_validate(json.loads(request.body))
    except (ValueError, RecursionError):  # JSON or ScanIn refuses it: the operation says why
        return None
    user = organiser_key(request)
    if user is None:
        return None
    request.auth = user  # as django-ninja sets it
    return scan_answer(request, body.secret, body.meeting)
