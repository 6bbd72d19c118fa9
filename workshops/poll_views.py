"""The console's panel of polls and word clouds, and the cloud's picture for the screens.

Like the plan, the panel is plain forms posting here, each calling one service; a
refusal comes back as a message on the console. The projector shows the cloud as an
image of this site (`cloud_image`): an SVG drawn on the server, which a browser shows
in an `<img>` without running anything in it.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from . import cloud, selectors
from .forms import PollOptionForm
from .models import Round, Workshop
from .services import polls as polls_services
from .views import _attempt, _back_to_console, workshop_view

PANEL = "polls"


def _round(workshop: Workshop, pk: int) -> Round:
    return get_object_or_404(workshop.rounds.select_related("workshop"), pk=pk)


@require_POST
@workshop_view()
def option_add(request, workshop: Workshop, round_id: int):
    round_ = _round(workshop, round_id)
    form = PollOptionForm(request.POST, auto_id=f"option-{round_id}-%s")
    _attempt(request, lambda data: polls_services.poll_option_create(round_, **data), form)
    return _back_to_console(workshop, f"poll-{round_id}")


@require_POST
@workshop_view()
def option_delete(request, workshop: Workshop, round_id: int, pk: int):
    option = get_object_or_404(_round(workshop, round_id).poll_options, pk=pk)
    _attempt(request, lambda _data: polls_services.poll_option_delete(option))
    return _back_to_console(workshop, f"poll-{round_id}")


@require_POST
@workshop_view()
def reveal(request, workshop: Workshop, round_id: int):
    """Reveal the results on the screens, or hide them again (`revealed` = "no")."""
    round_ = _round(workshop, round_id)
    revealed = request.POST.get("revealed") != "no"
    _attempt(request, lambda _data: polls_services.round_results_reveal(round_, revealed))
    return _back_to_console(workshop, f"poll-{round_id}")


@require_POST
@workshop_view()
def word_hide(request, workshop: Workshop, round_id: int):
    """Hide a word of the cloud (every spelling sent in `keys`), or show it again."""
    round_ = _round(workshop, round_id)
    keys = request.POST.getlist("keys")
    hidden = request.POST.get("hidden") != "no"
    _attempt(request, lambda _data: polls_services.word_hide(round_, keys, hidden))
    return _back_to_console(workshop, f"poll-{round_id}")


@workshop_view()
def cloud_image(request, workshop: Workshop, round_id: int):
    """The cloud as the room sees it (hidden words left out), for the projector."""
    round_ = _round(workshop, round_id)
    picture = cloud.svg(selectors.word_cloud(round_), selectors.cloud_title(round_))
    response = HttpResponse(picture, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response
