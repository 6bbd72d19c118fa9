"""The demo's agendas: the past meeting runs like seed 003's launch day (welcome, plenary,
the workshops in parallel, closing), and the upcoming mobility meeting visits a site in
its host commune."""

from datetime import timedelta

from meetings.models import AgendaItem, CoFacilitator, Meeting
from meetings.services.agenda import agenda_item_create

Kind = AgendaItem.Kind

# Minutes after the start, duration, kind, titles, room.
PAST_DAY = [
    (0, 30, Kind.WELCOME, ("Accueil des participants", "Onthaal van de deelnemers"), "Hall"),
    (
        30,
        45,
        Kind.PLENARY,
        (
            "Séance plénière : actualités et fonctionnement du réseau",
            "Plenaire zitting: actualiteit en werking van het netwerk",
        ),
        "Salle du conseil",
    ),
    (75, 75, Kind.WORKSHOPS, ("Ateliers en parallèle", "Parallelle workshops"), ""),
    (150, 30, Kind.CLOSING, ("Clôture et suites", "Afsluiting en vervolg"), "Salle du conseil"),
]
SITE_VISIT_PLAN = "mobilite"


def _item(meeting: Meeting, minutes: int, duration: int, kind, titles, **data) -> AgendaItem:
    return agenda_item_create(
        meeting,
        starts_at=meeting.starts_at + timedelta(minutes=minutes),
        duration_min=duration,
        kind=kind,
        title_fr=titles[0],
        title_nl=titles[1],
        **data,
    )


def load_past_agenda(meeting: Meeting) -> AgendaItem:
    """The launch day's agenda; returns its "workshops" slot, for the workshops to run in.
    The plenary is given by the meeting's co-facilitators and the agency."""
    speakers = [
        {"person": cofacilitator.person}
        for cofacilitator in meeting.cofacilitators.select_related("person").order_by("role", "pk")
    ]
    slot = None
    for minutes, duration, kind, titles, room in PAST_DAY:
        item = _item(
            meeting,
            minutes,
            duration,
            kind,
            titles,
            room=room,
            speakers=speakers if kind == Kind.PLENARY else (),
        )
        if kind == Kind.WORKSHOPS:
            slot = item
    return slot


def load_site_visit(meeting: Meeting) -> None:
    """Welcome, a visit of the cross-border cycle path in the host commune, then a debate;
    a second run does nothing."""
    if meeting.agenda_items.exists():
        return
    host = meeting.host_organisation
    burgomaster = (
        meeting.cofacilitators.filter(
            role=CoFacilitator.Role.CO_FACILITATOR, person__organisation=host
        )
        .select_related("person")
        .first()
    )
    _item(meeting, 0, 20, Kind.WELCOME, ("Accueil", "Onthaal"), room=meeting.venue_name)
    _item(
        meeting,
        20,
        90,
        Kind.SITE_VISIT,
        (
            "Visite de la passerelle cyclable transfrontalière",
            "Bezoek aan de grensoverschrijdende fietsbrug",
        ),
        description_fr="Départ à pied depuis l'hôtel de ville ; prévoir de bonnes chaussures.",
        description_nl="Vertrek te voet aan het stadhuis; stevige schoenen aanbevolen.",
        address=f"Leiekaai, {host.postcode} {host.city}".strip(),
        speakers=[{"person": burgomaster.person}] if burgomaster else (),
    )
    _item(
        meeting,
        120,
        60,
        Kind.PLENARY,
        ("Débat : les prochains itinéraires", "Debat: de volgende routes"),
        room=meeting.venue_name,
    )
