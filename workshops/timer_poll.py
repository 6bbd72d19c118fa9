"""A phone's poll of the timer, answered before django-ninja's machinery.

Every phone of a workshop polls `GET /api/workshops/{id}/timer` once a second: it is the
site's most frequent request, and its answer is a cache read (often not even that:
`services.timer.table_timer_state`). Through django-ninja it also paid for the API's
URL list (a hundred patterns tried in turn), the operation's checks (the auth classes in
turn, the path parameters validated by pydantic) and the headers parsed into a dict:
more than the answer itself.

So the site's URLs send this one address here first (`events_site.kit.fast_paths`, the
rule of every such path). A phone whose table token, workshop and signed identity are all
in order is answered here, by the same reads and the same answer (`api.timer_answer`) as
the documented operation; anything else — a facilitator, a stale or foreign token, a
made-up identity, a write — goes on to that operation (`timer_read`, `timer_act`), which
says what is wrong. The address, the OpenAPI document and every rule stay django-ninja's.
"""

from django.http import HttpRequest, HttpResponse

from . import devices
from .api import TOKEN, timer_answer
from .services.timer import table_timer_state

# The address of `api.timer_read` and `api.timer_act`, below the API's prefix.
ROUTE = "workshops/<int:workshop_id>/timer"


def phone_poll(request: HttpRequest, workshop_id: int) -> HttpResponse | None:
    """The answer to a phone in order polling its own workshop's clock; None for any
    other request. The checks are `api.TimerTableToken`'s, in its order."""
    if request.method != "GET":
        return None
    token = request.META.get("HTTP_X_TABLE_TOKEN")
    if token is None or not TOKEN.fullmatch(token):
        return None
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
    table_workshop, state = table_timer_state(token, workshop_id, if_none_match)
    if table_workshop != workshop_id or state is None:
        return None
    if devices.device_verify(request.META.get("HTTP_X_DEVICE", ""), token) is None:
        return None
    return timer_answer(state, if_none_match)
