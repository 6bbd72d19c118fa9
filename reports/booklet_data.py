"""Everything a synthesis booklet says, read from the database in one data structure.

The PDF (`reports.booklet`), the editable copies, the public results page and the inputs
hash all read this one structure, so they cannot disagree, and the layouts never touch
the database. It takes the same fifteen queries (one less without an agenda, one more
for the participants' copy and its contacts, four more with polls and word clouds)
whether the meeting had ten post-its or ten thousand.

`Booklet.sections()` is the order every layout follows, seed 003's: cover, contents,
context and ambitions, key figures, how the day went, the principles of the workshops,
one section per workshop, next steps, annexes, contacts. A section with nothing to say
is left out rather than printed empty.

There are two copies of a booklet (`audience`): the public one, and the participants'
one, which adds the contacts of those who came and agreed to share theirs (seed 001:
"disposer des contacts utiles"). The public one never holds a contact.

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

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from events_site.kit.text import bilingual, entries, fold
from meetings.models import (
    AgendaItem,
    AgendaSpeaker,
    CoFacilitator,
    Document,
    Meeting,
    MeetingPicture,
    Organisation,
    Viewer,
)
from meetings.selectors import meeting_documents
from registrations.contacts import commune, phone
from registrations.models import CheckIn, Registration
from registrations.selectors import contact_list
from workshops.models import (
    Contribution,
    Orientation,
    Question,
    Round,
    Table,
    Workshop,
    room_sees,
)
from workshops.selectors import polls_results, word_clouds
from workshops.text import language

from . import figures as fig
from .figures import UNSPECIFIED, AttendanceFigures, attendance_figures

# Bump when the layout changes, so that stored booklets are built again.
LAYOUT_VERSION = 3
STRONGEST_IDEAS = 5
# Where no facilitator wrote the strong ideas: this many of each orientation's most
# supported post-its stand in for them.
HIGHLIGHTS_PER_ORIENTATION = 2

PUBLIC = "public"
PARTICIPANTS = "participants"
AUDIENCES = (PUBLIC, PARTICIPANTS)

# Every section a booklet can have, in the order it is printed.
SECTION_KEYS = (
    "cover",
    "contents",
    "context",
    "figures",
    "agenda",
    "principles",
    "workshop",
    "next_steps",
    "annexes",
    "contacts",
)
SECTION_TITLES = {
    "cover": _("Synthesis booklet"),
    "contents": _("Contents"),
    "context": _("Context and ambitions"),
    "figures": _("Key figures"),
    "agenda": _("How the meeting went"),
    "principles": _("How the workshops were run"),
    "workshop": _("Workshops"),
    "next_steps": _("Next steps"),
    "annexes": _("Annexes"),
    "contacts": _("Contacts"),
}
# The headline numbers of "Key figures", in their order.
FIGURE_LABELS = {
    "participants": _("participants"),
    "elected": _("elected officials"),
    "officers": _("municipal officers"),
    "organisations": _("organisations"),
    "workshops": _("workshops"),
    "tables": _("tables"),
    "contributions": _("contributions"),
}

Text = dict[str, str]


def _text(row: dict, name: str) -> Text:
    return bilingual(row.get(f"{name}_fr"), row.get(f"{name}_nl"))


def content(text: Text | None, lang: str) -> str:
    """A content field in `lang`, falling back to the other language."""
    if not text:
        return ""
    return text.get(lang) or next((value for value in text.values() if value), "")


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
    # How many stand behind it: its dots, and every post-it merged into it.
    support: int = 0
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
class PollBar:
    """An option of a poll (its label in both languages), or a value of its scale."""

    label: Text
    count: int


@dataclass
class PollChart:
    """A poll of the workshop: its question (the round's title) and its bars."""

    title: Text
    mode: str
    voters: int
    bars: list[PollBar]
    mean: float | None = None


@dataclass
class CloudWord:
    label: str
    count: int


@dataclass
class WordCloud:
    """A words round of the workshop: its words, merged across languages, hidden ones
    left out (`workshops.selectors.word_clouds`); the booklet draws them
    (`workshops.cloud`)."""

    title: Text
    voters: int
    words: list[CloudWord]


@dataclass
class WorkshopSection:
    id: int
    title: Text
    room: str
    agenda_item_id: int | None
    questions: list[Text]
    tables: int
    contributions: int
    # The most voted post-its of the whole workshop.
    strongest: list[Item]
    groups: list[Group]
    annex: list[QuestionItems]
    # "Idées fortes", as its facilitators wrote them; empty if nobody did.
    strong_ideas: Text = field(default_factory=lambda: bilingual("", ""))
    # The most supported post-its of each orientation (votes, then post-its merged into
    # them): what stands for the strong ideas where none were written.
    highlights: list[Group] = field(default_factory=list)
    # Its polls and word clouds, in the plan's order, those nobody answered left out.
    polls: list[PollChart] = field(default_factory=list)
    clouds: list[WordCloud] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        return bool(
            self.questions
            or self.contributions
            or any(self.strong_ideas.values())
            or self.polls
            or self.clouds
        )


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
class Picture:
    """A logo or a photo. `file` is the document's name in the default storage, or for
    a network logo set in the settings (`NETWORK_LOGO`, `document_id` None) a path."""

    document_id: int | None
    file: str
    caption: Text = field(default_factory=lambda: bilingual("", ""))


def picture_bytes(picture: Picture) -> bytes | None:
    """The picture's file, or None when it is gone: a booklet is still printed without it."""
    try:
        if picture.document_id is None:
            with open(picture.file, "rb") as handle:
                return handle.read()
        with default_storage.open(picture.file, "rb") as handle:
            return handle.read()
    except OSError:
        return None


@dataclass
class ContactEntry:
    """A participant who came and shares their contact. Codes, not labels: each copy
    names them in its own language."""

    name: str
    function: str
    organisation: str
    commune: str
    country: str
    email: str
    phone: str


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

    def headlines(self) -> list[tuple[str, int]]:
        """The headline numbers (keys of `FIGURE_LABELS`) that are not zero: "0 municipal
        officers" is no key figure."""
        groups = {split.key: split.present for split in self.attendance.by_function_group}
        numbers = {
            "participants": self.attendance.present,
            "elected": groups.get(fig.ELECTED, 0),
            "officers": groups.get(fig.OFFICERS, 0),
            "organisations": self.organisations,
            "workshops": self.workshops,
            "tables": self.tables,
            "contributions": self.contributions,
        }
        return [(key, numbers[key]) for key in FIGURE_LABELS if numbers[key]]


@dataclass(frozen=True)
class Section:
    """One section of the booklet: `key` is one of `SECTION_KEYS`; a workshop's section
    carries its workshop."""

    key: str
    workshop: WorkshopSection | None = None

    def title(self, lang: str) -> str:
        if self.workshop is not None:
            return content(self.workshop.title, lang)
        with translation.override(lang):
            return str(SECTION_TITLES[self.key])

    @property
    def anchor(self) -> str:
        """A name unique in the booklet, for the contents and bookmarks."""
        return f"w{self.workshop.id}" if self.workshop is not None else self.key


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
    audience: str = PUBLIC
    context: Text = field(default_factory=lambda: bilingual("", ""))
    # One list per language ({"fr": [...], "nl": [...]}), each falling back to the other.
    ambitions: dict[str, list[str]] = field(default_factory=lambda: {"fr": [], "nl": []})
    principles: Text = field(default_factory=lambda: bilingual("", ""))
    # The host's logo first, then the network's.
    logos: list[Picture] = field(default_factory=list)
    photos: list[Picture] = field(default_factory=list)
    # Only in the participants' copy.
    contacts: list[ContactEntry] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.figures.contributions == 0

    def sections(self) -> list[Section]:
        """The sections to print, in their order; those with nothing in them left out."""
        has = {
            "cover": True,
            "contents": True,
            "context": any(self.context.values()) or any(self.ambitions.values()),
            "figures": bool(self.figures.headlines()),
            "agenda": bool(self.agenda),
            "principles": any(self.principles.values()),
            "next_steps": any(self.next_steps.values()),
            "annexes": self.figures.contributions > 0 or bool(self.documents),
            "contacts": self.audience == PARTICIPANTS and bool(self.contacts),
        }
        sections = []
        for key in SECTION_KEYS:
            if key == "workshop":
                sections += [
                    Section(key, workshop) for workshop in self.workshops if workshop.has_content
                ]
            elif has[key]:
                sections.append(Section(key))
        return sections


def booklet_data(meeting: Meeting | int, *, audience: str = PUBLIC) -> Booklet:
    """The booklet of a meeting, from the database as it is now, for `audience` (one of
    `AUDIENCES`): only the participants' copy reads the contacts."""
    if audience not in AUDIENCES:
        raise ValueError(f"Unknown booklet audience: {audience!r}")
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
    photos = _photos(meeting)
    shown = {photo.document_id for photo in photos}
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
        # The photos it shows are not listed again among the documents.
        documents=[entry for entry in _documents(meeting, audience) if entry.id not in shown],
        audience=audience,
        context=bilingual(meeting.context_fr, meeting.context_nl),
        ambitions={
            lang: entries(text)
            for lang, text in bilingual(meeting.ambitions_fr, meeting.ambitions_nl).items()
        },
        principles=bilingual(meeting.principles_fr, meeting.principles_nl),
        logos=_logos(meeting),
        photos=photos,
        contacts=_contacts(meeting) if audience == PARTICIPANTS else [],
    )


def _logos(meeting: Meeting) -> list[Picture]:
    """The host's logo (the meeting's newest logo document), then the network's (its
    newest public logo outside any meeting, else the `NETWORK_LOGO` setting): one query."""
    host = network = None
    for document in (
        Document.objects.filter(kind=Document.Kind.LOGO)
        .filter(Q(meeting=meeting) | Q(meeting=None, visibility=Document.Visibility.PUBLIC))
        .order_by("-created_at", "-pk")
        .values("id", "meeting_id", "file")
    ):
        if document["meeting_id"] is None:
            network = network or Picture(document["id"], document["file"])
        else:
            host = host or Picture(document["id"], document["file"])
    if network is None and settings.NETWORK_LOGO:
        network = Picture(None, settings.NETWORK_LOGO)
    return [logo for logo in (host, network) if logo is not None]


def _photos(meeting: Meeting) -> list[Picture]:
    return [
        Picture(picture.document_id, picture.document.file.name, _text(vars(picture), "caption"))
        for picture in MeetingPicture.objects.filter(meeting=meeting)
        .select_related("document")
        .order_by("order", "pk")
    ]


def _contacts(meeting: Meeting) -> list[ContactEntry]:
    """Who came and shares their contact, as of now (`registrations.selectors`)."""
    return [
        ContactEntry(
            name=registration.full_name,
            function=registration.function,
            organisation=registration.organisation_label,
            commune=commune(registration),
            country=registration.country.code if registration.country else "",
            email=registration.email,
            phone=phone(registration),
        )
        for registration in contact_list(meeting.pk)
    ]


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


def _documents(meeting: Meeting, audience: str) -> list[DocumentEntry]:
    """What the copy's readers may open: the participants' copy lists the documents for
    participants too. Each link still checks who follows it. Logos are not listed."""
    reader = (
        Viewer(participant_of=frozenset({meeting.pk})) if audience == PARTICIPANTS else Viewer()
    )
    return [
        DocumentEntry(
            id=document.pk,
            title=bilingual(document.title_fr, document.title_nl),
            kind=document.kind,
            language=document.language,
            visibility=document.visibility,
        )
        for document in meeting_documents(meeting, reader)
        if document.kind != Document.Kind.LOGO
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
        .values(
            "id", "title_fr", "title_nl", "synthesis_fr", "synthesis_nl", "room", "agenda_item_id"
        )
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
    polls, clouds = _voices(ids)
    sections = []
    for workshop in workshops:
        section = _section(
            workshop,
            questions[workshop["id"]],
            orientations[workshop["id"]],
            tables.get(workshop["id"], 0),
            posts[workshop["id"]],
        )
        section.polls, section.clouds = polls[workshop["id"]], clouds[workshop["id"]]
        sections.append(section)
    return sections


def _voices(workshop_ids: list[int]) -> tuple[dict, dict]:
    """The workshops' polls and word clouds that someone answered, by workshop: one
    query for their rounds, then three for the polls and one a workshop for the words
    (`workshops.selectors`), only where there are some."""
    rounds = list(
        Round.objects.filter(
            workshop_id__in=workshop_ids, kind__in=[Round.Kind.POLL, Round.Kind.WORDS]
        ).order_by("order", "pk")
    )
    results = polls_results(rounds)
    words = word_clouds(rounds)
    polls, clouds = defaultdict(list), defaultdict(list)
    for round_ in rounds:
        title = bilingual(round_.title_fr, round_.title_nl)
        if round_.pk in results and results[round_.pk].voters:
            result = results[round_.pk]
            bars = [PollBar(bar.label, bar.count) for bar in result.bars]
            mean = round(result.mean, 2) if result.mean is not None else None
            chart = PollChart(title, round_.poll_mode, result.voters, bars, mean)
            polls[round_.workshop_id].append(chart)
        elif words.get(round_.pk):
            groups = words[round_.pk]
            voters = len(set().union(*(group.voters for group in groups)))
            cloud = [CloudWord(group.label, group.count) for group in groups]
            clouds[round_.workshop_id].append(WordCloud(title, voters, cloud))
    return polls, clouds


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
    contributions = len(items)
    for item in items:
        item.support = item.votes + len(item.merged)
        if item.merged:
            contributions += len(item.merged)
            item.merged = _said_once(item)
            said = [item.text] + [m.text for m in item.merged]
            item.languages = sorted({language(text) for text in said if text} - {None})

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
    return WorkshopSection(
        id=workshop["id"],
        title=_text(workshop, "title"),
        room=workshop["room"],
        agenda_item_id=workshop["agenda_item_id"],
        questions=[_text(row, "text") for row in questions],
        tables=tables,
        contributions=contributions,
        strongest=voted[:STRONGEST_IDEAS],
        groups=groups,
        annex=annex,
        strong_ideas=_text(workshop, "synthesis"),
        highlights=[
            Group(group.title, _most_supported(group.items))
            for group in groups
            if group.title is not None
        ],
    )


def _most_supported(items: list[Item]) -> list[Item]:
    """An orientation's most supported post-its, the earliest first among equals."""
    ranked = sorted(items, key=lambda item: -item.support)
    return ranked[:HIGHLIGHTS_PER_ORIENTATION]


def _said_once(item: Item) -> list[Merged]:
    """The post-its merged into `item`, less those that only repeat what it or an
    earlier one says (a duplicate merged into its twin is not printed twice); what a
    repeated one adds as its objective is kept."""
    said = {fold(item.text).strip()}
    kept: list[Merged] = []
    for merged in item.merged:
        key = fold(merged.text).strip()
        if key in said:
            if merged.objective and fold(merged.objective) != fold(item.objective):
                kept.append(Merged("", merged.objective))
            continue
        said.add(key)
        kept.append(merged)
    return kept


def inputs_hash(booklet: Booklet, language: str) -> str:
    """What a booklet file is made of, as a digest: equal digests, equal booklets."""
    payload = json.dumps(
        {"layout": LAYOUT_VERSION, "language": language, "booklet": asdict(booklet)},
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
