"""The facilitators' pages: their home and the workshop console.

The console is read through `workshops.selectors` and rendered whole, so it works and
can be tested without JavaScript. Its live parts (the timer, the board, transcription,
sorting, the vote) write through the JSON API from `console.js`, with the session and
its CSRF token. The plan (rounds, questions, tables, orientations) is edited with plain
forms posting here: each edit calls one service, and a refusal comes back as a message
on the console, so nothing the facilitator typed is lost silently.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events_site.kit.errors import DomainError
from meetings.auth import may_facilitate
from meetings.models import Meeting
from registrations.tickets import qr_svg

from . import selectors
from .forms import (
    OrientationForm,
    PlanForm,
    QuestionForm,
    RoundForm,
    SynthesisForm,
    TablesForm,
    WorkshopForm,
)
from .models import Round, Workshop
from .printouts import table_link
from .services import plan as plan_services
from .services import workshops as workshop_services
from .services.orientations import orientation_create, orientation_delete, orientation_update
from .services.plan import (
    DOWN,
    UP,
    question_create,
    question_delete,
    question_update,
    round_create,
    round_delete,
    round_update,
)
from .services.tables import tables_create
from .services.timer import timer_state


def _workshop_light(workshop_id: int) -> Workshop:
    return Workshop.objects.get(pk=workshop_id)


def workshop_view(load: Callable[[int], Workshop] = _workshop_light):
    """Sign-in first, then the meeting's facilitators and organisers only (403 otherwise).

    `load` reads the workshop the way the view needs it (the console wants everything it
    shows, a form post only the row), so the permission check costs no extra read.
    """

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, workshop_id: int, *args, **kwargs):
            try:
                workshop = load(workshop_id)
            except Workshop.DoesNotExist:
                raise Http404 from None
            if not may_facilitate(request.user, workshop.meeting_id):
                raise PermissionDenied
            return view(request, workshop, *args, **kwargs)

        return wrapper

    return decorator


REFUSED = object()


def _attempt(request, change: Callable[[dict], object], form: PlanForm | None = None):
    """Run one write and return what it returns, or REFUSED: a refusal (the form's or
    the service's) becomes a message on the page the facilitator goes back to."""
    if form is not None and not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return REFUSED
    try:
        result = change(form.changes() if form is not None else {})
    except DomainError as exc:
        messages.error(request, exc.message)
        return REFUSED
    messages.success(request, _("Saved."))
    return result


def _back_to_console(workshop: Workshop, anchor: str):
    return redirect(f"{reverse('facilitate:console', args=[workshop.pk])}#{anchor}")


# --- Home ---------------------------------------------------------------------------


@login_required
def home(request):
    meetings = selectors.facilitator_meetings(request.user, timezone.now())
    return render(
        request,
        "workshops/facilitate/home.html",
        {
            "meetings": [
                (meeting, WorkshopForm(auto_id=f"meeting-{meeting.pk}-%s")) for meeting in meetings
            ],
        },
    )


@require_POST
@login_required
def workshop_create(request, meeting_id: int):
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    if not may_facilitate(request.user, meeting):
        raise PermissionDenied
    form = WorkshopForm(request.POST)
    workshop = _attempt(
        request, lambda data: workshop_services.workshop_create(meeting, **data), form
    )
    if workshop is REFUSED:
        return redirect(f"{reverse('facilitate:home')}#meeting-{meeting.pk}")
    return _back_to_console(workshop, "plan")


# --- The console ----------------------------------------------------------------------


def _console_text() -> dict:
    """The console script's wording, in the page's language (it builds no sentence itself)."""
    return {
        "network": _("No answer from the server. Check the connection and try again."),
        "signed_out": _("Your session has ended: reload the page and sign in again."),
        "refused": _("The server refused this request."),
        "no_round": _("No round on the clock"),
        "states": {
            "idle": _("Not started"),
            "planned": _("Ready"),
            "running": _("Running"),
            "last-minute": _("Last minute"),
            "paused": _("Paused"),
            "ended": _("Time is up"),
        },
        # The plan's rounds, whose state the script keeps live.
        "round_states": {value: str(label) for value, label in Round.State.choices},
        "vote_open": _("Close the dot-vote"),
        "vote_closed": _("Open the dot-vote"),
        "confirm_close": _(
            "Close this workshop? The timer stops and phones can no longer post or vote."
        ),
        "hide": _("Hide"),
        "unhide": _("Show again"),
        "unmerge": _("Unmerge"),
        "merge_nothing": _("There is no other post-it to merge into."),
        "transcribed": _("Post-it added."),
        "accept": _("Accept"),
        "reject": _("Reject"),
        "suggestion_accepted": _("Suggestion accepted."),
        "suggestion_rejected": _("Suggestion rejected."),
        "no_suggestions": _("No suggestion for now."),
        "unsure": _("unsure"),
        "same_idea": _("Same idea"),
        "merge_pair": _("Merge them"),
        "pair_merged": _("Post-its merged."),
        "no_same_ideas": _("No two post-its say the same thing for now."),
        "moved": _("Post-it moved."),
        "proposal_legend": _("Suggested orientation %(n)s, %(count)s post-its"),
        "no_proposals": _("No orientation proposed: press “Propose orientations”."),
        "proposals_made": _("Orientations proposed: accept, rename or discard each."),
        "proposal_discarded": _("Suggested orientation discarded."),
        "proposal_accepted": _("Orientation “%(title)s” created, with its post-its."),
        "proposals_replace": _(
            "Proposing again replaces the %(count)s suggested orientations still to accept "
            "or discard. Propose again?"
        ),
    }


def _board(workshop: Workshop) -> list[selectors.BoardSection]:
    """The board, with a place for post-its without a question even while there is none:
    a phone can post one before any round has a question, and the script needs a column
    to put it in (an empty one is not shown)."""
    sections = selectors.board(workshop)
    if all(section.question is not None for section in sections):
        columns = [selectors.BoardColumn(o) for o in [None, *workshop.orientations.all()]]
        sections.append(selectors.BoardSection(None, columns))
    return sections


@workshop_view(load=selectors.workshop_detail)
def console(request, workshop: Workshop):
    questions = list(workshop.questions.all())
    timer = selectors.timer_body(timer_state(workshop.pk), timezone.now())
    return render(
        request,
        "workshops/facilitate/console.html",
        {
            "workshop": workshop,
            "meeting": workshop.meeting,
            "board": _board(workshop),
            "hidden": selectors.hidden_contributions(workshop),
            "polls": selectors.polls_panel(workshop),
            "orientations": list(workshop.orientations.all()),
            # Proposed orientations are for a workshop that has none yet, until each one
            # proposed is accepted or discarded.
            "proposals_panel": not workshop.orientations.all() or workshop.has_proposals,
            "questions": [(question, QuestionForm(instance=question)) for question in questions],
            "rounds": [
                (round_, RoundForm(instance=round_, questions=questions))
                for round_ in workshop.rounds.all()
            ],
            "tables": [(table, table_link(table.token)) for table in workshop.tables.all()],
            "orientation_forms": [
                (orientation, OrientationForm(instance=orientation))
                for orientation in workshop.orientations.all()
            ],
            "new_round": RoundForm(questions=questions),
            "new_question": QuestionForm(),
            "new_orientation": OrientationForm(),
            "new_tables": TablesForm(),
            "synthesis": SynthesisForm(instance=workshop),
            "timer": timer,
            "timer_display": selectors.countdown_display(timer["remaining_s"]),
            "console_text": _console_text(),
            "console_config": {
                "workshop": workshop.pk,
                "api": reverse("api:api-root"),
                "vote_open": workshop.vote_open,
                "orientations": {
                    o.pk: selectors.both_languages(o, "title") for o in workshop.orientations.all()
                },
            },
        },
    )


# --- The plan: rounds, questions and orientations, with one set of views ----------------


@dataclass(frozen=True)
class PlanPart:
    form: type[PlanForm]
    related_name: str
    create: Callable
    update: Callable
    delete: Callable


PLAN = {
    "rounds": PlanPart(
        RoundForm,
        "rounds",
        round_create,
        round_update,
        round_delete,
    ),
    "questions": PlanPart(
        QuestionForm,
        "questions",
        question_create,
        question_update,
        question_delete,
    ),
    "orientations": PlanPart(
        OrientationForm,
        "orientations",
        orientation_create,
        orientation_update,
        orientation_delete,
    ),
}


def _plan_item(workshop: Workshop, part: str, pk: int):
    """The part of the plan and its row, looked up within this workshop only (404 otherwise)."""
    plan = PLAN[part]
    return plan, get_object_or_404(getattr(workshop, plan.related_name), pk=pk)


def _form(part: PlanPart, request, workshop: Workshop, instance=None) -> PlanForm:
    extra = {"questions": list(workshop.questions.all())} if part.form is RoundForm else {}
    return part.form(request.POST, instance=instance, **extra)


@require_POST
@workshop_view()
def plan_add(request, workshop: Workshop, part: str):
    plan = PLAN[part]
    _attempt(request, lambda data: plan.create(workshop, **data), _form(plan, request, workshop))
    return _back_to_console(workshop, part)


@require_POST
@workshop_view()
def plan_update(request, workshop: Workshop, part: str, pk: int):
    plan, instance = _plan_item(workshop, part, pk)
    form = _form(plan, request, workshop, instance)
    _attempt(request, lambda data: plan.update(instance, **data), form)
    return _back_to_console(workshop, part)


@require_POST
@workshop_view()
def plan_delete(request, workshop: Workshop, part: str, pk: int):
    plan, instance = _plan_item(workshop, part, pk)
    _attempt(request, lambda _data: plan.delete(instance))
    return _back_to_console(workshop, part)


@require_POST
@workshop_view()
def round_move(request, workshop: Workshop, pk: int):
    """Move a round up or down the plan."""
    round_ = get_object_or_404(workshop.rounds, pk=pk)
    direction = UP if request.POST.get("direction") == "up" else DOWN
    _attempt(request, lambda _data: plan_services.round_move(workshop, round_, direction))
    return _back_to_console(workshop, "rounds")


@require_POST
@workshop_view()
def synthesis_save(request, workshop: Workshop):
    """The workshop's strong ideas, for its booklet: open or closed."""
    form = SynthesisForm(request.POST, instance=workshop)
    _attempt(request, lambda data: workshop_services.workshop_synthesis_set(workshop, **data), form)
    return _back_to_console(workshop, "synthesis")


@require_POST
@workshop_view()
def tables_add(request, workshop: Workshop):
    form = TablesForm(request.POST)
    _attempt(request, lambda data: tables_create(workshop, data["count"]), form)
    return _back_to_console(workshop, "tables")


@workshop_view()
def table_qr(request, workshop: Workshop, pk: int):
    """The table's phone link as an SVG QR code, to print or show on the projector."""
    table = get_object_or_404(workshop.tables, pk=pk)
    response = HttpResponse(qr_svg(table_link(table.token)), content_type="image/svg+xml")
    # The code is a credential: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response
