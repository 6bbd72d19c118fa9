"""Editable documents: one way of writing them, as DOCX (python-docx) and as ODT (odfpy).

A layout (the booklet's, say) is written once against `OfficeWriter` and comes out in
either format with what a town hall needs to finish it in Word or LibreOffice:
- headings in the "Heading 1/2/3" styles, so that the table of contents, a real field
  (DOCX `TOC \\o`) or index (ODT `text:table-of-content`), updates from them. It is
  delivered filled with the headings, without page numbers, which the word processor
  adds when it updates the field (Word asks on opening: `w:updateFields`);
- tables whose header row repeats on every page (DOCX `w:tblHeader`, ODT
  `table:table-header-rows`);
- pictures (charts, logos, photos) as PNG or JPEG images.

Table rows are written as XML elements directly (lxml for DOCX): python-docx's own
`add_row` and cell accessors cost a scan of the table per call, which made a booklet of
5 000 post-its quadratic.

Text is cleaned of what XML 1.0 cannot hold (control characters other than tab and
newline, lone surrogates); a newline inside a text starts a new line.
"""

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from docx import Document as new_docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from lxml import etree
from odf import dc as odf_dc
from odf import draw as odf_draw
from odf import style as odf_style
from odf import table as odf_table
from odf import text as odf_text
from odf.namespaces import OFFICENS, TABLENS, TEXTNS
from odf.opendocument import OpenDocumentText
from PIL import Image

ACCENT = "1F4E79"
MUTED = "5F6368"
RULE = "C8CCD0"
# The styles a paragraph can have, besides headings.
BODY, SMALL, TITLE, CAPTION, BULLET = "body", "small", "title", "caption", "bullet"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A picture wider than this, in pixels, is scaled down to it: enough for print at 17 cm.
MAX_PIXELS = 2000
LOCALES = {"fr": ("fr", "FR"), "nl": ("nl", "BE"), "en": ("en", "GB")}


def xml_text(text: str) -> str:
    """`text` as XML 1.0 can hold it; line breaks as "\\n"."""
    return _NOT_XML.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def _lines(text: str) -> list[str]:
    return xml_text(text).split("\n")


@dataclass
class Picture:
    """An image to place: PNG or JPEG bytes, shown `width_cm` × `height_cm`."""

    data: bytes
    width_cm: float
    height_cm: float
    caption: str = ""

    @classmethod
    def of(
        cls,
        data: bytes | None,
        *,
        width_cm: float | None = None,
        height_cm: float | None = None,
        caption: str = "",
    ) -> "Picture | None":
        """`data` shown `width_cm` wide or `height_cm` high (its proportions kept), or
        None when it is no image Pillow reads (a missing file, an SVG logo): a document
        goes out without it rather than not at all. Another format (WebP, GIF) becomes
        a PNG, and a photo larger than `MAX_PIXELS` wide is scaled down to it."""
        if not data:
            return None
        try:
            with Image.open(BytesIO(data)) as image:
                width, height = image.size
                if image.format not in ("PNG", "JPEG") or width > MAX_PIXELS:
                    image.thumbnail((MAX_PIXELS, MAX_PIXELS * height // width))
                    buffer = BytesIO()
                    converted = (
                        image if image.mode in ("RGB", "RGBA", "L") else image.convert("RGBA")
                    )
                    converted.save(buffer, format="PNG")
                    data = buffer.getvalue()
        except (OSError, ValueError, Image.DecompressionBombError):
            return None
        if width_cm is None:
            width_cm = (height_cm or 1.0) * width / height
        return cls(data, width_cm, width_cm * height / width, xml_text(caption))


class OfficeWriter:
    """What a layout calls; `DocxWriter` and `OdtWriter` write it in their format.

    `contents(title, hint)` marks where the table of contents goes; it is filled in
    `finish` with every heading down to level `contents_levels`, or with `hint` if there
    is none. `page_break()` makes the next paragraph or heading start a page."""

    content_type = ""

    def __init__(self, language: str, contents_levels: int = 1):
        self.language = language
        self.contents_levels = contents_levels
        self.headings: list[tuple[int, str]] = []
        self._break = False

    def page_break(self) -> None:
        self._break = True

    def _take_break(self) -> bool:
        pending, self._break = self._break, False
        return pending

    def heading(self, text: str, level: int) -> None:
        if level <= self.contents_levels:
            self.headings.append((level, xml_text(text)))
        self._heading(xml_text(text), level)

    def paragraph(self, text: str, style: str = BODY) -> None:
        raise NotImplementedError

    def bullets(self, texts: Sequence[str]) -> None:
        for text in texts:
            self.paragraph(text, BULLET)

    def contents(self, title: str, hint: str) -> None:
        raise NotImplementedError

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths_cm: Sequence[float]
    ) -> None:
        """A table whose `header` row repeats on each page; a cell's text may hold
        newlines, each starting a line."""
        raise NotImplementedError

    def picture(self, picture: Picture) -> None:
        raise NotImplementedError

    def finish(self, title: str) -> bytes:
        raise NotImplementedError

    def _heading(self, text: str, level: int) -> None:
        raise NotImplementedError


# --- DOCX ----------------------------------------------------------------------------

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_DOCX_STYLES = {BODY: "Normal", SMALL: "Normal", TITLE: "Title", CAPTION: "Caption"}


def _w(tag: str, parent=None, **attributes):
    element = OxmlElement(tag) if parent is None else etree.SubElement(parent, qn(tag))
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


class DocxWriter(OfficeWriter):
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def __init__(self, language: str, contents_levels: int = 1):
        super().__init__(language, contents_levels)
        self.document = new_docx()
        self.body = self.document.element.body
        self._contents_at = None
        self._contents_hint = ""
        language_code, country = LOCALES.get(language, LOCALES["fr"])
        styles = self.document.styles.element
        run_defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _w("w:lang", run_defaults, val=f"{language_code}-{country}")
        self.document.styles["Normal"].font.name = "DejaVu Sans"
        self.document.styles["Normal"].font.size = Pt(10)
        section = self.document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(2)
        # Word updates the contents' page numbers on opening, after asking.
        settings = self.document.settings.element
        _w("w:updateFields", settings, val="true")
        self._end = self.body.find(qn("w:sectPr"))
        self._style_ids = {
            name: self.document.styles[name].style_id
            for name in (
                *_DOCX_STYLES.values(),
                "List Bullet",
                "TOC Heading",
                *(f"Heading {level}" for level in range(1, 5)),
            )
        }

    def _paragraph(self, style: str):
        """A new paragraph of `style` at the end of the body, as an element: python-docx's
        `add_paragraph(style=…)` looks the style up among all of them, and the section's
        end with an XPath query, at every call."""
        p = _w("w:p")
        p_pr = _w("w:pPr", p)
        _w("w:pStyle", p_pr, val=self._style_ids[style])
        if self._take_break():
            _w("w:pageBreakBefore", p_pr)
        self._end.addprevious(p)
        return p

    @staticmethod
    def _run(p, text: str, small: bool = False):
        """`text` as a run of `p`, each newline a line break."""
        r = _w("w:r", p)
        if small:
            r_pr = _w("w:rPr", r)
            _w("w:color", r_pr, val=MUTED)
            _w("w:sz", r_pr, val="16")
        for index, line in enumerate(_lines(text)):
            if index:
                _w("w:br", r)
            t = _w("w:t", r)
            t.text = line
            t.set(_XML_SPACE, "preserve")
        return r

    def _heading(self, text: str, level: int) -> None:
        self._run(self._paragraph(f"Heading {level}"), text)

    def paragraph(self, text: str, style: str = BODY) -> None:
        p = self._paragraph("List Bullet" if style == BULLET else _DOCX_STYLES[style])
        self._run(p, text, small=style == SMALL)

    def contents(self, title: str, hint: str) -> None:
        self._run(self._paragraph("TOC Heading"), title)
        self._contents_at = self._paragraph("Normal")
        self._contents_hint = xml_text(hint)

    def _contents_fill(self) -> None:
        """The TOC field: begin and instruction in its first paragraph, one paragraph a
        heading as its present result, end in the last."""
        paragraphs = []
        for index, (level, text) in enumerate(self.headings or [(1, self._contents_hint)]):
            p = _w("w:p")
            p_pr = _w("w:pPr", p)
            _w("w:ind", p_pr, left=str(360 * (level - 1)))
            if index == 0:
                _w("w:fldChar", _w("w:r", p), fldCharType="begin", dirty="true")
                instruction = _w("w:instrText", _w("w:r", p))
                instruction.set(_XML_SPACE, "preserve")
                instruction.text = f' TOC \\o "1-{self.contents_levels}" \\h \\z \\u '
                _w("w:fldChar", _w("w:r", p), fldCharType="separate")
            _w("w:t", _w("w:r", p)).text = text
            paragraphs.append(p)
        _w("w:fldChar", _w("w:r", paragraphs[-1]), fldCharType="end")
        for p in paragraphs:
            self._contents_at.addprevious(p)
        self.body.remove(self._contents_at)

    def table(self, header, rows, widths_cm) -> None:
        table = self.document.add_table(rows=0, cols=len(header))
        table.style = self.document.styles["Table Grid"]
        tbl = table._tbl
        widths = [str(int(Cm(width).twips)) for width in widths_cm]
        for column, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            column.set(qn("w:w"), width)
        self._row(tbl, header, widths, header=True)
        # Every data row is a copy of a row template with its texts set: lxml copies
        # the properties far faster than it builds them.
        template = self._row(None, [""] * len(header), widths)
        for row in rows:
            tr = copy.deepcopy(template)
            for tc, value in zip(tr.iterfind(qn("w:tc")), row, strict=True):
                self._cell_text(tc, value)
            tbl.append(tr)

    def _row(self, tbl, values, widths, header=False):
        tr = _w("w:tr") if tbl is None else _w("w:tr", tbl)
        tr_pr = _w("w:trPr", tr)
        if header:
            _w("w:tblHeader", tr_pr)
            _w("w:cantSplit", tr_pr)
        for value, width in zip(values, widths, strict=True):
            tc = _w("w:tc", tr)
            tc_pr = _w("w:tcPr", tc)
            _w("w:tcW", tc_pr, w=width, type="dxa")
            if header:
                _w("w:shd", tc_pr, val="clear", color="auto", fill=ACCENT)
            p = _w("w:p", tc)
            r_pr = _w("w:rPr", _w("w:r", p))
            _w("w:sz", r_pr, val="17")
            if header:
                _w("w:b", r_pr)
                _w("w:color", r_pr, val="FFFFFF")
            if value:
                self._cell_text(tc, value)
        return tr

    @staticmethod
    def _cell_text(tc, value: str) -> None:
        """Each line of `value` as a paragraph of the cell, made from its first one."""
        first = tc.find(qn("w:p"))
        for index, line in enumerate(_lines(value)):
            p = first if index == 0 else copy.deepcopy(first)
            run = p.find(qn("w:r"))
            text = run.find(qn("w:t"))
            if text is None:
                text = _w("w:t", run)
            text.text = line
            text.set(_XML_SPACE, "preserve")
            if index:
                tc.append(p)

    def picture(self, picture: Picture) -> None:
        paragraph = Paragraph(self._paragraph("Normal"), self.document._body)
        paragraph.add_run().add_picture(
            BytesIO(picture.data), width=Cm(picture.width_cm), height=Cm(picture.height_cm)
        )
        if picture.caption:
            self.paragraph(picture.caption, CAPTION)

    def finish(self, title: str) -> bytes:
        if self._contents_at is not None:
            self._contents_fill()
        properties = self.document.core_properties
        properties.title = xml_text(title)
        properties.language = self.language
        buffer = BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


# --- ODT -----------------------------------------------------------------------------


class OdtWriter(OfficeWriter):
    content_type = "application/vnd.oasis.opendocument.text"

    def __init__(self, language: str, contents_levels: int = 1):
        super().__init__(language, contents_levels)
        self.document = OpenDocumentText()
        self._contents = None
        self._contents_hint = ""
        self._pictures = 0
        language_code, country = LOCALES.get(language, LOCALES["fr"])
        default = odf_style.DefaultStyle(family="paragraph")
        default.addElement(
            odf_style.TextProperties(
                fontsize="10pt", fontname="DejaVu Sans", language=language_code, country=country
            )
        )
        self.document.styles.addElement(default)
        self.document.fontfacedecls.addElement(
            odf_style.FontFace(name="DejaVu Sans", fontfamily="'DejaVu Sans'")
        )
        self.styles = {
            BODY: self._style("Text_20_body", "Text body", marginbottom="0.2cm"),
            SMALL: self._style("Small", "Small", fontsize="8pt", color=f"#{MUTED}"),
            TITLE: self._style(
                "Title", "Title", fontsize="24pt", fontweight="bold", color=f"#{ACCENT}"
            ),
            CAPTION: self._style("Caption", "Caption", fontsize="8.5pt", fontstyle="italic"),
            BULLET: self._style("List_20_Bullet", "List Bullet", marginleft="0.6cm"),
            "cell": self._style("Table_20_Contents", "Table Contents", fontsize="8.5pt"),
            "header": self._style(
                "Table_20_Heading", "Table Heading", fontsize="8.5pt", fontweight="bold"
            ),
            "contents": self._style("Contents_20_Heading", "Contents Heading", fontsize="16pt"),
        }
        self.headings_styles = {
            level: self._style(
                f"Heading_20_{level}",
                f"Heading {level}",
                outline=level,
                fontsize=f"{17 - 2 * level}pt",
                fontweight="bold",
                color=f"#{ACCENT}",
                margintop="0.4cm",
                marginbottom="0.2cm",
                keepwithnext="always",
            )
            for level in (1, 2, 3, 4)
        }
        self.contents_styles = {
            level: self._style(
                f"Contents_20_{level}", f"Contents {level}", marginleft=f"{0.5 * (level - 1)}cm"
            )
            for level in (1, 2, 3)
        }
        self._breaking = {}
        self._header_cell = odf_style.Style(name="HeaderCell", family="table-cell")
        self._header_cell.addElement(
            odf_style.TableCellProperties(
                backgroundcolor=f"#{ACCENT}", border=f"0.5pt solid #{ACCENT}", padding="0.1cm"
            )
        )
        self._cell = odf_style.Style(name="Cell", family="table-cell")
        self._cell.addElement(
            odf_style.TableCellProperties(border=f"0.5pt solid #{RULE}", padding="0.1cm")
        )
        self._header_text = odf_style.Style(
            name="HeaderText", family="paragraph", parentstylename=self.styles["header"]
        )
        self._header_text.addElement(odf_style.TextProperties(color="#ffffff"))
        for automatic in (self._header_cell, self._cell, self._header_text):
            self.document.automaticstyles.addElement(automatic)
        self._tables = 0

    _PARAGRAPH = {"marginbottom", "margintop", "marginleft", "keepwithnext"}

    def _style(self, name: str, display: str, outline: int | None = None, **properties):
        style = odf_style.Style(name=name, displayname=display, family="paragraph")
        if outline is not None:
            style.setAttribute("defaultoutlinelevel", str(outline))
        paragraph = {k: v for k, v in properties.items() if k in self._PARAGRAPH}
        text = {k: v for k, v in properties.items() if k not in self._PARAGRAPH}
        if paragraph:
            style.addElement(odf_style.ParagraphProperties(**paragraph))
        if text:
            style.addElement(odf_style.TextProperties(**text))
        self.document.styles.addElement(style)
        return style

    def _styled(self, style):
        """`style`, or its variant starting a page when a page break is pending."""
        if not self._take_break():
            return style
        name = style.getAttribute("name")
        if name not in self._breaking:
            breaking = odf_style.Style(
                name=f"{name}_Break", family="paragraph", parentstylename=style
            )
            breaking.addElement(odf_style.ParagraphProperties(breakbefore="page"))
            self.document.automaticstyles.addElement(breaking)
            self._breaking[name] = breaking
        return self._breaking[name]

    def _heading(self, text: str, level: int) -> None:
        heading = odf_text.H(
            outlinelevel=level, stylename=self._styled(self.headings_styles[level])
        )
        heading.addText(text)
        self.document.text.addElement(heading)

    def _p(self, text: str, style):
        paragraph = odf_text.P(stylename=style)
        for index, line in enumerate(_lines(text)):
            if index:
                paragraph.addElement(odf_text.LineBreak())
            paragraph.addText(line)
        return paragraph

    def paragraph(self, text: str, style: str = BODY) -> None:
        shown = f"• {text}" if style == BULLET else text
        self.document.text.addElement(self._p(shown, self._styled(self.styles[style])))

    def contents(self, title: str, hint: str) -> None:
        self._contents = odf_text.TableOfContent(name="Contents", protected="true")
        self._contents_hint = xml_text(hint)
        source = odf_text.TableOfContentSource(outlinelevel=self.contents_levels)
        source.addElement(
            odf_text.IndexTitleTemplate(stylename=self.styles["contents"], text=xml_text(title))
        )
        for level in range(1, self.contents_levels + 1):
            style = self.contents_styles[level]
            template = odf_text.TableOfContentEntryTemplate(outlinelevel=level, stylename=style)
            template.addElement(odf_text.IndexEntryLinkStart())
            template.addElement(odf_text.IndexEntryText())
            template.addElement(odf_text.IndexEntryTabStop(type="right", leaderchar="."))
            template.addElement(odf_text.IndexEntryPageNumber())
            template.addElement(odf_text.IndexEntryLinkEnd())
            source.addElement(template)
        self._contents.addElement(source)
        self._contents_title = xml_text(title)
        self._contents_style = self._styled(self.styles["contents"])
        self.document.text.addElement(self._contents)

    def _contents_fill(self) -> None:
        body = odf_text.IndexBody()
        title = odf_text.IndexTitle(name="Contents_Head")
        title.addElement(self._p(self._contents_title, self._contents_style))
        body.addElement(title)
        for level, text in self.headings or [(1, self._contents_hint)]:
            body.addElement(self._p(text, self.contents_styles[level]))
        self._contents.addElement(body)

    def table(self, header, rows, widths_cm) -> None:
        self._tables += 1
        name = f"Table{self._tables}"
        table = odf_table.Table(name=name)
        for index, width in enumerate(widths_cm):
            column_style = odf_style.Style(name=f"{name}.C{index}", family="table-column")
            column_style.addElement(odf_style.TableColumnProperties(columnwidth=f"{width}cm"))
            self.document.automaticstyles.addElement(column_style)
            table.addElement(odf_table.TableColumn(stylename=column_style))
        header_rows = odf_table.TableHeaderRows()
        header_rows.addElement(self._row(header, self._header_cell, self._header_text))
        table.addElement(header_rows)
        for row in rows:
            table.addElement(self._row(row, self._cell, self.styles["cell"]))
        if self._take_break():
            self.document.text.addElement(self._p("", self._styled(self.styles[BODY])))
        self.document.text.addElement(table)

    @staticmethod
    def _row(values, cell_style, text_style):
        """A row, its attributes set by their qualified names and the grammar check
        left out: odfpy's checks took most of a long table's time."""
        cell_attributes = {
            (TABLENS, "style-name"): cell_style.getAttribute("name"),
            (OFFICENS, "value-type"): "string",
        }
        text_attributes = {(TEXTNS, "style-name"): text_style.getAttribute("name")}
        row = odf_table.TableRow(check_grammar=False)
        for value in values:
            cell = odf_table.TableCell(qattributes=cell_attributes, check_grammar=False)
            for line in _lines(value):
                paragraph = odf_text.P(qattributes=text_attributes, check_grammar=False)
                paragraph.addText(line)
                cell.addElement(paragraph, check_grammar=False)
            row.addElement(cell, check_grammar=False)
        return row

    def picture(self, picture: Picture) -> None:
        self._pictures += 1
        is_png = picture.data[:8] == b"\x89PNG\r\n\x1a\n"
        href = self.document.addPicture(
            f"Pictures/picture{self._pictures}.{'png' if is_png else 'jpg'}",
            "image/png" if is_png else "image/jpeg",
            picture.data,
        )
        frame = odf_draw.Frame(
            name=f"Picture{self._pictures}",
            anchortype="as-char",
            width=f"{picture.width_cm:.2f}cm",
            height=f"{picture.height_cm:.2f}cm",
        )
        frame.addElement(odf_draw.Image(href=href))
        paragraph = odf_text.P(stylename=self._styled(self.styles[BODY]))
        paragraph.addElement(frame)
        self.document.text.addElement(paragraph)
        if picture.caption:
            self.paragraph(picture.caption, CAPTION)

    def finish(self, title: str) -> bytes:
        if self._contents is not None:
            self._contents_fill()
        self.document.meta.addElement(odf_dc.Title(text=xml_text(title)))
        self.document.meta.addElement(odf_dc.Language(text=self.language))
        buffer = BytesIO()
        self.document.write(buffer)
        return buffer.getvalue()


WRITERS = {"docx": DocxWriter, "odt": OdtWriter}
