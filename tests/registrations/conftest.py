import pytest

from meetings.models import Person
from tests.factories import PersonFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service as a request does: its after-commit jobs (the eager `deliver`) included."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


@pytest.fixture
def marie(db):
    return PersonFactory(
        first_name="Marie",
        last_name="Dupont",
        email="marie.dupont@lille.example",
        preferred_language="fr",
        organisation__country="FR",
    )


@pytest.fixture
def jan(db):
    return PersonFactory(
        first_name="Jan",
        last_name="Peeters",
        email="jan.peeters@kortrijk.example",
        function=Person.Function.BURGOMASTER,
        preferred_language="nl",
        organisation__country="BE",
    )


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client
