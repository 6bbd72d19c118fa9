"""The past meeting's documents: the plenary's slides (public, under the plenary in its
agenda) and a project sheet for the network's members, both small PDFs drawn here, the
host's logo, and four photos of the day for its booklet, small pictures drawn here too;
all stored like any upload."""

from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import PageBreak, Paragraph

from events_site.kit import pdf
from meetings.models import AgendaItem, Document, Meeting
from meetings.services.documents import document_create, meeting_pictures_set

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


# (file name, background, caption fr, caption nl): the booklet's photos of the day.
PHOTOS = [
    ("pleniere.png", "#1f4e79", "La séance plénière", "De plenaire zitting"),
    (
        "atelier-connaitre.png",
        "#548235",
        "L'atelier « Apprendre à se connaître »",
        "De workshop „Elkaar leren kennen”",
    ),
    ("post-its.png", "#c55a11", "Les post-its d'une table", "De post-its van een tafel"),
    ("vote.png", "#7030a0", "Le vote à gommettes", "De stemming met stippen"),
]


def _picture(background: str, seed: int, size=(480, 320)) -> bytes:
    """A small PNG standing for a photo: a room's wall, tables and post-its as shapes."""
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, height * 2 // 3, width, height), fill="#d9d9d9")
    for index in range(6):
        x = 30 + index * 75 + seed * 7 % 20
        draw.rectangle((x, 60 + index % 2 * 40, x + 50, 110 + index % 2 * 40), fill="#ffd966")
    for index in range(3):
        x = 60 + index * 140
        draw.ellipse((x, height * 2 // 3 - 30, x + 90, height * 2 // 3 + 30), fill="#7f6000")
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _logo() -> bytes:
    """The host's logo: two circles, one for each side of the border."""
    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 110, 110), fill="#1f4e79")
    draw.ellipse((80, 10, 180, 110), fill="#c55a11")
    draw.rectangle((200, 45, 350, 75), fill="#1f4e79")
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


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
    document_create(
        file=ContentFile(_logo(), name="logo-hote.png"),
        meeting=meeting,
        title_fr="Logo de la commune d'accueil",
        title_nl="Logo van de gastgemeente",
        kind=Document.Kind.LOGO,
        language=Document.Language.BOTH,
        visibility=Document.Visibility.PUBLIC,
    )
    pictures = []
    for seed, (name, background, caption_fr, caption_nl) in enumerate(PHOTOS):
        photo = document_create(
            file=ContentFile(_picture(background, seed), name=name),
            meeting=meeting,
            title_fr=caption_fr,
            title_nl=caption_nl,
            kind=Document.Kind.PHOTO,
            language=Document.Language.BOTH,
            visibility=Document.Visibility.PUBLIC,
        )
        pictures.append({"document": photo.pk, "caption_fr": caption_fr, "caption_nl": caption_nl})
    meeting_pictures_set(meeting, pictures)
