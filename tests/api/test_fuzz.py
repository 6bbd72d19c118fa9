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
from schemathesis.generation.meta import negated_parameters

from tests.world import one_of_each, webhook_ids

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

# Every check schemathesis has runs, with two statuses added to what it expects, each a
# refusal the document gives with a sentence:
# - a request the schema allows may still break a rule between fields or with the data
#   that no JSON schema states (a title in French or in Dutch, a meeting's end after its
#   start, a round that is no poll): 422, under every operation that writes
#   (status-code conformance holds every other answer to the documented statuses);
# - a request the schema forbids may be refused for its size before it is read: 413.
checks = schema.config.checks
for name, status in (("positive_data_acceptance", "422"), ("negative_data_rejection", "413")):
    config = getattr(checks, name)
    setattr(checks, name, type(config)(expected_statuses=[*config.expected_statuses, status]))


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
def ids(meeting, organiser, settings):
    """The id each path parameter names, by its name: one of each kind of object."""
    # One client sends every case: the per-address limits would answer most with 429.
    settings.REGISTRATION_THROTTLE_RATE = ""
    settings.WORKSHOP_TABLE_THROTTLE_RATE = settings.WORKSHOP_DEVICE_THROTTLE_RATE = ""
    return {**one_of_each(meeting), **webhook_ids(organiser)}


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case, ids, organiser_key):
    # What a case breaks on purpose is sent as generated: a real id or the organiser's
    # key in its place would make the request valid, and its acceptance a false alarm.
    negated = {name for name, _location in negated_parameters(case.meta)}
    if case.path_parameters:
        case.path_parameters = {
            name: value if name in negated else ids.get(name, value)
            for name, value in case.path_parameters.items()
        }
    headers = {} if "Authorization" in negated else {"Authorization": f"Bearer {organiser_key}"}
    response = case.call(headers=headers)

    case.validate_response(response, headers=headers)
