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
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from events_site.kit import pdf
from events_site.kit.text import fold
from meetings.models import Meeting
from registrations.models import Registration

from . import figures as fig

TITLE = "Feuille d'émargement / Presentielijst"
# The sheet's languages, side by side; the first is the one it falls back to.
SHEET_LANGUAGES = ("fr", "nl")
ROW_HEIGHT = 1.25 * cm  # room for a signature
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


def _participant_cells(registration: Registration, styles: pdf.Styles) -> list:
    with translation.override(registration.language or SHEET_LANGUAGES[0]):
        country = registration.country
        function = registration.get_function_display()
        country_name = country.name if country else ""
    return [
        Paragraph(
            f"<b>{pdf.escape(registration.last_name.upper())}</b> "
            f"{pdf.escape(registration.first_name)}",
            styles.cell,
        ),
        Paragraph(pdf.escape(registration.organisation_label), styles.cell),
        Paragraph(pdf.escape(function), styles.cell),
        Paragraph(pdf.escape(country_name), styles.cell),
        Paragraph(pdf.escape(_native(registration.language)), styles.cell),
        "",
    ]


def _native(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_local"])
    except KeyError:
        return code


def _sheet(registrations: list[Registration], styles: pdf.Styles) -> Table:
    header_style = pdf.styles().cell
    header_style.fontName = pdf.FACES["bold"][0]
    header_style.textColor = pdf.ACCENT
    headers = [
        gettext_lazy("name"),
        gettext_lazy("organisation"),
        gettext_lazy("function"),
        gettext_lazy("country"),
        gettext_lazy("language"),
        gettext_lazy("signature"),
    ]
    rows = [["#"] + [Paragraph(pdf.escape(bilingual(h)), header_style) for h in headers]]
    for number, registration in enumerate(registrations, start=1):
        rows.append([str(number), *_participant_cells(registration, styles)])
    width = landscape(A4)[0] - 2 * pdf.MARGIN
    columns = [0.8 * cm, 5.6 * cm, 5.4 * cm, 3.6 * cm, 2.6 * cm, 2.4 * cm]
    columns.append(width - sum(columns))
    table = Table(
        rows,
        colWidths=columns,
        rowHeights=[None] + [ROW_HEIGHT] * len(registrations),
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), pdf.font_family().name, 8.5),
                ("TEXTCOLOR", (0, 1), (0, -1), pdf.MUTED),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, pdf.ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, pdf.RULE),
                ("BOX", (-1, 1), (-1, -1), 0.4, pdf.RULE),
                ("LINEBEFORE", (-1, 0), (-1, -1), 0.4, pdf.RULE),
                ("ROWBACKGROUNDS", (0, 1), (-2, -1), [None, "#f5f7fa"]),
            ]
        )
    )
    return table


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
        story.append(_sheet(registrations, styles))
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
