"""Everything a synthesis booklet says, read from the database in one data structure.

The PDF (`reports.booklet`), the public results page and the inputs hash all read this
one structure, so they cannot disagree, and the layout never touches the database. It
takes the same twelve queries (eleven without an agenda; one reads its documents)
whether the meeting had ten post-its or ten thousand.

Content fields are kept in both languages (`Text`: {"fr": …, "nl": …}, each falling back
to the other), so the structure does not depend on the language a booklet is printed in.
What a post-it says is kept as typed: it has only one language.

Which post-its appear where:
- *visible* post-its (neither hidden nor merged into another) are the workshop's ideas;
- a post-it merged into a visible one is printed once, inside the one it was merged into;
- hidden post-its, and those merged into a hidden one, appear nowhere.
"""

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from operator import attrgetter

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef

from events_site.kit.text import bilingual
from meetings.models import (
    AgendaItem,
    AgendaSpeaker,
    CoFacilitator,
    Meeting,
    Organisation,
    Viewer,
)
from meetings.selectors import meeting_documents
from registrations.models import CheckIn, Registration
from workshops.models import Contribution, Orientation, Question, Table, Workshop, room_sees
from workshops.text import language

from .figures import UNSPECIFIED, AttendanceFigures, attendance_figures
from .terms import key_terms

# Bump when the layout changes, so that stored booklets are built again.
LAYOUT_VERSION = 2
STRONGEST_IDEAS = 5

Text = dict[str, str]


def _text(row: dict, name: str) -> Text:
    return bilingual(row.get(f"{name}_fr"), row.get(f"{name}_nl"))


@dataclass
class Merged:
    text: str
    objective: str


@dataclass
class Item:
    """A visible post-it, with the post-its merged into it."""

    id: int
    text: str
    objective: str
    author: str
    table: str
    votes: int
    question_id: int | None
    orientation_id: int | None
    merged: list[Merged] = field(default_factory=list)
    # A merged group's languages ("fr", "nl"), told from its words: the same idea said
    # on both sides of the border is printed once, and says so.
    languages: list[str] = field(default_factory=list)


@dataclass
class Group:
    """The post-its of one orientation; `title` None is "Other proposals" (not sorted)."""

    title: Text | None
    items: list[Item]


@dataclass
class QuestionItems:
    """The annex of a workshop: its post-its by question; `question` None: no question."""

    question: Text | None
    items: list[Item]


@dataclass
class WorkshopSection:
    id: int
    title: Text
    room: str
    agenda_item_id: int | None
    questions: list[Text]
    tables: int
    contributions: int
    strongest: list[Item]
    terms: list[tuple[str, int]]
    groups: list[Group]
    annex: list[QuestionItems]


@dataclass
class AgendaLine:
    """An item of "how the meeting went", with the workshops its slot ran in parallel."""

    hours: str
    kind: str
    title: Text
    description: Text
    place: str
    speakers: list[str]
    workshops: list[Text]


@dataclass
class Cofacilitator:
    name: str
    function: str
    organisation: str
    country: str


@dataclass
class DocumentEntry:
    """A document of the meeting, listed in the annexes with its link."""

    id: int
    title: Text
    kind: str
    language: str
    visibility: str


@dataclass
class KeyFigures:
    attendance: AttendanceFigures
    # Organisations of the people who came, each counted once: by kind, by country.
    organisations: int
    organisations_by_kind: list[tuple[str, int]]
    organisations_by_country: list[tuple[str, int]]
    workshops: int
    tables: int
    contributions: int


@dataclass
class Booklet:
    meeting_id: int
    title: Text
    starts_at: datetime
    ends_at: datetime
    venue: str
    venue_country: str
    host: str
    pair: list[Cofacilitator]
    agenda: list[AgendaLine]
    figures: KeyFigures
    workshops: list[WorkshopSection]
    next_steps: Text
    documents: list[DocumentEntry] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.figures.contributions == 0


def booklet_data(meeting: Meeting | int) -> Booklet:
    """The booklet of a meeting, from the database as it is now."""
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    meeting = Meeting.objects.select_related("host_organisation").get(pk=meeting_id)
    pair = [
        Cofacilitator(
            name=cofacilitator.person.full_name,
            function=cofacilitator.person.function,
            organisation=(
                cofacilitator.person.organisation.name if cofacilitator.person.organisation else ""
            ),
            country=(
                cofacilitator.person.organisation.country.code
                if cofacilitator.person.organisation
                else ""
            ),
        )
        for cofacilitator in CoFacilitator.objects.filter(
            meeting=meeting, role=CoFacilitator.Role.CO_FACILITATOR
        )
        .select_related("person__organisation")
        .order_by("pk")
    ]
    workshops = _workshops(meeting)
    tables = sum(section.tables for section in workshops)
    figures = KeyFigures(
        attendance=attendance_figures(meeting),
        **_organisations(meeting),
        workshops=len(workshops),
        tables=tables,
        contributions=sum(section.contributions for section in workshops),
    )
    venue = ", ".join(
        part for part in (meeting.venue_name, meeting.venue_address, meeting.venue_city) if part
    )
    return Booklet(
        meeting_id=meeting.pk,
        title=bilingual(meeting.title_fr, meeting.title_nl),
        starts_at=meeting.local_starts_at,
        ends_at=meeting.local_ends_at,
        venue=venue,
        venue_country=meeting.venue_country.code,
        host=meeting.host_organisation.name if meeting.host_organisation else "",
        pair=pair,
        agenda=_agenda(meeting, workshops),
        figures=figures,
        workshops=workshops,
        next_steps=bilingual(meeting.next_steps_fr, meeting.next_steps_nl),
        documents=_documents(meeting),
    )


def _agenda(meeting: Meeting, workshops: list[WorkshopSection]) -> list[AgendaLine]:
    """The agenda in two queries (items, then speakers if there are items); each slot's
    workshops come from the sections already read."""
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("start_offset_min", "pk"))
    speakers = defaultdict(list)
    if not items:
        return []
    for speaker in AgendaSpeaker.objects.filter(item__meeting=meeting).select_related(
        "person__organisation"
    ):
        speaker_line = speaker.display_name
        if speaker.display_role:
            speaker_line += f", {speaker.display_role}"
        speakers[speaker.item_id].append(speaker_line)
    lines = []
    for item in items:
        item.meeting = meeting
        lines.append(
            AgendaLine(
                hours=item.hours,
                kind=item.kind,
                title=bilingual(item.title_fr, item.title_nl),
                description=bilingual(item.description_fr, item.description_nl),
                place=item.room or item.address,
                speakers=speakers[item.pk],
                workshops=[
                    section.title
                    if not section.room
                    else {lang: f"{text} ({section.room})" for lang, text in section.title.items()}
                    for section in workshops
                    if section.agenda_item_id == item.pk
                ],
            )
        )
    return lines


def _documents(meeting: Meeting) -> list[DocumentEntry]:
    """What the meeting's participants may open: the booklet goes to them. Each link
    still checks who follows it."""
    participant = Viewer(participant_of=frozenset({meeting.pk}))
    return [
        DocumentEntry(
            id=document.pk,
            title=bilingual(document.title_fr, document.title_nl),
            kind=document.kind,
            language=document.language,
            visibility=document.visibility,
        )
        for document in meeting_documents(meeting, participant)
    ]


def _organisations(meeting: Meeting) -> dict:
    """The organisations of the people who came. One typed by hand (not in the
    directory) is told apart by its name and country; its kind is unknown."""
    rows = (
        Registration.objects.filter(meeting=meeting, status=Registration.Status.CONFIRMED)
        .filter(Exists(CheckIn.objects.filter(registration=OuterRef("pk"))))
        .values_list(
            "organisation_id",
            "organisation__kind",
            "organisation__country",
            "organisation_name",
            "organisation_country",
        )
        .order_by()
        .distinct()
    )
    seen = {}
    for organisation_id, kind, country, typed_name, typed_country in rows:
        if organisation_id is not None:
            seen[organisation_id] = (kind, str(country or UNSPECIFIED))
        elif typed_name.strip():
            key = (typed_name.strip().casefold(), str(typed_country or ""))
            seen[key] = (Organisation.Kind.OTHER, str(typed_country or UNSPECIFIED))
    by_kind = Counter(kind for kind, _country in seen.values())
    by_country = Counter(country for _kind, country in seen.values())
    kinds = [code for code, _label in Organisation.Kind.choices]
    return {
        "organisations": len(seen),
        "organisations_by_kind": [(kind, by_kind[kind]) for kind in kinds if by_kind[kind]],
        "organisations_by_country": sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def _by_workshop(rows) -> defaultdict[int, list[dict]]:
    """Value rows of a workshop's ordered items (questions, orientations), by workshop."""
    grouped = defaultdict(list)
    for row in rows.order_by("order", "pk"):
        grouped[row["workshop_id"]].append(row)
    return grouped


def _workshops(meeting: Meeting) -> list[WorkshopSection]:
    """Every workshop of the meeting with its post-its: five queries in all."""
    workshops = list(
        Workshop.objects.filter(meeting=meeting)
        .order_by("order", "pk")
        .values("id", "title_fr", "title_nl", "room", "agenda_item_id")
    )
    ids = [workshop["id"] for workshop in workshops]
    questions = _by_workshop(
        Question.objects.filter(workshop_id__in=ids).values(
            "id", "workshop_id", "text_fr", "text_nl"
        )
    )
    orientations = _by_workshop(
        Orientation.objects.filter(workshop_id__in=ids).values(
            "id", "workshop_id", "title_fr", "title_nl"
        )
    )
    tables = dict(
        Table.objects.filter(workshop_id__in=ids)
        .values_list("workshop_id")
        .annotate(count=Count("pk"))
        .values_list("workshop_id", "count")
    )
    posts = defaultdict(list)
    for row in (
        Contribution.objects.filter(workshop_id__in=ids)
        .annotate(
            vote_count=Count("votes"),
            visible=ExpressionWrapper(room_sees(), output_field=BooleanField()),
        )
        .order_by("created_at", "pk")
        .values_list(
            "id",
            "workshop_id",
            "question_id",
            "orientation_id",
            "merged_into_id",
            "visible",
            "hidden",
            "text",
            "objective",
            "author",
            "table__name",
            "vote_count",
        )
    ):
        posts[row[1]].append(row)
    return [
        _section(
            workshop,
            questions[workshop["id"]],
            orientations[workshop["id"]],
            tables.get(workshop["id"], 0),
            posts[workshop["id"]],
        )
        for workshop in workshops
    ]


def _sorted_into(items, headings: dict, rest, key) -> list:
    """`items` into their heading by `key(item)` (in the headings' order), the others into
    `rest`, last; only the headings with items."""
    for item in items:
        headings.get(key(item), rest).items.append(item)
    return [heading for heading in (*headings.values(), rest) if heading.items]


def _section(workshop, questions, orientations, tables, rows) -> WorkshopSection:
    visible: dict[int, Item] = {}
    merged = []
    for (
        pk,
        _w,
        question,
        orientation,
        merged_into,
        room_sees_it,
        hidden,
        text,
        objective,
        author,
        table,
        votes,
    ) in rows:
        if room_sees_it:
            visible[pk] = Item(
                pk, text, objective, author, table or "", votes, question, orientation
            )
        elif not hidden:
            merged.append((merged_into, Merged(text, objective)))
    for target, item in merged:
        # Merged into a hidden post-it: hidden with it.
        if target in visible:
            visible[target].merged.append(item)
    items = list(visible.values())
    for item in items:
        if item.merged:
            said = [item.text] + [m.text for m in item.merged]
            item.languages = sorted({language(text) for text in said} - {None})

    groups = _sorted_into(
        items,
        {row["id"]: Group(_text(row, "title"), []) for row in orientations},
        Group(None, []),
        attrgetter("orientation_id"),
    )
    annex = _sorted_into(
        items,
        {row["id"]: QuestionItems(_text(row, "text"), []) for row in questions},
        QuestionItems(None, []),
        attrgetter("question_id"),
    )

    voted = sorted((item for item in items if item.votes), key=lambda item: -item.votes)
    texts = [item.text for item in items] + [m.text for item in items for m in item.merged]
    return WorkshopSection(
        id=workshop["id"],
        title=_text(workshop, "title"),
        room=workshop["room"],
        agenda_item_id=workshop["agenda_item_id"],
        questions=[_text(row, "text") for row in questions],
        tables=tables,
        contributions=len(items) + sum(len(item.merged) for item in items),
        strongest=voted[:STRONGEST_IDEAS],
        terms=key_terms(texts),
        groups=groups,
        annex=annex,
    )


def inputs_hash(booklet: Booklet, language: str) -> str:
    """What a booklet file is made of, as a digest: equal digests, equal booklets."""
    payload = json.dumps(
        {"layout": LAYOUT_VERSION, "language": language, "booklet": asdict(booklet)},
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
