"""The OpenAPI document describes what the server does."""

import pytest
from ninja.openapi.schema import OpenAPISchema

from events_site.api import api
from events_site.kit.http_errors import HTTP_STATUS
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
            if documented <= {"404"}:
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
