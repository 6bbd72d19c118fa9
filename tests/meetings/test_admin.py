"""The organisers' admin: it renders for organisers in both languages, and every write
goes through the services, whose refusals come back as errors with nothing saved."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from meetings.auth import api_key_digest
from meetings.models import ApiKey, CoFacilitator, Meeting, Person, Programme
from meetings.services.pairs import meeting_pair_problems
from tests.factories import MeetingFactory, PersonFactory, ThemeFactory


def admin_url(name, *args, lang="fr"):
    with translation.override(lang):
        return reverse(f"admin:meetings_{name}", args=args)


def sent_messages(response, level):
    return [m.message for m in get_messages(response.wsgi_request) if m.level == level]


def split_datetime(name, value):
    """The admin's two inputs for a datetime, in the site's time zone."""
    local = timezone.localtime(value)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M")}


def meeting_form_data(meeting, new_rows=(), agenda_rows=(), picture_rows=(), **overrides):
    """What the change form posts back when the organiser edits nothing but `overrides`;
    `agenda_rows` are the agenda inline's rows, as typed, and `picture_rows` the booklet
    photos' (new ones)."""
    existing = list(meeting.cofacilitators.all()) if meeting.pk else []
    data = {
        "programme": meeting.programme_id,
        "title_fr": meeting.title_fr,
        "title_nl": meeting.title_nl,
        "description_fr": meeting.description_fr or "",
        "description_nl": meeting.description_nl or "",
        **split_datetime("starts_at", meeting.starts_at),
        **split_datetime("ends_at", meeting.ends_at),
        "time_zone": meeting.time_zone,
        "venue_name": meeting.venue_name,
        "venue_address": meeting.venue_address,
        "venue_city": meeting.venue_city,
        "venue_country": meeting.venue_country.code,
        "host_organisation": meeting.host_organisation_id or "",
        "themes": [theme.pk for theme in meeting.themes.all()] if meeting.pk else [],
        "working_languages": meeting.working_languages,
        "capacity": meeting.capacity,
        "is_cross_border": "on",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "cofacilitators-TOTAL_FORMS": len(existing) + len(new_rows),
        "cofacilitators-INITIAL_FORMS": len(existing),
        "cofacilitators-MIN_NUM_FORMS": 0,
        "cofacilitators-MAX_NUM_FORMS": 1000,
        "agenda_items-TOTAL_FORMS": len(agenda_rows),
        "agenda_items-INITIAL_FORMS": sum(1 for row in agenda_rows if row.get("id")),
        "agenda_items-MIN_NUM_FORMS": 0,
        "agenda_items-MAX_NUM_FORMS": 1000,
        "pictures-TOTAL_FORMS": len(picture_rows),
        "pictures-INITIAL_FORMS": 0,
        "pictures-MIN_NUM_FORMS": 0,
        "pictures-MAX_NUM_FORMS": 4,
    }
    for i, row in enumerate(picture_rows):
        data.update({f"pictures-{i}-{name}": value for name, value in row.items()})
        data[f"pictures-{i}-meeting"] = meeting.pk
    for i, row in enumerate(agenda_rows):
        data.update({f"agenda_items-{i}-{name}": value for name, value in row.items()})
        data[f"agenda_items-{i}-meeting"] = meeting.pk
    for i, cofacilitator in enumerate(existing):
        data[f"cofacilitators-{i}-id"] = cofacilitator.pk
        data[f"cofacilitators-{i}-meeting"] = meeting.pk
    for i, (person, role) in enumerate(new_rows, start=len(existing)):
        data[f"cofacilitators-{i}-person"] = person.pk
        data[f"cofacilitators-{i}-role"] = role
    data.update(overrides)
    return data


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_page_renders_for_an_organiser(organiser_client, meeting, lang):
    meeting.themes.add(ThemeFactory(slug="mobilite"))
    person = meeting.cofacilitators.first().person
    pages = [
        ("organisation", person.organisation_id),
        ("person", person.pk),
        ("theme", meeting.themes.get().pk),
        ("programme", meeting.programme_id),
        ("meeting", meeting.pk),
    ]
    for model, pk in pages:
        for url in (
            admin_url(f"{model}_changelist", lang=lang),
            admin_url(f"{model}_add", lang=lang),
            admin_url(f"{model}_change", pk, lang=lang),
        ):
            response = organiser_client.get(url)
            assert response.status_code == 200, url
            assert f'lang="{lang}"' in response.text, url
    assert 'name="title_nl"' in response.text


def test_api_keys_are_hidden_from_organisers(organiser_client):
    assert organiser_client.get(admin_url("apikey_changelist")).status_code == 403


def test_publishing_a_meeting_without_its_pair_reports_why_and_leaves_it_draft(
    organiser_client, programme
):
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
    response = organiser_client.post(
        admin_url("meeting_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    with translation.override("fr"):
        problems = " ".join(meeting_pair_problems(draft))
    [error] = sent_messages(response, messages.ERROR)
    assert str(draft) in error and problems in error
    assert sent_messages(response, messages.SUCCESS) == []
    draft.refresh_from_db()
    assert (draft.status, draft.sequence) == (Meeting.Status.DRAFT, 0)


def test_the_cancel_action_cancels_with_the_reason_and_bumps_the_sequence(
    organiser_client, meeting
):
    response = organiser_client.post(
        admin_url("meeting_changelist"),
        {"action": "cancel", "_selected_action": [meeting.pk], "reason": "Salle inondée"},
    )
    assert response.status_code == 302
    assert len(sent_messages(response, messages.SUCCESS)) == 1
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.sequence == 1
    assert meeting.cancellation_reason == "Salle inondée"


def test_the_publish_action_publishes_a_programme(organiser_client):
    programme = Programme.objects.create(year=2028, title_fr="Rencontres 2028")
    organiser_client.post(
        admin_url("programme_changelist"),
        {"action": "publish", "_selected_action": [programme.pk]},
    )
    programme.refresh_from_db()
    assert programme.is_published


def test_moving_a_meeting_in_the_change_form_bumps_the_sequence(organiser_client, meeting):
    starts_at = meeting.starts_at + timedelta(hours=1)
    ends_at = meeting.ends_at + timedelta(hours=1)
    data = meeting_form_data(
        meeting, **split_datetime("starts_at", starts_at), **split_datetime("ends_at", ends_at)
    )
    response = organiser_client.post(admin_url("meeting_change", meeting.pk), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at, meeting.sequence) == (starts_at, ends_at, 1)


def test_a_meeting_ending_before_it_starts_is_refused_on_the_form(organiser_client, meeting):
    before = (meeting.starts_at, meeting.ends_at, meeting.sequence)
    data = meeting_form_data(
        meeting, **split_datetime("ends_at", meeting.starts_at - timedelta(hours=1))
    )
    response = organiser_client.post(admin_url("meeting_change", meeting.pk), data)
    assert response.status_code == 200
    with translation.override("fr"):
        expected = str(Meeting._meta.constraints[0].violation_error_message)
    assert response.context["adminform"].form.non_field_errors() == [expected]
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at, meeting.sequence) == before


def test_a_refusal_of_the_services_is_shown_on_the_form_with_nothing_saved(
    organiser_client, meeting
):
    title, city = meeting.title_fr, meeting.venue_city
    data = meeting_form_data(meeting, title_fr="", title_nl="", venue_city="Menen")
    response = organiser_client.post(admin_url("meeting_change", meeting.pk), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    with translation.override("fr"):
        assert form.errors["title_fr"] == [
            gettext("This field is required in at least one language.")
        ]
    assert form["venue_city"].value() == "Menen"
    meeting.refresh_from_db()
    assert (meeting.title_fr, meeting.venue_city, meeting.sequence) == (title, city, 0)


def test_breaking_the_pair_of_a_published_meeting_is_refused(organiser_client, meeting):
    data = meeting_form_data(meeting, **{"cofacilitators-0-DELETE": "on"})
    response = organiser_client.post(admin_url("meeting_change", meeting.pk), data)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    with translation.override("fr"):
        assert error.startswith(
            gettext("“%(meeting)s” is published; it must keep its co-facilitator pair. ")
            % {"meeting": meeting}
        )
    assert meeting.cofacilitators.count() == 2


def test_a_meeting_added_through_the_admin_is_a_draft_with_its_pair(organiser_client, programme):
    mayor = PersonFactory(organisation__country="FR")
    burgomaster = PersonFactory(function=Person.Function.BURGOMASTER, organisation__country="BE")
    role = CoFacilitator.Role.CO_FACILITATOR
    data = meeting_form_data(
        MeetingFactory.build(programme=programme),
        new_rows=[(mayor, role), (burgomaster, role)],
        themes=[ThemeFactory(slug="emploi").pk],
    )
    response = organiser_client.post(admin_url("meeting_add"), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.DRAFT, 0)
    assert [t.slug for t in meeting.themes.all()] == ["emploi"]
    assert meeting_pair_problems(meeting) == []


def test_a_superuser_sees_a_new_api_key_once_and_only_its_digest_is_stored(
    admin_client, admin_user
):
    assert admin_client.get(admin_url("apikey_add")).status_code == 200
    response = admin_client.post(admin_url("apikey_add"), {"user": admin_user.pk, "name": "ci"})
    assert response.status_code == 302
    [warning] = sent_messages(response, messages.WARNING)
    raw = re.search(r"pm_[\w-]+", warning).group()
    key = ApiKey.objects.get()
    change_page = admin_url("apikey_change", key.pk)
    assert raw in admin_client.get(change_page).text
    assert raw not in admin_client.get(change_page).text
    assert key.digest == api_key_digest(raw)
    assert raw not in (key.digest, key.prefix)


def test_a_closed_meeting_shows_its_time_and_place_read_only(organiser_client, started_meeting):
    started_meeting.closed_at = started_meeting.ends_at
    started_meeting.save(update_fields=["closed_at"])
    page = organiser_client.get(admin_url("meeting_change", started_meeting.pk))
    fields = page.context["adminform"].form.fields
    assert "starts_at" not in fields and "venue_city" not in fields
    assert "title_fr" in fields and "capacity" in fields


def test_the_cancel_action_names_a_meeting_that_has_already_started(
    organiser_client, started_meeting
):
    response = organiser_client.post(
        admin_url("meeting_changelist"),
        {"action": "cancel", "_selected_action": [started_meeting.pk], "reason": "Trop tard"},
    )
    [error] = sent_messages(response, messages.ERROR)
    assert str(started_meeting) in error
    started_meeting.refresh_from_db()
    assert started_meeting.status == Meeting.Status.PUBLISHED
