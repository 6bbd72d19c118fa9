"""The directory: organisations and people.

Changing a person's organisation or an organisation's country re-checks the pairs of the
published meetings it touches (`pairs`).
"""

from collections import Counter

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from ..errors import InUse
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


@transaction.atomic
def organisation_delete(organisation: Organisation) -> None:
    """Only an organisation nothing refers to goes: its people, the meetings it hosts and
    the registrations made in its name would lose what they say (every such relation is
    `PROTECT`, so the database's own list of them, whatever app declares it, is counted)."""
    try:
        organisation.delete()
    except ProtectedError as refusal:
        counts = Counter(type(row) for row in refusal.protected_objects)
        uses = ", ".join(
            f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in sorted(counts.items(), key=lambda item: item[0]._meta.label)
        )
        raise InUse(
            _(
                "“%(name)s” cannot be deleted while %(uses)s refer to it: give them another "
                "organisation first."
            )
            % {"name": organisation.name, "uses": uses}
        ) from None


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
