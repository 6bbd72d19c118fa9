import gzip
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from icalendar import Calendar, vText

from meetings.calendar import calendar_build, meeting_event
from meetings.models import Meeting, Programme
from meetings.services.agenda import agenda_item_create
from meetings.services.meetings import meeting_cancel, meeting_update
from tests.factories import MeetingFactory, OrganisationFactory, ProgrammeFactory, ThemeFactory

PARIS = ZoneInfo("Europe/Paris")


def _url(meeting=None, year=2027, **query):
    url = (
        reverse("calendar_meeting", kwargs={"meeting_id": meeting.pk})
        if meeting
        else reverse("calendar_programme", kwargs={"year": year})
    )
    return f"{url}?{urlencode(query)}" if query else url


def _calendar(client, url) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def _event(client, meeting, **query):
    (event,) = _calendar(client, _url(meeting, **query)).events
    return event


@pytest.fixture
def paris_meeting(programme):
    meeting = MeetingFactory(
        programme=programme,
        time_zone="Europe/Paris",
        starts_at=datetime(2027, 10, 7, 18, 0, tzinfo=PARIS),
        venue_name="Mairie",
        venue_address="Place du Général de Gaulle",
        venue_city="Lille",
        venue_country="FR",
    )
    meeting.themes.add(ThemeFactory(slug="mobility", name_fr="Mobilité", name_nl="Mobiliteit"))
    return meeting


def test_year_feed_gives_each_meeting_in_its_own_time_zone(client, meeting, paris_meeting):
    response = client.get(_url())
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="programme-2027.ics"'
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in response.content
    assert b"X-PUBLISHED-TTL:PT6H" in response.content
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"

    by_uid = {str(event["UID"]): event for event in calendar.events}
    event = by_uid[f"{paris_meeting.uid}@proximity-meetings"]
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTSTART"].dt == datetime(2027, 10, 7, 18, 0, tzinfo=PARIS)
    assert b"DTSTART;TZID=Europe/Paris:20271007T180000" in response.content
    assert event["DTEND"].dt == datetime(2027, 10, 7, 21, 0, tzinfo=PARIS)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert str(event["LOCATION"]) == "Mairie, Place du Général de Gaulle, Lille, France"
    assert str(event["URL"]) == f"{settings.SITE_URL}/fr/meetings/{paris_meeting.pk}/"
    assert event.categories == ["Mobilité"]

    zones = {tz.tz_name: tz for tz in calendar.timezones}
    assert set(zones) == {"Europe/Brussels", "Europe/Paris"}
    # Trimmed to the meeting's dates: October 7 in Paris is summer time, one observance.
    assert [sub.name for sub in zones["Europe/Paris"].subcomponents] == ["DAYLIGHT"]


def test_feed_speaks_the_requested_language(client, meeting, paris_meeting):
    name = _calendar(client, _url(lang="nl"))["X-WR-CALNAME"]
    assert vText.from_ical(name) == "Nabijheidsontmoetingen 2027"
    assert vText.from_ical(_calendar(client, _url())["X-WR-CALNAME"]) == (
        "Rencontres de proximité 2027"
    )
    event = _event(client, paris_meeting, lang="nl")
    assert str(event["SUMMARY"]) == paris_meeting.title_nl
    assert str(event["URL"]).endswith(f"/nl/meetings/{paris_meeting.pk}/")
    assert event.categories == ["Mobiliteit"]
    assert str(event["LOCATION"]).endswith("Lille, Frankrijk")


def test_titles_fall_back_to_the_other_language(client, meeting):
    assert str(_event(client, meeting, lang="en")["SUMMARY"]) == meeting.title_fr
    Meeting.objects.filter(pk=meeting.pk).update(title_fr="")
    assert str(_event(client, meeting, lang="fr")["SUMMARY"]) == meeting.title_nl


def test_reschedule_keeps_uid_raises_sequence_and_refreshes_the_cache(
    client, meeting, django_capture_on_commit_callbacks
):
    before = _event(client, meeting)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(
            meeting,
            starts_at=meeting.starts_at + timedelta(days=1),
            ends_at=meeting.ends_at + timedelta(days=1),
        )
    after = _event(client, meeting)
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["DTSTART"].dt == before["DTSTART"].dt + timedelta(days=1)


def test_cancelled_meeting_stays_in_the_feed_as_cancelled(
    client, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting, reason="Salle indisponible")
    (event,) = _calendar(client, _url(lang="en")).events
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == f"Cancelled: {meeting.title_fr}"
    assert "Salle indisponible" in str(event["DESCRIPTION"])


def test_only_published_content_is_served(client, meeting):
    draft = MeetingFactory(programme=meeting.programme, status=Meeting.Status.DRAFT)
    events = _calendar(client, _url()).events
    assert [str(e["UID"]) for e in events] == [f"{meeting.uid}@proximity-meetings"]
    assert client.get(_url(draft)).status_code == 404
    assert client.get(_url(year=2031)).status_code == 404

    hidden = MeetingFactory(programme=ProgrammeFactory(year=2028, status=Programme.Status.DRAFT))
    assert client.get(_url(year=2028)).status_code == 404
    assert client.get(_url(hidden)).status_code == 404


def test_conditional_get_answers_304(client, meeting):
    first = client.get(_url())
    assert first["Cache-Control"] in {"public, max-age=300", "max-age=300, public"}
    again = client.get(_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    since = client.get(_url(), headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304


def test_gzip_clients_get_compressed_bytes_under_their_own_etag(client, meeting):
    plain = client.get(_url())
    zipped = client.get(_url(), headers={"accept-encoding": "gzip, deflate, br"})
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in zipped["Vary"]
    again = client.get(_url(), headers={"accept-encoding": "gzip", "if-none-match": zipped["ETag"]})
    assert again.status_code == 304


def test_cold_year_feed_reads_in_five_queries_whatever_the_size(
    client, meeting, paris_meeting, django_assert_num_queries
):
    meeting_update(meeting, host_organisation=OrganisationFactory())
    agenda_item_create(
        meeting, starts_at=meeting.starts_at, duration_min=30, kind="welcome", title_fr="Accueil"
    )
    agenda_item_create(
        paris_meeting, starts_at=paris_meeting.starts_at, duration_min=30, kind="talk", title_fr="x"
    )
    # Programme, meetings with their hosts (only the fields events show), themes,
    # meeting-theme links, agenda items.
    with django_assert_num_queries(5):
        response = client.get(_url())
    descriptions = [str(e["DESCRIPTION"]) for e in Calendar.from_ical(response.content).events]
    assert any("Accueil" in d and "En partenariat avec" in d for d in descriptions)


def test_warm_feed_never_touches_the_database(client, meeting, django_assert_num_queries):
    client.get(_url())
    client.get(_url(meeting))
    with django_assert_num_queries(0):
        assert client.get(_url()).status_code == 200
        assert client.get(_url(meeting)).status_code == 200


def test_user_text_survives_escaping(client, meeting):
    text = "<b>Eau & énergie</b>, tarifs; suite\nligne 2 🚲"
    Meeting.objects.filter(pk=meeting.pk).update(
        title_fr=text, description_fr=text, venue_name="Salle « A; B, C »"
    )
    event = _event(client, meeting)
    assert str(event["SUMMARY"]) == text
    assert str(event["DESCRIPTION"]) == text
    assert str(event["LOCATION"]).startswith("Salle « A; B, C », ")


def test_invitation_carries_method_and_no_polling_hints(meeting):
    meeting = Meeting.objects.get(pk=meeting.pk)
    calendar = calendar_build([meeting], name="x", lang="nl", method="REQUEST")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert "REFRESH-INTERVAL" not in calendar
    (event,) = calendar.events
    assert event["DTSTAMP"].dt > meeting.updated_at
    assert str(meeting_event(meeting, "nl")["UID"]) == str(event["UID"])


def test_healthz_is_plain_and_skips_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.content == b"ok"


@pytest.mark.parametrize(
    ("lang", "partnership", "heading"),
    [("fr", "En partenariat avec", "Programme :"), ("nl", "In samenwerking met", "Programma:")],
)
def test_description_carries_the_partnership_and_the_agenda_with_times(
    client, meeting, lang, partnership, heading
):
    meeting_update(meeting, host_organisation=OrganisationFactory(name="Ville de Comines"))
    agenda_item_create(
        meeting,
        starts_at=meeting.starts_at,
        duration_min=30,
        kind="welcome",
        title_fr="Accueil café",
        title_nl="Onthaal met koffie",
        room="Hall",
    )
    agenda_item_create(
        meeting,
        starts_at=meeting.starts_at + timedelta(minutes=30),
        duration_min=60,
        kind="site_visit",
        title_fr="Visite <b>&",
        address="Rue du Moulin 3, Comines",
    )
    for url in (_url(lang=lang), _url(meeting, lang=lang)):
        event = _calendar(client, url).events[0]
        description = str(event["DESCRIPTION"])
        assert f"{partnership} Ville de Comines" in description
        title = "Accueil café" if lang == "fr" else "Onthaal met koffie"
        assert f"{heading}\n09:30–10:00 {title} (Hall)\n" in description
        assert "10:00–11:00 Visite <b>& (Rue du Moulin 3, Comines)" in description
