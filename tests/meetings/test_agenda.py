"""The agenda of a meeting: its rules (hours, overlaps, offsets) and its API."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetings.errors import AgendaClash, InvalidData, WrongState
from meetings.models import AgendaItem
from meetings.services.agenda import agenda_item_create, agenda_item_update
from meetings.services.meetings import meeting_cancel, meeting_update
from tests.factories import PersonFactory
from tests.meetings.test_admin import admin_url, meeting_form_data

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(meeting, hour, minute=0):
    day = meeting.local_starts_at.date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS)


def at_day(year, month, day, hour):
    return datetime(year, month, day, hour, tzinfo=BRUSSELS)


def item(meeting, hour, minute=0, *, duration=30, title="Plénière", **data):
    data.setdefault("kind", AgendaItem.Kind.PLENARY)
    return agenda_item_create(
        meeting, starts_at=at(meeting, hour, minute), duration_min=duration, title_fr=title, **data
    )


@pytest.fixture
def plenary(meeting):
    """10:00–11:00 in a meeting from 09:30 to 12:30, Brussels time."""
    return item(meeting, 10, duration=60)


def test_an_item_is_kept_as_an_offset_and_moves_with_the_meeting(meeting, plenary):
    assert plenary.start_offset_min == 30
    assert plenary.hours == "10:00–11:00"
    sequence = meeting.sequence
    meeting_update(
        meeting,
        starts_at=meeting.starts_at + timedelta(days=7, hours=1),
        ends_at=meeting.ends_at + timedelta(days=7, hours=1),
    )
    plenary.refresh_from_db()
    assert plenary.hours == "11:00–12:00"
    assert plenary.local_starts_at.date() == (at(meeting, 10) + timedelta(days=7)).date()
    meeting.refresh_from_db()
    assert meeting.sequence == sequence + 1  # the meeting's own rule, once


def test_hours_count_real_minutes_across_a_clock_change():
    from types import SimpleNamespace

    from meetings.models import slot_clock

    # The night Brussels moves from 02:00 to 03:00: a meeting from 01:00 to 05:00.
    start = datetime(2027, 3, 28, 1, 0, tzinfo=BRUSSELS)
    hours = slot_clock(start, start + timedelta(hours=3), BRUSSELS)
    assert hours(SimpleNamespace(start_offset_min=30, duration_min=60)) == "01:30–03:30"
    steady = slot_clock(at_day(2027, 3, 12, 23), at_day(2027, 3, 13, 2), BRUSSELS)
    assert steady(SimpleNamespace(start_offset_min=50, duration_min=20)) == "23:50–00:10"


def test_an_overlap_is_refused_with_a_sentence_naming_both(meeting, plenary):
    with pytest.raises(AgendaClash) as refusal:
        item(meeting, 10, 30, duration=15, title="Pause", kind=AgendaItem.Kind.BREAK)
    assert refusal.value.message == "«Pause» (10:30–10:45) overlaps «Plénière» (10:00–11:00)."
    assert refusal.value.code == "conflict"
    assert AgendaItem.objects.count() == 1


def test_items_that_touch_do_not_overlap(meeting, plenary):
    item(meeting, 9, 30, duration=30, title="Accueil", kind=AgendaItem.Kind.WELCOME)
    item(meeting, 11, duration=90, title="Ateliers", kind=AgendaItem.Kind.WORKSHOPS)
    assert [i.title for i in meeting.agenda_items.all()] == ["Accueil", "Plénière", "Ateliers"]


@pytest.mark.parametrize(("hour", "minute", "duration"), [(9, 0, 15), (12, 15, 30), (9, 15, 30)])
def test_an_item_outside_the_meetings_hours_is_refused(meeting, hour, minute, duration):
    with pytest.raises(InvalidData) as refusal:
        item(meeting, hour, minute, duration=duration, title="Clôture")
    assert "outside the meeting's hours (09:30–12:30)" in refusal.value.message
    assert refusal.value.code == "invalid"


def test_moving_an_item_onto_another_is_refused_and_changes_nothing(meeting, plenary):
    pause = item(meeting, 11, duration=15, title="Pause", kind=AgendaItem.Kind.BREAK)
    with pytest.raises(AgendaClash):
        agenda_item_update(pause, starts_at=at(meeting, 10, 45))
    pause.refresh_from_db()
    assert pause.start_offset_min == 90
    agenda_item_update(pause, duration_min=30, title_nl="Pauze")
    pause.refresh_from_db()
    assert (pause.duration_min, pause.title_nl) == (30, "Pauze")


def test_the_meeting_cannot_end_before_its_agenda(meeting, plenary):
    with pytest.raises(InvalidData) as refusal:
        meeting_update(meeting, ends_at=at(meeting, 10, 30))
    assert "The agenda runs until 11:00" in refusal.value.message


def test_only_a_site_visit_has_an_address_with_a_map_link(meeting):
    with pytest.raises(InvalidData):
        item(meeting, 10, address="Rue du Moulin 3, Comines")
    visit = item(meeting, 10, kind=AgendaItem.Kind.SITE_VISIT, address="Rue du Moulin 3, Comines")
    assert visit.map_url == (
        "https://www.openstreetmap.org/search?query=Rue+du+Moulin+3%2C+Comines"
    )


def test_speakers_from_the_directory_or_by_name(meeting):
    person = PersonFactory(first_name="Anne", last_name="Lefèvre")
    talk = item(
        meeting,
        10,
        kind=AgendaItem.Kind.TALK,
        speakers=[{"person": person}, {"name": "<b>Jo & Zoë</b> 🌱", "role": "DREAL"}],
    )
    assert [(s.display_name, s.display_role) for s in talk.speakers.all()] == [
        ("Anne Lefèvre", f"{person.get_function_display()}, {person.organisation.name}"),
        ("<b>Jo & Zoë</b> 🌱", "DREAL"),
    ]
    with pytest.raises(InvalidData):
        agenda_item_update(talk, speakers=[{"role": "nobody"}])
    assert talk.speakers.count() == 2


def test_a_title_is_needed_in_one_language(meeting):
    with pytest.raises(InvalidData):
        item(meeting, 10, title="")


def test_a_cancelled_meeting_takes_no_agenda(meeting):
    meeting_cancel(meeting)
    with pytest.raises(WrongState):
        item(meeting, 10)


# --- API ---------------------------------------------------------------------------------


def test_api_creates_reads_patches_and_deletes(api_client, meeting):
    person = PersonFactory()
    response = api_client.post(
        f"/api/meetings/{meeting.pk}/agenda",
        {
            "starts_at": "2027-03-12T10:00:00",
            "duration_min": 45,
            "kind": "site_visit",
            "title_fr": "Visite de la station d'épuration",
            "title_nl": "Bezoek aan de waterzuivering",
            "address": "Rue du Moulin 3, 7780 Comines",
            "speakers": [{"person": person.pk}, {"name": "Jo Peeters", "role": "ingénieur"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"] == "2027-03-12T10:00:00+01:00"
    assert body["ends_at"] == "2027-03-12T10:45:00+01:00"
    assert body["offset_min"] == 30
    assert body["map_url"].startswith("https://www.openstreetmap.org/search?query=Rue+du+Moulin")
    assert [s["name"] for s in body["speakers"]] == [person.full_name, "Jo Peeters"]

    listed = api_client.get(f"/api/meetings/{meeting.pk}/agenda").json()["results"]
    assert [i["id"] for i in listed] == [body["id"]]

    patched = api_client.patch(
        f"/api/agenda/{body['id']}",
        {"starts_at": "2027-03-12T11:00:00", "speakers": []},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["starts_at"] == "2027-03-12T11:00:00+01:00"
    assert patched.json()["speakers"] == []

    assert api_client.delete(f"/api/agenda/{body['id']}").status_code == 204
    assert not AgendaItem.objects.exists()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_api_refuses_an_overlap_with_a_sentence_in_the_callers_language(
    api_client, meeting, plenary, lang
):
    response = api_client.post(
        f"/api/meetings/{meeting.pk}/agenda",
        {"starts_at": "2027-03-12T10:30", "duration_min": 15, "kind": "break", "title_fr": "Pause"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    words = set(detail.rstrip(".").replace("«", " ").replace("»", " ").split())
    assert {"Pause", "(10:30–10:45)", "Plénière", "(10:00–11:00)"} <= words
    assert ("chevauche" if lang == "fr" else "overlapt") in detail


@pytest.mark.parametrize(
    "payload",
    [
        {"starts_at": "2027-03-12T08:00", "duration_min": 15, "kind": "break", "title_fr": "x"},
        {"starts_at": "2027-03-12T10:00", "duration_min": 0, "kind": "break", "title_fr": "x"},
        {"starts_at": "2027-03-12T10:00", "duration_min": 15, "kind": "nap", "title_fr": "x"},
        {"starts_at": "2027-03-12T10:00", "duration_min": 15, "kind": "talk", "title_fr": ""},
        {
            "starts_at": "2027-03-12T10:00",
            "duration_min": 15,
            "kind": "talk",
            "title_fr": "x" * 2000,
        },
        {
            "starts_at": "2027-03-12T10:00",
            "duration_min": 15,
            "kind": "talk",
            "title_fr": "x",
            "speakers": [{"person": 999999}],
        },
    ],
)
def test_api_answers_bad_input_with_a_sentence(api_client, meeting, payload):
    response = api_client.post(
        f"/api/meetings/{meeting.pk}/agenda", payload, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"]


def test_api_writes_are_for_organisers(client, meeting, plenary):
    assert client.get(f"/api/meetings/{meeting.pk}/agenda").status_code == 200
    assert client.delete(f"/api/agenda/{plenary.pk}").status_code == 401
    assert (
        client.patch(
            f"/api/agenda/{plenary.pk}", {"duration_min": 5}, content_type="application/json"
        ).status_code
        == 401
    )


# --- Admin -------------------------------------------------------------------------------


def _row(**values):
    return {"day": "", "duration_min": 30, "kind": "talk", "title_nl": "", **values}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_admin_inline_adds_items_in_the_meetings_time_and_refuses_an_overlap(
    organiser_client, meeting, plenary, lang
):
    rows = [
        _row(id=plenary.pk, start="10:00", duration_min=60, kind="plenary", title_fr="Plénière"),
        _row(start="11:00", title_fr="Retour d'expérience", room="Salle B"),
    ]
    url = admin_url("meeting_change", meeting.pk, lang=lang)
    response = organiser_client.post(url, meeting_form_data(meeting, agenda_rows=rows))
    assert response.status_code == 302, response.context and response.context["errors"]
    added = meeting.agenda_items.get(title_fr="Retour d'expérience")
    assert (added.hours, added.room) == ("11:00–11:30", "Salle B")

    rows.append(_row(start="10:30", duration_min=15, kind="break", title_fr="Pause"))
    rows[1]["id"] = added.pk
    response = organiser_client.post(url, meeting_form_data(meeting, agenda_rows=rows))
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    assert "Pause" in error and "(10:00–11:00)" in error
    assert ("chevauche" if lang == "fr" else "overlapt") in error
    assert meeting.agenda_items.count() == 2


def test_the_admin_inline_lists_items_by_time(organiser_client, meeting, plenary):
    item(meeting, 9, 30, title="Accueil", kind=AgendaItem.Kind.WELCOME)
    body = organiser_client.get(admin_url("meeting_change", meeting.pk)).content.decode()
    assert body.index('value="Accueil"') < body.index('value="Plénière"')


def test_the_items_admin_page_sets_its_speakers(organiser_client, meeting, plenary):
    person = PersonFactory()
    data = {
        "speakers-TOTAL_FORMS": 2,
        "speakers-INITIAL_FORMS": 0,
        "speakers-MIN_NUM_FORMS": 0,
        "speakers-MAX_NUM_FORMS": 1000,
        "speakers-0-person": person.pk,
        "speakers-0-name": "",
        "speakers-0-role": "",
        "speakers-1-person": "",
        "speakers-1-name": "Jo Peeters",
        "speakers-1-role": "DREAL",
    }
    response = organiser_client.post(admin_url("agendaitem_change", plenary.pk), data)
    assert response.status_code == 302
    assert [s.display_name for s in plenary.speakers.all()] == [person.full_name, "Jo Peeters"]


# --- The meeting page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "titles", "partnership"),
    [
        ("fr", ["Accueil", "Plénière", "Ateliers"], "En partenariat avec"),
        ("nl", ["Onthaal", "Plenaire", "Workshops"], "In samenwerking met"),
    ],
)
def test_the_meeting_page_shows_the_agenda_as_a_timeline_by_time(
    client, meeting, lang, titles, partnership, django_assert_max_num_queries
):
    from tests.factories import OrganisationFactory
    from workshops.services.workshops import workshop_create

    meeting_update(meeting, host_organisation=OrganisationFactory(name="Menen <b>&"))
    slot = item(meeting, 11, duration=60, title="Ateliers", title_nl="Workshops", kind="workshops")
    item(meeting, 10, duration=60, title="Plénière", title_nl="Plenaire", room="Salle du conseil")
    item(
        meeting,
        9,
        30,
        title="Accueil",
        title_nl="Onthaal",
        kind="welcome",
        speakers=[{"name": "<script>x</script> 🌱", "role": "hôte"}],
    )
    for title, room in (("Mobilité", "Salle A"), ("Emploi", "Salle B")):
        workshop_create(meeting, title_fr=title, room=room, agenda_item_id=slot.pk)

    with django_assert_max_num_queries(10):
        body = client.get(f"/{lang}/meetings/{meeting.pk}/").content.decode()
    positions = [body.index(f"<strong>{title}</strong>") for title in titles]
    assert positions == sorted(positions)
    assert "09:30–10:00" in body and "11:00–12:00" in body
    assert "Mobilité — Salle A" in body and "Emploi — Salle B" in body
    assert "&lt;script&gt;x&lt;/script&gt; 🌱" in body and "<script>x" not in body
    assert f"{partnership} Menen &lt;b&gt;&amp;" in body


# --- Workshops in a slot -------------------------------------------------------------------


def test_workshops_run_in_a_workshops_slot_of_their_meeting_each_in_its_own_room(
    api_client, meeting, plenary
):
    from tests.factories import MeetingFactory

    slot = item(meeting, 11, duration=60, title="Ateliers", kind="workshops")
    elsewhere = MeetingFactory(programme=meeting.programme)
    other_slot = item(elsewhere, 11, duration=60, title="Ateliers", kind="workshops")

    def create(**data):
        return api_client.post(
            f"/api/meetings/{meeting.pk}/workshops",
            {"title_fr": "Mobilité", **data},
            content_type="application/json",
        )

    first = create(room="Salle A", agenda_item=slot.pk)
    assert first.status_code == 201, first.content
    assert first.json()["agenda_item"] == slot.pk
    for refused in (
        {"room": "salle a", "agenda_item": slot.pk},
        {"agenda_item": plenary.pk},
        {"agenda_item": other_slot.pk},
        {"agenda_item": 999999},
    ):
        response = create(**refused)
        assert response.status_code == 422, (refused, response.content)
        assert response.json()["detail"]
    second = create(room="Salle B")
    patched = api_client.patch(
        f"/api/workshops/{second.json()['id']}",
        {"agenda_item": slot.pk},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["agenda_item"] == slot.pk
    assert [w.room for w in slot.workshops.all()] == ["Salle A", "Salle B"]
    cleared = api_client.patch(
        f"/api/workshops/{second.json()['id']}",
        {"agenda_item": None},
        content_type="application/json",
    )
    assert cleared.json()["agenda_item"] is None
