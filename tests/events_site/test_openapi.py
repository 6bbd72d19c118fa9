"""The OpenAPI document describes what the server does."""

import pytest
from django.conf import settings
from ninja.openapi.schema import OpenAPISchema

from events_site.api import api
from events_site.kit.http_errors import HTTP_STATUS
from meetings.models import Person
from tasks.models import Delivery


@pytest.fixture
def components(monkeypatch):
    """Every definition of every component the document is built from, by name: ninja
    keeps the last one it meets under a name, silently."""
    seen: dict[str, list[dict]] = {}
    add = OpenAPISchema.add_schema_definitions

    def record(self, definitions):
        for name, definition in definitions.items():
            if definition not in seen.setdefault(name, []):
                seen[name].append(definition)
        return add(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", record)
    document = api.get_openapi_schema()
    return document, seen


def test_no_two_schemas_share_a_component_name(components):
    _document, seen = components

    shared = {name: len(definitions) for name, definitions in seen.items() if len(definitions) > 1}

    assert shared == {}


def test_the_delivery_status_filter_documents_the_statuses_the_server_accepts(components):
    document, _seen = components
    operation = document["paths"]["/api/meetings/{meeting_id}/deliveries"]["get"]
    status = next(p for p in operation["parameters"] if p["name"] == "status")
    ref = next(item["$ref"] for item in status["schema"]["anyOf"] if "$ref" in item)

    enum = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]["enum"]

    assert enum == list(Delivery.Status.values)


def test_a_route_that_can_be_refused_documents_every_status_of_the_table(components):
    """The refusals come from the one table (`error_responses`), not from a list per app:
    a route documents each status a domain error may answer, with the body it answers."""
    document, _seen = components
    table = {str(status) for status in HTTP_STATUS.values()}
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = {str(status): answer for status, answer in operation["responses"].items()}
            documented = set(responses) & table
            if documented <= {"404", "422"}:
                continue  # a public read: unknown, or nothing to refuse
            checked += 1
            assert documented == table, f"{method} {path}"
            for status in table:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, f"{method} {path}"

    assert checked > 50


@pytest.mark.parametrize(
    "path",
    [
        "/api/people",
        "/api/people/{person_id}",
        "/api/organisations",
        "/api/organisations/{organisation_id}",
        "/api/programmes",
        "/api/meetings",
        "/api/meetings/{meeting_id}/registrations",
        "/api/meetings/{meeting_id}/invitations",
        "/api/meetings/{meeting_id}/checkins",
        "/api/workshops",
        "/api/meetings/{meeting_id}/workshops",
        "/api/meetings/{meeting_id}/agenda",
        "/api/meetings/{meeting_id}/documents",
    ],
)
def test_the_organisers_reads_are_summarised_described_and_paged(components, path):
    document, _seen = components
    read = document["paths"][path]["get"]
    assert read["summary"] and read["description"]
    assert {401, 403, 404, 422} <= set(read["responses"])
    if not path.endswith("_id}"):
        names = {parameter["name"] for parameter in read["parameters"]}
        assert {"limit", "offset"} <= names


# The names under which the API reads or writes a model field with choices (or a fixed
# set of its own: a check-in's outcome, a timer's state). Schemas here are plain ninja
# `Schema`s, not `ModelSchema`s, so the names are the map from properties to fields.
CHOICE_NAMES = frozenset(
    {
        "function",
        "language",
        "preferred_language",
        "working_languages",
        "interpretation_to",
        "country",
        "organisation_country",
        "venue_country",
        "time_zone",
        "status",
        "workshop_status",
        "kind",
        "visibility",
        "membership",
        "role",
        "method",
        "state",
        "source",
        "outcome",
        "channel",
    }
)
# Properties of those names that are no choice, and why.
FREE_TEXT = {
    ("CoFacilitatorOut", "function"): "the label, in the request's language, to show",
    ("DoorPersonOut", "function"): "the label, in the request's language, to show",
    ("SpeakerIn", "role"): "a speaker's own words (“Director, Eurometropolis”)",
    ("SpeakerOut", "role"): "a speaker's own words",
    ("DeliveryOut", "kind"): "Delivery.kind has no choices: each email template is one",
    ("DeliveryOut", "language"): "Delivery.language has no choices",
    ("get /api/meetings/{meeting_id}/deliveries", "kind"): "the filter of DeliveryOut.kind",
}


def _is_choice(schema: dict, schemas: dict) -> bool:
    if "$ref" in schema:
        return _is_choice(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas)
    if "enum" in schema or "const" in schema:
        return True
    if "items" in schema:
        return _is_choice(schema["items"], schemas)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            alternatives = [s for s in schema[key] if s.get("type") != "null"]
            return all(_is_choice(s, schemas) for s in alternatives)
    return False


def test_every_choice_is_an_enum_of_the_document(components):
    """An integrator's tooling reads the values a field takes from the document, not from
    a description: a choice field documented as a plain string fails here, in a
    schema's properties and in an operation's query parameters alike."""
    document, _seen = components
    schemas = document["components"]["schemas"]
    checked, untyped = [], []
    places = (
        [
            (name, prop, schema)
            for name, component in schemas.items()
            for prop, schema in component.get("properties", {}).items()
        ]
        + [
            (f"{method} {path}", parameter["name"], parameter["schema"])
            for path, operations in document["paths"].items()
            for method, operation in operations.items()
            for parameter in operation.get("parameters", [])
        ]
        + [
            # A form's fields (an upload's) are written inline in the operation, not as a component.
            (f"{method} {path}", prop, schema)
            for path, operations in document["paths"].items()
            for method, operation in operations.items()
            for body in operation.get("requestBody", {}).get("content", {}).values()
            for prop, schema in body["schema"].get("properties", {}).items()
        ]
    )
    for where, prop, schema in places:
        if prop not in CHOICE_NAMES or (where, prop) in FREE_TEXT:
            continue
        checked.append((where, prop))
        if not _is_choice(schema, schemas):
            untyped.append((where, prop))

    assert untyped == []
    assert len(checked) > 60


def test_the_choices_are_the_models(components):
    document, _seen = components
    schemas = document["components"]["schemas"]

    assert schemas["PersonFunction"]["enum"] == list(Person.Function.values)
    assert schemas["Language"]["enum"] == sorted(code for code, _name in settings.LANGUAGES)
    assert "" in schemas["CountryOrNone"]["enum"]
    assert {"FR", "BE", "NL", "LU", "DE"} <= set(schemas["Country"]["enum"])
    assert "" not in schemas["Country"]["enum"]


def _operations(document: dict):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", path, operation


def test_every_operation_is_summarised_described_and_documents_its_refusals(components):
    """What an integrator reads first, for every operation, the next ones included: a
    summary of its own (not ninja's, made of the function's name), a description, every
    refusal in the one `{detail, errors}` shape, 401 and 403 where credentials are asked
    for, and 404 where a path names something."""
    document, _seen = components
    problems = []
    for where, path, operation in _operations(document):
        summary = operation.get("summary", "")
        function = operation["operationId"].replace("_", "").lower()
        if not summary or summary.replace(" ", "").lower() in function:
            problems.append((where, "a summary of its own"))
        if not operation.get("description", "").strip():
            problems.append((where, "a description"))
        responses = {int(status): answer for status, answer in operation["responses"].items()}
        for status, answer in responses.items():
            schema = answer.get("content", {}).get("application/json", {}).get("schema")
            if status >= 400 and schema != {"$ref": "#/components/schemas/ErrorOut"}:
                problems.append((where, f"{status} as ErrorOut"))
        if operation.get("security") and not {401, 403} <= set(responses):
            problems.append((where, "401 and 403"))
        if "{" in path and 404 not in responses:
            problems.append((where, "404"))

    assert problems == []


def test_a_path_id_that_is_no_number_is_a_documented_422(client, components):
    document, _seen = components
    response = client.get("/api/meetings/abc", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert response.json()["errors"] == {"meeting_id": [response.json()["errors"]["meeting_id"][0]]}
    assert 422 in document["paths"]["/api/meetings/{meeting_id}"]["get"]["responses"]
