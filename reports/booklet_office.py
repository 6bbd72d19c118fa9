"""The synthesis booklet as editable copies, DOCX and ODT, for the town halls that finish
their documents in Word or LibreOffice.

The same `booklet_data.Booklet` as the PDF (`reports.booklet`), section by section in
`Booklet.sections()`'s order (seed 003's), in the same languages ("fr+nl": one cover and
contents, then the whole booklet in French, then in Dutch), written once against
`kit.office.OfficeWriter`. What a word processor can rebuild is left to it: the contents
are a real TOC field or index, filled from the headings (Heading 1 for a section, Heading
2 below it; one level lower in each half of "fr+nl"), and their page numbers come when it
updates them. The charts are PNG images drawn from the same figures as the PDF's.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events_site.kit import charts, office
from meetings.emails import site_link
from meetings.models import Document
from workshops import cloud

from . import figures as fig
from .booklet import BOOKLET_LANGUAGES, _cofacilitator, booklet_title, voters_line
from .booklet_data import (
    FIGURE_LABELS,
    Booklet,
    Group,
    Item,
    Picture,
    Section,
    WorkshopSection,
    content,
    picture_bytes,
)

FORMATS = tuple(office.WRITERS)
# The text column of A4 with 2 cm margins.
TEXT_WIDTH_CM = 17.0
ORIENTATION_COLUMNS_CM = (4.0, 7.0, 6.0)
CONTACT_COLUMNS_CM = (4.5, 4.5, 5.0, 3.0)
CHART_WIDTH_CM = 12.0
LOGO_HEIGHT_CM = 2.0
PHOTO_WIDTH_CM = 12.0


def booklet_office(
    booklet: Booklet, language: str, kind: str, on_progress: Callable[[int], None] | None = None
) -> bytes:
    """The booklet in "fr", "nl" or "fr+nl" as `kind` ("docx" or "odt")."""
    langs = BOOKLET_LANGUAGES[language]
    writer = office.WRITERS[kind](langs[0], contents_levels=2 if len(langs) > 1 else 1)
    layout = _Layout(booklet, writer)
    sections = booklet.sections()
    with translation.override(langs[0]):
        layout.cover(langs)
        writer.page_break()
        writer.contents(_("Contents"), _("Update the table of contents to see it."))
    for index, lang in enumerate(langs):
        with translation.override(lang):
            layout.part(sections, lang, labelled=len(langs) > 1)
        if on_progress:
            on_progress((index + 1) * 90 // len(langs))
    with translation.override(langs[0]):
        return writer.finish(booklet_title(booklet, language))


class _Layout:
    def __init__(self, booklet: Booklet, writer: office.OfficeWriter):
        self.booklet = booklet
        self.writer = writer
        self.level = 1

    def heading(self, text: str, below: int = 0) -> None:
        self.writer.heading(text, self.level + below)

    def pictures(self, pictures: list[Picture], lang: str, width_cm=None, height_cm=None):
        """Each picture that can still be read, `width_cm` wide or `height_cm` high."""
        for picture in pictures:
            shown = office.Picture.of(
                picture_bytes(picture),
                width_cm=width_cm,
                height_cm=height_cm,
                caption=content(picture.caption, lang),
            )
            if shown is not None:
                self.writer.picture(shown)

    # --- Cover ---

    def cover(self, langs: tuple[str, ...]) -> None:
        """Logos, the title in each language, then the facts, labelled in each language."""
        booklet, writer = self.booklet, self.writer
        self.pictures(booklet.logos, langs[0], height_cm=LOGO_HEIGHT_CM)
        for lang in langs:
            with translation.override(lang):
                writer.paragraph(_("Synthesis booklet").upper(), office.SMALL)
                writer.paragraph(content(booklet.title, lang), office.TITLE)

        def label(text: str) -> str:
            labels = []
            for lang in langs:
                with translation.override(lang):
                    labels.append(_(text))
            return " / ".join(dict.fromkeys(labels))

        with translation.override(langs[0]):
            when = _("%(day)s, %(start)s – %(end)s") % {
                "day": capfirst(date_format(booklet.starts_at, "l j F Y")),
                "start": time_format(booklet.starts_at),
                "end": time_format(booklet.ends_at),
            }
            cofacilitators = "\n".join(map(_cofacilitator, booklet.pair))
        facts = [(label("Date"), when), (label("Venue"), booklet.venue)]
        if booklet.host:
            facts.append((label("Host"), booklet.host))
        if booklet.pair:
            facts.append((label("Co-facilitators"), cofacilitators))
        for name, value in facts:
            writer.paragraph(f"{name}\n{value}")
        if booklet.host:
            for lang in langs:
                with translation.override(lang):
                    writer.paragraph(_("In partnership with %(host)s") % {"host": booklet.host})
        if not any(section.key == "context" for section in booklet.sections()):
            self.pictures(booklet.photos, langs[0], width_cm=PHOTO_WIDTH_CM)

    # --- One language's booklet ---

    def part(self, sections: list[Section], lang: str, *, labelled: bool) -> None:
        """The whole booklet in `lang` (active); `labelled` when it is one half of "fr+nl",
        whose title is then a heading above its sections."""
        self.level = 1
        if labelled:
            self.writer.page_break()
            self.heading(_("Version in French") if lang == "fr" else _("Version in Dutch"))
            self.level = 2
        for section in sections:
            if section.key in ("cover", "contents"):
                continue
            self.writer.page_break()
            self.heading(section.title(lang))
            if section.workshop is not None:
                self.workshop(section.workshop, lang)
            else:
                getattr(self, section.key)(lang)

    def context(self, lang: str) -> None:
        booklet = self.booklet
        text = content(booklet.context, lang)
        if text:
            self.writer.paragraph(text)
        self.writer.bullets(
            booklet.ambitions.get(lang)
            or next((ambitions for ambitions in booklet.ambitions.values() if ambitions), [])
        )
        self.pictures(booklet.photos, lang, width_cm=PHOTO_WIDTH_CM)

    def principles(self, lang: str) -> None:
        self.writer.paragraph(content(self.booklet.principles, lang))

    def next_steps(self, lang: str) -> None:
        self.writer.paragraph(content(self.booklet.next_steps, lang))

    def agenda(self, lang: str) -> None:
        rows = []
        for line in self.booklet.agenda:
            details = [content(line.title, lang), content(line.description, lang)]
            details += [line.place, *line.speakers]
            details += [content(workshop, lang) for workshop in line.workshops]
            rows.append([line.hours, "\n".join(detail for detail in details if detail)])
        self.writer.table([_("When"), _("Agenda")], rows, (3.0, TEXT_WIDTH_CM - 3.0))

    def figures(self, lang: str) -> None:
        figures = self.booklet.figures
        attendance = figures.attendance
        self.writer.bullets(
            [f"{number} {FIGURE_LABELS[key]}" for key, number in figures.headlines()]
        )
        if attendance.registered:
            self.writer.paragraph(
                _("%(registered)s registered, %(present)s present.")
                % {"registered": attendance.registered, "present": attendance.present},
                office.SMALL,
            )
        chart_list = [
            (
                _("Elected officials and officers"),
                charts.pie_png(
                    [
                        (fig.function_group_label(s.key), s.present)
                        for s in attendance.by_function_group
                    ]
                ),
            ),
            (
                _("Languages"),
                charts.pie_png(
                    [(fig.language_label(s.key), s.present) for s in attendance.by_language]
                ),
            ),
            (
                _("Organisations by kind"),
                charts.bars_png(
                    [(fig.organisation_kind_label(k), n) for k, n in figures.organisations_by_kind]
                ),
            ),
            (
                _("Organisations by country"),
                charts.bars_png(
                    [(fig.country_label(k), n) for k, n in figures.organisations_by_country]
                ),
            ),
        ]
        for title, png in chart_list:
            if png is not None:
                self.writer.picture(office.Picture.of(png, width_cm=CHART_WIDTH_CM, caption=title))

    def workshop(self, section: WorkshopSection, lang: str) -> None:
        """Its questions, its strong ideas (as its facilitators wrote them, else each
        orientation's most supported post-its), its polls and word clouds, its most
        voted ideas, then its table."""
        writer = self.writer
        facts = ngettext("%(count)s table", "%(count)s tables", section.tables) % {
            "count": section.tables
        }
        facts += " · " + ngettext(
            "%(count)s contribution", "%(count)s contributions", section.contributions
        ) % {"count": section.contributions}
        if section.room:
            facts = f"{section.room} · {facts}"
        writer.paragraph(facts, office.SMALL)
        if section.questions:
            self.heading(_("The questions put to the workshop"), below=1)
            writer.bullets([content(question, lang) for question in section.questions])
        ideas = content(section.strong_ideas, lang)
        if ideas:
            self.heading(_("Strong ideas"), below=1)
            writer.paragraph(ideas)
        elif section.highlights:
            self.heading(_("Strong ideas"), below=1)
            writer.paragraph(
                _("The most supported contributions of each orientation."), office.SMALL
            )
            for group in section.highlights:
                writer.paragraph(content(group.title, lang))
                writer.bullets([item.text for item in group.items])
        self.voices(section, lang)
        if not section.contributions:
            writer.paragraph(_("No contribution was recorded in this workshop."))
            return
        if section.strongest:
            self.heading(_("Most supported ideas"), below=1)
            writer.bullets(
                [
                    f"{item.text} ("
                    + ngettext("%(count)s vote", "%(count)s votes", item.votes)
                    % {"count": item.votes}
                    + ")"
                    for item in section.strongest
                ]
            )
        self.heading(_("Orientations, proposed actions and objectives"), below=1)
        header = [_("Orientations"), _("Proposed actions"), _("Objectives pursued")]
        rows = [row for group in section.groups for row in _orientation_rows(group, lang)]
        writer.table(header, rows, ORIENTATION_COLUMNS_CM)

    def voices(self, section: WorkshopSection, lang: str) -> None:
        """The workshop's polls, their counts and a bar chart each (every option, a zero
        too), and its word clouds, their words and the projector's layout (`workshops.cloud`)
        as an image: what the PDF draws, with its text a reader can edit."""
        for poll in section.polls:
            title = content(poll.title, lang)
            self.heading(title, below=1)
            self.writer.paragraph(voters_line(poll), office.SMALL)
            counts = [(content(bar.label, lang), bar.count) for bar in poll.bars]
            self.writer.bullets([f"{label}: {count}" for label, count in counts])
            bars = charts.bars_png(counts, zeros=True)
            if bars is not None:
                self.writer.picture(office.Picture.of(bars, width_cm=CHART_WIDTH_CM))
        for words in section.clouds:
            self.heading(content(words.title, lang), below=1)
            self.writer.paragraph(voters_line(words), office.SMALL)
            self.writer.paragraph(", ".join(f"{word.label} ({word.count})" for word in words.words))
            picture = charts.words_png(cloud.layout(words.words), cloud.WIDTH, cloud.HEIGHT)
            if picture is not None:
                self.writer.picture(office.Picture.of(picture, width_cm=TEXT_WIDTH_CM))

    def annexes(self, lang: str) -> None:
        writer = self.writer
        if self.booklet.figures.contributions:
            writer.paragraph(_("Every contribution the participants made, workshop by workshop."))
        for section in self.booklet.workshops:
            if not section.annex:
                continue
            self.heading(content(section.title, lang), below=1)
            for entry in section.annex:
                question = content(entry.question, lang) if entry.question else _("Other proposals")
                self.heading(question, below=2)
                writer.bullets([_annex_line(item) for item in entry.items])
        if self.booklet.documents:
            self.heading(_("Documents of the meeting"), below=1)
            lines = []
            for entry in self.booklet.documents:
                about = [Document.Kind(entry.kind).label, Document.Language(entry.language).label]
                if entry.visibility != Document.Visibility.PUBLIC:
                    about.append(Document.Visibility(entry.visibility).label)
                lines.append(
                    f"{content(entry.title, lang)} ({', '.join(map(str, about))})\n"
                    f"{site_link('meetings:document', entry.id)}"
                )
            writer.bullets(lines)

    def contacts(self, lang: str) -> None:
        """Only in the participants' copy (`sections()` leaves it out of the public one)."""
        rows = [
            [
                "\n".join(filter(None, (person.name, fig.function_label(person.function)))),
                "\n".join(
                    filter(
                        None,
                        (
                            person.organisation,
                            person.commune,
                            fig.country_label(person.country) if person.country else "",
                        ),
                    )
                ),
                person.email,
                person.phone,
            ]
            for person in self.booklet.contacts
        ]
        self.writer.table(
            [_("Name"), _("Organisation"), _("Email"), _("Phone")], rows, CONTACT_COLUMNS_CM
        )


def _orientation_rows(group: Group, lang: str) -> list[list[str]]:
    """The orientation's title on its first row, then each post-it with those merged into
    it and, when it was said in both, the group's languages."""
    title = content(group.title, lang) if group.title else _("Other proposals")
    rows = []
    for index, item in enumerate(group.items):
        said = [item.text] + [f"+ {m.text}" for m in item.merged if m.text]
        if len(item.languages) > 1:
            said.append(" · ".join(code.upper() for code in item.languages))
        aims = [item.objective] + [f"+ {m.objective}" for m in item.merged if m.objective]
        rows.append(
            [
                title if index == 0 else "",
                "\n".join(line for line in said if line),
                "\n".join(line for line in aims if line),
            ]
        )
    return rows


def _annex_line(item: Item) -> str:
    about = [item.table] if item.table else []
    if item.votes:
        about.append(
            ngettext("%(count)s vote", "%(count)s votes", item.votes) % {"count": item.votes}
        )
    text = item.text
    if item.objective:
        text += f" → {item.objective}"
    if about:
        text += f" ({', '.join(about)})"
    return text
