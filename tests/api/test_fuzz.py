"""Every operation of the API, fed what its OpenAPI schema allows and what it does not,
by schemathesis: never a server error, and every answer as the document describes it.

The cases are derived from a fixed seed (`derandomize`), so CI replays the same ones;
ids in paths are those of real objects, so that the cases reach past "not found". A
first run of this kind, against the demo site, found ids beyond any key and unknown
time zones turning into 500s.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from registrations.services import registration_create
from reports.services import booklet_request
from tasks.models import Delivery
from tests.factories import OrganisationFactory, PersonFactory
from tests.registrations.conftest import registration_data
from workshops import services as workshops

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

# Not only "no server error": every answer's status, content type and body are the ones
# the document gives for that operation.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _connection_kept():
    """The WSGI application is called in this test's own transaction; at the end of each
    request Django would close the connection. Django's test client keeps it the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def ids(meeting, settings):
    """The id each path parameter names, by its name: one of each kind of object."""
    # One client sends every case: the per-address limits would answer most with 429.
    settings.REGISTRATION_THROTTLE_RATE = ""
    settings.WORKSHOP_TABLE_THROTTLE_RATE = settings.WORKSHOP_DEVICE_THROTTLE_RATE = ""
    registration, _created = registration_create(meeting, data=registration_data())
    workshop = workshops.workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    question = workshops.question_create(workshop, text_fr="Comment relier nos communes ?")
    workshops.round_create(
        workshop, title_fr="Écriture", kind="silent", duration_s=300, question=question
    )
    workshops.tables_create(workshop, 2)
    workshops.orientation_create(workshop, title_fr="Transports")
    contribution = workshops.contribution_create(workshop, text="Un bus de nuit")
    return {
        "year": meeting.programme.year,
        "meeting_id": meeting.pk,
        "cofacilitator_id": meeting.cofacilitators.first().pk,
        "organisation_id": OrganisationFactory().pk,
        "person_id": PersonFactory().pk,
        "registration_id": registration.pk,
        "token": registration.manage_token,
        "delivery_id": Delivery.objects.first().pk,
        "job_id": booklet_request(meeting, "fr")[0].pk,
        "workshop_id": workshop.pk,
        "round_id": workshop.rounds.first().pk,
        "table_id": workshop.tables.first().pk,
        "question_id": workshop.questions.first().pk,
        "orientation_id": workshop.orientations.first().pk,
        "contribution_id": contribution.pk,
    }


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case, ids, organiser_key):
    if case.path_parameters:
        case.path_parameters = {
            name: ids.get(name, value) for name, value in case.path_parameters.items()
        }
    response = case.call(headers={"Authorization": f"Bearer {organiser_key}"})

    case.validate_response(response, checks=CONFORMANCE)
