"""The demo's past meeting as it happened: who came, and what its four workshops said.

The workshops, questions, tables, orientations and post-its are those of a real synthesis
booklet (seed 003: "Apprendre à se connaître", "Informer / Communiquer", "Mutualiser",
"Conseiller"), entered through the workshop services as facilitators would, then voted
on and closed, with the organiser's words (context, ambitions, principles, each
workshop's strong ideas, next steps), so that `make run` shows a booklet that reads like
seed 003's, and its results page.

The meeting is in the past: its people register and are scanned at the door through
the registration and check-in services as on the day (`_as_at`), so the seats, the
tickets and the door's counts are what those services make. The emails this queues
are history: marked sent, so that `make run`'s worker does not write to the demo's
fictional people about a meeting long over. For the same reason the meeting is marked
closed without sending the booklet (the console would print thirty emails with their
PDF).
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from meetings.models import AgendaItem, Meeting, Person
from registrations.services.checkin import checkin_scan
from registrations.services.registration import registration_create
from tasks.models import Delivery
from workshops.models import Contribution, Workshop
from workshops.services.orientations import orientation_create
from workshops.services.plan import question_create, round_create
from workshops.services.polls import poll_answer, poll_option_create, words_send
from workshops.services.postits import contribution_create, contribution_update
from workshops.services.tables import tables_create
from workshops.services.timer import timer_act
from workshops.services.votes import vote_cast, workshop_vote_set
from workshops.services.workshops import (
    workshop_close,
    workshop_create,
    workshop_synthesis_set,
)

from .agenda import load_past_agenda

ATTENDEES = 34
ABSENT_EVERY = 8  # one registered person in eight did not come


@dataclass(frozen=True)
class WorkshopPlan:
    title: tuple[str, str]
    questions: tuple[tuple[str, str], ...]
    tables: int
    # orientation (fr, nl) → post-its (action, objective)
    posts: tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...]


WORKSHOPS = (
    WorkshopPlan(
        ("Apprendre à se connaître", "Elkaar leren kennen"),
        (
            (
                "Comment le réseau peut-il aider les communes à mieux se connaître ?",
                "Hoe kan het netwerk de gemeenten helpen elkaar beter te kennen?",
            ),
            (
                "Comment faire vivre une dynamique de réseau entre communes des deux côtés ?",
                "Hoe houden we een netwerkdynamiek levend tussen gemeenten aan beide kanten?",
            ),
        ),
        4,
        (
            (
                ("Apprendre à se connaître", "Elkaar leren kennen"),
                (
                    (
                        "Création et diffusion d'un annuaire et trombinoscope des référents",
                        "Connaître les référents des communes (élus et techniciens), "
                        "faciliter les échanges",
                    ),
                    (
                        "Création d'un répertoire des compétences et savoir-faire de chacun",
                        "Connaître les compétences et missions des référents",
                    ),
                    (
                        "Création d'un inventaire des projets et actions menés",
                        "Valoriser les initiatives singulières des communes",
                    ),
                    (
                        "Een overzicht wie wat doet aan beide kanten van de grens",
                        "Elkaars rol beter kennen",
                    ),
                    (
                        "Création d'un répertoire des aides financières mobilisables",
                        "Connaître les aides pour les projets transfrontaliers",
                    ),
                    (
                        "Vidéos d'interviews d'élus sur leurs coopérations",
                        "Bénéficier des témoignages des uns et des autres",
                    ),
                ),
            ),
            (
                ("Échanger avec les autres réseaux", "Uitwisselen met andere netwerken"),
                (
                    (
                        "Actions communes avec d'autres réseaux transfrontaliers",
                        "Bénéficier de leurs retours d'expériences",
                    ),
                ),
            ),
            (
                ("Rendre visible le réseau", "Het netwerk zichtbaar maken"),
                (
                    ("Création d'une charte graphique", "Fédérer les communes membres"),
                    (
                        "Création d'outils de communication : lettre d'information, logo",
                        "Faire connaître le réseau, ses membres, son fonctionnement",
                    ),
                ),
            ),
            (
                ("Créer des temps d'échanges", "Momenten van uitwisseling creëren"),
                (
                    (
                        "Organisation de rencontres conviviales : les « matinées de la frontière »",
                        "Échanger sur le vécu et apprendre à se connaître",
                    ),
                    (
                        "Bezoeken ter plaatse bij elkaars projecten",
                        "Van elkaars ervaringen leren",
                    ),
                ),
            ),
        ),
    ),
    WorkshopPlan(
        ("Informer / Communiquer", "Informeren / Communiceren"),
        (
            (
                "Comment le réseau peut-il aider à mieux communiquer entre communes ?",
                "Hoe kan het netwerk helpen om beter te communiceren tussen gemeenten?",
            ),
            (
                "Comment mieux informer les communes sur les coopérations possibles ?",
                "Hoe informeren we de gemeenten beter over mogelijke samenwerkingen?",
            ),
            (
                "Comment valoriser le travail mené au sein du réseau ?",
                "Hoe valoriseren we het werk binnen het netwerk?",
            ),
        ),
        4,
        (
            (
                ("Mieux communiquer entre communes", "Beter communiceren tussen gemeenten"),
                (
                    ("Création d'une lettre d'information régulière", "Informer et valoriser"),
                    ("Création d'une liste de diffusion", "Informer et échanger entre membres"),
                    (
                        "Création d'une carte interactive des coopérations transfrontalières",
                        "Identifier les communes engagées et leurs projets",
                    ),
                    (
                        "Thematische praatcafés in verschillende gemeenten",
                        "Op een gezellige manier kennis delen",
                    ),
                ),
            ),
            (
                ("Partager / Échanger", "Delen / Uitwisselen"),
                (
                    (
                        "Actions pour mutualiser les moyens (expositions, gobelets réutilisables)",
                        "Mutualiser les moyens entre communes",
                    ),
                    (
                        "Création d'un blog ou forum pour déposer des contributions",
                        "Partager le vécu et l'actualité",
                    ),
                    (
                        "Fiches techniques très concrètes sur des retours d'expériences",
                        "Faciliter la prise de connaissance des expériences",
                    ),
                ),
            ),
            (
                ("Valoriser / Encourager", "Valoriseren / Aanmoedigen"),
                (
                    (
                        "Une journée de la coopération transfrontalière",
                        "Valoriser et encourager les démarches",
                    ),
                    (
                        "Een wedstrijd voor de beste grensoverschrijdende actie",
                        "Pilootinitiatieven in de kijker zetten",
                    ),
                    (
                        "Mise en place d'un parrainage entre communes",
                        "Aider les communes qui débutent",
                    ),
                    (
                        "Création de pages sur les réseaux sociaux",
                        "Informer et valoriser l'action du réseau",
                    ),
                    (
                        "Expositions tout public sur les projets réussis",
                        "Sensibiliser les habitants des deux côtés",
                    ),
                ),
            ),
        ),
    ),
    WorkshopPlan(
        (
            "Mutualiser / Bénéficier des retours d'expériences",
            "Samen aanpakken / Leren uit ervaringen",
        ),
        (
            (
                "Comment le réseau peut-il aider à mutualiser entre communes ?",
                "Hoe kan het netwerk helpen om samen aan te pakken?",
            ),
            (
                "Comment bénéficier des retours d'expériences des uns et des autres ?",
                "Hoe leren we uit elkaars ervaringen?",
            ),
        ),
        2,
        (
            (
                ("Mutualiser et échanger", "Samen aanpakken en uitwisselen"),
                (
                    (
                        "Création de tables rondes et réunions de travail",
                        "Débattre des projets, éviter l'isolement",
                    ),
                    (
                        "Création d'un portail numérique unique d'échanges",
                        "Un lieu unique où trouver toutes les informations utiles",
                    ),
                    (
                        "Mise en place de visites de terrain",
                        "Comprendre une réalisation de projet spécifique",
                    ),
                ),
            ),
            (
                ("Pratiques collaboratives", "Samenwerkingspraktijken"),
                (
                    (
                        "Élaboration de trames de travail et de canevas",
                        "Savoir où se situer dans sa démarche",
                    ),
                    (
                        "Een opleidingsplan met getuigenissen",
                        "De lokale actoren helpen hun competenties te versterken",
                    ),
                    ("Mise en place d'un parrainage", "Avoir de l'aide au quotidien"),
                    (
                        "Gedeelde modellen van samenwerkingsovereenkomsten",
                        "Tijd winnen bij het opstellen van akkoorden",
                    ),
                    (
                        "Une bourse d'échange de matériel entre services techniques",
                        "Mutualiser les équipements peu utilisés",
                    ),
                ),
            ),
        ),
    ),
    WorkshopPlan(
        ("Conseiller / Aider à monter en compétences", "Adviseren / Competenties versterken"),
        (
            (
                "Comment le réseau peut-il aider à mieux conseiller les communes ?",
                "Hoe kan het netwerk de gemeenten beter adviseren?",
            ),
            (
                "Comment aider les communes à monter en compétences ?",
                "Hoe helpen we de gemeenten hun competenties te versterken?",
            ),
        ),
        4,
        (
            (
                ("Vulgariser", "Toegankelijk maken"),
                (
                    (
                        "Cinémas en plein air et conférences dans plusieurs communes",
                        "Mobiliser les habitants",
                    ),
                    (
                        "Création d'un lexique bilingue des termes de la coopération",
                        "Se comprendre et développer une culture commune",
                    ),
                ),
            ),
            (
                ("Capitaliser", "Kennis bundelen"),
                (
                    (
                        "Mise en place d'une plateforme de travail collectif",
                        "Diffuser le travail des communes déjà avancées",
                    ),
                    (
                        "Rendez-vous thématiques et fiches de montage d'actions",
                        "Organiser un travail collaboratif",
                    ),
                    (
                        "Ontmoetingen tussen beginnende en gevorderde gemeenten",
                        "Positieve voorbeelden geven",
                    ),
                ),
            ),
            (
                ("Monter en compétences", "Competenties versterken"),
                (
                    (
                        "Annuaire des compétences disponibles (experts, associations)",
                        "Identifier qui fait quoi et mobiliser ces compétences",
                    ),
                    (
                        "Liste des personnes ressources des deux côtés",
                        "Disposer des bons contacts",
                    ),
                    (
                        "Formations, interventions d'experts et témoignages",
                        "Monter en compétences (concertation, évaluation, mobilité)",
                    ),
                    (
                        "Un bureau d'études partagé pour accompagner les communes",
                        "Aider au diagnostic, à la stratégie et à l'évaluation",
                    ),
                    (
                        "Opleidingen voor schepenen en ambtenaren samen",
                        "Een band houden tussen verkozenen en ambtenaren",
                    ),
                ),
            ),
        ),
    ),
)

# Post-its not yet sorted, a duplicate merged into its twin, and a hidden off-topic one.
LOOSE_POSTS = (
    ("Un numéro unique pour joindre les deux mairies", ""),
    ("Een gedeelde kalender van evenementen", "Dubbele afspraken vermijden"),
)
# The organiser's words, as seed 003 opens its booklet: why the network met, what the
# day set out to do (one ambition a line), and how its workshops were run.
CONTEXT = (
    "Pour accompagner les communes dans leurs projets de part et d'autre de la frontière, "
    "l'agence transfrontalière et les intercommunales ont décidé d'animer ensemble un "
    "réseau d'échanges entre maires et bourgmestres.\n\n"
    "Cette rencontre de lancement a réuni des élus et des agents de communes françaises et "
    "belges, venus partager leurs attentes et construire la feuille de route du réseau.",
    "Om de gemeenten aan beide kanten van de grens te ondersteunen, hebben het "
    "grensoverschrijdend agentschap en de intercommunales samen een netwerk van "
    "uitwisseling tussen burgemeesters en maires opgezet.\n\n"
    "Deze startbijeenkomst bracht verkozenen en ambtenaren van Franse en Belgische "
    "gemeenten samen om hun verwachtingen te delen en het stappenplan van het netwerk op "
    "te bouwen.",
)
AMBITIONS = (
    "Rassembler les communes engagées ou prêtes à s'engager dans des projets communs\n"
    "Informer sur l'actualité des coopérations transfrontalières\n"
    "Présenter les objectifs, le fonctionnement et la gouvernance du réseau\n"
    "Recenser les attentes des communes pour co-construire la feuille de route",
    "De gemeenten samenbrengen die samen projecten voeren of willen voeren\n"
    "Informeren over de actualiteit van de grensoverschrijdende samenwerking\n"
    "De doelstellingen, de werking en het bestuur van het netwerk voorstellen\n"
    "De verwachtingen van de gemeenten verzamelen om samen het stappenplan op te bouwen",
)
PRINCIPLES = (
    "Chaque atelier était co-animé par un maire et un bourgmestre. Les participants, "
    "répartis en tables mêlant les deux pays, ont réfléchi ensemble à des pistes d'action :"
    "\n\n- en réponse aux quatre objectifs du réseau ;\n- au regard de leur faisabilité ;"
    "\n- en tenant compte des besoins de chaque commune.\n\n"
    "Chacun a écrit ses propositions sur des post-its, dans sa langue, puis chaque table a "
    "voté pour les idées qu'elle jugeait prioritaires.",
    "Elke workshop werd geleid door een burgemeester en een maire. De deelnemers, aan "
    "tafels met beide landen, dachten samen na over actiepistes:\n\n"
    "- als antwoord op de vier doelstellingen van het netwerk;\n- met oog voor hun "
    "haalbaarheid;\n- rekening houdend met de noden van elke gemeente.\n\n"
    "Iedereen schreef zijn voorstellen op post-its, in zijn eigen taal, waarna elke tafel "
    "stemde voor de ideeën die zij prioritair vond.",
)
# The strong ideas each workshop's facilitators wrote afterwards, in WORKSHOPS' order.
STRONG_IDEAS = (
    (
        "Se doter d'outils pour mieux se connaître entre communes (annuaire des élus et des "
        "référents, inventaire des projets, fiches de réalisations). Favoriser des temps de "
        "rencontre conviviaux et des visites de terrain pour créer une dynamique commune.",
        "Instrumenten ontwikkelen om elkaar beter te kennen (adresboek van verkozenen en "
        "contactpersonen, overzicht van projecten, fiches over realisaties). Gezellige "
        "ontmoetingen en terreinbezoeken organiseren om een gezamenlijke dynamiek op te bouwen.",
    ),
    (
        "Mieux échanger entre communes grâce à une plateforme partagée, et rendre le réseau "
        "visible par une lettre d'information et des supports communs. Mettre en avant les "
        "initiatives pilotes des deux côtés de la frontière.",
        "Beter uitwisselen tussen gemeenten via een gedeeld platform, en het netwerk "
        "zichtbaar maken met een nieuwsbrief en gemeenschappelijke dragers. De "
        "voorbeeldprojecten aan beide kanten van de grens in de kijker zetten.",
    ),
    (
        "Créer un espace unique où trouver les informations utiles et bénéficier des retours "
        "d'expériences des uns et des autres. Éviter l'isolement des petites communes par un "
        "parrainage entre communes débutantes et avancées.",
        "Eén plek creëren waar alle nuttige informatie te vinden is, en leren uit elkaars "
        "ervaringen. Het isolement van kleine gemeenten doorbreken met peterschap tussen "
        "beginnende en gevorderde gemeenten.",
    ),
    (
        "Identifier qui sait faire quoi dans le réseau et partager ces compétences entre "
        "communes. Proposer des formations communes aux élus et aux agents, sur "
        "l'évaluation et la concertation notamment.",
        "In kaart brengen wie wat kan in het netwerk en die competenties delen tussen "
        "gemeenten. Gezamenlijke opleidingen aanbieden aan verkozenen en ambtenaren, onder "
        "meer over evaluatie en inspraak.",
    ),
)
# The first workshop's poll (question, options) and words round, in French and Dutch.
POLL = (
    (
        "Comment vous informez-vous sur la commune voisine ?",
        "Hoe informeert u zich over de buurgemeente?",
    ),
    (
        (("Par la presse", "Via de pers"), 9),
        (("Par les réseaux sociaux", "Via sociale media"), 6),
        (("Par des collègues", "Via collega's"), 12),
        (("Je ne m'informe pas", "Ik informeer me niet"), 3),
    ),
)
WORDS_TITLE = ("Un mot pour la frontière", "Eén woord voor de grens")
# What twelve phones sent, in their language: "mobilité"/"mobiliteit" is one word.
WORDS = (
    ("mobilité", "confiance"),
    ("mobiliteit", "vertrouwen"),
    ("Mobilité", "emploi"),
    ("samenwerking", "mobiliteit"),
    ("coopération", "langue"),
    ("taal", "werk"),
    ("confiance", "mobilité"),
    ("grens",),
    ("frontière", "coopération"),
    ("fiets",),
    ("vélo", "mobilité"),
    ("samenwerking", "vertrouwen"),
)
NEXT_STEPS = (
    "Les co-animateurs et l'agence analyseront l'ensemble des propositions des quatre "
    "ateliers, croisées avec les questionnaires distribués en séance. Une proposition de "
    "feuille de route sera transmise aux membres du réseau pour avis, en vue de la "
    "prochaine rencontre.",
    "De co-moderatoren en het agentschap analyseren alle voorstellen van de vier "
    "workshops, samen met de vragenlijsten van de sessie. Een voorstel van stappenplan "
    "wordt aan de leden van het netwerk voorgelegd, met het oog op de volgende ontmoeting.",
)


@transaction.atomic
def load_synthesis(meeting: Meeting, door_volunteer) -> None:
    """Give a past meeting its attendance, scanned by `door_volunteer` (a user), and its
    workshops; a second run does nothing."""
    if meeting.workshops.exists():
        return
    _attendance(meeting, door_volunteer)
    slot = load_past_agenda(meeting)
    for order, plan in enumerate(WORKSHOPS):
        workshop = _workshop(meeting, plan, order, slot)
        workshop_synthesis_set(
            workshop, synthesis_fr=STRONG_IDEAS[order][0], synthesis_nl=STRONG_IDEAS[order][1]
        )
    Meeting.objects.filter(pk=meeting.pk).update(
        context_fr=CONTEXT[0],
        context_nl=CONTEXT[1],
        ambitions_fr=AMBITIONS[0],
        ambitions_nl=AMBITIONS[1],
        principles_fr=PRINCIPLES[0],
        principles_nl=PRINCIPLES[1],
        next_steps_fr=NEXT_STEPS[0],
        next_steps_nl=NEXT_STEPS[1],
    )


@contextmanager
def _as_at(moment: datetime):
    """Run the services as at `moment`: they read the clock through `timezone.now`, so
    they take a registration the window of a past meeting allows, and stamp it (and
    its email, its check-in) with that day."""
    real_now = timezone.now
    offset = moment - real_now()
    with mock.patch.object(timezone, "now", lambda: real_now() + offset):
        yield


def _attendance(meeting: Meeting, door_volunteer) -> None:
    people = list(
        Person.objects.filter(organisation__isnull=False)
        .select_related("organisation")
        .order_by("pk")[:ATTENDEES]
    )
    registered = []
    with _as_at(meeting.registration_closes - timedelta(days=7)):
        for index, person in enumerate(people):
            registration, _created = registration_create(
                meeting,
                data={
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": person.email,
                    "function": person.function,
                    "organisation": person.organisation,
                    "language": person.preferred_language,
                    "privacy_consent": True,
                    # Half of them share their contact: the participants' booklet lists them.
                    "share_contact": index % 2 == 0,
                },
            )
            registered.append(registration)
    with _as_at(meeting.starts_at):
        for index, registration in enumerate(registered):
            if index % ABSENT_EVERY != ABSENT_EVERY - 1:
                checkin_scan(registration.ticket_secret, meeting=meeting, by=door_volunteer)
    Delivery.objects.filter(meeting=meeting, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENT, sent_at=F("created_at"), attempts=1
    )


def _workshop(meeting: Meeting, plan: WorkshopPlan, order: int, slot: AgendaItem) -> Workshop:
    """One of the workshops that run in parallel in `slot`, each in its own room."""
    workshop = workshop_create(
        meeting,
        title_fr=plan.title[0],
        title_nl=plan.title[1],
        vote_limit=3,
        agenda_item_id=slot.pk,
        room=f"Salle {order + 1}",
    )
    questions = [question_create(workshop, text_fr=fr, text_nl=nl) for fr, nl in plan.questions]
    tables = tables_create(workshop, plan.tables)
    posts = []
    for (title_fr, title_nl), items in plan.posts:
        orientation = orientation_create(workshop, title_fr=title_fr, title_nl=title_nl)
        for text, objective in items:
            post = _post(workshop, questions, tables, len(posts), text, objective)
            contribution_update(post, orientation=orientation)
            posts.append(post)
    for text, objective in LOOSE_POSTS[: 1 + order % 2]:
        posts.append(_post(workshop, questions, tables, len(posts), text, objective))
    twin = _post(workshop, questions, tables, 1, posts[0].text.lower(), "")
    contribution_update(twin, merged_into=posts[0])
    off_topic = _post(workshop, questions, tables, 2, "Où est le parking ?", "")
    contribution_update(off_topic, hidden=True)
    if order == 0:
        _voices(workshop)
    workshop_vote_set(workshop, True)
    # Twelve participants place their three dots on three different post-its each.
    for voter in range(12):
        for dot in range(3):
            post = posts[(voter * 7 + dot * 3 + order) % len(posts)]
            vote_cast(post, f"demo-{voter}")
    workshop_close(workshop)
    return workshop


def _voices(workshop) -> None:
    """The room's voice: a poll of the workshop's thirty participants, then a word cloud."""
    (question_fr, question_nl), options = POLL
    poll = round_create(workshop, title_fr=question_fr, title_nl=question_nl, kind="poll")
    voters = 0
    timer_act(workshop, "start", round_id=poll.pk)
    for (label_fr, label_nl), answers in options:
        option = poll_option_create(poll, label_fr=label_fr, label_nl=label_nl)
        for _answer in range(answers):
            poll_answer(poll, f"demo-{voters}", options=[option.pk])
            voters += 1
    words = round_create(workshop, title_fr=WORDS_TITLE[0], title_nl=WORDS_TITLE[1], kind="words")
    timer_act(workshop, "start", round_id=words.pk)
    for voter, sent in enumerate(WORDS):
        words_send(words, f"demo-{voter}", list(sent))
    timer_act(workshop, "finish")


def _post(workshop, questions, tables, index: int, text: str, objective: str) -> Contribution:
    return contribution_create(
        workshop,
        text=text,
        objective=objective,
        question=questions[index % len(questions)],
        table=tables[index % len(tables)],
        source=Contribution.Source.TRANSCRIBED,
    )
