"""What the workshops API reads and writes, as the OpenAPI document (/api/docs) shows it.

Content in two languages is written as `<field>_fr` / `<field>_nl` and read back both
ways: the two fields as written, and `<field>` in the language of the request (falling
back to the other one), ready to show.
"""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict

from events_site.kit.pagination import PageQuery, page_of
from events_site.kit.schemas import Flag, Instant, Key, ListOf, Whole, Year, api_choices
from meetings.models import Erasure
from meetings.schemas import Language, PersonFunction
from registrations.models import Registration
from registrations.schemas import COUNTRY_OR_NONE, CountryOrNone

from .devices import Phone
from .models import SYNTHESIS_MAX, Contribution, Round, Workshop
from .printouts import table_link
from .services.timer import TIMER_ACTIONS

RoundKind = api_choices(Round.Kind, "RoundKind")
PollMode = api_choices(Round.PollMode, "PollMode")
WorkshopStatus = api_choices(Workshop.Status, "WorkshopStatus")
RoundState = api_choices(Round.State, "RoundState")
ContributionSource = api_choices(Contribution.Source, "ContributionSource")
# The timer's state is its round's, or "idle" before the first round.
TimerState = Literal[("idle", *Round.State.values)]  # type: ignore[valid-type]
TimerAction = Literal[TIMER_ACTIONS]  # type: ignore[valid-type]
# A translation left out is null in the database and "" in answers.
Text = Annotated[str, BeforeValidator(lambda value: value or "")]


class In(Schema):
    """A request body."""


class Patch(In):
    """A PATCH body: only the fields sent change, and an unknown field is refused."""

    model_config = ConfigDict(extra="forbid")


class Both(Schema):
    fr: str
    nl: str


# --- The plan ------------------------------------------------------------------------


class QuestionIn(In):
    text_fr: str = ""
    text_nl: str = Field("", description="at least one of text_fr, text_nl")


class QuestionPatch(Patch):
    text_fr: str | None = None
    text_nl: str | None = None


class QuestionOut(Schema):
    id: int
    order: int
    text: Text
    text_fr: Text
    text_nl: Text


class RoundIn(In):
    title_fr: str = ""
    title_nl: str = Field("", description="at least one of title_fr, title_nl")
    kind: RoundKind = RoundKind.SILENT
    duration_s: int = Field(600, description="10 seconds to 4 hours")
    question: int | None = Field(None, description="id of a question of this workshop")
    poll_mode: PollMode = Field(PollMode.SINGLE, description="a poll: how it is answered")
    poll_max_choices: int | None = Field(
        None, description="a multiple-choice poll: the most options one voter ticks (1-20)"
    )
    results_hidden: Flag = Field(
        False, description="a poll or a word cloud: screens show results once revealed"
    )


class RoundPatch(Patch):
    title_fr: str | None = None
    title_nl: str | None = None
    kind: RoundKind | None = None
    duration_s: int | None = Field(None, description="only while the round is planned")
    question: int | None = None
    poll_mode: PollMode | None = None
    poll_max_choices: int | None = Field(None, description="null: as many as there are")
    results_hidden: Flag | None = None


class RoundOut(Schema):
    id: int
    order: int
    title: Text
    title_fr: Text
    title_nl: Text
    kind: RoundKind
    question: int | None = Field(None, alias="question_id")
    duration_s: int
    state: RoundState
    ends_at: datetime | None
    paused_remaining_s: float | None
    version: int
    poll_mode: PollMode
    poll_max_choices: int | None
    results_hidden: bool
    results_revealed: bool


class RoundsOrderIn(In):
    rounds: ListOf[int] = Field(..., description="every round id of the workshop, in order")


class TableIn(In):
    name: str | None = Field(None, description="one table with this name…")
    count: int | None = Field(None, description="…or this many, numbered on from the last")


class TableOut(Schema):
    id: int
    name: str
    token: str = Field(..., description="the table's credential: send it as X-Table-Token")
    phone_url: str = Field(..., description="what the table's QR code opens")

    @staticmethod
    def resolve_phone_url(table) -> str:
        return table_link(table.token)


class OrientationIn(In):
    title_fr: str = ""
    title_nl: str = Field("", description="at least one of title_fr, title_nl")


class OrientationPatch(Patch):
    title_fr: str | None = None
    title_nl: str | None = None


class OrientationOut(Schema):
    id: int
    order: int
    title: Text
    title_fr: Text
    title_nl: Text


class FacilitatorOut(Schema):
    id: int = Field(..., description="id of the person")
    name: str = Field(..., alias="full_name")
    organisation: str | None = Field(None, alias="organisation.name")


# --- Workshops -----------------------------------------------------------------------


AGENDA_ITEM = "id of the meeting's “workshops” agenda slot this workshop runs in"


class WorkshopIn(In):
    title_fr: str = ""
    title_nl: str = Field("", description="at least one of title_fr, title_nl")
    room: str = ""
    vote_limit: int = Field(3, description="dots per voter in the dot-vote, 1 to 50")
    agenda_item: int | None = Field(None, description=AGENDA_ITEM)


class WorkshopPatch(Patch):
    title_fr: str | None = None
    title_nl: str | None = None
    room: str | None = None
    vote_limit: int | None = None
    agenda_item: int | None = Field(None, description=AGENDA_ITEM)
    facilitators: ListOf[int] | None = Field(
        None, description="ids of people among the meeting's co-facilitators and staff"
    )


class SynthesisIn(In):
    synthesis_fr: str = Field("", max_length=SYNTHESIS_MAX, description="a few sentences")
    synthesis_nl: str = Field("", max_length=SYNTHESIS_MAX, description="empty: the French ones")


class SynthesisOut(Schema):
    workshop: int = Field(..., alias="id")
    synthesis: Text = Field(..., description="in the request's language, else the other one")
    synthesis_fr: Text
    synthesis_nl: Text
    updated_at: datetime


class WorkshopSummaryOut(Schema):
    id: int
    meeting: int = Field(..., alias="meeting_id")
    order: int
    title: Text
    title_fr: Text
    title_nl: Text
    room: str
    status: WorkshopStatus
    vote_open: bool
    vote_limit: int
    current_round: int | None = Field(None, alias="current_round_id")
    agenda_item: int | None = Field(None, alias="agenda_item_id")
    closed_at: datetime | None


class WorkshopListItemOut(WorkshopSummaryOut):
    contribution_count: int = Field(..., description="visible post-its")
    questions: list[QuestionOut]
    rounds: list[RoundOut]


class MeetingWorkshopFilters(PageQuery):
    q: str = Field("", max_length=200, description="contained in a title or the room")
    status: WorkshopStatus | None = None
    updated_since: Instant | None = Field(
        None, description="changed at or after this time, for synchronisation"
    )


class WorkshopFilters(MeetingWorkshopFilters):
    meeting: Key | None = Field(None, description="id of the meeting")
    year: Year | None = Field(None, description="the year of the meeting's programme")


WorkshopPage = page_of(WorkshopListItemOut, "WorkshopPage")


class WorkshopOut(WorkshopSummaryOut):
    synthesis_fr: Text = Field(..., description="the strong ideas, for the booklet")
    synthesis_nl: Text
    questions: list[QuestionOut]
    rounds: list[RoundOut]
    tables: list[TableOut]
    orientations: list[OrientationOut]
    facilitators: list[FacilitatorOut]


class VoteSetIn(In):
    open: Flag


# --- The timer -----------------------------------------------------------------------


class TimerQuestionOut(Schema):
    id: int
    text: Both


class TimerRoundOut(Schema):
    id: int
    title: Both
    kind: RoundKind
    results_shown: bool = Field(
        ..., description="a poll's or a word cloud's results may be shown on the screens"
    )
    question: TimerQuestionOut | None


class TimerOut(Schema):
    """Screens count down from `remaining_s` (or `ends_at` against `server_now`): all of
    them agree whatever their own clock says."""

    workshop: int
    round: TimerRoundOut | None
    state: TimerState
    ends_at: datetime | None = Field(..., description="while running")
    remaining_s: float = Field(..., description="seconds left when the answer was made")
    server_now: datetime
    version: int = Field(..., description="goes up with every change of the round")
    workshop_status: WorkshopStatus
    vote_open: bool
    vote_limit: int


class TimerIn(In):
    action: TimerAction
    # The bounds are the document's; the timer checks them, with its own sentence.
    seconds: Whole | None = Field(
        None,
        description="extend only: 1 to 3600",
        json_schema_extra={"minimum": 1, "maximum": 3600},
    )
    round: int | None = Field(None, description="start only: this round rather than the next")


# --- Post-its, votes, suggestions ----------------------------------------------------


class ContributionIn(In):
    text: str = Field(..., description="1 to 1000 characters, stored as typed")
    objective: str = Field("", description="the objective pursued, up to 1000 characters")
    author: str = ""
    table: int | None = Field(None, description="facilitators only: the table it came from")
    question: int | None = Field(
        None, description="facilitators only; by default the question of the current round"
    )


class ContributionPatch(Patch):
    orientation: int | None = Field(None, description="null: back to unsorted")
    merged_into: int | None = Field(None, description="null: un-merge")
    hidden: Flag | None = None
    text: str | None = None
    objective: str | None = None


class ContributionOut(Schema):
    id: int
    text: str
    objective: str
    author: str | None = Field(
        None, description="who signed it: facilitators only (null for phones)"
    )
    question: int | None = Field(None, alias="question_id")
    round: int | None = Field(None, alias="round_id")
    table: int | None = Field(None, alias="table_id")
    table_name: str | None = Field(None, alias="table.name")
    source: ContributionSource
    orientation: int | None = Field(None, alias="orientation_id")
    merged_into: int | None = Field(None, alias="merged_into_id")
    hidden: bool
    votes: int | None = Field(
        None,
        alias="vote_count",
        description="dots (facilitators only: phones do not see the running score)",
    )
    voted: bool | None = Field(None, description="phones only: this device put a dot on it")
    created_at: datetime

    @staticmethod
    def resolve_author(contribution: Contribution, context) -> str | None:
        """A room's phones read each other's post-its: who wrote which stays with the
        facilitators (the console and the booklet), the writer's own phone included."""
        request = (context or {}).get("request")
        return None if isinstance(getattr(request, "auth", None), Phone) else contribution.author


class DotsOut(Schema):
    dots_left: int


class SuggestionOut(Schema):
    contribution: int
    orientation: int
    score: float = Field(..., description="0 to 1: how much the post-it resembles it")
    margin: float = Field(..., description="its lead over the next orientation")
    confident: bool = Field(
        ..., description="a lead at which suggestions were right nine times in ten"
    )


class SameIdeaOut(Schema):
    contributions: list[int] = Field(..., description="two post-its, the earlier first")
    score: float = Field(..., description="how close their meanings are, 0 to 1")


class SuggestionIn(In):
    orientation: int
    accept: Flag = Field(..., description="true files the post-it there; false: never again")


class ProposalOut(Schema):
    id: int
    order: int
    title_fr: Text = Field(..., description="from its most central French post-it")
    title_nl: Text = Field(..., description="from its most central Dutch post-it")
    contributions: list[int] = Field(..., description="its post-its, the earliest first")


class ProposalAcceptIn(Patch):
    title_fr: str | None = Field(None, description="a new title; null or absent keeps it")
    title_nl: str | None = Field(None, description="a new title; null or absent keeps it")


# --- Polls and word clouds -------------------------------------------------------------


class PollOptionIn(In):
    label_fr: str = ""
    label_nl: str = Field("", description="at least one of label_fr, label_nl")


class PollOptionPatch(Patch):
    label_fr: str | None = None
    label_nl: str | None = None


class PollOptionOut(Schema):
    id: int
    order: int
    label: Text
    label_fr: Text
    label_nl: Text


class PollOut(Schema):
    """What a phone needs to answer a poll or a words round, and whether it has."""

    round: int
    kind: RoundKind
    title: Both
    poll_mode: PollMode
    poll_max_choices: int | None
    options: list[PollOptionOut]
    results_shown: bool
    answered: bool = Field(..., description="this voter has answered the poll")
    words_left: int = Field(..., description="a words round: how many this voter may send")


class PollAnswerIn(In):
    options: ListOf[int] = Field([], description="single or multiple choice: option ids")
    value: int | None = Field(None, description="a scale: 1 to 5")


class WordsIn(In):
    words: ListOf[str] = Field(..., description="1 to 3 words or short phrases (40 characters)")


class WordsLeftOut(Schema):
    words_left: int


class RevealIn(In):
    revealed: Flag = Field(True, description="false hides the results again")


class WordHideIn(In):
    keys: ListOf[str] = Field(..., description="the `keys` of a word of the results")
    hidden: Flag = Field(True, description="false shows the word again")


class HiddenOut(Schema):
    entries: int = Field(..., description="how many words sent were hidden or shown")


class PollBarOut(Schema):
    label: Both
    count: int
    share: float = Field(..., description="of the voters, 0 to 1")
    option: int | None = Field(None, description="the option, for a choice")
    value: int | None = Field(None, description="the value, for a scale")


class CloudWordOut(Schema):
    label: str = Field(..., description="the commonest spelling, as written")
    count: int = Field(..., description="voters who sent it, in either language, once each")
    keys: list[str] = Field(..., description="its folded spellings, merged across languages")
    hidden: bool


class ResultsOut(Schema):
    """A poll's bars, or a cloud's words with its picture; `voters` in both."""

    round: int
    kind: RoundKind
    results_shown: bool
    voters: int
    bars: list[PollBarOut] = Field([], description="a poll: one bar per option or value")
    mean: float | None = Field(None, description="a scale: the mean of the answers")
    words: list[CloudWordOut] = Field([], description="a words round, hidden ones included")
    svg: str | None = Field(None, description="a words round: the cloud, an SVG document")


# --- Erasure -------------------------------------------------------------------------

ErasureChannel = api_choices(Erasure.Channel, "ErasureChannel")


class ErasureOut(Schema):
    """What an erasure did, as its log keeps it: counts, never the erased data."""

    id: int
    erased_at: datetime
    channel: ErasureChannel
    person: int | None = Field(None, alias="person_id", description="the anonymised entry")
    registrations: int = Field(..., description="registrations anonymised")
    contributions: int = Field(..., description="post-its unsigned")
    answers: int = Field(..., description="poll answers and words made anonymous")
    deliveries: int = Field(..., description="emails stripped of their recipient")


# --- Seating plan --------------------------------------------------------------------


class SeatOut(Schema):
    """Someone checked in, at their table."""

    registration: int = Field(..., alias="pk")
    first_name: str
    last_name: str
    function: PersonFunction
    organisation_name: str
    country: CountryOrNone = Field(..., description=COUNTRY_OR_NONE)
    language: Language

    @staticmethod
    def resolve_organisation_name(obj: Registration):
        return obj.organisation_label

    @staticmethod
    def resolve_country(obj: Registration):
        return str(obj.country or "")


class SeatingTableOut(Schema):
    id: int
    name: str
    phone_url: str = Field(..., description="what the table's QR code opens")
    people: list[SeatOut]


class SeatingOut(Schema):
    """The plan as the seating page shows it: each table (an empty one too) with who sits
    there, and what a table lacks that the room could have given it."""

    workshop: int
    present: int = Field(..., description="people checked in at the meeting")
    tables: list[SeatingTableOut]
    gaps: list[str] = Field(..., description="in the request's language, for the facilitator")
