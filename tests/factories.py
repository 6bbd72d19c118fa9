"""Test data that reads like the Lille–Kortrijk–Tournai network."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory

from meetings.models import CoFacilitator, Meeting, Organisation, Person, Programme, Theme

BRUSSELS = ZoneInfo("Europe/Brussels")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Commune {n}")
    kind = Organisation.Kind.MUNICIPALITY
    country = "FR"
    city = factory.LazyAttribute(lambda o: o.name)
    postcode = factory.Sequence(lambda n: f"{59000 + n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    function = Person.Function.MAYOR
    organisation = factory.SubFactory(OrganisationFactory)
    preferred_language = "fr"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Thème {o.slug}")
    name_nl = factory.LazyAttribute(lambda o: f"Thema {o.slug}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("year",)

    year = 2027
    title_fr = factory.LazyAttribute(lambda o: f"Rencontres de proximité {o.year}")
    title_nl = factory.LazyAttribute(lambda o: f"Nabijheidsontmoetingen {o.year}")
    status = Programme.Status.PUBLISHED


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    programme = factory.SubFactory(ProgrammeFactory)
    title_fr = factory.Sequence(lambda n: f"Rencontre {n}")
    title_nl = factory.Sequence(lambda n: f"Ontmoeting {n}")
    starts_at = factory.LazyAttribute(
        lambda o: datetime(o.programme.year, 3, 12, 9, 30, tzinfo=BRUSSELS)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    time_zone = "Europe/Brussels"
    venue_name = "Hôtel de ville"
    venue_address = "Grand-Place 1"
    venue_city = "Mouscron"
    venue_country = "BE"
    capacity = 40
    status = Meeting.Status.PUBLISHED


class CoFacilitatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoFacilitator

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    role = CoFacilitator.Role.CO_FACILITATOR


def cross_border_pair(meeting: Meeting) -> tuple[CoFacilitator, CoFacilitator]:
    """A French mayor and a Belgian burgomaster co-facilitating `meeting`."""
    mayor = CoFacilitatorFactory(
        meeting=meeting,
        person__function=Person.Function.MAYOR,
        person__organisation__country="FR",
    )
    burgomaster = CoFacilitatorFactory(
        meeting=meeting,
        person__function=Person.Function.BURGOMASTER,
        person__organisation__country="BE",
        person__preferred_language="nl",
    )
    return mayor, burgomaster
