"""The workshops API: what the facilitators' console, the projector and the phones speak.

Two kinds of caller:

- **Facilitators** (`F`): an organiser's `Authorization: Bearer <key>`, or any signed-in
  session (with `X-CSRFToken` on writes), and then `may_facilitate` on the workshop's
  meeting: 401 without credentials, 403 for someone else's meeting.
- **Phones** (`T`): `X-Table-Token` (the table's QR code is its only credential) and
  `X-Device` (the identity the table's phone page gives it, signed by the server for
  that table, which counts its dots and its throttle: `devices`). A stale or forged
  token is a 404 saying to scan the code again; a made-up identity a 422 saying to
  reload the page.
  Phones need no CSRF token: a custom header cannot be sent from another site without
  the CORS consent this site never gives.

The timer GET is what every screen polls: for a phone its warm path is one cache round
trip (the token and the state together) and no database query, and it answers 304 to a
matching `If-None-Match`; a phone in order is answered before this module's machinery
(`timer_poll`), by the same reads and `timer_answer`. Handlers parse, check who calls,
and hand over to `services` (writes) or `selectors` (reads): a refused write has written
nothing.
"""

import re

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import APIKeyHeader

from events_site.kit.errors import NotSignedIn
from events_site.kit.http_errors import error_responses
from events_site.kit.idempotency import idempotent
from events_site.kit.pagination import page
from meetings.auth import facilitator_auth, may_facilitate, organiser_auth
from meetings.models import Meeting

from . import devices, selectors
from .devices import Phone
from .errors import InvalidWorkshopData, NotAllowed
from .models import (
    Contribution,
    Orientation,
    OrientationProposal,
    PollOption,
    Question,
    Round,
    Table,
    Workshop,
)
from .printouts import table_link
from .schemas import (
    ContributionIn,
    ContributionOut,
    ContributionPatch,
    DotsOut,
    HiddenOut,
    MeetingWorkshopFilters,
    OrientationIn,
    OrientationOut,
    OrientationPatch,
    PollAnswerIn,
    PollOptionIn,
    PollOptionOut,
    PollOptionPatch,
    PollOut,
    ProposalAcceptIn,
    ProposalOut,
    QuestionIn,
    QuestionOut,
    QuestionPatch,
    ResultsOut,
    RevealIn,
    RoundIn,
    RoundOut,
    RoundPatch,
    RoundsOrderIn,
    SameIdeaOut,
    SeatingOut,
    SuggestionIn,
    SuggestionOut,
    SynthesisIn,
    SynthesisOut,
    TableIn,
    TableOut,
    TimerIn,
    TimerOut,
    VoteSetIn,
    WordHideIn,
    WordsIn,
    WordsLeftOut,
    WorkshopFilters,
    WorkshopIn,
    WorkshopOut,
    WorkshopPage,
    WorkshopPatch,
)
from .seating import present_registrations, seating_gaps, seating_plan, seating_plan_make
from .services import orientations as orientations_services
from .services import plan as plan_services
from .services import polls as polls_services
from .services import postits as postits_services
from .services import proposals as proposals_services
from .services import tables as tables_services
from .services import timer as timer_services
from .services import votes as votes_services
from .services import workshops as workshop_services
from .services.postits import contribution_post, contribution_suggestion_reject
from .services.tables import table_token_renew, table_workshop_id, tables_create
from .services.timer import etag_held, table_timer_state, timer_state
from .services.votes import workshop_vote_set
from .services.workshops import workshop_facilitators_set
from .suggestions import orientation_suggestions, same_ideas
from .throttles import phone_throttles

router = Router(tags=["workshops"])

# --- Who calls ------------------------------------------------------------------------

TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what `models.table_token` makes


class TableToken(APIKeyHeader):
    """A phone: `X-Table-Token` from the table's QR code, and `X-Device`, the identity
    the table's phone page gave it (`devices`)."""

    param_name = "X-Table-Token"
    openapi_description = (
        "A phone at a table: the token of the table's QR code, sent with `X-Device`, the "
        "identity the table's page (`/<lang>/t/<token>/`) gives the phone, signed by this "
        "site for that table: its dots and its rate limit are counted by it. A token that "
        "names no table (the table's code was renewed, or it is made up) is refused with "
        "401, even beside an organiser's key; a table of another workshop with 404; an "
        "identity made up, altered or given for another table with 422."
    )

    def authenticate(self, request, key):
        # An empty header is a token sent, and wrong: never read as "no token", which
        # would let a key or a session beside it through.
        if key is None:
            return None
        if not TOKEN.fullmatch(key):
            raise selectors.unknown_table()  # forged: not worth a cache read
        workshop_id, timer = self.table(request, key)
        identity = devices.device_verify(request.headers.get("X-Device", ""), key)
        if identity is None:
            # A post-it's token is checked by its INSERT, after this: a token that names
            # no table is told so (401) before its phone's identity is (422).
            table_workshop_id(key)
            raise InvalidWorkshopData(
                _("This phone sent no valid device id: reload the page."),
                {"X-Device": [_("The identity the table's page gives the phone.")]},
            )
        table_id, device = identity
        return Phone(workshop_id, key, device, table_id, timer)

    def table(self, request, key: str) -> tuple[int, dict | None]:
        """The workshop of the token (a stale one is a 404 before its device is
        looked at), and the clock where the path reads it."""
        return table_workshop_id(key), None


class TimerTableToken(TableToken):
    """On the timer, the hottest path of the site: the token and the clock of the
    workshop in the path are read together, in one cache round trip, or none for a
    phone that holds the clock this process just read for its table."""

    def table(self, request, key: str) -> tuple[int, dict | None]:
        return table_timer_state(
            key,
            int(request.resolver_match.kwargs["workshop_id"]),
            request.headers.get("If-None-Match", ""),
        )


class PostTableToken(TableToken):
    """On a post-it, the token is checked by the INSERT itself, against the workshop in
    the path (`contribution_post`): no cache read before it."""

    def table(self, request, key: str) -> tuple[int, dict | None]:
        return int(request.resolver_match.kwargs["workshop_id"]), None


def _nobody(request):
    """Last in the auth lists: whoever is neither a facilitator nor a phone is told what
    to do, rather than ninja's bare "Unauthorized"."""
    raise NotSignedIn(
        _("Sign in as a facilitator of this meeting, or scan the QR code on your table.")
    )


facilitators = [*facilitator_auth, _nobody]
phones_or_facilitators = [TableToken(), *facilitator_auth, _nobody]
timer_readers = [TimerTableToken(), *facilitator_auth, _nobody]
postit_writers = [PostTableToken(), *facilitator_auth, _nobody]


def _facilitate(request, meeting_id: int) -> None:
    if not may_facilitate(request.auth, meeting_id):
        raise NotAllowed(
            _("Only the organisers and facilitators of this meeting can run its workshops.")
        )


def _table_phone(phone: Phone, workshop_id: int) -> Phone:
    if phone.workshop_id != workshop_id:
        raise selectors.table_of_another_workshop()
    return phone


def _phone(request, workshop_id: int, meeting_id: int) -> Phone | None:
    """The phone calling about this workshop, or None for a facilitator of its meeting."""
    if isinstance(request.auth, Phone):
        return _table_phone(request.auth, workshop_id)
    _facilitate(request, meeting_id)
    return None


def _workshop(request, workshop_id: int) -> Workshop:
    workshop = get_object_or_404(Workshop, pk=workshop_id)
    _facilitate(request, workshop.meeting_id)
    return workshop


def _part(request, model, pk: int):
    """A question, round, table, orientation or post-it, for a facilitator of its meeting."""
    item = get_object_or_404(model.objects.select_related("workshop"), pk=pk)
    _facilitate(request, item.workshop.meeting_id)
    return item


def _of_workshop(model, pk: int | None, workshop: Workshop, name: str):
    """An id given in a body (as `name`), which must be of something of this workshop."""
    if pk is None:
        return None
    item = model.objects.filter(pk=pk, workshop=workshop).first()
    if item is None:
        raise InvalidWorkshopData(
            _("There is no %(model)s with id %(id)s in this workshop.")
            % {"model": model._meta.verbose_name, "id": pk},
            {name: [_("Unknown id.")]},
        )
    return item


def _changes(payload: Schema, nullable: tuple[str, ...] = ()) -> dict:
    """What a PATCH sent; a null means "unchanged", except where it means "none"."""
    data = payload.dict(exclude_unset=True)
    return {k: v for k, v in data.items() if v is not None or k in nullable}


# --- Workshops ------------------------------------------------------------------------


def _slot(data: dict) -> dict:
    """The agenda slot by id: the model checks it exists and belongs to the meeting."""
    if "agenda_item" in data:
        data["agenda_item_id"] = data.pop("agenda_item")
    return data


def _detail(workshop: Workshop) -> Workshop:
    return selectors.workshop_detail(workshop.pk)


@router.get(
    "/workshops",
    response={200: WorkshopPage, **error_responses()},
    auth=organiser_auth,
    summary="List workshops",
)
def workshop_list(request, filters: Query[WorkshopFilters]):
    """Every meeting's workshops, with their questions, rounds and visible post-it count,
    by meeting and order, a page at a time; filter by meeting, programme year, a part of
    a title or the room, status, or what changed since a time. Organisers only."""
    return page(request, selectors.workshops_find(**filters.filters()), filters)


@router.get(
    "/meetings/{meeting_id}/workshops",
    response={200: WorkshopPage, **error_responses()},
    auth=facilitators,
    summary="List a meeting's workshops",
)
def meeting_workshop_list(request, meeting_id: int, filters: Query[MeetingWorkshopFilters]):
    """The meeting's workshops with their questions, rounds and visible post-it count,
    by order, a page at a time; filter by a part of a title or the room, status, or what
    changed since a time. The organisers and the meeting's facilitators."""
    meeting = get_object_or_404(Meeting.objects.only("pk"), pk=meeting_id)
    _facilitate(request, meeting.pk)
    return page(request, selectors.workshops_find(meeting=meeting.pk, **filters.filters()), filters)


@router.post(
    "/meetings/{meeting_id}/workshops",
    response={201: WorkshopOut, **error_responses()},
    auth=facilitators,
    summary="Create a workshop",
)
def workshop_create(request, meeting_id: int, payload: WorkshopIn):
    """A new workshop; 409 if the meeting is cancelled."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    _facilitate(request, meeting.pk)
    data = _slot(payload.dict())
    return Status(201, _detail(workshop_services.workshop_create(meeting, **data)))


@router.get(
    "/workshops/{workshop_id}",
    response={200: WorkshopOut, **error_responses()},
    auth=facilitators,
    summary="Read a workshop's plan",
)
def workshop_read(request, workshop_id: int):
    """The workshop with everything its console shows: tables come with their tokens
    and the address their QR code opens."""
    try:
        workshop = selectors.workshop_detail(workshop_id)
    except Workshop.DoesNotExist:
        raise Http404 from None
    _facilitate(request, workshop.meeting_id)
    return workshop


@router.patch(
    "/workshops/{workshop_id}",
    response={200: WorkshopOut, **error_responses()},
    auth=facilitators,
    summary="Change a workshop",
)
def workshop_update(request, workshop_id: int, payload: WorkshopPatch):
    """Change titles, room, dots per voter and facilitators; 409 once closed."""
    workshop = _workshop(request, workshop_id)
    data = _slot(_changes(payload, nullable=("agenda_item",)))
    people_ids = data.pop("facilitators", None)
    with transaction.atomic():  # both changes or neither
        workshop = workshop_services.workshop_update(workshop, **data)
        if people_ids is not None:
            workshop_facilitators_set(workshop, people_ids)
    return _detail(workshop)


@router.put(
    "/workshops/{workshop_id}/synthesis",
    response={200: SynthesisOut, **error_responses()},
    auth=facilitators,
    summary="Write a workshop's strong ideas",
)
def workshop_synthesis_set(request, workshop_id: int, payload: SynthesisIn):
    """The strong ideas ("idées fortes") of the workshop, a few sentences in French and
    in Dutch, which its booklet prints (each language falls back to the other). Both are
    replaced; a closed workshop takes them too. The organisers and the meeting's
    facilitators; 422 for a text over 4 000 characters."""
    workshop = _workshop(request, workshop_id)
    return workshop_services.workshop_synthesis_set(workshop, **payload.dict())


@router.post(
    "/workshops/{workshop_id}/close",
    response={200: WorkshopOut, **error_responses()},
    auth=facilitators,
    summary="Close a workshop",
)
def workshop_close(request, workshop_id: int):
    """Stop the clock, close the vote and the phones. Closing again changes nothing."""
    return _detail(workshop_services.workshop_close(_workshop(request, workshop_id)))


@router.post(
    "/workshops/{workshop_id}/reopen",
    response={200: WorkshopOut, **error_responses()},
    auth=facilitators,
    summary="Reopen a workshop",
)
def workshop_reopen(request, workshop_id: int):
    """Reopen a closed workshop. The organisers and the meeting's facilitators."""
    return _detail(workshop_services.workshop_reopen(_workshop(request, workshop_id)))


@router.post(
    "/workshops/{workshop_id}/vote",
    response={200: WorkshopOut, **error_responses()},
    auth=facilitators,
    summary="Open or close a workshop's dot-vote",
)
def workshop_vote(request, workshop_id: int, payload: VoteSetIn):
    """Open or close the dot-vote; 409 once the workshop is closed."""
    return _detail(workshop_vote_set(_workshop(request, workshop_id), payload.open))


# --- Questions, tables, rounds, orientations -----------------------------------------


@router.post(
    "/workshops/{workshop_id}/questions",
    response={201: QuestionOut, **error_responses()},
    auth=facilitators,
    summary="Add a question to a workshop",
)
def question_create(request, workshop_id: int, payload: QuestionIn):
    """Add a question, in French, Dutch or both, after the workshop's others. The
    organisers and the meeting's facilitators."""
    workshop = _workshop(request, workshop_id)
    return Status(201, plan_services.question_create(workshop, **payload.dict()))


@router.patch(
    "/questions/{question_id}",
    response={200: QuestionOut, **error_responses()},
    auth=facilitators,
    summary="Change a question",
)
def question_update(request, question_id: int, payload: QuestionPatch):
    """Change what is sent of a question. The organisers and the meeting's facilitators."""
    question = _part(request, Question, question_id)
    return plan_services.question_update(question, **_changes(payload))


@router.delete(
    "/questions/{question_id}",
    response={204: None, **error_responses()},
    auth=facilitators,
    summary="Delete a question",
)
def question_delete(request, question_id: int):
    """Its post-its and rounds stay, without a question."""
    plan_services.question_delete(_part(request, Question, question_id))
    return Status(204, None)


@router.post(
    "/workshops/{workshop_id}/tables",
    response={201: list[TableOut], **error_responses()},
    auth=facilitators,
    summary="Add tables to a workshop",
)
def table_create(request, workshop_id: int, payload: TableIn):
    """One table by `name`, or `count` tables numbered on from the last (1 to 50)."""
    workshop = _workshop(request, workshop_id)
    if (payload.name is None) == (payload.count is None):
        raise InvalidWorkshopData(
            _("Give either a table name or a number of tables."),
            {"name": [_("Give a name or a count, not both.")]},
        )
    if payload.name is not None:
        return Status(201, [tables_services.table_create(workshop, payload.name)])
    return Status(201, tables_create(workshop, payload.count))


@router.post(
    "/tables/{table_id}/renew",
    response={200: TableOut, **error_responses()},
    auth=facilitators,
    summary="Renew a table's QR code",
)
def table_renew(request, table_id: int):
    """A new QR code for the table; the old one stops working at once."""
    return table_token_renew(_part(request, Table, table_id))


@router.post(
    "/workshops/{workshop_id}/rounds",
    response={201: RoundOut, **error_responses()},
    auth=facilitators,
    summary="Add a round to a workshop",
)
def round_create(request, workshop_id: int, payload: RoundIn):
    """Add a timed round after the workshop's others. The organisers and the meeting's
    facilitators."""
    workshop = _workshop(request, workshop_id)
    data = payload.dict()
    data["question"] = _of_workshop(Question, data["question"], workshop, "question")
    return Status(201, plan_services.round_create(workshop, **data))


@router.patch(
    "/rounds/{round_id}",
    response={200: RoundOut, **error_responses()},
    auth=facilitators,
    summary="Change a round",
)
def round_update(request, round_id: int, payload: RoundPatch):
    """Titles, kind and question any time; the duration only while the round is planned
    (then 409: add time with the timer)."""
    round_ = _part(request, Round, round_id)
    data = _changes(payload, nullable=("question",))
    if "question" in data:
        data["question"] = _of_workshop(Question, data["question"], round_.workshop, "question")
    return plan_services.round_update(round_, **data)


@router.delete(
    "/rounds/{round_id}",
    response={204: None, **error_responses()},
    auth=facilitators,
    summary="Delete a round",
)
def round_delete(request, round_id: int):
    """409 while the round is running or paused."""
    plan_services.round_delete(_part(request, Round, round_id))
    return Status(204, None)


@router.post(
    "/workshops/{workshop_id}/rounds/order",
    response={200: list[RoundOut], **error_responses()},
    auth=facilitators,
    summary="Reorder a workshop's rounds",
)
def rounds_reorder(request, workshop_id: int, payload: RoundsOrderIn):
    """Every round of the workshop, each once, in the new order."""
    return plan_services.rounds_reorder(_workshop(request, workshop_id), payload.rounds)


@router.post(
    "/workshops/{workshop_id}/orientations",
    response={201: OrientationOut, **error_responses()},
    auth=facilitators,
    summary="Add an orientation to a workshop",
)
def orientation_create(request, workshop_id: int, payload: OrientationIn):
    """Add an orientation that post-its are sorted into. The organisers and the
    meeting's facilitators."""
    workshop = _workshop(request, workshop_id)
    return Status(201, orientations_services.orientation_create(workshop, **payload.dict()))


@router.patch(
    "/orientations/{orientation_id}",
    response={200: OrientationOut, **error_responses()},
    auth=facilitators,
    summary="Change an orientation",
)
def orientation_update(request, orientation_id: int, payload: OrientationPatch):
    """Change what is sent of an orientation. The organisers and the meeting's
    facilitators."""
    orientation = _part(request, Orientation, orientation_id)
    return orientations_services.orientation_update(orientation, **_changes(payload))


@router.delete(
    "/orientations/{orientation_id}",
    response={204: None, **error_responses()},
    auth=facilitators,
    summary="Delete an orientation",
)
def orientation_delete(request, orientation_id: int):
    """Its post-its go back to unsorted."""
    orientations_services.orientation_delete(_part(request, Orientation, orientation_id))
    return Status(204, None)


# --- The timer -----------------------------------------------------------------------


def _timer_response(state: dict) -> HttpResponse:
    """The state as `TimerOut`, serialised by hand (`selectors.timer_json`): this is the
    hottest answer of the site, and the cached state is already plain JSON types. Handed
    over as bytes (the JSON is ASCII): a text body is encoded in the response's charset,
    which Django reads back from the Content-Type header, and that cost as much as the
    serialising."""
    response = HttpResponse(
        selectors.timer_json(state, timezone.now()).encode(), content_type="application/json"
    )
    response["ETag"] = state["etag"]
    # Revalidate every time: the ETag makes that a bodiless 304 while nothing changed.
    response["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/workshops/{workshop_id}/timer",
    response={200: TimerOut, 304: None, **error_responses()},
    auth=timer_readers,
    summary="Read a workshop's timer",
)
def timer_read(request, workshop_id: int):
    """The workshop's clock, for every screen to poll (F or T).

    Count down from `remaining_s`, or from `ends_at` corrected by `server_now`. Send the
    `ETag` back as `If-None-Match`: while nothing changed the answer is a 304 without a
    body, and the countdown goes on from the last state.
    """
    if isinstance(request.auth, Phone):
        state = _table_phone(request.auth, workshop_id).timer
    else:
        state = timer_state(workshop_id)
        if state is not None:
            _facilitate(request, state["meeting"])
    if state is None:
        raise Http404
    return timer_answer(state, request.headers.get("If-None-Match", ""))


def timer_answer(state: dict, if_none_match: str) -> HttpResponse:
    """A bodiless 304 to a screen that holds this very clock (its If-None-Match header,
    as sent), else the clock."""
    if etag_held(if_none_match, state["etag"]):
        return _not_modified(state["etag"])
    return _timer_response(state)


def _not_modified(etag: str) -> HttpResponse:
    """The bodiless 304 to a screen that holds `etag`. The charset named (Django's own
    default) rather than looked for in the Content-Type being written: a third of what
    building the timer's 304 cost."""
    response = HttpResponse(status=304, charset=settings.DEFAULT_CHARSET)
    response["ETag"] = etag
    return response


@router.post(
    "/workshops/{workshop_id}/timer",
    response={200: TimerOut, **error_responses()},
    auth=facilitators,
    summary="Start, pause, extend or skip the timer",
)
def timer_act(request, workshop_id: int, payload: TimerIn):
    """Start, pause, resume, extend (by `seconds`), finish, next or reset.

    Pressing what is already true (a second facilitator's "pause") changes nothing and
    answers the current state. 409: what the round's state does not allow (pause a
    finished round…) or a closed workshop; 422: an unknown round, a bad extension.
    """
    workshop = _workshop(request, workshop_id)
    timer_services.timer_act(
        workshop, payload.action, seconds=payload.seconds, round_id=payload.round
    )
    return _timer_response(selectors.timer_state_build(workshop.pk))


# --- Post-its -------------------------------------------------------------------------


@router.get(
    "/workshops/{workshop_id}/contributions",
    response={200: list[ContributionOut], **error_responses()},
    auth=phones_or_facilitators,
    summary="List a workshop's post-its",
)
def contribution_list(request, workshop_id: int, since: int | None = None):
    """Facilitators: every post-it, hidden and merged ones included, with its dots.
    Phones: the visible ones, each with `voted` for this device. `since`: only those
    with a greater id (the board's polling)."""
    workshop = get_object_or_404(Workshop.objects.only("pk", "meeting_id"), pk=workshop_id)
    phone = _phone(request, workshop.pk, workshop.meeting_id)
    if phone is None:
        items = selectors.contributions(workshop)
    else:
        items = selectors.phone_contributions(workshop, phone.voter)
    if since is not None:
        items = items.filter(pk__gt=since)
    return items


@router.post(
    "/workshops/{workshop_id}/contributions",
    response={201: ContributionOut, **error_responses(429)},
    auth=postit_writers,
    throttle=phone_throttles(),
    summary="Post a post-it",
)
@idempotent("contribution_create")
def contribution_create(request, workshop_id: int, payload: ContributionIn):
    """A post-it, stored as typed (up to 1000 characters). From a phone: its table's,
    for the question on the clock; `table` and `question` are the facilitators', who
    transcribe paper ones. 409 once the workshop is closed; 429 when a table or a phone
    posts too fast (see `Retry-After`)."""
    fields = {"text": payload.text, "objective": payload.objective, "author": payload.author}
    if isinstance(request.auth, Phone):
        phone = request.auth
        item = contribution_post(workshop_id, phone.token, **fields, device=phone.device)
        item.vote_count, item.voted = None, False
    else:
        workshop = _workshop(request, workshop_id)
        item = postits_services.contribution_create(
            workshop,
            **fields,
            table=_of_workshop(Table, payload.table, workshop, "table"),
            question=_of_workshop(Question, payload.question, workshop, "question"),
            source=Contribution.Source.TRANSCRIBED,
            user=request.user,
        )
        item.vote_count = 0
    return Status(201, item)


def _contribution_out(contribution: Contribution) -> Contribution:
    return selectors.contributions(contribution.workshop).get(pk=contribution.pk)


@router.patch(
    "/contributions/{contribution_id}",
    response={200: ContributionOut, **error_responses()},
    auth=facilitators,
    summary="Change, sort or hide a post-it",
)
def contribution_update(request, contribution_id: int, payload: ContributionPatch):
    """Sort a post-it (orientation), merge it into another (its dots follow; null
    un-merges), hide it, or correct its wording."""
    contribution = _part(request, Contribution, contribution_id)
    workshop = contribution.workshop
    data = _changes(payload, nullable=("orientation", "merged_into"))
    if "orientation" in data:
        data["orientation"] = _of_workshop(
            Orientation, data["orientation"], workshop, "orientation"
        )
    if "merged_into" in data:
        data["merged_into"] = _of_workshop(
            Contribution, data["merged_into"], workshop, "merged_into"
        )
    return _contribution_out(postits_services.contribution_update(contribution, **data))


# --- Dot-vote ---------------------------------------------------------------------------


def _voted(request, contribution_id: int) -> tuple[Contribution, str, int | None]:
    """The post-it, who votes (a phone, or a facilitator as themself) and, for a phone,
    its table, whose seats bound its dots."""
    contribution = get_object_or_404(
        Contribution.objects.select_related("workshop"), pk=contribution_id
    )
    workshop = contribution.workshop
    phone = _phone(request, workshop.pk, workshop.meeting_id)
    if phone is None:
        return contribution, f"user:{request.auth.pk}", None
    return contribution, phone.voter, phone.table_id


@router.post(
    "/contributions/{contribution_id}/votes",
    response={200: DotsOut, **error_responses(429)},
    auth=phones_or_facilitators,
    throttle=phone_throttles(),
    summary="Place a dot on a post-it",
)
def vote_cast(request, contribution_id: int):
    """Put one dot on a post-it: one per post-it and voter, `vote_limit` in all, and a
    table's phones together at most its seats times `vote_limit` (12 seats where the
    seating plan places nobody). 409 while the vote is closed, beyond a limit, or on a
    hidden or merged post-it."""
    contribution, voter, table_id = _voted(request, contribution_id)
    return {"dots_left": votes_services.vote_cast(contribution, voter, table_id=table_id)}


@router.delete(
    "/contributions/{contribution_id}/votes",
    response={200: DotsOut, **error_responses(429)},
    auth=phones_or_facilitators,
    throttle=phone_throttles(),
    summary="Take a dot back from a post-it",
)
def vote_withdraw(request, contribution_id: int):
    """Take the dot back (nothing happens if there was none); 409 once the vote is closed."""
    contribution, voter, _table_id = _voted(request, contribution_id)
    return {"dots_left": votes_services.vote_withdraw(contribution, voter)}


# --- Suggested sorting -----------------------------------------------------------------


@router.get(
    "/workshops/{workshop_id}/suggestions",
    response={200: list[SuggestionOut], **error_responses()},
    auth=facilitators,
    summary="List orientation suggestions",
)
def suggestion_list(request, workshop_id: int):
    """For each unsorted visible post-it, the orientation it most resembles, in meaning
    and in words."""
    return [
        {
            "contribution": s.contribution.pk,
            "orientation": s.orientation.pk,
            "score": s.score,
            "margin": s.margin,
            "confident": s.confident,
        }
        for s in orientation_suggestions(_workshop(request, workshop_id))
    ]


@router.get(
    "/workshops/{workshop_id}/same-ideas",
    response={200: list[SameIdeaOut], **error_responses()},
    auth=facilitators,
    summary="List post-its that say the same",
)
def same_idea_list(request, workshop_id: int):
    """Pairs of post-its that say the same thing, in either language, to merge in one
    gesture (empty without the sentence encoder)."""
    return [
        {"contributions": [p.first.pk, p.second.pk], "score": p.score}
        for p in same_ideas(_workshop(request, workshop_id))
    ]


@router.post(
    "/contributions/{contribution_id}/suggestion",
    response={200: ContributionOut, **error_responses()},
    auth=facilitators,
    summary="Accept or refuse a suggestion",
)
def suggestion_answer(request, contribution_id: int, payload: SuggestionIn):
    """Accept (file the post-it under the orientation) or turn down (never offered
    again) a suggestion."""
    contribution = _part(request, Contribution, contribution_id)
    orientation = _of_workshop(
        Orientation, payload.orientation, contribution.workshop, "orientation"
    )
    if payload.accept:
        contribution = postits_services.contribution_update(contribution, orientation=orientation)
    else:
        contribution_suggestion_reject(contribution, orientation)
    return _contribution_out(contribution)


# --- Proposed orientations --------------------------------------------------------------


def _proposal_out(proposal: OrientationProposal) -> dict:
    return {
        "id": proposal.pk,
        "order": proposal.order,
        "title_fr": proposal.title_fr,
        "title_nl": proposal.title_nl,
        "contributions": sorted(c.pk for c in proposal.contributions.all()),
    }


@router.get(
    "/workshops/{workshop_id}/orientation-proposals",
    response={200: list[ProposalOut], **error_responses()},
    auth=facilitators,
    summary="List proposed orientations",
)
def proposal_list(request, workshop_id: int):
    """The orientations proposed for the workshop's post-its, still to accept or
    discard."""
    workshop = _workshop(request, workshop_id)
    return [_proposal_out(p) for p in selectors.orientation_proposals(workshop)]


@router.post(
    "/workshops/{workshop_id}/orientation-proposals",
    response={201: list[ProposalOut], **error_responses()},
    auth=facilitators,
    summary="Propose orientations",
)
def proposal_make(request, workshop_id: int):
    """Group the unsorted post-its of a workshop that has no orientation yet, each group
    titled in French and Dutch from its most central post-its; replaces the earlier
    proposals. 409 once the workshop has orientations, or without unsorted post-its."""
    workshop = _workshop(request, workshop_id)
    proposals_services.orientation_proposals_make(workshop)
    return Status(201, [_proposal_out(p) for p in selectors.orientation_proposals(workshop)])


@router.post(
    "/orientation-proposals/{proposal_id}/accept",
    response={201: OrientationOut, **error_responses()},
    auth=facilitators,
    summary="Accept a proposed orientation",
)
def proposal_accept(request, proposal_id: int, payload: ProposalAcceptIn):
    """Create the orientation, under the titles sent (renamed) or its own, and file its
    post-its that are still unsorted under it."""
    proposal = _part(request, OrientationProposal, proposal_id)
    return Status(201, proposals_services.orientation_proposal_accept(proposal, **payload.dict()))


@router.delete(
    "/orientation-proposals/{proposal_id}",
    response={204: None, **error_responses()},
    auth=facilitators,
    summary="Discard a proposed orientation",
)
def proposal_discard(request, proposal_id: int):
    """Its post-its stay unsorted."""
    proposals_services.orientation_proposal_discard(
        _part(request, OrientationProposal, proposal_id)
    )
    return Status(204, None)


# --- Polls and word clouds -------------------------------------------------------------


def _voter(request, round_id: int) -> tuple[Round, str, int | None]:
    """The round, who answers (a phone, or a facilitator as themself) and, for a phone,
    its table, whose seats bound its answers."""
    round_ = get_object_or_404(Round.objects.select_related("workshop"), pk=round_id)
    phone = _phone(request, round_.workshop_id, round_.workshop.meeting_id)
    if phone is None:
        return round_, f"user:{request.auth.pk}", None
    return round_, phone.voter, phone.table_id


@router.get(
    "/rounds/{round_id}/poll",
    response={200: PollOut, **error_responses()},
    auth=phones_or_facilitators,
    summary="Read a poll or a words round",
)
def poll_read(request, round_id: int):
    """A poll's options in both languages (or its 1-to-5 scale) or a words round, with
    whether the caller (F or T) has answered and how many words it may still send."""
    round_, voter, _table_id = _voter(request, round_id)
    return selectors.round_poll(round_, voter)


@router.post(
    "/rounds/{round_id}/options",
    response={201: PollOptionOut, **error_responses()},
    auth=facilitators,
    summary="Add an option to a poll",
)
def poll_option_create(request, round_id: int, payload: PollOptionIn):
    """An option at the end of the poll's list, in French and/or Dutch (up to 20). 422
    for a round that is not a poll, or a 1-to-5 scale; 409 once the workshop is closed."""
    round_ = _part(request, Round, round_id)
    return Status(201, polls_services.poll_option_create(round_, **payload.dict()))


@router.patch(
    "/poll-options/{option_id}",
    response={200: PollOptionOut, **error_responses()},
    auth=facilitators,
    summary="Reword a poll's option",
)
def poll_option_update(request, option_id: int, payload: PollOptionPatch):
    """Change an option's French or Dutch label; one of them must stay."""
    option = get_object_or_404(PollOption.objects.select_related("round__workshop"), pk=option_id)
    _facilitate(request, option.round.workshop.meeting_id)
    return polls_services.poll_option_update(option, **_changes(payload))


@router.delete(
    "/poll-options/{option_id}",
    response={204: None, **error_responses()},
    auth=facilitators,
    summary="Remove a poll's option",
)
def poll_option_delete(request, option_id: int):
    """The option goes, with the answers that ticked it."""
    option = get_object_or_404(PollOption.objects.select_related("round__workshop"), pk=option_id)
    _facilitate(request, option.round.workshop.meeting_id)
    polls_services.poll_option_delete(option)
    return Status(204, None)


@router.post(
    "/rounds/{round_id}/answers",
    response={201: PollOut, **error_responses(429)},
    auth=phones_or_facilitators,
    throttle=phone_throttles(),
    summary="Answer a poll",
)
def poll_answer(request, round_id: int, payload: PollAnswerIn):
    """One answer per voter (F or T): `options` for a single (one id) or multiple choice
    (up to `poll_max_choices`), `value` for a scale (1 to 5). 422 for an answer the
    poll's mode refuses; 409 for a second answer, a round off the clock, a table whose
    phones answered once per seat, or a closed workshop; 429 when a phone or its table
    sends too fast."""
    round_, voter, table_id = _voter(request, round_id)
    polls_services.poll_answer(
        round_, voter, options=payload.options, value=payload.value, table_id=table_id
    )
    return Status(201, selectors.round_poll(round_, voter))


@router.post(
    "/rounds/{round_id}/words",
    response={200: WordsLeftOut, **error_responses(429)},
    auth=phones_or_facilitators,
    throttle=phone_throttles(),
    summary="Send words to a word cloud",
)
def words_send(request, round_id: int, payload: WordsIn):
    """Up to 3 words or short phrases (40 characters each) per voter (F or T), in one
    or several sends; a word sent again is counted once. 422 for an empty or too long
    word; 409 beyond 3, for a round off the clock or a closed workshop; 429 when a phone
    or its table sends too fast."""
    round_, voter, table_id = _voter(request, round_id)
    left = polls_services.words_send(round_, voter, payload.words, table_id=table_id)
    return {"words_left": left}


@router.get(
    "/rounds/{round_id}/results",
    response={200: ResultsOut, 304: None, **error_responses()},
    auth=facilitators,
    summary="Read a poll's or a word cloud's results",
)
def results_read(request, round_id: int, response: HttpResponse):
    """A poll's bars (count and share of the voters per option, or per value of the
    scale, with its mean) or a cloud's words (merged across French and Dutch, hidden
    ones flagged) and its SVG picture, whether or not they are revealed to the room.

    Send the `ETag` back as `If-None-Match`: while nothing changed the answer is a 304
    without a body, and the cloud is not laid out again."""
    round_ = _part(request, Round, round_id)
    if round_.kind not in (Round.Kind.POLL, Round.Kind.WORDS):
        raise InvalidWorkshopData(
            _("Only a poll or a word cloud has results."),
            {"round": [_("Choose a poll or a words round.")]},
        )
    etag = selectors.round_results_etag(round_)
    if etag_held(request.headers.get("If-None-Match", ""), etag):
        return _not_modified(etag)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return selectors.round_results(round_)


@router.post(
    "/rounds/{round_id}/reveal",
    response={200: RoundOut, **error_responses()},
    auth=facilitators,
    summary="Reveal a poll's or a word cloud's results",
)
def results_reveal(request, round_id: int, payload: RevealIn):
    """Show the results on the screens (or hide them again with `revealed: false`). 422
    for a round that is neither a poll nor a words round; 409 once the workshop is closed."""
    round_ = _part(request, Round, round_id)
    return polls_services.round_results_reveal(round_, payload.revealed)


@router.post(
    "/rounds/{round_id}/words/hide",
    response={200: HiddenOut, **error_responses()},
    auth=facilitators,
    summary="Hide a word of a word cloud",
)
def word_hide(request, round_id: int, payload: WordHideIn):
    """Hide a word (every spelling of it in `keys`, as the results give them), or show
    it again with `hidden: false`; a later entry of a hidden word arrives hidden. 422
    for no key or a round that is not a words round."""
    round_ = _part(request, Round, round_id)
    return {"entries": polls_services.word_hide(round_, payload.keys, payload.hidden)}


# --- Seating plan ---------------------------------------------------------------------


def _seating(workshop: Workshop, tables: dict) -> dict:
    """`SeatingOut`, for ninja to validate: the people are registrations it resolves."""
    return {
        "workshop": workshop.pk,
        "present": present_registrations(workshop).count(),
        "tables": [
            {"id": t.pk, "name": t.name, "phone_url": table_link(t.token), "people": people}
            for t, people in tables.items()
        ],
        "gaps": seating_gaps(workshop, tables),
    }


@router.get(
    "/workshops/{workshop_id}/seating",
    response={200: SeatingOut, **error_responses()},
    auth=facilitators,
    summary="Read a workshop's seating plan",
)
def seating_read(request, workshop_id: int):
    """Who sits at which table, as last made, every table listed (an empty one too, and
    all of them before a plan is made), with what a table lacks that the room could have
    given it (`gaps`). The organisers and the meeting's facilitators."""
    workshop = _workshop(request, workshop_id)
    return _seating(workshop, seating_plan(workshop))


@router.post(
    "/workshops/{workshop_id}/seating",
    response={200: SeatingOut, **error_responses()},
    auth=facilitators,
    summary="Make a workshop's seating plan",
)
def seating_make(request, workshop_id: int):
    """Replace the plan with a fresh deal of the people checked in at the meeting over
    the workshop's tables, mixing the border, functions, languages and organisations,
    as the seating page's button does. 422 when the workshop has no table or nobody is
    checked in yet: nothing is changed then. The organisers and the meeting's
    facilitators."""
    workshop = _workshop(request, workshop_id)
    return _seating(workshop, seating_plan_make(workshop))
