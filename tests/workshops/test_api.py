"""The workshops API: who may call what, and the plan (workshops, questions, tables,
rounds, orientations) built and changed through it, refusals writing nothing."""

import pytest
from django.test import Client

from meetings.services.signin import person_user
from tests.factories import MeetingFactory, cross_border_pair
from workshops import devices
from workshops.models import Question, Round, Table, Workshop
from workshops.printouts import table_link
from workshops.services.tables import table_create, table_token_renew
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.django_db

JSON = "application/json"


def call(client, method, path, body=None, **headers):
    # The test client would send a DELETE's missing body as the text "None".
    body = {} if body is None else body
    return getattr(client, method)(f"/api{path}", body, content_type=JSON, headers=headers or None)


def endpoints(workshop):
    """One call per kind of endpoint: reads, writes, the phones' ones."""
    return [
        ("get", f"/workshops/{workshop.pk}", None),
        ("patch", f"/workshops/{workshop.pk}", {"room": "B"}),
        ("get", f"/meetings/{workshop.meeting_id}/workshops", None),
        ("post", f"/workshops/{workshop.pk}/timer", {"action": "start"}),
        ("get", f"/workshops/{workshop.pk}/timer", None),
        ("get", f"/workshops/{workshop.pk}/contributions", None),
        ("post", f"/workshops/{workshop.pk}/contributions", {"text": "Un bus"}),
        ("post", f"/workshops/{workshop.pk}/questions", {"text_fr": "Pourquoi ?"}),
        ("get", f"/workshops/{workshop.pk}/suggestions", None),
    ]


# --- Who may call --------------------------------------------------------------------


def test_anonymous_callers_get_401_with_a_sentence(client, workshop):
    for method, path, body in endpoints(workshop):
        response = call(client, method, path, body, **{"Accept-Language": "en"})
        assert response.status_code == 401, path
        assert response.json()["detail"] == (
            "Sign in as a facilitator of this meeting, or scan the QR code on your table."
        )
    assert Question.objects.filter(workshop=workshop).count() == 2


def test_another_meetings_facilitator_gets_403_and_changes_nothing(client, workshop):
    other = MeetingFactory(programme=workshop.meeting.programme)
    mayor, _burgomaster = cross_border_pair(other)
    client.force_login(person_user(mayor.person))
    for method, path, body in endpoints(workshop):
        response = call(client, method, path, body)
        assert response.status_code == 403, path
        assert "Only the organisers and facilitators of this meeting" in response.json()["detail"]
    assert Workshop.objects.get().room == "Salle 1"
    assert not workshop.contributions.exists()


def test_the_organisers_key_opens_every_workshop(api_client, workshop):
    assert api_client.get(f"/api/workshops/{workshop.pk}").status_code == 200
    assert call(api_client, "post", f"/workshops/{workshop.pk}/timer", {"action": "start"}).json()[
        "state"
    ] == ("running")


def test_a_session_write_needs_the_csrf_token(facilitator, workshop):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(facilitator)
    path = f"/workshops/{workshop.pk}/timer"

    refused = call(browser, "post", path, {"action": "start"})
    assert refused.status_code == 403
    assert not Round.objects.filter(state=Round.State.RUNNING).exists()

    browser.get(f"/en/facilitate/workshops/{workshop.pk}/")
    token = browser.cookies["csrftoken"].value
    accepted = call(browser, "post", path, {"action": "start"}, **{"X-CSRFToken": token})
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    "token", ["forged-token", "<script>alert(1)</script>", "x" * 65, "stale", "another-workshop"]
)
def test_a_stale_or_forged_table_token_is_refused_with_a_sentence_to_scan_again(
    client, workshop, meeting, token
):
    # A token that names no table is a wrong credential; another workshop's, a place
    # the phone is not.
    status = 404 if token == "another-workshop" else 401
    table = workshop.tables.first()
    if token == "stale":
        old = table.token
        table_token_renew(table)
        token = old
    elif token == "another-workshop":
        other = workshop_create(meeting, title_fr="Emploi")
        token = table_create(other, "Table A").token
    # The phone's identity is in order: the page signed it for this token.
    device = devices.device_issue(table.pk, token)
    headers = {"X-Table-Token": token, "X-Device": device, "Accept-Language": "en"}

    for method, path, body in [
        ("get", f"/workshops/{workshop.pk}/timer", None),
        ("get", f"/workshops/{workshop.pk}/contributions", None),
        ("post", f"/workshops/{workshop.pk}/contributions", {"text": "Un bus"}),
    ]:
        response = call(client, method, path, body, **headers)
        assert response.status_code == status, path
        assert "scan the code on your table again" in response.json()["detail"]
    assert not workshop.contributions.exists()


@pytest.mark.parametrize("device", [None, "", "short", "x" * 65, "<script>1234"])
def test_a_phone_without_a_valid_device_id_is_refused(client, workshop, phone, device):
    headers = {"X-Table-Token": phone()["X-Table-Token"]}
    if device is not None:
        headers["X-Device"] = device
    response = call(
        client, "post", f"/workshops/{workshop.pk}/contributions", {"text": "Un bus"}, **headers
    )
    assert response.status_code == 422
    assert "device id" in response.json()["detail"]


def test_a_table_token_opens_nothing_of_the_facilitators(client, workshop, phone):
    for method, path, body in [
        ("get", f"/workshops/{workshop.pk}", None),
        ("post", f"/workshops/{workshop.pk}/timer", {"action": "start"}),
        ("post", f"/workshops/{workshop.pk}/vote", {"open": True}),
    ]:
        assert call(client, method, path, body, **phone()).status_code == 401, path


# --- The plan ----------------------------------------------------------------------------


def test_a_facilitator_builds_a_workshop_from_scratch(facilitator_client, meeting):
    created = call(
        facilitator_client,
        "post",
        f"/meetings/{meeting.pk}/workshops",
        {"title_fr": "Santé <b>&</b> 🚑", "room": "Salle B", "vote_limit": 4},
    )
    assert created.status_code == 201
    workshop = created.json()
    assert (workshop["title"], workshop["title_nl"], workshop["status"]) == (
        "Santé <b>&</b> 🚑",
        "",
        "open",
    )
    base = f"/workshops/{workshop['id']}"

    question = call(facilitator_client, "post", f"{base}/questions", {"text_nl": "Hoe?"}).json()
    assert (question["text"], question["text_fr"], question["order"]) == ("Hoe?", "", 1)
    tables = call(facilitator_client, "post", f"{base}/tables", {"count": 3}).json()
    assert [t["name"] for t in tables] == ["Table 1", "Table 2", "Table 3"]
    assert tables[0]["phone_url"].endswith(f"/t/{tables[0]['token']}/")
    assert tables[0]["phone_url"] == table_link(tables[0]["token"])  # what its QR code opens
    named = call(facilitator_client, "post", f"{base}/tables", {"name": " Bar "}).json()
    assert named[0]["name"] == "Bar"
    rounds = [
        call(
            facilitator_client,
            "post",
            f"{base}/rounds",
            {"title_fr": title, "kind": kind, "duration_s": 120, "question": question["id"]},
        ).json()
        for title, kind in [("Écrire", "silent"), ("Voter", "vote")]
    ]
    assert [(r["order"], r["state"], r["question"]) for r in rounds] == [
        (1, "planned", question["id"]),
        (2, "planned", question["id"]),
    ]
    reordered = call(
        facilitator_client,
        "post",
        f"{base}/rounds/order",
        {"rounds": [rounds[1]["id"], rounds[0]["id"]]},
    ).json()
    assert [r["title"] for r in reordered] == ["Voter", "Écrire"]
    orientation = call(facilitator_client, "post", f"{base}/orientations", {"title_fr": "Soins"})
    assert orientation.status_code == 201

    detail = facilitator_client.get(f"/api{base}").json()
    assert [r["title"] for r in detail["rounds"]] == ["Voter", "Écrire"]
    assert [t["name"] for t in detail["tables"]] == ["Table 1", "Table 2", "Table 3", "Bar"]
    assert [o["title"] for o in detail["orientations"]] == ["Soins"]
    listed = facilitator_client.get(f"/api/meetings/{meeting.pk}/workshops").json()["results"]
    assert [(w["id"], w["contribution_count"], len(w["rounds"])) for w in listed] == [
        (workshop["id"], 0, 2)
    ]


def test_reads_of_the_plan_take_a_fixed_number_of_queries(
    facilitator_client, workshop, meeting, django_assert_max_num_queries
):
    workshop_create(meeting, title_fr="Deuxième")
    with django_assert_max_num_queries(12):
        detail = facilitator_client.get(f"/api/workshops/{workshop.pk}").json()
    assert (len(detail["questions"]), len(detail["rounds"]), len(detail["tables"])) == (2, 3, 2)
    assert [f["name"] for f in detail["facilitators"]] == []
    with django_assert_max_num_queries(8):
        listed = facilitator_client.get(f"/api/meetings/{meeting.pk}/workshops").json()
    assert listed["count"] == 2


def test_patches_change_only_what_they_send(facilitator_client, workshop, meeting):
    question = workshop.questions.get(order=1)
    first, second = workshop.rounds.order_by("order")[:2]
    orientation = workshop.orientations.first()
    person_ids = list(meeting.cofacilitators.values_list("person_id", flat=True))

    patched = call(
        facilitator_client,
        "patch",
        f"/workshops/{workshop.pk}",
        {"room": "<b>Salle 2</b>", "facilitators": person_ids},
    ).json()
    assert (patched["room"], patched["title"]) == ("<b>Salle 2</b>", "Mobilité")
    assert sorted(f["id"] for f in patched["facilitators"]) == sorted(person_ids)
    text = call(facilitator_client, "patch", f"/questions/{question.pk}", {"text_nl": "Hoe? 🚲"})
    assert text.json()["text_fr"] == "Comment relier nos communes ?"
    unlinked = call(facilitator_client, "patch", f"/rounds/{first.pk}", {"question": None}).json()
    assert (unlinked["question"], unlinked["title"]) == (None, "Écriture")
    renamed = call(
        facilitator_client, "patch", f"/orientations/{orientation.pk}", {"title_nl": "Vervoer"}
    ).json()
    assert (renamed["title_fr"], renamed["title_nl"]) == ("Transports", "Vervoer")

    assert call(facilitator_client, "delete", f"/questions/{question.pk}").status_code == 204
    assert call(facilitator_client, "delete", f"/orientations/{orientation.pk}").status_code == 204
    assert call(facilitator_client, "delete", f"/rounds/{second.pk}").status_code == 204
    assert list(workshop.rounds.values_list("title_fr", flat=True)) == ["Écriture", "Vote"]


def test_a_renewed_table_token_replaces_the_old_one(facilitator_client, workshop, phone, committed):
    table = workshop.tables.first()
    old = phone()
    assert call(Client(), "get", f"/workshops/{workshop.pk}/timer", **old).status_code == 200

    renewed = committed(call, facilitator_client, "post", f"/tables/{table.pk}/renew").json()

    assert renewed["token"] != old["X-Table-Token"]
    assert Table.objects.get(pk=table.pk).token == renewed["token"]
    stale = call(Client(), "get", f"/workshops/{workshop.pk}/timer", **old)
    assert stale.status_code == 401
    # The phone's identity was the old code's: scanning the new one gives a new one.
    rescanned = {**old, "X-Table-Token": renewed["token"]}
    assert call(Client(), "get", f"/workshops/{workshop.pk}/timer", **rescanned).status_code == 422
    fresh = {**rescanned, "X-Device": devices.device_issue(table.pk, renewed["token"])}
    assert call(Client(), "get", f"/workshops/{workshop.pk}/timer", **fresh).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        (
            "post",
            "/meetings/{meeting}/workshops",
            {"title_fr": " ", "title_nl": ""},
            422,
            "title_fr",
        ),
        (
            "post",
            "/meetings/{meeting}/workshops",
            {"title_fr": "A", "vote_limit": 0},
            422,
            "__all__",
        ),
        ("patch", "/workshops/{workshop}", {"facilitators": [999999]}, 422, "facilitators"),
        ("patch", "/workshops/{workshop}", {"facilitators": [2**64]}, 422, "facilitators"),
        ("patch", "/workshops/{workshop}", {"colour": "red"}, 422, None),
        (
            "post",
            "/workshops/{workshop}/rounds",
            {"title_fr": "A", "duration_s": 5},
            422,
            "__all__",
        ),
        (
            "post",
            "/workshops/{workshop}/rounds",
            {"title_fr": "A", "question": 999999},
            422,
            "question",
        ),
        ("post", "/workshops/{workshop}/rounds/order", {"rounds": [1]}, 422, "rounds"),
        ("post", "/workshops/{workshop}/tables", {"count": 51}, 422, "count"),
        ("post", "/workshops/{workshop}/tables", {"name": "A", "count": 2}, 422, "name"),
        ("post", "/workshops/{workshop}/tables", {"name": "Table 1"}, 422, "__all__"),
        ("post", "/workshops/{workshop}/questions", {"text_fr": ""}, 422, "text_fr"),
        ("post", "/workshops/{workshop}/orientations", {}, 422, "title_fr"),
        ("get", "/workshops/999999", None, 404, None),
        ("patch", "/rounds/999999", {"title_fr": "A"}, 404, None),
    ],
)
def test_invalid_plans_are_refused_and_write_nothing(
    facilitator_client, workshop, meeting, method, path, body, status, field
):
    before = [
        list(model.objects.order_by("pk").values()) for model in (Workshop, Question, Round, Table)
    ]
    response = call(
        facilitator_client, method, path.format(meeting=meeting.pk, workshop=workshop.pk), body
    )

    assert response.status_code == status
    if field:
        assert isinstance(response.json()["detail"], str)
        assert field in response.json()["errors"]
    after = [
        list(model.objects.order_by("pk").values()) for model in (Workshop, Question, Round, Table)
    ]
    assert after == before


def test_a_started_round_keeps_its_duration_and_a_running_one_its_place(
    facilitator_client, workshop
):
    first = workshop.rounds.get(order=1)
    call(facilitator_client, "post", f"/workshops/{workshop.pk}/timer", {"action": "start"})

    duration = call(facilitator_client, "patch", f"/rounds/{first.pk}", {"duration_s": 900})
    deletion = call(facilitator_client, "delete", f"/rounds/{first.pk}")

    assert duration.status_code == deletion.status_code == 409
    assert "add or remove time with the timer" in duration.json()["detail"]
    assert deletion.json()["detail"] == "Finish this round before deleting it."
    assert Round.objects.get(pk=first.pk).duration_s == 300


def test_close_reopen_and_the_vote_switch(facilitator_client, workshop):
    base = f"/workshops/{workshop.pk}"
    assert call(facilitator_client, "post", f"{base}/vote", {"open": True}).json()["vote_open"]
    closed = call(facilitator_client, "post", f"{base}/close").json()
    assert (closed["status"], closed["vote_open"]) == ("closed", False)
    assert closed["closed_at"]
    refused = call(facilitator_client, "post", f"{base}/vote", {"open": True})
    assert refused.status_code == 409
    assert call(facilitator_client, "patch", base, {"room": "C"}).status_code == 409
    reopened = call(facilitator_client, "post", f"{base}/reopen").json()
    assert (reopened["status"], reopened["closed_at"]) == ("open", None)


def test_the_openapi_document_describes_the_workshops_api(client, db):
    schema = client.get("/api/openapi.json").json()

    timer = schema["paths"]["/api/workshops/{workshop_id}/timer"]
    assert set(timer["get"]["responses"]) >= {"200", "304", "401", "403", "404"}
    assert {"TimerTableToken", "AnySession", "OrganiserBearer"} <= {
        name for item in timer["get"]["security"] for name in item
    }
    postits = schema["paths"]["/api/workshops/{workshop_id}/contributions"]["post"]
    assert "429" in postits["responses"]
    assert {"TimerOut", "ContributionOut", "WorkshopOut", "ErrorOut"} <= set(
        schema["components"]["schemas"]
    )


@pytest.mark.parametrize(
    "path", ["/workshops/{workshop}/timer", "/workshops/{workshop}/contributions"]
)
def test_an_empty_table_token_is_a_wrong_one_even_beside_an_organisers_key(
    api_client, workshop, path
):
    """A credential sent and wrong is refused, as a wrong key is: read as "no token",
    the empty header let the key beside it through."""
    path = path.format(workshop=workshop.pk)
    assert call(api_client, "get", path).status_code == 200

    response = call(api_client, "get", path, **{"X-Table-Token": ""})

    assert response.status_code == 401
    assert "QR code" in response.json()["detail"]


def test_a_made_up_token_posting_a_postit_is_told_to_scan_again_before_its_device(client, workshop):
    response = call(
        client,
        "post",
        f"/workshops/{workshop.pk}/contributions",
        {"text": "Un bus"},
        **{"X-Table-Token": "made-up-token", "Accept-Language": "en"},
    )

    assert response.status_code == 401
    assert "scan the code on your table again" in response.json()["detail"]
