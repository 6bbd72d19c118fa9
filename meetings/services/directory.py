"""The directory: organisations and people.

Changing a person's organisation or an organisation's country re-checks the pairs of the
published meetings it touches (`pairs`).
"""

from django.db import transaction

from ..models import Organisation, Person
from ._common import _validated_save
from .pairs import _pair_keep, _pairs_lock


def organisation_create(**data) -> Organisation:
    organisation = Organisation()
    _validated_save(organisation, data)
    return organisation


@transaction.atomic
def organisation_update(organisation: Organisation, **data) -> Organisation:
    meetings = _pairs_lock(person__organisation=organisation)
    _validated_save(organisation, data)
    for meeting in meetings:
        _pair_keep(meeting)
    return organisation


def person_create(**data) -> Person:
    person = Person()
    _validated_save(person, data)
    return person


@transaction.atomic
def person_update(person: Person, **data) -> Person:
    meetings = _pairs_lock(person=person)
    _validated_save(person, data)
    for meeting in meetings:
        _pair_keep(meeting)
    return person
