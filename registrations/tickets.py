"""QR tickets and badges: what a participant shows at the door, and what they wear inside.

The QR code carries the ticket secret and nothing else: no name, no meeting, no URL. A
photo of someone's badge then tells a stranger nothing they could not read on the badge,
and the scanner looks everything else up on the server (`registrations.services.checkin`).

Every document here is built inside `translation.override`: the ticket in the language
its holder registered in, each badge in its wearer's language.
"""

from collections.abc import Callable
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm, mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from events_site.kit import pdf
from events_site.kit.text import fold
from meetings.models import Meeting

from .code_template import code_template, dark_runs
from .models import Registration

# M recovers from about 15% damage: a creased printout or a cracked phone screen.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4  # modules of white around the code, as the standard asks
SECRET_GROUP = 4


def _qr(secret: str, mask: int | None = None) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECTION, border=QUIET_ZONE, box_size=10, mask_pattern=mask
    )
    # Upper-case Crockford base 32 fits QR's alphanumeric mode: a small, sparse code.
    code.add_data(secret, optimize=20)
    code.make(fit=True)
    return code


def ticket_qr_matrix(secret: str, *, mask: int | None = None) -> list[list[bool]]:
    """The modules of the code, quiet zone included: True is a dark module. `mask` (0–7)
    skips the search for the best mask, which is most of a code's cost."""
    return _qr(secret, mask).get_matrix()


def badge_qr_rows(secret: str) -> list[str]:
    """A badge's code, as rows of "1" for a dark module: the badge mask, laid from the
    template of its shape when the secret fits one (every ticket secret does)."""
    template = code_template(len(secret), ERROR_CORRECTION, BADGE_QR_MASK, QUIET_ZONE)
    if template.fits(secret):
        return template.rows(secret)
    return _rows(ticket_qr_matrix(secret, mask=BADGE_QR_MASK))


def _rows(matrix: list[list[bool]]) -> list[str]:
    return ["".join("1" if module else "0" for module in row) for row in matrix]


def ticket_qr_png(registration: Registration, *, box_size: int = 10) -> bytes:
    """The ticket's QR code as a PNG (about 330 px square), e.g. inline in an email."""
    code = _qr(registration.ticket_secret)
    code.box_size = box_size
    buffer = BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    """A QR code as an SVG for pages: sharp at any zoom, no extra request."""
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    # The factory writes an XML declaration, which is out of place inside HTML.
    return svg[svg.index("<svg") :]


def format_secret(secret: str) -> str:
    """The secret in groups of four, to be read and typed by hand: "7K3M 9QXD …".

    The check-in normalises what is typed (spaces, dashes, O for 0, I or L for 1), so a
    volunteer can type it however it comes.
    """
    return " ".join(secret[i : i + SECRET_GROUP] for i in range(0, len(secret), SECRET_GROUP))


class QRCode(Flowable):
    """A QR code drawn as vector squares: crisp on paper at any size, tiny in the file."""

    def __init__(self, secret: str, size: float):
        super().__init__()
        self.rows = _rows(ticket_qr_matrix(secret))
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        qr_rows_draw(self.canv, self.rows, 0, 0, self.size)


def qr_rows_draw(canvas, rows: list[str], x: float, y: float, size: float) -> None:
    """A code's modules as one vector path on a white square, lower-left corner at (x, y):
    each run of dark modules in a row is one rectangle.

    The path is written in module units under a scale, as whole numbers: a badge sheet
    draws 160 rectangles a code, and reportlab's path object formats each of their
    coordinates as a float."""
    count = len(rows)
    module = size / count
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.translate(x, y)
    canvas.scale(module, module)
    # A hair taller, so that rows never show hairline gaps in some viewers.
    runs = [
        f"{start} {count - 1 - row}.99 {width} 1.02 re"
        for row, modules in enumerate(rows)
        for start, width in dark_runs(modules)
    ]
    if runs:
        canvas.addLiteral("\n".join(runs) + "\nf")
    canvas.restoreState()


def _when(meeting: Meeting) -> str:
    starts = meeting.local_starts_at
    return _("%(day)s, %(start)s – %(end)s") % {
        "day": capfirst(date_format(starts, "l j F Y")),
        "start": time_format(starts),
        "end": time_format(meeting.local_ends_at),
    }


def _venue(meeting: Meeting) -> str:
    parts = [meeting.venue_name, meeting.venue_address, meeting.venue_city]
    venue = ", ".join(part for part in parts if part)
    return f"{venue} ({meeting.venue_country.name})" if meeting.venue_country else venue


def _language_name(code: str) -> str:
    """The language in its own words ("Nederlands"), as its speakers look for it."""
    try:
        return str(translation.get_language_info(code)["name_local"])
    except KeyError:
        return code


def ticket_pdf(registration: Registration) -> bytes:
    """The PDF ticket, in the language the person registered in (A4, printable anywhere)."""
    meeting = registration.meeting
    lang = registration.language or settings.LANGUAGE_CODE
    with translation.override(lang):
        styles = pdf.styles()
        rows = [
            (_("Name"), f"<b>{pdf.escape(registration.full_name)}</b>"),
            (capfirst(_("organisation")), pdf.escape(registration.organisation_label)),
            (capfirst(_("function")), pdf.escape(registration.get_function_display())),
            (_("When"), pdf.escape(_when(meeting))),
            (_("Where"), pdf.escape(_venue(meeting))),
        ]
        details = pdf.label_value_table(
            [
                (Paragraph(pdf.escape(k), styles.cell_label), Paragraph(v, styles.body))
                for k, v in rows
            ],
            3.4 * cm,
            style=[("BOTTOMPADDING", (0, 0), (-1, -1), 3)],
        )
        qr = Table([[QRCode(registration.ticket_secret, 9 * cm)]], colWidths=[None])
        qr.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        secret_style = pdf.styles().h2
        secret_style.alignment = 1
        secret_style.fontSize = 16
        secret_style.leading = 20
        centred = pdf.styles().small
        centred.alignment = 1
        story = [
            Paragraph(pdf.escape(settings.SITE_NAME), styles.small),
            Paragraph(pdf.escape(_("Ticket")), styles.h1),
            Paragraph(pdf.escape(meeting.title), styles.title),
            details,
            Spacer(0, 0.8 * cm),
            qr,
            Spacer(0, 0.3 * cm),
            Paragraph(pdf.escape(format_secret(registration.ticket_secret)), secret_style),
            Paragraph(
                pdf.escape(
                    _(
                        "Show this code at the entrance, on paper or on your phone. "
                        "If it cannot be scanned, the code printed under it can be typed in."
                    )
                ),
                centred,
            ),
            Paragraph(
                pdf.escape(_("This ticket is personal: whoever holds the code can use it.")),
                centred,
            ),
        ]
        title = _("Ticket · %(meeting)s") % {"meeting": meeting.title}
        return pdf.build_pdf(story, title=title, lang=lang)


# The badge sheet: 2 × 4 badges of 90 × 62 mm on A4, centred, ready for standard
# 90 × 60 badge holders once cut along the dashed lines.
BADGE_COLUMNS, BADGE_ROWS = 2, 4
BADGE_WIDTH, BADGE_HEIGHT = 90 * mm, 62 * mm
BADGES_PER_PAGE = BADGE_COLUMNS * BADGE_ROWS
BADGE_PADDING = 4 * mm
BADGE_QR = 28 * mm
BADGE_GUTTER = 3 * mm  # between the text and the code
# The code's mask on badges. The standard's choice of the best of eight masks lays the
# code out eight times, 3 ms of a badge's 5.5; any mask scans, and a badge sheet of
# 10 000 people must print in seconds. The ticket keeps the best mask.
BADGE_QR_MASK = 4
# A badge's lines: font face, size, leading, colour; a name too long shrinks them all.
NAME_LINE = ("bold", 15, 18, pdf.INK)
FUNCTION_LINE = ("normal", 9.5, 13, pdf.INK)
ORGANISATION_LINE = ("bold", 9.5, 13, pdf.INK)
DETAILS_LINE = ("normal", 8, 10.5, pdf.MUTED)
NAME_GAP = 2 * mm
SHRINK_STEP, SHRINK_MIN = 0.9, 0.35


def _badge_origin(index: int) -> tuple[float, float]:
    """The lower-left corner of badge `index` (0–7), filled row by row from the top."""
    page_width, page_height = A4
    left = (page_width - BADGE_COLUMNS * BADGE_WIDTH) / 2
    top = page_height - (page_height - BADGE_ROWS * BADGE_HEIGHT) / 2
    row, column = divmod(index, BADGE_COLUMNS)
    return left + column * BADGE_WIDTH, top - (row + 1) * BADGE_HEIGHT


def _badge_registrations(meeting: Meeting) -> list[Registration]:
    registrations = Registration.objects.filter(
        meeting=meeting, status=Registration.Status.CONFIRMED
    ).select_related("organisation")
    return sorted(registrations, key=lambda r: (fold(r.last_name), fold(r.first_name), r.pk))


def _wrap(text: str, face: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width`; a word wider than the line is cut."""
    lines = []
    for line in simpleSplit(text, face, size, width):
        while len(line) > 1 and stringWidth(line, face, size) > width:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], face, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


class _BadgeSheet:
    """Draws badges straight on the canvas, eight a page.

    Platypus (a table, six paragraphs and a shrinking frame a badge) cost 2.5 ms a
    badge; what a badge needs is a handful of lines of known fonts in a fixed box. The
    labels that depend on the wearer's language (function, country, language) are
    translated once per language and value, not once per badge.
    """

    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        family = pdf.font_family()
        self.faces = {"normal": family.name, "bold": pdf.FACES["bold"][0]}
        self.index = 0
        self._labels: dict[tuple, str] = {}
        # Functions, organisations and details recur from badge to badge: wrapped once.
        self._wrapped: dict[tuple, list[str]] = {}

    def _label(self, language: str, kind: str, value) -> str:
        key = (language, kind, value)
        label = self._labels.get(key)
        if label is None:
            with translation.override(language):
                if kind == "function":
                    label = str(Registration(function=value).get_function_display())
                elif kind == "country":
                    label = str(value.name) if value else ""
                else:
                    label = _language_name(value)
            label = self._labels[key] = pdf.printable(label)
        return label

    def lines(self, registration: Registration) -> list[tuple[tuple, str | None]]:
        """The badge's blocks: (style, text), and (None, None) for the gap after the name."""
        language = registration.language or settings.LANGUAGE_CODE
        details = " · ".join(
            part
            for part in (
                self._label(language, "country", registration.country),
                self._label(language, "language", registration.language),
            )
            if part
        )
        return [
            (NAME_LINE, pdf.printable(registration.first_name)),
            (NAME_LINE, pdf.printable(registration.last_name.upper())),
            (None, None),
            (FUNCTION_LINE, self._label(language, "function", registration.function)),
            (ORGANISATION_LINE, pdf.printable(registration.organisation_label)),
            (DETAILS_LINE, details),
        ]

    def _layout(self, blocks, width: float, height: float) -> tuple[float, list]:
        """The scale at which the blocks fit the box, and their wrapped lines."""
        scale = 1.0
        while True:
            laid, used = [], 0.0
            for style, text in blocks:
                if style is None:
                    used += NAME_GAP * scale
                    laid.append((None, None, NAME_GAP * scale))
                    continue
                face, size, leading, _colour = style
                key = (text, face, size * scale, width)
                lines = self._wrapped.get(key)
                if lines is None:
                    lines = _wrap(" ".join(text.split()), self.faces[face], size * scale, width)
                    self._wrapped[key] = lines
                for line in lines:
                    used += leading * scale
                    laid.append((style, line, leading * scale))
            if used <= height or scale <= SHRINK_MIN:
                return scale, laid
            scale *= SHRINK_STEP

    def draw(self, registration: Registration) -> None:
        if self.index and self.index % BADGES_PER_PAGE == 0:
            self.canvas.showPage()
        position = self.index % BADGES_PER_PAGE
        if position == 0:
            self.cut_lines()
        self.index += 1
        x, y = _badge_origin(position)
        left, bottom = x + BADGE_PADDING, y + BADGE_PADDING
        top = y + BADGE_HEIGHT - BADGE_PADDING
        inner = BADGE_WIDTH - 2 * BADGE_PADDING
        text_width = inner - BADGE_QR - BADGE_GUTTER
        scale, laid = self._layout(self.lines(registration), text_width, top - bottom)
        canvas = self.canvas
        # One text object a badge, its font and colour set only when they change.
        text = canvas.beginText()
        baseline, current = top, None
        for style, line, leading in laid:
            if style is None:
                baseline -= leading
                continue
            face, size, _leading, colour = style
            # The first line's ascent sits at the top, as a paragraph's does.
            baseline -= leading
            if style is not current:
                text.setFillColor(colour)
                text.setFont(self.faces[face], size * scale)
                current = style
            text.setTextOrigin(left, baseline + (leading - size * scale) * 0.8)
            text.textOut(line)
        canvas.drawText(text)
        qr_rows_draw(
            canvas,
            badge_qr_rows(registration.ticket_secret),
            left + inner - BADGE_QR,
            bottom,
            BADGE_QR,
        )

    def cut_lines(self) -> None:
        canvas = self.canvas
        canvas.saveState()
        canvas.setStrokeColor(pdf.RULE)
        canvas.setLineWidth(0.4)
        canvas.setDash(2, 2)
        for index in range(BADGES_PER_PAGE):
            x, y = _badge_origin(index)
            canvas.rect(x, y, BADGE_WIDTH, BADGE_HEIGHT, stroke=1, fill=0)
        canvas.restoreState()


# How often a long sheet reports its progress, in badges.
BADGE_PROGRESS_EVERY = 200


def badges_pdf(
    meeting: Meeting,
    *,
    lang: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The organiser's badge sheet: confirmed participants by last name, 8 per A4 page.

    Each badge is in its wearer's language (function, country); the document's own
    wording and metadata are in `lang`, by default the active language.
    `on_progress(done, total)` hears every `BADGE_PROGRESS_EVERY` badges.
    """
    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    registrations = _badge_registrations(meeting)
    with translation.override(lang):
        title = pdf.printable(_("Badges · %(meeting)s") % {"meeting": meeting.title})
        buffer = BytesIO()
        canvas = Canvas(buffer, pagesize=A4, lang=lang, initialFontName=pdf.font_family().name)
        canvas.setTitle(title)
        canvas.setAuthor(str(settings.SITE_NAME))
        canvas.setCreator(str(settings.SITE_NAME))
        sheet = _BadgeSheet(canvas)
        total = len(registrations)
        for done, registration in enumerate(registrations, start=1):
            sheet.draw(registration)
            if on_progress is not None and done % BADGE_PROGRESS_EVERY == 0:
                on_progress(done, total)
        if not registrations:
            sheet.cut_lines()
            face, size, _leading, colour = FUNCTION_LINE
            x, y = _badge_origin(0)
            canvas.setFont(sheet.faces[face], size)
            canvas.setFillColor(colour)
            canvas.drawString(
                x + BADGE_PADDING,
                y + BADGE_HEIGHT - BADGE_PADDING - size,
                pdf.printable(_("Nobody is confirmed for this meeting yet.")),
            )
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()
