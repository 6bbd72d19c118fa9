"""The attendance sheet ("feuille d'émargement / presentielijst") of a meeting.

A cross-border meeting keeps one record for both sides, so the sheet is headed in French
and Dutch side by side whatever language the organiser browses in; each participant's
line (function, country, language) is in that participant's own language, the one they
read when they sign.
"""

from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from events_site.kit import pdf
from events_site.kit.text import fold
from meetings.models import Meeting
from registrations.models import Registration

from . import figures as fig

TITLE = "Feuille d'émargement / Presentielijst"
# The sheet's languages, side by side; the first is the one it falls back to.
SHEET_LANGUAGES = ("fr", "nl")
ROW_HEIGHT = 1.25 * cm  # room for a signature
# The columns' widths: number, name, organisation, function, country, language; the
# signature takes the rest.
SHEET_COLUMNS = [0.8 * cm, 5.6 * cm, 5.4 * cm, 3.6 * cm, 2.6 * cm, 2.4 * cm]
# About as many rows fit a page, below its heading and the table's header: for progress.
ROWS_PER_PAGE = int((landscape(A4)[1] - 2 * pdf.MARGIN) // ROW_HEIGHT) - 1


def bilingual(message) -> str:
    """A lazy message in French and Dutch, "Nom / Naam"; once if both read the same."""
    parts = []
    for lang in SHEET_LANGUAGES:
        with translation.override(lang):
            parts.append(capfirst(str(message() if callable(message) else message)))
    return " / ".join(dict.fromkeys(parts))


def attendance_registrations(meeting: Meeting) -> list[Registration]:
    """Confirmed registrations by organisation, then last and first name, accents ignored."""
    registrations = Registration.objects.filter(
        meeting=meeting, status=Registration.Status.CONFIRMED
    ).select_related("organisation", "checkin")
    return sorted(
        registrations,
        key=lambda r: (
            fold(r.organisation_label),
            fold(r.last_name),
            fold(r.first_name),
            r.pk,
        ),
    )


def _meeting_heading(meeting: Meeting, styles: pdf.Styles) -> list:
    titles = [meeting.title_fr, meeting.title_nl]
    title = " / ".join(dict.fromkeys(t for t in titles if t)) or meeting.title
    days = []
    for lang in SHEET_LANGUAGES:
        with translation.override(lang):
            days.append(date_format(meeting.local_starts_at, "l j F Y"))
    when = "{days}, {start} – {end}".format(
        days=" / ".join(dict.fromkeys(days)),
        start=time_format(meeting.local_starts_at, "H:i"),
        end=time_format(meeting.local_ends_at, "H:i"),
    )
    parts = (meeting.venue_name, meeting.venue_address, meeting.venue_city)
    venue = ", ".join(part for part in parts if part)
    # Two lines, not a title page's heading: every centimetre above the table is a
    # signature line fewer on the first page.
    return [
        Paragraph(f"{pdf.escape(TITLE)} · {pdf.escape(title)}", styles.h1),
        Paragraph(f"<b>{pdf.escape(when)}</b> · {pdf.escape(venue)}", styles.body),
        Spacer(0, 0.2 * cm),
    ]


CELL_SIZE, CELL_LEADING = 8.5, 11
# Each cell's horizontal padding, reportlab's default: the text is wrapped within the rest.
CELL_PADDING = 6


def _wrapped(text: str, width: float) -> str:
    """A plain cell's text in lines no wider than its column: a cell that is not a
    Paragraph is drawn as it is, with no markup to parse (5 paragraphs a row were most
    of a long sheet's time)."""
    face = pdf.font_family().name
    return "\n".join(simpleSplit(" ".join(text.split()), face, CELL_SIZE, width - 2 * CELL_PADDING))


class _Labels:
    """A participant's function, country and language in their own language, worked out
    once per language and value rather than once a row."""

    def __init__(self):
        self._known: dict[tuple, list[str]] = {}

    def __call__(self, registration: Registration) -> list[str]:
        language = registration.language or SHEET_LANGUAGES[0]
        key = (language, registration.function, str(registration.country or ""))
        labels = self._known.get(key)
        if labels is None:
            with translation.override(language):
                country = registration.country
                labels = [
                    registration.get_function_display(),
                    country.name if country else "",
                    _native(registration.language),
                ]
            widths = SHEET_COLUMNS[3:6]
            labels = [
                _wrapped(pdf.printable(label), w) for label, w in zip(labels, widths, strict=True)
            ]
            self._known[key] = labels
        return labels


def _participant_cells(registration: Registration, styles: pdf.Styles, labels: _Labels) -> list:
    return [
        Paragraph(
            f"<b>{pdf.escape(registration.last_name.upper())}</b> "
            f"{pdf.escape(registration.first_name)}",
            styles.cell,
        ),
        _wrapped(pdf.printable(registration.organisation_label), SHEET_COLUMNS[2]),
        *labels(registration),
        "",
    ]


def _native(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_local"])
    except KeyError:
        return code


SHEET_STYLE = [
    ("TEXTCOLOR", (0, 1), (0, -1), pdf.MUTED),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LINEBELOW", (0, 0), (-1, 0), 1, pdf.ACCENT),
    ("LINEBELOW", (0, 1), (-1, -1), 0.4, pdf.RULE),
    ("BOX", (-1, 1), (-1, -1), 0.4, pdf.RULE),
    ("LINEBEFORE", (-1, 0), (-1, -1), 0.4, pdf.RULE),
    ("ROWBACKGROUNDS", (0, 1), (-2, -1), [None, "#f5f7fa"]),
]


class _Sheet(Flowable):
    """The participants' table, laid out one page at a time.

    One table of 10 000 rows split page by page copies and measures every remaining row
    at each page, 14 s for the sheet of a whole network. Here each page gets a table of
    its own rows under the header, made when the page is reached, and what remains is
    the rest of the list, not yet a table. Rows have a fixed height, so what fits a page
    is a division.
    """

    def __init__(
        self,
        registrations: list[Registration],
        styles: pdf.Styles,
        first: int = 1,
        labels: _Labels | None = None,
    ):
        super().__init__()
        self.registrations, self.styles, self.first = registrations, styles, first
        self.labels = labels or _Labels()
        self._header_height: float | None = None

    def _header(self) -> list:
        style = pdf.styles().cell
        style.fontName = pdf.FACES["bold"][0]
        style.textColor = pdf.ACCENT
        headers = [
            gettext_lazy("name"),
            gettext_lazy("organisation"),
            gettext_lazy("function"),
            gettext_lazy("country"),
            gettext_lazy("language"),
            gettext_lazy("signature"),
        ]
        return ["#"] + [Paragraph(pdf.escape(bilingual(h)), style) for h in headers]

    def _table(self, registrations: list[Registration], width: float) -> Table:
        rows = [self._header()]
        for number, registration in enumerate(registrations, start=self.first):
            rows.append([str(number), *_participant_cells(registration, self.styles, self.labels)])
        columns = [*SHEET_COLUMNS, width - sum(SHEET_COLUMNS)]
        table = Table(
            rows, colWidths=columns, rowHeights=[None] + [ROW_HEIGHT] * len(registrations)
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), pdf.font_family().name, CELL_SIZE, CELL_LEADING),
                    *SHEET_STYLE,
                ]
            )
        )
        return table

    def _header_height_for(self, width: float) -> float:
        if self._header_height is None:
            self._header_height = self._table([], width).wrap(width, 0)[1]
        return self._header_height

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = self._header_height_for(available_width) + ROW_HEIGHT * len(
            self.registrations
        )
        return self.width, self.height

    def split(self, available_width, available_height):
        header = self._header_height_for(available_width)
        fit = min(int((available_height - header) // ROW_HEIGHT), len(self.registrations))
        if fit < 1:
            return []
        page = self._table(self.registrations[:fit], available_width)
        if fit == len(self.registrations):
            return [page]
        rest = _Sheet(self.registrations[fit:], self.styles, self.first + fit, self.labels)
        rest._header_height = self._header_height
        return [page, rest]

    def draw(self):
        table = self._table(self.registrations, self.width)
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


def _figure_table(title: str, splits: list[fig.Split], label, styles: pdf.Styles) -> list:
    if not splits:
        return []
    heading = pdf.styles().h2
    rows = [
        [
            "",
            Paragraph(pdf.escape(bilingual(gettext_lazy("registered"))), styles.cell_label),
            Paragraph(pdf.escape(bilingual(gettext_lazy("present"))), styles.cell_label),
        ]
    ]
    for split in splits:
        rows.append(
            [
                Paragraph(pdf.escape(bilingual(lambda key=split.key: label(key))), styles.cell),
                str(split.registered),
                str(split.present),
            ]
        )
    table = Table(rows, colWidths=[9 * cm, 4.2 * cm, 4.2 * cm], hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), pdf.font_family().name, 8.5),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, pdf.ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, pdf.RULE),
            ]
        )
    )
    return [KeepTogether([Paragraph(pdf.escape(title), heading), table])]


def _figures(meeting: Meeting, styles: pdf.Styles) -> list:
    figures = fig.attendance_figures(meeting)
    summary = [
        (gettext_lazy("registered"), figures.registered),
        (gettext_lazy("present"), figures.present),
        (gettext_lazy("absent"), figures.absent),
        (gettext_lazy("on the waiting list"), figures.waitlisted),
        (gettext_lazy("cancelled"), figures.cancelled),
    ]
    summary_table = Table(
        [
            [Paragraph(pdf.escape(bilingual(label)), styles.cell), str(value)]
            for label, value in summary
        ],
        colWidths=[9 * cm, 4.2 * cm],
        hAlign="LEFT",
    )
    summary_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), pdf.font_family().name, 9),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, pdf.RULE),
            ]
        )
    )
    story = [
        Paragraph(pdf.escape(bilingual(gettext_lazy("Key figures"))), styles.h1),
        summary_table,
    ]
    story += _figure_table(
        bilingual(gettext_lazy("By function")),
        figures.by_function_group,
        fig.function_group_label,
        styles,
    )
    story += _figure_table(
        bilingual(gettext_lazy("By country")), figures.by_country, fig.country_label, styles
    )
    story += _figure_table(
        bilingual(gettext_lazy("By language")), figures.by_language, fig.language_label, styles
    )
    story += _figure_table(
        bilingual(gettext_lazy("Interpretation needed, into")),
        figures.interpretation,
        fig.language_label,
        styles,
    )
    return story


def attendance_sheet_pdf(meeting: Meeting, on_progress=None) -> bytes:
    """The sheet to sign at the door, then keep: landscape A4, header on every page.
    `on_progress(done, total)` hears of the participants' rows laid out, page by page."""
    with translation.override(SHEET_LANGUAGES[0]):
        styles = pdf.styles()
        registrations = attendance_registrations(meeting)
        total = len(registrations)

        def pages(kind: str, value: int) -> None:
            if kind == "PAGE" and value > 1:
                on_progress(min(total, (value - 1) * ROWS_PER_PAGE), total)

        story = _meeting_heading(meeting, styles)
        story.append(_Sheet(registrations, styles))
        story.append(Spacer(0, 0.6 * cm))
        story += _figures(meeting, styles)
        title = f"{TITLE} · {meeting.title}"
        return pdf.build_pdf(
            story,
            title=title,
            lang=SHEET_LANGUAGES[0],
            pagesize=landscape(A4),
            on_progress=pages if on_progress is not None else None,
        )
