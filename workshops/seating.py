"""The seating plan: who sits at which table, mixing the border, functions and languages.

A proximity meeting exists so that a French mayor and a Belgian burgomaster talk to each
other: a table of four French officers defeats it. The plan is built from the people
actually checked in, so that it matches the room, and:
- every table gets at least one person from each side of the border, where there are
  at least as many people of that side as tables;
- every table gets a speaker of each working language, where the numbers allow;
- countries, functions (elected or officer) and organisations are spread evenly.

It is a greedy deal, rarest people first, each to the table where they add the most
variety; with a few dozen people and a handful of tables that is instant and near the
best possible, and a facilitator can always move someone by hand.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from meetings.models import Person
from registrations.models import CheckIn, Registration

from .errors import InvalidWorkshopData
from .models import Table, TableSeat, Workshop


@dataclass
class Guest:
    """What the plan weighs about a participant."""

    key: int
    side: str
    language: str
    elected: bool
    organisation: str


@dataclass
class _Place:
    guests: list[Guest] = field(default_factory=list)

    def count(self, attribute: str, value) -> int:
        return sum(1 for guest in self.guests if getattr(guest, attribute) == value)


def seating_deal(guests: list[Guest], tables: int) -> list[list[Guest]]:
    """Deal `guests` over `tables` tables (pure: no database)."""
    if tables < 1:
        raise ValueError("at least one table")
    rarity = Counter()
    for guest in guests:
        rarity.update([("side", guest.side), ("language", guest.language)])
    # The rarest first: they are the ones each table must get one of.
    order = sorted(
        guests,
        key=lambda g: (rarity[("side", g.side)], rarity[("language", g.language)], g.key),
    )
    places = [_Place() for _ in range(tables)]
    for guest in order:
        best = min(
            range(tables),
            key=lambda i: (
                len(places[i].guests),
                places[i].count("side", guest.side),
                places[i].count("language", guest.language),
                places[i].count("elected", guest.elected),
                places[i].count("organisation", guest.organisation),
                i,
            ),
        )
        places[best].guests.append(guest)
    return [place.guests for place in places]


def _guest(registration: Registration) -> Guest:
    country = registration.country
    code = getattr(country, "code", country) or ""
    return Guest(
        key=registration.pk,
        side=code,
        language=registration.language,
        elected=registration.function in Person.ELECTED_FUNCTIONS,
        organisation=registration.organisation_label.casefold(),
    )


def present_registrations(workshop: Workshop) -> QuerySet[Registration]:
    """Everyone checked in at the workshop's meeting, in a stable order (a query set: the
    plan page only counts them)."""
    checked_in = CheckIn.objects.filter(registration__meeting_id=workshop.meeting_id)
    return (
        Registration.objects.filter(pk__in=checked_in.values("registration_id"))
        .select_related("organisation")
        .order_by("pk")
    )


@transaction.atomic
def seating_plan_make(workshop: Workshop) -> dict[Table, list[Registration]]:
    """Replace the workshop's seating plan with a fresh deal of who is in the room."""
    tables = list(workshop.tables.order_by("pk"))
    if not tables:
        raise InvalidWorkshopData(
            _("Add the tables first: the plan seats people at them."),
            {"tables": [_("This workshop has no table.")]},
        )
    registrations = list(present_registrations(workshop))
    if not registrations:
        raise InvalidWorkshopData(
            _("Nobody is checked in yet: the plan is made from the people in the room."),
            {"registrations": [_("No one checked in.")]},
        )
    by_pk = {registration.pk: registration for registration in registrations}
    dealt = seating_deal([_guest(r) for r in registrations], len(tables))
    TableSeat.objects.filter(workshop=workshop).delete()
    TableSeat.objects.bulk_create(
        TableSeat(workshop=workshop, table=table, registration_id=guest.key)
        for table, guests in zip(tables, dealt, strict=True)
        for guest in guests
    )
    return {
        table: [by_pk[guest.key] for guest in guests]
        for table, guests in zip(tables, dealt, strict=True)
    }


def seating_plan(workshop: Workshop) -> dict[Table, list[Registration]]:
    """The stored plan, every table listed (an empty one too), in two queries."""
    plan = {table: [] for table in workshop.tables.order_by("pk")}
    by_pk = {table.pk: table for table in plan}
    seats = TableSeat.objects.filter(workshop=workshop).select_related("registration__organisation")
    for seat in seats.order_by("table_id", "registration__last_name", "registration__first_name"):
        plan[by_pk[seat.table_id]].append(seat.registration)
    return plan


def _language_name(code: str) -> str:
    return str(translation.get_language_info(code)["name_translated"])


def seating_gaps(workshop: Workshop, plan: dict[Table, list[Registration]]) -> list[str]:
    """What a table lacks that the room could have given it, in words for the facilitator."""
    everyone = [r for people in plan.values() for r in people]
    sides = Counter(_guest(r).side for r in everyone)
    languages = Counter(r.language for r in everyone)
    gaps = []
    for table, people in plan.items():
        guests = [_guest(r) for r in people]
        for side in settings.CROSS_BORDER_SIDES:
            if sides[side] >= len(plan) and not any(g.side == side for g in guests):
                gaps.append(
                    _("%(table)s has nobody from %(country)s.")
                    % {"table": table.name, "country": countries.name(side)}
                )
        for language in workshop.meeting.working_languages:
            if languages[language] >= len(plan) and not any(g.language == language for g in guests):
                gaps.append(
                    _("%(table)s has no %(language)s speaker.")
                    % {"table": table.name, "language": _language_name(language)}
                )
    return gaps
