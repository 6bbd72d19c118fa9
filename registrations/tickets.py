"""QR tickets and badges: what a participant shows at the door, and what they wear inside.

The QR code carries the ticket secret and nothing else: no name, no meeting, no URL. A
photo of someone's badge then tells a stranger nothing they could not read on the badge,
and the scanner looks everything else up on the server (`registrations.services.checkin`).

Every document here is built inside `translation.override`: the ticket in the language
its holder registered in, each badge in its wearer's language.
"""

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
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    KeepInFrame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from events_site.kit import pdf
from events_site.kit.text import fold
from meetings.models import Meeting

from .models import Registration

# M recovers from about 15% damage: a creased printout or a cracked phone screen.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4  # modules of white around the code, as the standard asks
SECRET_GROUP = 4


def _qr(secret: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE, box_size=10)
    # Upper-case Crockford base 32 fits QR's alphanumeric mode: a small, sparse code.
    code.add_data(secret)
    code.make(fit=True)
    return code


def ticket_qr_matrix(secret: str) -> list[list[bool]]:
    """The modules of the code, quiet zone included: True is a dark module."""
    return _qr(secret).get_matrix()


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
        self.matrix = ticket_qr_matrix(secret)
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        canvas = self.canv
        count = len(self.matrix)
        module = self.size / count
        canvas.saveState()
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
        path = canvas.beginPath()
        for row, modules in enumerate(self.matrix):
            y = self.size - (row + 1) * module
            column = 0
            while column < count:
                if not modules[column]:
                    column += 1
                    continue
                start = column
                while column < count and modules[column]:
                    column += 1
                # A run of dark modules as one rectangle, a hair taller so that rows
                # never show hairline gaps in some viewers.
                path.rect(start * module, y - 0.01, (column - start) * module, module + 0.02)
        canvas.drawPath(path, stroke=0, fill=1)
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


def _badge_origin(index: int) -> tuple[float, float]:
    """The lower-left corner of badge `index` (0–7), filled row by row from the top."""
    page_width, page_height = A4
    left = (page_width - BADGE_COLUMNS * BADGE_WIDTH) / 2
    top = page_height - (page_height - BADGE_ROWS * BADGE_HEIGHT) / 2
    row, column = divmod(index, BADGE_COLUMNS)
    return left + column * BADGE_WIDTH, top - (row + 1) * BADGE_HEIGHT


def _cut_lines(canvas, document):
    canvas.saveState()
    canvas.setStrokeColor(pdf.RULE)
    canvas.setLineWidth(0.4)
    canvas.setDash(2, 2)
    for index in range(BADGES_PER_PAGE):
        x, y = _badge_origin(index)
        canvas.rect(x, y, BADGE_WIDTH, BADGE_HEIGHT, stroke=1, fill=0)
    canvas.restoreState()


def _badge_registrations(meeting: Meeting) -> list[Registration]:
    registrations = Registration.objects.filter(
        meeting=meeting, status=Registration.Status.CONFIRMED
    ).select_related("organisation")
    return sorted(registrations, key=lambda r: (fold(r.last_name), fold(r.first_name), r.pk))


def _badge(registration: Registration, styles: pdf.Styles) -> list:
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        name = pdf.styles().h1
        name.spaceBefore = 0
        name.fontName = pdf.FACES["bold"][0]
        name.textColor = pdf.INK
        name.fontSize, name.leading = 15, 18
        country = registration.country
        facts = [
            Paragraph(pdf.escape(registration.first_name), name),
            Paragraph(pdf.escape(registration.last_name.upper()), name),
            Spacer(0, 2 * mm),
            Paragraph(pdf.escape(registration.get_function_display()), styles.body),
            Paragraph(f"<b>{pdf.escape(registration.organisation_label)}</b>", styles.body),
            Paragraph(
                pdf.escape(
                    " · ".join(
                        part
                        for part in (
                            country.name if country else "",
                            _language_name(registration.language),
                        )
                        if part
                    )
                ),
                styles.small,
            ),
        ]
    inner = BADGE_WIDTH - 2 * BADGE_PADDING
    text_width = inner - BADGE_QR - 3 * mm
    table = Table(
        [[facts, QRCode(registration.ticket_secret, BADGE_QR)]],
        colWidths=[text_width + 3 * mm, BADGE_QR],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (0, 0), "TOP"),
                ("VALIGN", (1, 0), (1, 0), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    # An overlong name shrinks to fit instead of pushing the badge onto its neighbour.
    return [
        KeepInFrame(inner, BADGE_HEIGHT - 2 * BADGE_PADDING, [table], mode="shrink"),
        FrameBreak(),
    ]


def badges_pdf(meeting: Meeting, *, lang: str | None = None) -> bytes:
    """The organiser's badge sheet: confirmed participants by last name, 8 per A4 page.

    Each badge is in its wearer's language (function, country); the document's own
    wording and metadata are in `lang`, by default the active language.
    """
    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(lang):
        styles = pdf.styles()
        frames = []
        for index in range(BADGES_PER_PAGE):
            x, y = _badge_origin(index)
            frames.append(
                Frame(
                    x + BADGE_PADDING,
                    y + BADGE_PADDING,
                    BADGE_WIDTH - 2 * BADGE_PADDING,
                    BADGE_HEIGHT - 2 * BADGE_PADDING,
                    leftPadding=0,
                    rightPadding=0,
                    topPadding=0,
                    bottomPadding=0,
                    id=f"badge{index}",
                )
            )
        title = pdf.printable(_("Badges · %(meeting)s") % {"meeting": meeting.title})
        buffer = BytesIO()
        document = BaseDocTemplate(
            buffer,
            pagesize=A4,
            title=title,
            author=str(settings.SITE_NAME),
            creator=str(settings.SITE_NAME),
            lang=lang,
            initialFontName=pdf.font_family().name,
            pageTemplates=[PageTemplate(id="badges", frames=frames, onPage=_cut_lines)],
        )
        story = []
        for registration in _badge_registrations(meeting):
            story += _badge(registration, styles)
        if story:
            story.pop()  # no FrameBreak after the last badge: it would open an empty page
        else:
            story.append(
                Paragraph(pdf.escape(_("Nobody is confirmed for this meeting yet.")), styles.body)
            )
        document.build(story)
        return buffer.getvalue()
