"""The synthesis booklet ("livret de synthèse / syntheseverslag") as a PDF.

This module only lays out a `booklet_data.Booklet`: it reads nothing from the database
but the pictures' files. The order is `Booklet.sections()`, seed 003's: a cover with the
logos, the contents, the context and ambitions, the key figures with their charts, how
the day went (the agenda, then the photos), the principles of the workshops, one section
per workshop (its questions, its strong ideas, the most voted ideas, the table
"orientations / proposed actions / objectives pursued"), the next steps, the annexes,
where every visible post-it is listed by question, and in the participants' copy the
contacts.

"fr+nl" prints the whole booklet in French, then the whole booklet in Dutch, after one
shared cover and one table of contents: each half reads as a booklet of its own, which is
what a reader of one language wants, and a print shop can split it.

The contents are laid out in a single pass. Their length is known before the layout (one
line per heading, and the headings come from the data), so the contents take their room
on page 2 straight away, and their page numbers are drawn once every page is laid out,
like the "page X / Y" footer (`pdf._NumberedCanvas.after_layout`). reportlab's own
`TableOfContents` would lay out the whole booklet twice.
"""

import gc
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from events_site.kit import pdf
from meetings.emails import site_link
from meetings.models import Document
from workshops import cloud

from . import figures as fig
from .booklet_data import (
    FIGURE_LABELS,
    Booklet,
    Cofacilitator,
    DocumentEntry,
    Group,
    Item,
    Picture,
    Section,
    WorkshopSection,
    content,
    picture_bytes,
)

# The languages a booklet asked for is written in, one part each, in this order.
BOOKLET_LANGUAGES = {"fr": ("fr",), "nl": ("nl",), "fr+nl": ("fr", "nl")}
WIDTH = A4[0] - 2 * pdf.MARGIN
# An orientation with more post-its than this is printed as several tables, each with its
# header: one table's page breaks cost reportlab a new layout of all its remaining rows.
ROWS_PER_TABLE = 40
# A post-it with long ones merged into it can be taller than a page: such a row is split
# across pages, leaving at least this many points (about three lines) on each side.
SPLIT_IN_ROW = 36
CHART_COLOURS = [
    pdf.ACCENT,
    colors.HexColor("#c55a11"),
    colors.HexColor("#548235"),
    colors.HexColor("#7f6000"),
    colors.HexColor("#7030a0"),
    colors.HexColor("#2e75b6"),
    colors.HexColor("#a5a5a5"),
]


@dataclass
class _Styles:
    base: pdf.Styles
    h3: ParagraphStyle
    h4: ParagraphStyle
    bullet: ParagraphStyle
    toc: ParagraphStyle
    toc_section: ParagraphStyle
    header: ParagraphStyle
    figure: ParagraphStyle


def _styles() -> _Styles:
    base = pdf.styles()
    bold = pdf.FACES["bold"][0]
    return _Styles(
        base=base,
        h3=ParagraphStyle(
            "h3", parent=base.body, fontName=bold, spaceBefore=6, spaceAfter=2, keepWithNext=1
        ),
        h4=ParagraphStyle(
            "h4", parent=base.body, textColor=pdf.ACCENT, spaceBefore=3, keepWithNext=1
        ),
        bullet=ParagraphStyle("bullet", parent=base.body, leftIndent=10, firstLineIndent=-8),
        toc=ParagraphStyle("toc", parent=base.body, leftIndent=12),
        toc_section=ParagraphStyle("toc_section", parent=base.body, fontName=bold),
        header=ParagraphStyle("header", parent=base.cell, fontName=bold, textColor=colors.white),
        figure=ParagraphStyle(
            "figure",
            parent=base.body,
            fontName=bold,
            fontSize=20,
            leading=24,
            textColor=pdf.ACCENT,
        ),
    )


# --- Headings and the contents -------------------------------------------------------


@dataclass
class _Entry:
    key: str
    label: str
    level: int  # in the PDF outline: 0 for a half of "fr+nl", then its sections
    is_part: bool = False


class _Heading(Paragraph):
    """A heading that notes the page it lands on, for the contents and the PDF outline."""

    def __init__(self, text: str, style, entry: _Entry, pages: dict[str, int]):
        super().__init__(pdf.escape(text), style)
        self._entry = entry
        self._pages = pages

    def draw(self):
        super().draw()
        canvas = self.canv
        self._pages[self._entry.key] = canvas.getPageNumber()
        canvas.bookmarkPage(self._entry.key)
        canvas.addOutlineEntry(pdf.printable(self._entry.label), self._entry.key, self._entry.level)


class _Contents(Flowable):
    """The table of contents: room for its lines now, page numbers at the end."""

    def __init__(self, entries: list[_Entry], pages: dict[str, int], styles: _Styles):
        super().__init__()
        self._entries = entries
        self._pages = pages
        self._styles = styles

    def _table(self, numbers: Callable[[str], str]) -> Table:
        rows = [
            [
                # No link: an annotation drawn after the layout would reuse a name; the
                # PDF outline (bookmarks) is what readers click.
                Paragraph(
                    pdf.escape(entry.label),
                    self._styles.toc_section if entry.is_part else self._styles.toc,
                ),
                numbers(entry.key),
            ]
            for entry in self._entries
        ]
        table = Table(rows, colWidths=[WIDTH - 1.5 * cm, 1.5 * cm])
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (1, 0), (1, -1), pdf.font_family().name, 9.5),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, pdf.RULE),
                ]
            )
        )
        return table

    def wrap(self, available_width, available_height):
        self._width, self._height = self._table(lambda key: "000").wrap(WIDTH, available_height)
        return self._width, self._height

    def split(self, available_width, available_height):
        """Contents longer than a page (a meeting of many workshops, in two languages)
        go on over the next page."""
        table = self._table(lambda key: "000")
        table.wrap(WIDTH, available_height)
        used, fit = 0, 0
        for height in table._rowHeights:
            if used + height > available_height:
                break
            used, fit = used + height, fit + 1
        if fit == 0:
            return []
        return [
            _Contents(self._entries[:fit], self._pages, self._styles),
            _Contents(self._entries[fit:], self._pages, self._styles),
        ]

    def draw(self):
        canvas = self.canv
        x, y = canvas.absolutePosition(0, 0)
        after_layout = getattr(canvas, "after_layout", None)
        if after_layout is None:
            return

        def draw_contents(canvas):
            table = self._table(lambda key: str(self._pages.get(key, "")))
            table.wrapOn(canvas, WIDTH, self._height)
            table.drawOn(canvas, x, y)

        after_layout(draw_contents)


class _Writer:
    """Builds the story of one booklet; `entries` collects the contents as it goes, and
    `on_section` hears of each section written."""

    def __init__(self, booklet: Booklet, styles: _Styles, on_section: Callable[[], None]):
        self.booklet = booklet
        self.styles = styles
        self.entries: list[_Entry] = []
        self.pages: dict[str, int] = {}
        self.level = 0
        self.on_section = on_section

    def heading(self, text: str, style, key: str) -> _Heading:
        is_part = key in BOOKLET_LANGUAGES
        entry = _Entry(key=key, label=text, level=0 if is_part else self.level, is_part=is_part)
        self.entries.append(entry)
        return _Heading(text, style, entry, self.pages)

    def para(self, text: str, style=None) -> Paragraph:
        return Paragraph(pdf.escape(text), style or self.styles.base.body)

    def paras(self, text: str, style=None) -> list[Paragraph]:
        """A text typed in paragraphs (a blank line between them), each kept whole."""
        blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
        return [
            Paragraph(pdf.escape(block).replace("\n", "<br/>"), style or self.styles.base.body)
            for block in blocks
            if block
        ]

    # --- Cover ---

    def cover(self, langs: tuple[str, ...]) -> list:
        """Logos, the title in each language, then the facts, labelled in each language
        ("Date / Datum"): the cover is the one page both halves of "fr+nl" share."""
        booklet, styles = self.booklet, self.styles.base
        story = [self.logos() or Spacer(0, 2 * cm), Spacer(0, 2 * cm)]
        for lang in langs:
            with translation.override(lang):
                story.append(self.para(_("Synthesis booklet").upper(), styles.small))
                story.append(self.para(content(booklet.title, lang), styles.title))

        def both(say: Callable[[str], str], joiner=" / ") -> str:
            said = []
            for lang in langs:
                with translation.override(lang):
                    said.append(say(lang))
            return joiner.join(dict.fromkeys(said))

        def when(_lang: str) -> str:
            return _("%(day)s, %(start)s – %(end)s") % {
                "day": capfirst(date_format(booklet.starts_at, "l j F Y")),
                "start": time_format(booklet.starts_at),
                "end": time_format(booklet.ends_at),
            }

        rows = [
            (both(lambda _lang: _("Date")), both(when, "\n")),
            (both(lambda _lang: _("Venue")), booklet.venue),
        ]
        if booklet.host:
            rows.append((both(lambda _lang: _("Host")), booklet.host))
        if booklet.pair:
            rows.append(
                (
                    both(lambda _lang: _("Co-facilitators")),
                    "\n".join(_cofacilitator(person, both) for person in booklet.pair),
                )
            )
        story += [Spacer(0, 1 * cm), self.facts(rows)]
        if booklet.host:
            story.append(Spacer(0, 0.4 * cm))
            for lang in langs:
                with translation.override(lang):
                    partnership = _("In partnership with %(host)s") % {"host": booklet.host}
                story.append(self.para(partnership, styles.body))
        return story

    def logos(self) -> Table | None:
        """The host's logo on the left, the network's on the right, each at most 2 cm high."""
        images = [_image(logo, 6 * cm, 2 * cm) for logo in self.booklet.logos]
        images = [image for image in images if image is not None]
        if not images:
            return None
        row = [images[0], images[1] if len(images) > 1 else ""]
        table = Table([row], colWidths=[WIDTH / 2] * 2)
        table.setStyle(
            TableStyle(
                [
                    ("ALIGN", (0, 0), (0, 0), "LEFT"),
                    ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return table

    def facts(self, rows: list[tuple[str, str]]) -> Table:
        styles = self.styles.base
        return pdf.label_value_table(
            [
                (
                    self.para(label, styles.cell_label),
                    Paragraph(pdf.escape(value).replace("\n", "<br/>"), styles.cell),
                )
                for label, value in rows
            ],
            4 * cm,
            WIDTH - 4 * cm,
            style=[("LINEBELOW", (0, 0), (-1, -1), 0.3, pdf.RULE)],
        )

    # --- One language's booklet ---

    def part(self, lang: str, *, labelled: bool) -> list:
        """The whole booklet in `lang`, section by section in `Booklet.sections()`'s
        order; `labelled` when it is one half of "fr+nl"."""
        styles = self.styles.base
        story = []
        # In the PDF outline, a half's sections sit under its title.
        self.level = 1 if labelled else 0
        with translation.override(lang):
            if labelled:
                version = _("Version in French") if lang == "fr" else _("Version in Dutch")
                story.append(self.heading(version, styles.title, lang))
            first = True
            if not self.booklet.figures.contributions:
                story.append(
                    self.para(_("No contribution was recorded at this meeting."), styles.body)
                )
            for section in self.booklet.sections():
                if section.key in ("cover", "contents"):
                    continue
                if not first and section.key in _ON_A_NEW_PAGE:
                    story.append(PageBreak())
                elif not first:
                    story.append(CondPageBreak(6 * cm))
                first = False
                story.append(
                    self.heading(section.title(lang), styles.h1, f"{lang}-{section.anchor}")
                )
                story += getattr(self, f"section_{section.key}")(section, lang)
                self.on_section()
        return story

    def section_context(self, section: Section, lang: str) -> list:
        story = self.paras(content(self.booklet.context, lang))
        ambitions = self.booklet.ambitions.get(lang) or []
        if ambitions:
            story.append(self.para(_("The ambitions of the day"), self.styles.h3))
            story += [
                Paragraph(f"• {pdf.escape(ambition)}", self.styles.bullet) for ambition in ambitions
            ]
        return story

    def section_principles(self, section: Section, lang: str) -> list:
        return self.paras(content(self.booklet.principles, lang))

    def section_next_steps(self, section: Section, lang: str) -> list:
        return self.paras(content(self.booklet.next_steps, lang))

    def section_agenda(self, section: Section, lang: str) -> list:
        """The agenda as it ran: hours, then what, where, who and the parallel workshops;
        then the photos of the day with their captions."""
        styles = self.styles.base
        rows = []
        for line in self.booklet.agenda:
            parts = [f"<b>{pdf.escape(content(line.title, lang))}</b>"]
            description = content(line.description, lang)
            if description:
                parts.append(pdf.escape(description))
            details = [line.place, *line.speakers]
            details += [content(workshop, lang) for workshop in line.workshops]
            parts += [pdf.escape(detail) for detail in details if detail]
            rows.append(
                (
                    self.para(line.hours, styles.cell_label),
                    Paragraph("<br/>".join(parts), styles.cell),
                )
            )
        story = []
        if rows:
            table = pdf.label_value_table(rows, 3 * cm, WIDTH - 3 * cm)
            table.setStyle(TableStyle(_keep_last_rows(len(rows))))
            story += [table, Spacer(0, 0.5 * cm)]
        return story + self.photos(lang)

    def photos(self, lang: str) -> list:
        """The photos two a row, each with its caption under it."""
        cells = []
        for photo in self.booklet.photos:
            image = _image(photo, WIDTH / 2 - 12, 6 * cm)
            if image is None:
                continue
            caption = self.para(content(photo.caption, lang), self.styles.base.small)
            cells.append([image, caption])
        if not cells:
            return []
        rows = []
        for pair in _grid_rows(cells, 2):
            rows.append([cell[0] if cell else "" for cell in pair])
            rows.append([cell[1] if cell else "" for cell in pair])
        grid = Table(rows, colWidths=[WIDTH / 2] * 2)
        grid.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER")])
        )
        return [Spacer(0, 0.3 * cm), grid]

    def section_figures(self, section: Section, lang: str) -> list:
        figures = self.booklet.figures
        attendance = figures.attendance
        cells = [
            [
                Paragraph(str(number), self.styles.figure),
                self.para(str(FIGURE_LABELS[key]), self.styles.base.small),
            ]
            for key, number in figures.headlines()
        ]
        # Four figures a row, each number above its label.
        grid = Table(_grid_rows(cells, 4), colWidths=[WIDTH / 4] * 4, hAlign="LEFT")
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story = [grid, Spacer(0, 0.2 * cm)]
        if attendance.registered:
            story.append(
                self.para(
                    _("%(registered)s registered, %(present)s present.")
                    % {"registered": attendance.registered, "present": attendance.present},
                    self.styles.base.small,
                )
            )
        charts = [
            (
                _("Elected officials and officers"),
                _pie(
                    [
                        (fig.function_group_label(s.key), s.present)
                        for s in attendance.by_function_group
                    ]
                ),
            ),
            (
                _("Languages"),
                _pie([(fig.language_label(s.key), s.present) for s in attendance.by_language]),
            ),
            (
                _("Organisations by kind"),
                _bars(
                    [(fig.organisation_kind_label(k), n) for k, n in figures.organisations_by_kind]
                ),
            ),
            (
                _("Organisations by country"),
                _bars([(fig.country_label(k), n) for k, n in figures.organisations_by_country]),
            ),
        ]
        cells = [[self.para(title, self.styles.h3), chart] for title, chart in charts if chart]
        if cells:
            grid = Table(_grid_rows(cells, 2), colWidths=[WIDTH / 2] * 2)
            grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [Spacer(0, 0.4 * cm), grid]
        return story

    def section_workshop(self, section: Section, lang: str) -> list:
        """Its questions, its strong ideas (or, where none were written, the most
        supported post-its of each orientation), the most voted ideas, then the table."""
        workshop = section.workshop
        styles = self.styles.base
        facts = ngettext("%(count)s table", "%(count)s tables", workshop.tables) % {
            "count": workshop.tables
        }
        facts += " · " + ngettext(
            "%(count)s contribution", "%(count)s contributions", workshop.contributions
        ) % {"count": workshop.contributions}
        if workshop.room:
            facts = f"{workshop.room} · {facts}"
        story = [self.para(facts, styles.small)]
        if workshop.questions:
            story.append(self.para(_("The questions put to the workshop"), self.styles.h3))
            story += [
                self.para(f"{number}. {content(question, lang)}")
                for number, question in enumerate(workshop.questions, start=1)
            ]
        strong_ideas = content(workshop.strong_ideas, lang)
        if strong_ideas or workshop.highlights:
            story.append(self.para(_("Strong ideas"), self.styles.h3))
        if strong_ideas:
            story += self.paras(strong_ideas)
        elif workshop.highlights:
            story.append(
                self.para(_("The most supported contributions of each orientation."), styles.small)
            )
            for group in workshop.highlights:
                story.append(self.para(content(group.title, lang), self.styles.h4))
                story += [
                    Paragraph(f"• {pdf.escape(item.text)}", self.styles.bullet)
                    for item in group.items
                ]
        story += self.voices(workshop, lang)
        if not workshop.contributions:
            story.append(Spacer(0, 0.3 * cm))
            story.append(self.para(_("No contribution was recorded in this workshop.")))
            return story
        if workshop.strongest:
            story.append(self.para(_("Most supported ideas"), self.styles.h3))
            for item in workshop.strongest:
                votes = ngettext("%(count)s vote", "%(count)s votes", item.votes) % {
                    "count": item.votes
                }
                story.append(
                    Paragraph(
                        f"• {pdf.escape(item.text)} <font color='{pdf.MUTED.hexval()}'>"
                        f"({pdf.escape(votes)})</font>",
                        self.styles.bullet,
                    )
                )
        story.append(self.para(_("Orientations, proposed actions and objectives"), self.styles.h3))
        for group in workshop.groups:
            story += self.orientation_tables(group, lang)
        return story

    def voices(self, section: WorkshopSection, lang: str) -> list:
        """The workshop's polls, a bar chart each, and its word clouds, as the projector
        drew them (`workshops.cloud`)."""
        story = []
        for poll in section.polls:
            story += [
                self.para(content(poll.title, lang), self.styles.h3),
                self.para(voters_line(poll), self.styles.base.small),
                _poll_chart([(content(bar.label, lang), bar.count) for bar in poll.bars]),
            ]
        for words in section.clouds:
            story += [
                self.para(content(words.title, lang), self.styles.h3),
                self.para(voters_line(words), self.styles.base.small),
                _cloud_drawing(words.words),
            ]
        return story

    def orientation_tables(self, group: Group, lang: str) -> list[Table]:
        styles = self.styles
        header = [
            Paragraph(pdf.escape(_("Orientations")), styles.header),
            Paragraph(pdf.escape(_("Proposed actions")), styles.header),
            Paragraph(pdf.escape(_("Objectives pursued")), styles.header),
        ]
        title = content(group.title, lang) if group.title else _("Other proposals")
        tables = []
        for start, chunk in _chunks(group.items, ROWS_PER_TABLE):
            rows = [header]
            for index, item in enumerate(chunk):
                rows.append(
                    [
                        self.para(title, styles.base.cell) if start + index == 0 else "",
                        Paragraph(
                            _post_it(item.text, [m.text for m in item.merged], item.languages),
                            styles.base.cell,
                        ),
                        Paragraph(
                            _post_it(item.objective, [m.objective for m in item.merged]),
                            styles.base.cell,
                        ),
                    ]
                )
            table = Table(
                rows,
                colWidths=[4 * cm, 7 * cm, WIDTH - 11 * cm],
                repeatRows=1,
                splitInRow=SPLIT_IN_ROW,
            )
            table.setStyle(_ORIENTATION_STYLE)
            table.setStyle(TableStyle(_keep_last_rows(len(rows), header=1)))
            tables.append(table)
        return [Spacer(0, 0.15 * cm), *tables]

    def section_annexes(self, section: Section, lang: str) -> list:
        styles = self.styles.base
        story = []
        if self.booklet.figures.contributions:
            story.append(
                self.para(_("Every contribution the participants made, workshop by workshop."))
            )
        for workshop in self.booklet.workshops:
            if not workshop.annex:
                continue
            story.append(self.para(content(workshop.title, lang), styles.h2))
            for entry in workshop.annex:
                question = content(entry.question, lang) if entry.question else _("Other proposals")
                story.append(self.para(question, self.styles.h3))
                story += [_annex_line(item, styles) for item in entry.items]
        if self.booklet.documents:
            story.append(self.para(_("Documents of the meeting"), styles.h2))
            story += [_document_line(entry, lang, styles) for entry in self.booklet.documents]
        return story

    def section_contacts(self, section: Section, lang: str) -> list:
        """Who came and agreed to share their contact: for the participants' copy only."""
        styles = self.styles
        story = [
            self.para(
                _("The participants who agreed to share their contact details with the others."),
                styles.base.small,
            ),
            Spacer(0, 0.2 * cm),
        ]
        header = [
            Paragraph(pdf.escape(_("Name")), styles.header),
            Paragraph(pdf.escape(_("Organisation")), styles.header),
            Paragraph(pdf.escape(_("Contact")), styles.header),
        ]
        rows = [header]
        for person in self.booklet.contacts:
            who = [f"<b>{pdf.escape(person.name)}</b>"]
            if person.function:
                who.append(pdf.escape(fig.function_label(person.function)))
            where = [pdf.escape(part) for part in (person.organisation, person.commune) if part]
            if person.country:
                where.append(pdf.escape(fig.country_label(person.country)))
            reach = [pdf.escape(part) for part in (person.email, person.phone) if part]
            rows.append(
                [Paragraph("<br/>".join(cell), styles.base.cell) for cell in (who, where, reach)]
            )
        table = Table(rows, colWidths=[5 * cm, 6 * cm, WIDTH - 11 * cm], repeatRows=1)
        table.setStyle(_ORIENTATION_STYLE)
        table.setStyle(TableStyle(_keep_last_rows(len(rows), header=1)))
        story.append(table)
        return story


# Sections that begin a page of their own; the others follow on when there is room.
_ON_A_NEW_PAGE = frozenset({"workshop", "annexes", "contacts"})
# A table split over two pages leaves at least this many rows on the second: a last row
# alone on a page of its own reads as a leftover.
KEEP_LAST_ROWS = 3


def _keep_last_rows(rows: int, header: int = 0) -> list:
    """The table style that keeps a table's last rows with the row before them."""
    body = rows - header
    if body < 2:
        return []
    return [("NOSPLIT", (0, rows - min(body, KEEP_LAST_ROWS)), (-1, -1))]


def _chunks(items: list, size: int) -> list[tuple[int, list]]:
    """`items` in runs of at most `size`, as even as can be (81 rows are 41 + 40, not
    40 + 40 + 1), each with where it starts."""
    if not items:
        return []
    count = -(-len(items) // size)
    base, extra = divmod(len(items), count)
    runs, start = [], 0
    for index in range(count):
        length = base + (1 if index < extra else 0)
        runs.append((start, items[start : start + length]))
        start += length
    return runs


def _image(picture: Picture, max_width: float, max_height: float) -> Image | None:
    """A picture scaled to fit the box, its proportions kept; None if the file is gone
    or is not an image reportlab reads."""
    payload = picture_bytes(picture)
    if payload is None:
        return None
    try:
        reader = ImageReader(BytesIO(payload))
        width, height = reader.getSize()
    except Exception:  # any unreadable image is left out: the booklet is still printed
        return None
    scale = min(max_width / width, max_height / height)
    return Image(BytesIO(payload), width=width * scale, height=height * scale)


_ORIENTATION_STYLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), pdf.ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, pdf.RULE),
        ("LINEAFTER", (0, 0), (1, -1), 0.3, pdf.RULE),
        ("BOX", (0, 0), (-1, -1), 0.5, pdf.ACCENT),
    ]
)


def _grid_rows(cells: list, columns: int) -> list[list]:
    """`cells` in rows of `columns`; a Table wants every row full, so the last is padded."""
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    return [row + [""] * (columns - len(row)) for row in rows]


def _cofacilitator(person: Cofacilitator, both: Callable | None = None) -> str:
    """Name, function, organisation and country; with `both`, the labels in each of the
    cover's languages ("maire / burgemeester"), else in the active one."""
    if both is None:

        def both(say):
            return say(None)

    function = both(lambda _lang: str(fig.function_label(person.function)))
    country = both(lambda _lang: str(fig.country_label(person.country))) if person.country else ""
    parts = (person.name, function, person.organisation, country)
    return ", ".join(part for part in parts if part)


def _post_it(text: str, merged: list[str], languages: list[str] = ()) -> str:
    """A post-it's cell, with those merged into it after it, each on its own line, and
    the group's languages when it was said in both."""
    lines = [pdf.escape(text)] + [f"+ {pdf.escape(other)}" for other in merged if other]
    if len(languages) > 1:
        lines.append(f"<i>{' · '.join(code.upper() for code in languages)}</i>")
    return "<br/>".join(line for line in lines if line)


def _annex_line(item: Item, styles: pdf.Styles) -> Paragraph:
    about = [item.table] if item.table else []
    if item.votes:
        about.append(
            ngettext("%(count)s vote", "%(count)s votes", item.votes) % {"count": item.votes}
        )
    text = f"• {pdf.escape(item.text)}"
    if item.objective:
        text += f" <i>→ {pdf.escape(item.objective)}</i>"
    if about:
        text += f" <font color='{pdf.MUTED.hexval()}'>({pdf.escape(', '.join(about))})</font>"
    return Paragraph(text, styles.cell)


def _document_line(entry: DocumentEntry, lang: str, styles: pdf.Styles) -> Paragraph:
    """A document's title, what it is, and its address (each download checks its reader)."""
    about = [
        Document.Kind(entry.kind).label,
        Document.Language(entry.language).label,
    ]
    if entry.visibility != Document.Visibility.PUBLIC:
        about.append(Document.Visibility(entry.visibility).label)
    url = site_link("meetings:document", entry.id)
    return Paragraph(
        f"• {pdf.escape(content(entry.title, lang))} "
        f"<font color='{pdf.MUTED.hexval()}'>({pdf.escape(', '.join(map(str, about)))})</font>"
        f"<br/><link href='{pdf.escape(url)}'>{pdf.escape(url)}</link>",
        styles.cell,
    )


# --- Charts --------------------------------------------------------------------------


def _pie(pairs: list[tuple[str, int]]) -> Drawing | None:
    pairs = [(label, count) for label, count in pairs if count]
    if not pairs:
        return None
    drawing = Drawing(WIDTH / 2 - 12, 110)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 5, 5, 95, 95
    pie.data = [count for _label, count in pairs]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    for index in range(len(pairs)):
        pie.slices[index].fillColor = CHART_COLOURS[index % len(CHART_COLOURS)]
    legend = Legend()
    legend.x, legend.y = 115, 100
    legend.fontName = pdf.font_family().name
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 7
    legend.colorNamePairs = [
        (CHART_COLOURS[index % len(CHART_COLOURS)], pdf.printable(f"{label} ({count})"))
        for index, (label, count) in enumerate(pairs)
    ]
    drawing.add(pie)
    drawing.add(legend)
    return drawing


def _bars(pairs: list[tuple[str, int]]) -> Drawing | None:
    pairs = [(label, count) for label, count in pairs if count][:12]
    if not pairs:
        return None
    height = 16 * len(pairs) + 20
    drawing = Drawing(WIDTH / 2 - 12, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 110, 15
    chart.width, chart.height = WIDTH / 2 - 140, height - 20
    chart.data = [[count for _label, count in reversed(pairs)]]
    chart.categoryAxis.categoryNames = [pdf.printable(label)[:24] for label, _c in reversed(pairs)]
    chart.categoryAxis.labels.fontName = pdf.font_family().name
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, max(count for _label, count in pairs) // 5)
    chart.valueAxis.labels.fontName = pdf.font_family().name
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = pdf.ACCENT
    chart.bars.strokeColor = None
    drawing.add(chart)
    return drawing


POLL_BAR_HEIGHT = 14


def voters_line(answered) -> str:
    """ "12 voters", and a scale's mean: under a poll (`PollChart`) or a cloud."""
    line = ngettext("%(count)s voter", "%(count)s voters", answered.voters) % {
        "count": answered.voters
    }
    mean = getattr(answered, "mean", None)
    if mean is not None:
        line += " · " + _("mean %(mean)s") % {"mean": f"{mean:.1f}"}
    return line


POLL_LABEL_WIDTH = 6 * cm


def _poll_chart(pairs: list[tuple[str, int]]) -> Drawing:
    """A poll's bars, every option shown (a zero is an answer too): its label, a bar as
    long as its share of the most chosen, and its count."""
    font = pdf.font_family().name
    most = max((count for _label, count in pairs), default=0) or 1
    track = WIDTH - POLL_LABEL_WIDTH - 1.5 * cm
    drawing = Drawing(WIDTH, POLL_BAR_HEIGHT * len(pairs) + 4)
    for index, (label, count) in enumerate(pairs):
        y = POLL_BAR_HEIGHT * (len(pairs) - index - 1) + 4
        shown = pdf.printable(label)
        if len(shown) > 40:
            shown = shown[:39] + "…"
        drawing.add(String(0, y + 2, shown, fontName=font, fontSize=8.5, fillColor=pdf.INK))
        drawing.add(
            Rect(
                POLL_LABEL_WIDTH,
                y,
                max(track * count / most, 0.5),
                POLL_BAR_HEIGHT - 4,
                fillColor=pdf.ACCENT,
                strokeColor=None,
            )
        )
        drawing.add(
            String(
                POLL_LABEL_WIDTH + track * count / most + 4,
                y + 2,
                str(count),
                fontName=font,
                fontSize=8.5,
                fillColor=pdf.INK,
            )
        )
    return drawing


def _cloud_drawing(words) -> Drawing:
    """A word cloud laid out as on the projector (`workshops.cloud.layout`), scaled to
    the page's width."""
    scale = WIDTH / cloud.WIDTH
    drawing = Drawing(WIDTH, cloud.HEIGHT * scale)
    for word in cloud.layout(words):
        drawing.add(
            String(
                word.x * scale,
                (cloud.HEIGHT - word.y) * scale - word.size * scale * 0.35,
                pdf.printable(word.text),
                fontName=pdf.font_family().name,
                fontSize=word.size * scale,
                fillColor=colors.HexColor(word.colour),
                textAnchor="middle",
            )
        )
    return drawing


# --- The booklet ---------------------------------------------------------------------


def booklet_title(booklet: Booklet, language: str) -> str:
    titles = []
    for lang in BOOKLET_LANGUAGES[language]:
        with translation.override(lang):
            titles.append(f"{_('Synthesis booklet')} · {content(booklet.title, lang)}")
    return " / ".join(dict.fromkeys(titles))


class _CollectorPause:
    """The layout allocates millions of short-lived objects and no garbage cycles; the
    cyclic collector's full passes rescan every live one, which made a 5 000-post-it
    booklet cost about 15 times a 500-post-it one instead of 10. Reference counting
    still frees everything as it goes.

    The collector is process-wide: with layouts in several threads (a threaded server
    building booklets inline), it stays off while any of them runs and is back on, if
    it was on, when the last one ends."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self):
        with self._lock:
            if not self._running:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if not self._running and self._was_enabled:
                    gc.enable()


_without_cycle_collection = _CollectorPause()


def booklet_pdf(
    booklet: Booklet, language: str, on_progress: Callable[[str, float], None] | None = None
) -> bytes:
    """The booklet in "fr", "nl" or "fr+nl". `on_progress(stage, fraction)` follows the
    build: "sections" as each section is written, then "layout" as reportlab lays the
    flowables out on pages (the longest part), each from 0 to 1."""
    with _without_cycle_collection():
        return _booklet_pdf(booklet, language, on_progress or (lambda stage, fraction: None))


def _booklet_pdf(booklet: Booklet, language: str, on_progress) -> bytes:
    langs = BOOKLET_LANGUAGES[language]
    styles = _styles()
    total = max(1, len(langs) * (len(booklet.sections()) - 2))
    written = 0

    def on_section():
        nonlocal written
        written += 1
        on_progress("sections", min(1.0, written / total))

    writer = _Writer(booklet, styles, on_section)
    story = writer.cover(langs)
    contents_at = len(story)
    for lang in langs:
        story.append(PageBreak())
        story += writer.part(lang, labelled=len(langs) > 1)
    if any(not entry.is_part for entry in writer.entries):
        # Contents, unless there is nothing to list: a meeting with nothing to say yet.
        titles = []
        for lang in langs:
            with translation.override(lang):
                titles.append(_("Contents"))
        story[contents_at:contents_at] = [
            PageBreak(),
            Paragraph(pdf.escape(" / ".join(dict.fromkeys(titles))), styles.base.h1),
            _Contents(writer.entries, writer.pages, styles),
        ]
    with translation.override(langs[0]):
        return pdf.build_pdf(
            story,
            title=booklet_title(booklet, language),
            lang=langs[0],
            on_progress=_layout_progress(on_progress),
        )


def _layout_progress(report: Callable[[str, float], None]):
    """reportlab's callback as the fraction of the flowables laid out."""
    total = 1

    def callback(kind: str, value: int):
        nonlocal total
        if kind == "SIZE_EST":
            total = max(value, 1)
        elif kind == "PROGRESS":
            report("layout", min(1.0, value / total))

    return callback
