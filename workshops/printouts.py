"""Table cards: one A4 page per table, with its QR code, the questions and who sits there.

The QR code carries the table's link without a language prefix: the phone that scans it
is sent on to the page in its own language.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

from events_site.kit import pdf
from registrations.tickets import QRCode

from .models import Workshop
from .seating import seating_plan


def table_link(token: str) -> str:
    """The table's phone link, language-neutral (LocaleMiddleware picks the language).

    `reverse` always puts a language prefix on the site's pages, the default one under
    `override(None)`: a Dutch phone would land on the French page, so it is taken off.
    """
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("screen:phone", args=[token])
    return f"{settings.SITE_URL}{path.removeprefix(f'/{settings.LANGUAGE_CODE}')}"


def table_cards_pdf(workshop: Workshop, lang: str, on_progress=None) -> bytes:
    """A page per table; `on_progress(done, total)` hears of the tables laid out."""
    with translation.override(lang):
        styles = pdf.styles()
        centred = pdf.styles().small
        centred.alignment = 1
        plan = seating_plan(workshop)
        questions = list(workshop.questions.all())
        story = []
        for table, people in plan.items():
            story += [
                Paragraph(pdf.escape(workshop.title), styles.small),
                Paragraph(pdf.escape(table.name), styles.title),
            ]
            story += [Paragraph(pdf.escape(q.text), styles.h2) for q in questions]
            qr = Table([[QRCode(table_link(table.token), 8 * cm)]], colWidths=[None])
            qr.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
            story += [
                Spacer(0, 0.5 * cm),
                qr,
                Paragraph(
                    pdf.escape(
                        _("Scan this code with your phone to post your ideas, without an account.")
                    ),
                    centred,
                ),
                Spacer(0, 0.5 * cm),
            ]
            if people:
                story.append(Paragraph(pdf.escape(_("At this table")), styles.h2))
                story += [
                    Paragraph(pdf.escape(f"{r.full_name} · {r.organisation_label}"), styles.body)
                    for r in people
                ]
            story.append(PageBreak())
        if story:
            story.pop()
        else:
            story.append(Paragraph(pdf.escape(_("This workshop has no table yet.")), styles.body))
        title = _("Tables · %(workshop)s") % {"workshop": workshop.title}
        return pdf.build_pdf(
            story,
            title=title,
            lang=lang,
            on_progress=pdf.units_progress(len(plan), on_progress) if on_progress else None,
        )
