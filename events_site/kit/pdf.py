"""The typographic toolkit every PDF of the site shares: one font, one set of styles, one
footer, and the escaping that keeps user text from breaking either.

Everything here is meant to be called inside `translation.override(lang)`: the footer
wording and the metadata are read in the language active while the PDF is built.

User text never goes into a `Paragraph` as is. Paragraph text is a small XML language, so
a title such as "<b>Lille & Kortrijk" would turn bold or crash the build; and a character
the font has no glyph for (most emoji) would silently print as nothing. `escape` handles
both for paragraphs, `printable` handles the glyphs for text drawn straight on a canvas.
"""

import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Table, TableStyle

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
FACES = {
    "normal": (FAMILY, "DejaVuSans.ttf"),
    "bold": (f"{FAMILY}-Bold", "DejaVuSans-Bold.ttf"),
    "italic": (f"{FAMILY}-Oblique", "DejaVuSans-Oblique.ttf"),
    "boldItalic": (f"{FAMILY}-BoldOblique", "DejaVuSans-BoldOblique.ttf"),
}
PLACEHOLDER = "□"

INK = colors.HexColor("#1d1d1b")
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#5f6368")
ALERT = colors.HexColor("#b3261e")
RULE = colors.HexColor("#c8ccd0")

MARGIN = 2 * cm
# Separators become what the layout understands. Every other character of Unicode's
# control and format categories (NUL, zero-width joiners, bidi overrides, soft hyphens),
# and the variation selectors, is dropped: it would corrupt the PDF or print as a box.
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " "}
_VARIATION_SELECTORS = frozenset(range(0xFE00, 0xFE10)) | frozenset(range(0xE0100, 0xE01F0))


@dataclass(frozen=True)
class FontFamily:
    name: str
    drawable: frozenset[int]
    placeholder: str
    # The characters `printable` keeps as they are: a text made only of them is kept whole.
    kept: frozenset[str]


@functools.cache
def font_family() -> FontFamily:
    """Register the shipped DejaVu Sans faces once per process.

    Loaded from the repository, never from a system path, so a fresh machine prints the
    same. The drawable set is what all four faces share, because a character only the
    regular face has would vanish as soon as it is set in bold or italics.
    """
    cmaps = []
    for name, filename in FACES.values():
        face = TTFont(name, str(FONT_DIR / filename))
        pdfmetrics.registerFont(face)
        cmaps.append(frozenset(face.face.charToGlyph))
    pdfmetrics.registerFontFamily(FAMILY, **{style: name for style, (name, _f) in FACES.items()})
    # Beyond the Basic Multilingual Plane (DejaVu's emoticons, mathematical letters),
    # reportlab writes an invalid ToUnicode entry, so the glyph would print but could
    # not be copied, searched or read aloud: those get the placeholder too.
    drawable = frozenset(code for code in frozenset.intersection(*cmaps) if code <= 0xFFFF)
    kept = frozenset(
        chr(code)
        for code in drawable
        if unicodedata.category(chr(code)) not in ("Cc", "Cf") and code not in _VARIATION_SELECTORS
    )
    return FontFamily(
        name=FAMILY,
        drawable=drawable,
        placeholder=PLACEHOLDER if ord(PLACEHOLDER) in drawable else "?",
        kept=kept | {"\n"},
    )


def printable(text) -> str:
    """User text reduced to what the font can draw, for `canvas.drawString` and friends.

    A missing glyph becomes a visible placeholder rather than nothing, so a reader sees
    that something was there. Text is NFC-normalised first, so an "e" followed by a
    combining accent prints as one "é" instead of an "e" and a box.
    """
    family = font_family()
    text = unicodedata.normalize("NFC", "" if text is None else str(text))
    for old, new in _LINE_BREAKS.items():
        text = text.replace(old, new)
    if family.kept.issuperset(text):
        return text  # the usual case, checked in C rather than character by character
    kept = []
    for char in text:
        if char == "\n":
            kept.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf") or ord(char) in _VARIATION_SELECTORS:
            continue
        elif ord(char) in family.drawable:
            kept.append(char)
        else:
            kept.append(family.placeholder)
    return "".join(kept)


def escape(text) -> str:
    """User text made safe for a `Paragraph`: markup characters escaped, newlines kept."""
    return xml_escape(printable(text)).replace("\n", "<br/>")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_label: ParagraphStyle


def styles() -> Styles:
    """Fresh styles on every call, so a document that tweaks one cannot restyle another."""
    font = font_family().name
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, textColor=INK)
    return Styles(
        title=ParagraphStyle(
            "title", parent=body, fontSize=26, leading=31, textColor=ACCENT, spaceAfter=12
        ),
        h1=ParagraphStyle(
            "h1",
            parent=body,
            fontSize=15,
            leading=19,
            textColor=ACCENT,
            spaceBefore=14,
            spaceAfter=6,
            keepWithNext=1,
        ),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=FACES["bold"][0],
            fontSize=11.5,
            leading=14.5,
            spaceBefore=10,
            spaceAfter=2,
            keepWithNext=1,
        ),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor=MUTED),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
        cell_label=ParagraphStyle(
            "cell_label", parent=body, fontSize=8.5, leading=11, textColor=MUTED
        ),
    )


def label_value_table(
    rows: list[tuple[Flowable, Flowable]],
    label_width: float,
    value_width: float | None = None,
    *,
    style: tuple = (),
) -> Table:
    """The "label: value" block of a ticket, a brochure's meeting and the booklet's facts:
    labels in a column of their own, each value beside its label, top-aligned and flush
    with the text's left edge. `style` adds the document's own spacing or rules."""
    table = Table([list(row) for row in rows], colWidths=[label_width, value_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0), *style]
        )
    )
    return table


class _NumberedCanvas(Canvas):
    """Holds every page back until the end, because "page X / Y" needs Y on page 1."""

    def __init__(self, *args, footer: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages = []
        self._late = []

    def after_layout(self, draw) -> None:
        """Have `draw(canvas)` draw on the current page once every page is laid out: for
        what, like Y, is only known at the end (a table of contents' page numbers)."""
        self._late.append(draw)

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._late = []
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            for draw in self._late:
                draw(self)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int):
        width, _height = self._pagesize
        y = MARGIN / 2
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, y + 10, width - MARGIN, y + 10)
        font, size = font_family().name, 7.5
        self.setFont(font, size)
        self.setFillColor(MUTED)
        number = _("page %(page)s / %(pages)s") % {"page": self._pageNumber, "pages": total}
        room = width - 2 * MARGIN - pdfmetrics.stringWidth(number, font, size) - FOOTER_GAP
        self.drawString(MARGIN, y, fitted(self._footer, room, font, size))
        self.drawRightString(width - MARGIN, y, number)
        self.restoreState()


# Between a footer's text and its page number, at the least.
FOOTER_GAP = 12


def fitted(text: str, width: float, font: str, size: float) -> str:
    """`text` shortened with "…" to fit `width` points: a long bilingual title must not
    run over the page number beside it."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle].rstrip() + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def units_progress(total: int, report: Callable[[int, int], None]):
    """reportlab's progress callback (`build_pdf`'s `on_progress`) as `report(done,
    total)` in the document's own units (tables, meetings), from the share of flowables
    laid out."""
    flowables = 1

    def callback(kind: str, value: int) -> None:
        nonlocal flowables
        if kind == "SIZE_EST":
            flowables = max(value, 1)
        elif kind == "PROGRESS":
            report(min(total, value * total // flowables), total)

    return callback


def build_pdf(flowables, *, title: str, lang: str, pagesize=A4, on_progress=None) -> bytes:
    """Lay the flowables out on pages with the shared margins and footer, as PDF bytes.

    The title goes in the metadata and in every footer; the language is declared so that
    screen readers read the document with the right voice. `on_progress(kind, value)` is
    reportlab's progress callback ("SIZE_EST" flowables, then "PROGRESS" done so far).
    """
    title = printable(title)
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=str(settings.SITE_NAME),
        creator=str(settings.SITE_NAME),
        lang=lang,
        initialFontName=font_family().name,
    )
    if on_progress is not None:
        document.setProgressCallBack(on_progress)
    document.build(flowables, canvasmaker=functools.partial(_NumberedCanvas, footer=title))
    return buffer.getvalue()
