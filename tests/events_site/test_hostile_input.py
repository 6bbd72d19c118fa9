"""Hostile input gets a 4xx with a sentence, never a 500.

Every route of the URL map and every operation of the API is asked, with a NUL byte in
each part of the request a client controls: each path segment, a query value, and each
text field of a body. The paths carry real ids and tokens, so that without the guard
each request would reach its view. One set of objects serves every route: the requests
it answers write nothing.
"""

import json
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import translation
from django.utils.regex_helper import normalize

from events_site.api import api
from events_site.kit.schemas import LIST_MAX
from meetings.auth import api_key_create
from meetings.models import Meeting
from registrations.models import Invitation
from tests.factories import MeetingFactory, ProgrammeFactory, cross_border_pair
from tests.world import one_of_each, webhook_ids
from workshops.models import Table

pytestmark = pytest.mark.django_db

NUL_TEXT = "a\x00b"
WRITES = ("post", "put", "patch", "delete")
DOCUMENT = api.get_openapi_schema()


def _routes(patterns=None, parents=(), namespace=""):
    """Every URL pattern of the site: the chain of patterns down to it, and its name."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, (*parents, entry.pattern), inner)
        else:
            yield (*parents, entry.pattern), f"{namespace}{entry.name or ''}"


ROUTES = list(_routes())
OPERATIONS = [
    (method, path, operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
]


def _kinds(schema: dict) -> list[dict]:
    """The alternatives a schema allows, its references followed."""
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    alternatives = schema.get("anyOf") or schema.get("allOf")
    return [kind for part in alternatives for kind in _kinds(part)] if alternatives else [schema]


def _body_fields(operation: dict):
    """Each field of the operation's JSON body, with the kinds of value it takes."""
    media = operation.get("requestBody", {}).get("content", {}).get("application/json")
    for body in _kinds(media["schema"]) if media else ():
        for name, field in body.get("properties", {}).items():
            yield name, _kinds(field)


def _text_value(kinds: list[dict]):
    """A value with a NUL for a field that holds text, or a list of texts."""
    for kind in kinds:
        if kind.get("type") == "string":
            return NUL_TEXT
        if kind.get("type") == "array" and _kinds(kind["items"])[0].get("type") == "string":
            return [NUL_TEXT]
    return None


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Ids and tokens by the names the paths give them, made once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        meeting = MeetingFactory(programme=ProgrammeFactory(year=2027))
        cross_border_pair(meeting)
        values = one_of_each(meeting)
        organiser = User.objects.create_superuser("organiser", "organiser@example.org", "pw")
        invited = Invitation.objects.create(
            meeting=meeting, person=meeting.cofacilitators.first().person
        )
        values |= webhook_ids(organiser) | {
            "organiser": organiser,
            "key": api_key_create(organiser, "tests")[1],
            "invitation_token": invited.token,
            "table_token": Table.objects.get(pk=values["table_id"]).token,
            # The admin's and the fallback's own parameters.
            "object_id": meeting.pk,
            "content_type_id": ContentType.objects.get_for_model(Meeting).pk,
            "id": organiser.pk,
            "app_label": "meetings",
            "url": "meetings/meeting/",
            "lang": "de",
            "rest": "programme/",
        }
        yield values
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def visitor(world, django_db_blocker):
    """An organiser, signed in and with an API key, who reads English."""
    client = Client(
        raise_request_exception=False,
        HTTP_ACCEPT_LANGUAGE="en",
        HTTP_AUTHORIZATION=f"Bearer {world['key']}",
    )
    with django_db_blocker.unblock():
        client.force_login(world["organiser"])
    return client


# Which object a route's `pk` or `token` is, by the route's name.
_PK_OF = {
    "facilitate:qr": "table_id",
    "facilitate:round_move": "round_id",
    "facilitate:rounds_update": "round_id",
    "facilitate:rounds_delete": "round_id",
    "facilitate:questions_update": "question_id",
    "facilitate:questions_delete": "question_id",
    "facilitate:orientations_update": "orientation_id",
    "facilitate:orientations_delete": "orientation_id",
    "facilitate:poll_option_delete": "option_id",
}
_TOKEN_OF = {"registrations:invitation": "invitation_token", "screen:phone": "table_token"}
# A `kind` other than the world's (an export's): the booklet's editable copies.
_KIND_OF = {"reports:booklet_copy_download": "docx"}


def _route_path(parts, name: str, world: dict) -> str:
    """The route's address with real values, built as `reverse` builds it."""
    values = dict(world)
    if name in _PK_OF:
        values["pk"] = world[_PK_OF[name]]
    values["token"] = world[_TOKEN_OF.get(name, "token")]
    values["kind"] = _KIND_OF.get(name, world["kind"])
    with translation.override("en"):
        path = "".join(normalize(part.regex.pattern)[0][0] for part in parts)
    return "/" + path % {key: str(value) for key, value in values.items()}


def _with_nul_in_each_segment(path: str):
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment:
            poisoned = [
                *segments[:index],
                segment[:1] + "\x00" + segment[1:],
                *segments[index + 1 :],
            ]
            yield quote("/".join(poisoned))


def _refused_for_the_nul(response, status: int) -> bool:
    if response.status_code != status:
        return False
    if response["Content-Type"].startswith("application/json"):
        text = response.json()["detail"]
    else:
        text = response.content.decode()
    return "control character" in text


def _expected(url: str) -> int:
    """The API documents a 422 for what it cannot read; a NUL in its own prefix makes
    the address a page's."""
    return 422 if url.startswith("/api/") else 400


def _not_refused(answers):
    """The requests not answered with the control-character sentence and the status
    expected (400 for a page's address and query, 422 for anything sent to the API, as
    every operation documents)."""
    return [
        (method, path, payload, response.status_code)
        for method, path, payload, response, status in answers
        if not _refused_for_the_nul(response, status)
    ]


@pytest.mark.parametrize(
    ("parts", "name"), ROUTES, ids=["".join(map(str, parts)) for parts, _name in ROUTES]
)
def test_a_nul_anywhere_in_a_route_is_refused_with_a_sentence(parts, name, world, visitor):
    path = _route_path(parts, name, world)
    answers = [
        ("GET", url, None, visitor.get(url), _expected(url))
        for url in _with_nul_in_each_segment(path)
    ]
    query = {"lang": "en", "theme": NUL_TEXT}
    answers.append(("GET", path, query, visitor.get(path, query), _expected(path)))
    if not path.startswith("/api/"):
        form = urlencode({"notes": NUL_TEXT})
        posted = visitor.post(path, form, content_type="application/x-www-form-urlencoded")
        answers.append(("POST", path, form, posted, 400))

    assert _not_refused(answers) == []


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{method.upper()} {path}" for method, path, _operation in OPERATIONS],
)
def test_a_nul_anywhere_in_an_api_operation_is_refused_with_a_sentence(
    method, path, operation, world, visitor
):
    real = path.format(**world)
    answers = [
        (method, url, None, visitor.generic(method.upper(), url), _expected(url))
        for url in _with_nul_in_each_segment(real)
    ]
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            url = f"{real}?{urlencode({parameter['name']: NUL_TEXT})}"
            answers.append((method, url, None, visitor.generic(method.upper(), url), 422))
    for name, kinds in _body_fields(operation):
        value = _text_value(kinds)
        if value is not None:
            body = json.dumps({name: value})
            sent = visitor.generic(method.upper(), real, body, content_type="application/json")
            answers.append((method, real, body, sent, 422))

    assert _not_refused(answers) == []


WRITE_OPERATIONS = [(method, path) for method, path, _operation in OPERATIONS if method in WRITES]


@pytest.mark.parametrize(
    ("method", "path"), WRITE_OPERATIONS, ids=[f"{m.upper()} {p}" for m, p in WRITE_OPERATIONS]
)
def test_every_write_refuses_a_body_that_is_not_a_json_object(method, path, world, visitor):
    answers = {
        body: visitor.generic(
            method.upper(), path.format(**world), body, content_type="application/json"
        )
        for body in ("[]", '"x"', "1", "null")
    }

    assert {
        body: (response.status_code, "JSON object" in response.json()["detail"])
        for body, response in answers.items()
    } == dict.fromkeys(answers, (422, True))


LISTS = [
    (method, path, name, kinds)
    for method, path, operation in OPERATIONS
    for name, kinds in _body_fields(operation)
    if any(kind.get("type") == "array" for kind in kinds)
]


@pytest.mark.parametrize(
    ("method", "path", "name", "kinds"),
    LISTS,
    ids=[f"{method.upper()} {path} {name}" for method, path, name, _kinds in LISTS],
)
def test_every_list_the_api_takes_has_a_documented_limit_and_is_refused_beyond(
    method, path, name, kinds, world, visitor
):
    (listed,) = [kind for kind in kinds if kind.get("type") == "array"]
    item = 1 if _kinds(listed["items"])[0].get("type") == "integer" else "fr"
    limit = listed.get("maxItems")
    assert limit and limit <= LIST_MAX
    body = json.dumps({name: [item] * (limit + 1)})

    response = visitor.generic(
        method.upper(), path.format(**world), body, content_type="application/json"
    )

    assert response.status_code == 422
    assert str(limit) in " ".join(response.json()["errors"][name])
