"""A person's registration, answered before django-ninja's machinery.

When a popular meeting opens, hundreds register within a minute: `POST
/api/meetings/{id}/registrations` is then the site's busiest write. Through django-ninja
it also paid for the API's URL list, the operation's checks, the body validated through
ninja's `Schema` getter, the response validated again against its schema and the
headers read into dicts: about 7 % of a registration's CPU in the server.

So the site's URLs send this one address here first (`events_site.kit.fast_paths`, the
rule of every such path). A registration whose body `RegistrationIn` accepts, sent
without an `Idempotency-Key`, within the address's allowance (the operation's own
throttle, `RegistrationThrottle`), is answered here by the operation's own write and
answer (`api.registration_answer`); anything else — a malformed or refused body, a key
to honour, a client over its allowance, an organiser's list at the same address — goes
on to the documented operation (`api.registration_create`), which says what is wrong.
The address, the OpenAPI document and every rule stay django-ninja's.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.http.request import HttpHeaders

from events_site.kit.fast_paths import body_model
from events_site.kit.idempotency import HEADER as IDEMPOTENCY_KEY

from .api import registration_answer
from .schemas import RegistrationIn
from .throttles import RegistrationThrottle

# The address of `api.registration_create` (and of the organisers' list), below the API's
# prefix.
ROUTE = "meetings/<int:meeting_id>/registrations"
_IDEMPOTENCY_KEY = HttpHeaders.to_wsgi_name(IDEMPOTENCY_KEY)
_RegistrationBody = body_model(RegistrationIn)
# The same allowance as the operation's (one per address, shared with the form): the
# throttles keep it in the shared cache.
_throttle = RegistrationThrottle()


def new_registration(request: HttpRequest, meeting_id: int) -> HttpResponse | None:
    """The answer to a registration in order; None for any other request.

    The body is read first, as it costs nothing shared: a request the operation will
    refuse is counted against its allowance once, by the operation. A request over its
    allowance is not counted (ninja's throttles record only what they let through), so
    the operation checks it again and answers the 429 with its `Retry-After`."""
    if request.method != "POST" or _IDEMPOTENCY_KEY in request.META:
        return None
    try:
        body = _RegistrationBody.model_validate(json.loads(request.body))
    except (ValueError, RecursionError):  # not JSON, or refused: the operation says why
        return None
    if not _throttle.allow_request(request):
        return None
    return registration_answer(meeting_id, body.model_dump())
