"""The directory: organisations and people."""

import pytest

from meetings.errors import InvalidData
from meetings.models import Person
from meetings.services.directory import person_create
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case(db):
    organisation = OrganisationFactory()
    person_create(
        first_name="Anne",
        last_name="Leroy",
        email="anne@example.org",
        function=Person.Function.MAYOR,
        organisation=organisation,
    )
    with pytest.raises(InvalidData, match="already has this email"):
        person_create(
            first_name="Anne",
            last_name="Leroy",
            email="ANNE@example.org",
            function=Person.Function.MAYOR,
            organisation=organisation,
        )
