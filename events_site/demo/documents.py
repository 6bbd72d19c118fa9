"""The past meeting's documents: the plenary's slides (public, under the plenary in its
agenda) and a project sheet for the network's members, both small PDFs drawn here,
stored like any upload."""

from django.core.files.base import ContentFile
from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import PageBreak, Paragraph

from events_site.kit import pdf
from meetings.models import AgendaItem, Document, Meeting
from meetings.services.documents import document_create

# (title fr, title nl), bullets: one slide each, in both languages as shown on the day.
SLIDES = [
    (
        ("Bilan des coopérations de la Lys", "Stand van de samenwerkingen aan de Leie"),
        [
            "12 projets lancés de part et d’autre de la frontière / 12 projecten opgestart",
            "Navette Halluin – Menen : 1 800 voyageurs par mois / 1 800 reizigers per maand",
            "Un guichet commun pour les services aux citoyens / Eén gemeenschappelijk loket",
        ],
    ),
    (
        ("Les ateliers de ce matin", "De workshops van vanmorgen"),
        [
            "Mobilité : relier nos communes / Mobiliteit: onze gemeenten verbinden",
            "Services aux citoyens / Dienstverlening aan de burger",
        ],
    ),
]
PROJECT_SHEET = (
    ("Fiche expérience : la navette Halluin – Menen", "Projectfiche: de pendel Halluin – Menen"),
    [
        "Porteurs : Halluin et Menen, avec l’intercommunale Leiedal",
        "Coût annuel : 85 000 €, partagé à parts égales",
        "Contact : les services mobilité des deux communes",
    ],
)


def _pdf(pages, title: str) -> bytes:
    styles = pdf.styles()
    story = []
    for (title_fr, title_nl), bullets in pages:
        if story:
            story.append(PageBreak())
        story.append(Paragraph(pdf.escape(title_fr), styles.title))
        story.append(Paragraph(pdf.escape(title_nl), styles.h2))
        story += [Paragraph(f"• {pdf.escape(bullet)}", styles.body) for bullet in bullets]
    return pdf.build_pdf(story, title=title, lang="fr", pagesize=landscape(A4))


def load_documents(meeting: Meeting) -> None:
    """Once: a rerun finds the meeting has documents and adds none."""
    if Document.objects.filter(meeting=meeting).exists():
        return
    document_create(
        file=ContentFile(_pdf(SLIDES, "Plénière / Plenaire"), name="pleniere-plenaire.pdf"),
        meeting=meeting,
        agenda_item=meeting.agenda_items.filter(kind=AgendaItem.Kind.PLENARY).first(),
        title_fr="Diaporama de la plénière",
        title_nl="Presentatie van de plenaire",
        kind=Document.Kind.SLIDES,
        language=Document.Language.BOTH,
        visibility=Document.Visibility.PUBLIC,
    )
    (title_fr, title_nl), _bullets = PROJECT_SHEET
    document_create(
        file=ContentFile(_pdf([PROJECT_SHEET], title_fr), name="fiche-navette-halluin-menen.pdf"),
        meeting=meeting,
        title_fr=title_fr,
        title_nl=title_nl,
        kind=Document.Kind.PROJECT_SHEET,
        language=Document.Language.FR,
        visibility=Document.Visibility.MEMBERS,
    )
