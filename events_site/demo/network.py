"""A demo network of the Lille–Kortrijk–Tournai area, loaded by `manage.py load_demo`.

The municipalities and their postcodes are real; every person is fictional. Rows are
found by natural key (name/country/postcode, email, slug, year, a meeting UID derived
from year and key), so loading twice finds everything the first run made. Meetings are
created, published and cancelled through the services, so the demo obeys the same rules
as the admin and the API: a published cross-border meeting has its FR/BE pair.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events_site.demo.agenda import SITE_VISIT_PLAN, load_site_visit
from events_site.demo.documents import load_documents
from events_site.demo.review import approve_and_close
from events_site.demo.synthesis import load_synthesis
from meetings.apps import ensure_organisers_group
from meetings.models import CoFacilitator, Meeting, Organisation, Person, Programme, Theme
from meetings.services.meetings import (
    cofacilitator_add,
    meeting_cancel,
    meeting_create,
    meeting_publish,
)
from meetings.services.programme import programme_publish

ORGANISER_USERNAME = "organiser"
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/proximity-meetings/demo")
TUESDAY, THURSDAY = 1, 3
Kind = Organisation.Kind
Function = Person.Function


@dataclass(frozen=True)
class Org:
    key: str
    name: str
    country: str
    postcode: str
    head: tuple[str, str, bool] | None = None  # mayor or burgomaster: first, last, news
    language: str = "fr"
    kind: str = Kind.MUNICIPALITY
    city: str = ""
    domain: str = ""

    @property
    def email_domain(self) -> str:
        tld = "org" if self.country == "FR" else "be"
        return self.domain or f"{slugify(self.name)}.example.{tld}"


@dataclass(frozen=True)
class Someone:
    first_name: str
    last_name: str
    function: str
    org: str
    news: bool = False
    language: str | None = None  # defaults to the organisation's


@dataclass(frozen=True)
class Plan:
    key: str
    month: int
    week: int  # the nth `weekday` of the month
    weekday: int
    afternoon: bool
    host: str
    venue: str
    address: str
    pair: tuple[str, str]  # the French and the Belgian municipality whose heads co-facilitate
    support: str  # key in AGENCY_STAFF
    themes: tuple[str, ...]
    languages: tuple[str, ...]
    capacity: int
    title: tuple[str, str]  # fr, nl
    description: tuple[str, str]


def _fr(key, name, postcode, first, last, news=False):
    return Org(key, name, "FR", postcode, head=(first, last, news))


def _be(key, name, postcode, language, first, last, news=False):
    return Org(key, name, "BE", postcode, head=(first, last, news), language=language)


ORGANISATIONS = [
    _fr("lille", "Lille", "59000", "Catherine", "Delattre", True),
    _fr("roubaix", "Roubaix", "59100", "Karim", "Bensaïd"),
    _fr("tourcoing", "Tourcoing", "59200", "Philippe", "Vanhoutte", True),
    _fr("halluin", "Halluin", "59250", "Nathalie", "Descamps", True),
    _fr("wattrelos", "Wattrelos", "59150", "Bruno", "Catteau"),
    _fr("armentieres", "Armentières", "59280", "Sophie", "Verhaeghe", True),
    _fr("comines", "Comines", "59560", "Jean-Marc", "Lefebvre"),
    _fr("wervicq-sud", "Wervicq-Sud", "59117", "Isabelle", "Coussement", True),
    _fr("bondues", "Bondues", "59910", "Olivier", "Deleplanque"),
    _fr("neuville-en-ferrain", "Neuville-en-Ferrain", "59960", "Véronique", "Delcroix", True),
    _fr("baisieux", "Baisieux", "59780", "Thierry", "Duhamel"),
    _fr("roncq", "Roncq", "59223", "Christine", "Ghesquière"),
    _fr("leers", "Leers", "59115", "Patrick", "Vandenbussche", True),
    _be("kortrijk", "Kortrijk", "8500", "nl", "Bart", "Vanneste", True),
    _be("menen", "Menen", "8930", "nl", "Griet", "Declercq", True),
    _be("wevelgem", "Wevelgem", "8560", "nl", "Koen", "Vanhaverbeke"),
    _be("wervik", "Wervik", "8940", "nl", "Annelies", "Verhelst", True),
    _be("zwevegem", "Zwevegem", "8550", "nl", "Pieter", "Callewaert"),
    _be("spiere-helkijn", "Spiere-Helkijn", "8587", "nl", "Marleen", "Vandekerckhove"),
    _be("avelgem", "Avelgem", "8580", "nl", "Dirk", "Desmet"),
    _be("ieper", "Ieper", "8900", "nl", "Sofie", "Vermeulen", True),
    _be("harelbeke", "Harelbeke", "8530", "nl", "Tom", "Vansteenkiste"),
    _be("mouscron", "Mouscron", "7700", "fr", "Anne-Sophie", "Dumortier", True),
    _be("comines-warneton", "Comines-Warneton", "7780", "fr", "Didier", "Vanoverschelde"),
    _be("tournai", "Tournai", "7500", "fr", "Laurence", "Leclercq", True),
    _be("estaimpuis", "Estaimpuis", "7730", "fr", "Marc", "Delvaux"),
    _be("pecq", "Pecq", "7740", "fr", "Fabienne", "Lermusiaux"),
    _be("rumes", "Rumes", "7618", "fr", "Jean-Pierre", "Dubois"),
    Org(
        "mel",
        "Métropole Européenne de Lille",
        "FR",
        "59000",
        kind=Kind.INTERMUNICIPAL,
        city="Lille",
        domain="mel.example.org",
    ),
    Org(
        "leiedal",
        "Intercommunale Leiedal",
        "BE",
        "8500",
        language="nl",
        kind=Kind.INTERMUNICIPAL,
        city="Kortrijk",
        domain="leiedal.example.be",
    ),
    Org(
        "ideta",
        "IDETA",
        "BE",
        "7500",
        kind=Kind.INTERMUNICIPAL,
        city="Tournai",
        domain="ideta.example.be",
    ),
    Org(
        "ieg",
        "Intercommunale d’Étude et de Gestion (IEG)",
        "BE",
        "7700",
        kind=Kind.INTERMUNICIPAL,
        city="Mouscron",
        domain="ieg.example.be",
    ),
    Org("nord", "Département du Nord", "FR", "59000", kind=Kind.REGION, city="Lille"),
    Org(
        "west-vlaanderen",
        "Provincie West-Vlaanderen",
        "BE",
        "8000",
        language="nl",
        kind=Kind.REGION,
        city="Brugge",
    ),
    Org("hainaut", "Province de Hainaut", "BE", "7000", kind=Kind.REGION, city="Mons"),
    Org(
        "agency",
        "Agence de l’Eurométropole / Agentschap van de Eurometropool",
        "BE",
        "8500",
        kind=Kind.AGENCY,
        city="Kortrijk",
        domain="eurometropole.example.org",
    ),
]
ORGANISATIONS_BY_KEY = {org.key: org for org in ORGANISATIONS}

AGENCY_STAFF = {
    "deconinck": Someone("Margaux", "Deconinck", Function.AGENCY_STAFF, "agency", True, "fr"),
    "vandeputte": Someone("Jens", "Vandeputte", Function.AGENCY_STAFF, "agency", True, "nl"),
    "lambrecht": Someone("Sarah", "Lambrecht", Function.AGENCY_STAFF, "agency", True, "nl"),
    "mercier": Someone("Antoine", "Mercier", Function.AGENCY_STAFF, "agency", True, "fr"),
}

OTHER_PEOPLE = [
    Someone("Amandine", "Lecocq", Function.DEPUTY_MAYOR, "tourcoing", True),
    Someone("Samira", "Ouali", Function.COUNCILLOR, "roubaix"),
    Someone("Julien", "Caron", Function.OFFICER, "halluin", True),
    Someone("Élodie", "Marchand", Function.OFFICER, "mel", True),
    Someone("Jelle", "Maertens", Function.ALDERMAN, "kortrijk", True),
    Someone("Lotte", "Vercruysse", Function.OFFICER, "menen"),
    Someone("Ward", "Goethals", Function.EXPERT, "leiedal", True),
    Someone("Grégory", "Lepers", Function.ALDERMAN, "mouscron"),
    Someone("Pascale", "Hoornaert", Function.ALDERMAN, "tournai", True),
    Someone("Kevin", "Bataille", Function.OFFICER, "comines-warneton"),
    Someone("Caroline", "Henrard", Function.EXPERT, "ideta"),
]

THEMES = [
    ("mobilite", "Mobilité transfrontalière", "Grensoverschrijdende mobiliteit"),
    ("emploi", "Emploi et formation", "Werk en opleiding"),
    ("environnement-eau", "Environnement et eau", "Leefmilieu en water"),
    ("securite", "Sécurité et prévention", "Veiligheid en preventie"),
    ("culture-tourisme", "Culture et tourisme", "Cultuur en toerisme"),
    ("sante", "Santé et soins", "Gezondheid en zorg"),
    ("services-citoyens", "Services aux citoyens", "Dienstverlening aan burgers"),
    ("amenagement", "Aménagement du territoire", "Ruimtelijke ordening"),
    ("langues", "Langue du voisin", "Taal van de buren"),
]

PROGRAMME_INTRODUCTION = (
    "Un temps dédié aux maires et aux bourgmestres des communes frontalières : des "
    "rencontres interactives, cadrées dans un temps contraint et co-animées par un·e maire "
    "et un·e bourgmestre avec l’appui de l’Agence de l’Eurométropole, pour mieux se "
    "connaître, échanger des expériences et des bonnes pratiques, et explorer des pistes de "
    "travail en commun.",
    "Een moment speciaal voor de burgemeesters van de grensgemeenten: interactieve "
    "ontmoetingen binnen een strak tijdskader, samen gemodereerd door een Franse en een "
    "Belgische burgemeester met de steun van het Agentschap van de Eurometropool, om elkaar "
    "beter te leren kennen, ervaringen en goede praktijken uit te wisselen en samen "
    "werkpistes te verkennen.",
)

NEXT_YEAR_PLANS = [
    Plan(
        "lancement",
        1,
        2,
        THURSDAY,
        False,
        "tourcoing",
        "Hôtel de ville de Tourcoing",
        "Place Victor Hassebroucq",
        ("tourcoing", "mouscron"),
        "deconinck",
        ("services-citoyens",),
        ("fr", "nl"),
        80,
        (
            "Se connaître pour coopérer : rencontre de lancement",
            "Elkaar kennen om samen te werken: startontmoeting",
        ),
        (
            "Première rencontre de l’année, dédiée aux maires et aux bourgmestres des "
            "communes frontalières. Tour de table express, carte des coopérations existantes "
            "et choix des sujets que les communes veulent travailler ensemble cette année.",
            "Eerste ontmoeting van het jaar, speciaal voor de burgemeesters van de "
            "grensgemeenten. Een snelle kennismakingsronde, een kaart van de bestaande "
            "samenwerkingen en de keuze van de onderwerpen die de gemeenten dit jaar samen "
            "willen aanpakken.",
        ),
    ),
    Plan(
        "mobilite",
        2,
        2,
        TUESDAY,
        True,
        "menen",
        "Stadhuis Menen",
        "Grote Markt",
        ("halluin", "menen"),
        "vandeputte",
        ("mobilite",),
        ("fr", "nl"),
        50,
        (
            "Mobilité du quotidien : bus, vélo et covoiturage par-delà la frontière",
            "Dagelijkse mobiliteit: bus, fiets en carpoolen over de grens",
        ),
        (
            "Comment se rendre au travail, à l’école ou au marché de l’autre côté de la "
            "frontière sans voiture ? Les communes partagent leurs expériences (lignes de bus "
            "transfrontalières, itinéraires cyclables le long de la Lys, aires de covoiturage) "
            "et repèrent les chaînons manquants.",
            "Hoe ga je zonder auto naar het werk, de school of de markt aan de andere kant van "
            "de grens? De gemeenten delen hun ervaringen (grensoverschrijdende buslijnen, "
            "fietsroutes langs de Leie, carpoolparkings) en brengen de ontbrekende schakels in "
            "kaart.",
        ),
    ),
    Plan(
        "lys",
        3,
        3,
        THURSDAY,
        False,
        "comines-warneton",
        "Hôtel de ville de Comines-Warneton",
        "Grand-Place",
        ("comines", "comines-warneton"),
        "mercier",
        ("environnement-eau",),
        ("fr",),
        40,
        (
            "La Lys, une rivière partagée : crues, qualité de l’eau et berges",
            "De Leie, een gedeelde rivier: hoogwater, waterkwaliteit en oevers",
        ),
        (
            "De Comines à Comines-Warneton, la Lys relie plus qu’elle ne sépare. Échange sur "
            "la prévention des inondations, l’entretien des berges et l’alerte en cas de crue, "
            "avec l’appui des services techniques des deux rives.",
            "Van Comines tot Komen-Waasten verbindt de Leie meer dan ze scheidt. Uitwisseling "
            "over het voorkomen van overstromingen, het onderhoud van de oevers en de "
            "waarschuwing bij hoogwater, met de steun van de technische diensten van beide "
            "oevers.",
        ),
    ),
    Plan(
        "securite",
        4,
        2,
        TUESDAY,
        True,
        "wattrelos",
        "Hôtel de ville de Wattrelos",
        "Place de l’Hôtel de ville",
        ("wattrelos", "estaimpuis"),
        "mercier",
        ("securite",),
        ("fr",),
        40,
        (
            "Sécurité et prévention dans les communes frontalières",
            "Veiligheid en preventie in de grensgemeenten",
        ),
        (
            "Polices municipales et zones de police, cambriolages, dépôts sauvages : qui "
            "appeler de l’autre côté, et comment coordonner la prévention ? Témoignages de "
            "communes qui ont signé des accords de voisinage.",
            "Gemeentelijke politie en politiezones, inbraken, sluikstorten: wie bel je aan de "
            "andere kant, en hoe stem je de preventie op elkaar af? Getuigenissen van "
            "gemeenten die een nabuurschapsakkoord sloten.",
        ),
    ),
    Plan(
        "emploi",
        5,
        3,
        TUESDAY,
        False,
        "kortrijk",
        "Stadhuis Kortrijk",
        "Grote Markt",
        ("lille", "kortrijk"),
        "lambrecht",
        ("emploi",),
        ("fr", "nl"),
        70,
        (
            "Emploi frontalier : recruter et se former de l’autre côté",
            "Grensarbeid: aanwerven en opleiden aan de andere kant",
        ),
        (
            "Des entreprises flamandes cherchent du personnel, des demandeurs d’emploi français "
            "cherchent un poste : comment les communes peuvent-elles relayer les offres, les "
            "cours de langue et les dispositifs de mobilité professionnelle ?",
            "Vlaamse bedrijven zoeken personeel, Franse werkzoekenden zoeken een job: hoe "
            "kunnen de gemeenten vacatures, taalcursussen en regelingen voor "
            "arbeidsmobiliteit mee bekendmaken?",
        ),
    ),
    Plan(
        "culture",
        6,
        2,
        TUESDAY,
        True,
        "tournai",
        "Maison de la culture de Tournai",
        "Boulevard des Frères Rimbaut",
        ("baisieux", "tournai"),
        "mercier",
        ("culture-tourisme",),
        ("fr",),
        60,
        (
            "Culture et tourisme : faire découvrir nos communes aux voisins",
            "Cultuur en toerisme: onze gemeenten laten ontdekken door de buren",
        ),
        (
            "Agendas culturels partagés, circuits de randonnée transfrontaliers, offices du "
            "tourisme qui se parlent : comment donner envie aux habitants de traverser la "
            "frontière pour leurs loisirs ?",
            "Gedeelde cultuuragenda’s, grensoverschrijdende wandelroutes, toeristische diensten "
            "die met elkaar praten: hoe maak je inwoners warm om voor hun vrije tijd de grens "
            "over te steken?",
        ),
    ),
    Plan(
        "services",
        9,
        3,
        THURSDAY,
        False,
        "wervik",
        "Stadhuis Wervik",
        "Grote Markt",
        ("wervicq-sud", "wervik"),
        "vandeputte",
        ("services-citoyens", "langues"),
        ("fr", "nl"),
        35,
        (
            "Services aux habitants d’une rive à l’autre de la Lys",
            "Dienstverlening aan inwoners van oever tot oever van de Leie",
        ),
        (
            "Écoles, état civil, déchets, cimetières : les habitants de Wervicq-Sud et de "
            "Wervik vivent souvent des deux côtés. Comment simplifier leurs démarches et mieux "
            "orienter ceux qui s’adressent à la mauvaise administration ?",
            "Scholen, burgerlijke stand, afval, begraafplaatsen: de inwoners van Wervicq-Sud en "
            "Wervik leven vaak aan beide kanten. Hoe maak je hun formaliteiten eenvoudiger en "
            "verwijs je wie bij het verkeerde bestuur aanklopt beter door?",
        ),
    ),
    Plan(
        "sante",
        10,
        1,
        TUESDAY,
        True,
        "armentieres",
        "Hôtel de ville d’Armentières",
        "Place du Général de Gaulle",
        ("armentieres", "ieper"),
        "deconinck",
        ("sante",),
        ("fr", "nl"),
        50,
        (
            "Santé : accès aux soins et aux urgences de part et d’autre de la frontière",
            "Gezondheid: toegang tot zorg en spoeddiensten aan beide kanten van de grens",
        ),
        (
            "Les zones organisées d’accès aux soins transfrontaliers permettent de se soigner "
            "de l’autre côté : comment les communes peuvent-elles mieux les faire connaître et "
            "relayer les besoins des habitants (ambulances, maisons de repos, médecins "
            "généralistes) ?",
            "Dankzij de grensoverschrijdende zorgzones kan je je aan de andere kant laten "
            "verzorgen: hoe kunnen de gemeenten ze beter bekendmaken en de noden van de "
            "inwoners doorgeven (ziekenwagens, woonzorgcentra, huisartsen)?",
        ),
    ),
    Plan(
        "amenagement",
        10,
        4,
        THURSDAY,
        False,
        "wevelgem",
        "Gemeentehuis Wevelgem",
        "Vanackerestraat",
        ("neuville-en-ferrain", "wevelgem"),
        "lambrecht",
        ("amenagement", "environnement-eau"),
        ("fr", "nl"),
        45,
        (
            "Aménager la frontière : zones d’activités, paysages et voiries partagées",
            "De grens inrichten: bedrijventerreinen, landschap en gedeelde wegen",
        ),
        (
            "Une zone d’activités d’un côté, un lotissement de l’autre, une voirie qui change "
            "de gestionnaire au milieu du pont : partager tôt les projets d’aménagement évite "
            "les mauvaises surprises. Présentation des outils de concertation existants.",
            "Een bedrijventerrein aan de ene kant, een verkaveling aan de andere, een weg die "
            "halverwege de brug van beheerder verandert: ruimtelijke projecten vroeg delen "
            "voorkomt verrassingen. Voorstelling van de bestaande overlegtools.",
        ),
    ),
    Plan(
        "langues",
        11,
        3,
        TUESDAY,
        True,
        "roubaix",
        "La Condition Publique",
        "Place Faidherbe",
        ("roubaix", "zwevegem"),
        "vandeputte",
        ("langues", "emploi"),
        ("fr", "nl"),
        60,
        (
            "Apprendre la langue du voisin : écoles, associations et élus",
            "De taal van de buren leren: scholen, verenigingen en verkozenen",
        ),
        (
            "Néerlandais à l’école primaire, tables de conversation, échanges de classes : les "
            "communes racontent ce qui marche pour que la langue ne freine plus le dialogue "
            "transfrontalier.",
            "Frans in de basisschool, conversatietafels, klasuitwisselingen: de gemeenten "
            "vertellen wat werkt opdat de taal de grensoverschrijdende dialoog niet langer "
            "afremt.",
        ),
    ),
    Plan(
        "bilan",
        12,
        1,
        THURSDAY,
        False,
        "mouscron",
        "Hôtel de ville de Mouscron",
        "Rue de Courtrai",
        ("bondues", "mouscron"),
        "deconinck",
        ("services-citoyens",),
        ("fr", "nl"),
        80,
        (
            "Rencontre bilan : les pistes d’action de l’année",
            "Slotontmoeting: de actiepistes van het jaar",
        ),
        (
            "Retour sur les pistes d’orientation et les actions proposées lors des rencontres "
            "de l’année, choix des objectifs à poursuivre et premières idées pour le programme "
            "suivant.",
            "Terugblik op de oriëntaties en de voorgestelde acties van de ontmoetingen van dit "
            "jaar, keuze van de doelen die we verder nastreven en eerste ideeën voor het "
            "volgende programma.",
        ),
    ),
]

CANCELLED_PLAN = "securite"
CANCELLATION_REASON = (
    "Salle indisponible pour travaux : la rencontre est reportée, une nouvelle date suivra. "
    "/ Zaal onbeschikbaar wegens werken: de ontmoeting wordt uitgesteld, een nieuwe datum "
    "volgt."
)

# In January, so that it is over whichever year the past programme is.
PAST_PLANS = [
    Plan(
        "secteur-lys",
        1,
        2,
        THURSDAY,
        False,
        "halluin",
        "Hôtel de ville d’Halluin",
        "Place de l’Hôtel de ville",
        ("halluin", "menen"),
        "lambrecht",
        ("mobilite", "services-citoyens"),
        ("fr", "nl"),
        40,
        (
            "Rencontre de proximité du secteur Lys : bilan des coopérations",
            "Nabijheidsontmoeting Leiestreek: stand van de samenwerkingen",
        ),
        (
            "Les communes riveraines de la Lys font le point sur les coopérations lancées l’an "
            "dernier et sur les contacts à entretenir de part et d’autre de la frontière.",
            "De Leiegemeenten maken de balans op van de samenwerkingen die vorig jaar werden "
            "opgestart en van de contacten die het onderhouden waard zijn aan beide kanten van "
            "de grens.",
        ),
    ),
]


@dataclass
class Summary:
    organisations: int
    people: int
    themes: int
    programmes: list[tuple[int, int, int]]  # year, published meetings, cancelled meetings
    organiser_created: bool
    generated_password: str | None


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _person(someone: Someone, organisations: dict[str, Organisation]) -> Person:
    org = ORGANISATIONS_BY_KEY[someone.org]
    person, _created = Person.objects.get_or_create(
        email=f"{slugify(someone.first_name)}.{slugify(someone.last_name)}@{org.email_domain}",
        defaults={
            "first_name": someone.first_name,
            "last_name": someone.last_name,
            "function": someone.function,
            "organisation": organisations[org.key],
            "preferred_language": someone.language or org.language,
            "accepts_network_news": someone.news,
        },
    )
    return person


# The network's members (seed 004: "une trentaine d'adhérents", since 2010): its
# municipalities and intermunicipal bodies, joined over the years; two have lapsed.
MEMBER_KINDS = (Kind.MUNICIPALITY, Kind.INTERMUNICIPAL)
LAPSED_MEMBERS = ("bondues", "rumes")
FIRST_MEMBERSHIP_YEAR = 2010


def _membership(index: int, org: Org) -> dict:
    if org.kind not in MEMBER_KINDS:
        return {}
    lapsed = org.key in LAPSED_MEMBERS
    status = Organisation.Membership.LAPSED if lapsed else Organisation.Membership.ACTIVE
    return {"membership": status, "member_since": FIRST_MEMBERSHIP_YEAR + index * 7 % 15}


def _load_directory() -> tuple[dict[str, Organisation], dict[str, Person], dict[str, Person]]:
    """Return organisations, their mayors or burgomasters, and agency staff, all by key."""
    organisations = {
        org.key: Organisation.objects.get_or_create(
            name=org.name,
            country=org.country,
            postcode=org.postcode,
            defaults={"kind": org.kind, "city": org.city or org.name, **_membership(index, org)},
        )[0]
        for index, org in enumerate(ORGANISATIONS)
    }
    heads = {}
    for org in ORGANISATIONS:
        if org.head:
            first_name, last_name, news = org.head
            function = Function.MAYOR if org.country == "FR" else Function.BURGOMASTER
            someone = Someone(first_name, last_name, function, org.key, news)
            heads[org.key] = _person(someone, organisations)
    staff = {key: _person(someone, organisations) for key, someone in AGENCY_STAFF.items()}
    for someone in OTHER_PEOPLE:
        _person(someone, organisations)
    return organisations, heads, staff


def _load_programme(year: int) -> Programme:
    programme, _created = Programme.objects.get_or_create(
        year=year,
        defaults={
            "title_fr": f"Rencontres de proximité {year}",
            "title_nl": f"Nabijheidsontmoetingen {year}",
            "introduction_fr": PROGRAMME_INTRODUCTION[0],
            "introduction_nl": PROGRAMME_INTRODUCTION[1],
        },
    )
    return programme_publish(programme)


def _load_meeting(programme, plan, organisations, heads, staff, themes) -> Meeting:
    uid = uuid.uuid5(UID_NAMESPACE, f"{programme.year}:{plan.key}")
    meeting = Meeting.objects.filter(uid=uid).first()
    if meeting is None:
        host = organisations[plan.host]
        zone = "Europe/Paris" if host.country.code == "FR" else "Europe/Brussels"
        day = _nth_weekday(programme.year, plan.month, plan.weekday, plan.week)
        starts_at = datetime.combine(
            day, time(14) if plan.afternoon else time(9, 30), tzinfo=ZoneInfo(zone)
        )
        meeting = meeting_create(
            uid=uid,
            programme=programme,
            title_fr=plan.title[0],
            title_nl=plan.title[1],
            description_fr=plan.description[0],
            description_nl=plan.description[1],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            time_zone=zone,
            venue_name=plan.venue,
            venue_address=plan.address,
            venue_city=host.city,
            venue_country=host.country,
            host_organisation=host,
            working_languages=list(plan.languages),
            capacity=plan.capacity,
            is_cross_border=True,
            registration_opens_at=starts_at - timedelta(days=60),
            registration_closes_at=starts_at - timedelta(days=3),
            themes=[themes[slug] for slug in plan.themes],
        )
        french, belgian = plan.pair
        team = [
            (heads[french], CoFacilitator.Role.CO_FACILITATOR),
            (heads[belgian], CoFacilitator.Role.CO_FACILITATOR),
            (staff[plan.support], CoFacilitator.Role.SUPPORT),
        ]
        for person, role in team:
            cofacilitator_add(meeting, person, role)
    if meeting.status == Meeting.Status.DRAFT:
        meeting = meeting_publish(meeting)
    return meeting


def ensure_organiser(password: str | None) -> tuple[bool, str | None]:
    """The demo organiser account: (created, the password to print if one was generated).

    A given password is applied whenever it differs from the current one; without one, a
    random password is set only on creation, so a rerun never locks anybody out.
    """
    ensure_organisers_group(sender=None)
    user, created = get_user_model().objects.get_or_create(
        username=ORGANISER_USERNAME,
        defaults={"email": "organiser@eurometropole.example.org", "is_staff": True},
    )
    user.groups.add(Group.objects.get(name=settings.ORGANISERS_GROUP))
    generated = None
    if not password and created:
        password = generated = secrets.token_urlsafe(12)
    if password and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return created, generated


@transaction.atomic
def load(organiser_password: str | None = None) -> Summary:
    directory = _load_directory()
    themes = {
        slug: Theme.objects.get_or_create(slug=slug, defaults={"name_fr": fr, "name_nl": nl})[0]
        for slug, fr, nl in THEMES
    }
    today = timezone.localdate()
    past_year = today.year if today.month > 1 else today.year - 1
    created, generated = ensure_organiser(organiser_password)
    organiser = get_user_model().objects.get(username=ORGANISER_USERNAME)
    past = _load_programme(past_year)
    for plan in PAST_PLANS:
        # What happened at it: who came (scanned in by the organiser), the workshops
        # that make its booklet, and the plenary's slides.
        meeting = _load_meeting(past, plan, *directory, themes)
        load_synthesis(meeting, organiser)
        load_documents(meeting)
        approve_and_close(meeting, organiser)
    upcoming = _load_programme(today.year + 1)
    for plan in NEXT_YEAR_PLANS:
        meeting = _load_meeting(upcoming, plan, *directory, themes)
        if plan.key == SITE_VISIT_PLAN:
            load_site_visit(meeting)
        if plan.key == CANCELLED_PLAN:
            meeting_cancel(meeting, reason=CANCELLATION_REASON)
    return Summary(
        organisations=Organisation.objects.count(),
        people=Person.objects.count(),
        themes=Theme.objects.count(),
        programmes=[
            (
                programme.year,
                programme.meetings.filter(status=Meeting.Status.PUBLISHED).count(),
                programme.meetings.filter(status=Meeting.Status.CANCELLED).count(),
            )
            for programme in (past, upcoming)
        ],
        organiser_created=created,
        generated_password=generated,
    )
