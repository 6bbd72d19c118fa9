from io import BytesIO

from django.utils import translation
from pypdf import PdfReader
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph

from events_site.kit import pdf


def test_escape_keeps_user_markup_literal_and_newlines_as_breaks():
    assert pdf.escape("<b>Lille & Kortrijk</b>\nTournai") == (
        "&lt;b&gt;Lille &amp; Kortrijk&lt;/b&gt;<br/>Tournai"
    )


def test_escape_replaces_what_the_font_cannot_draw_and_drops_control_characters():
    assert pdf.escape("Fête 🎉 ❤️\x00\u200b!") == "Fête □ ❤!"
    assert pdf.escape("e\u0301t\u00e9") == "été"
    assert pdf.escape(None) == ""


def test_build_pdf_prints_hostile_text_intact_with_metadata_and_a_footer_on_every_page():
    styles = pdf.styles()
    text = "<b>& <script>alert(1)</script> Cœur d’Œuvre, Zoë, naïf, « 5 € » 🎉"
    with translation.override("nl"):
        payload = pdf.build_pdf(
            [Paragraph(pdf.escape(text), styles.body), PageBreak(), Paragraph("2", styles.h1)],
            title="Syntheseverslag 2027",
            lang="nl",
        )
        footers = [
            translation.gettext("page %(page)s / %(pages)s") % {"page": n, "pages": 2}
            for n in (1, 2)
        ]

    reader = PdfReader(BytesIO(payload))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 2
    assert "<b>& <script>alert(1)</script> Cœur d’Œuvre, Zoë, naïf, « 5 € » □" in pages[0]
    assert "🎉" not in pages[0]
    for page, footer in zip(pages, footers, strict=True):
        assert footer in page
    assert reader.metadata.title == "Syntheseverslag 2027"
    assert reader.trailer["/Root"]["/Lang"] == "nl"


def test_a_label_value_table_prints_each_label_then_its_value_in_the_rows_order():
    styles = pdf.styles()
    rows = [("Quand", "12 mars 2027, 14:00"), ("Où", "Hôtel de ville\nTournai")]
    table = pdf.label_value_table(
        [
            (Paragraph(label, styles.cell_label), Paragraph(pdf.escape(value), styles.cell))
            for label, value in rows
        ],
        3 * cm,
    )
    page = PdfReader(BytesIO(pdf.build_pdf([table], title="t", lang="fr"))).pages[0]
    lines = page.extract_text().splitlines()
    assert lines[:5] == ["Quand", "12 mars 2027, 14:00", "Où", "Hôtel de ville", "Tournai"]
