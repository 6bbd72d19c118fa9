"""The public pages: the form, the manage page and its ticket, cancel, the personal feed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from meetings.models import Meeting
from registrations.models import Invitation, Registration
from registrations.services.invitations import meeting_invite
from registrations.services.registration import FIELDS, registration_cancel
from tasks.models import Delivery
from tests.factories import MeetingFactory, OrganisationFactory

from .conftest import registration_data

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    """The POST of the form: unchecked boxes are absent, an empty organisation is ""."""
    data = registration_data(**overrides)
    data["organisation"] = data["organisation"] or ""
    return {key: value for key, value in data.items() if value is not False}


def post_form(client, meeting, lang="nl", **overrides):
    return client.post(f"/{lang}/meetings/{meeting.pk}/register/", form_data(**overrides))


# --- The form --------------------------------------------------------------------------


def test_the_form_asks_everything_in_the_page_language(client, meeting):
    OrganisationFactory(name="Ville de Halluin")

    page = client.get(f"/nl/meetings/{meeting.pk}/register/").content.decode()

    for name in (*FIELDS, "privacy_consent"):
        assert f'name="{name}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'value="nl" required id="id_language_1" checked' in page
    assert "Ville de Halluin" in page


def test_the_dutch_form_tells_the_french_maire_from_the_belgian_burgemeester(client, meeting):
    page = client.get(f"/nl/meetings/{meeting.pk}/register/").content.decode()

    assert '<option value="mayor">burgemeester (Frankrijk: maire)</option>' in page
    assert '<option value="burgomaster">burgemeester (België)</option>' in page
    assert ">burgemeester</option>" not in page


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_form_lists_organisations_in_order_ignoring_accents(client, meeting, lang):
    for name in ("Mouscron", "Métropole européenne de Lille", "Ypres", "Éperlecques", "menen"):
        OrganisationFactory(name=name)

    page = client.get(f"/{lang}/meetings/{meeting.pk}/register/").content.decode()

    select = page[
        page.index('name="organisation"') : page.index(
            "</select>", page.index('name="organisation"')
        )
    ]
    positions = [
        select.index(name)
        for name in ("Éperlecques", "menen", "Métropole européenne", "Mouscron", "Ypres")
    ]
    assert positions == sorted(positions)


def test_registering_leads_to_the_manage_page_with_the_ticket(client, meeting):
    response = post_form(client, meeting)

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/nl/r/{registration.manage_token}/"
    assert registration.status == Registration.Status.CONFIRMED
    assert (registration.organisation_name, registration.language) == ("Stad Menen", "nl")
    page = client.get(response["Location"]).content.decode()
    assert f'src="/nl/r/{registration.manage_token}/qr.png"' in page
    assert f'href="/nl/r/{registration.manage_token}/ticket.pdf"' in page
    assert f'href="/calendar/r/{registration.manage_token}.ics"' in page
    assert 'class="message message-success"' in page
    assert "s…@menen.example" in page and "sofie.claes" not in page


def test_errors_are_shown_on_their_fields_and_nothing_is_written(client, meeting):
    response = post_form(
        client, meeting, lang="en", email="sofie@", organisation_name="", privacy_consent=False
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "Accept the privacy notice" in page
    assert 'href="/en/privacy/"' in page  # the notice the error names is one click away
    assert not Registration.objects.exists()


def test_rules_of_the_service_come_back_onto_the_form(client, meeting):
    response = post_form(client, meeting, lang="en", organisation_name="")

    assert response.status_code == 422
    assert "Choose your organisation or type its name." in response.content.decode()
    assert not Registration.objects.exists()


def test_an_invitation_prefills_the_form_and_is_answered(client, meeting, organiser, marie):
    meeting_invite(meeting, people=[marie], invited_by=organiser)
    token = Invitation.objects.get().token

    page = client.get(f"/fr/meetings/{meeting.pk}/register/?invitation={token}")
    response = post_form(
        client,
        meeting,
        lang="fr",
        invitation=token,
        email=marie.email,
        organisation=marie.organisation_id,
    )

    html = page.content.decode()
    assert 'value="Marie"' in html and f'value="{marie.email}"' in html
    assert f'name="invitation" value="{token}"' in html
    assert f'<option value="{marie.organisation_id}" selected>' in html
    assert "no-store" in page["Cache-Control"]
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.answered_at is not None
    assert Registration.objects.get().invitation == invitation


def test_a_full_meeting_says_the_person_will_wait(client, programme, register):
    full = MeetingFactory(programme=programme, capacity=1)
    register(full)

    page = client.get(f"/en/meetings/{full.pk}/register/").content.decode()

    assert "This meeting is full: if you register, you go on the waiting list" in page
    assert "Join the waiting list" in page


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": Meeting.Status.CANCELLED}, "This meeting is cancelled"),
        (
            {"registration_closes_at": timezone.now() - timedelta(days=1)},
            "Registration for this meeting closed on",
        ),
        (
            {"registration_opens_at": timezone.now() + timedelta(days=1)},
            "Registration for this meeting opens on",
        ),
    ],
)
def test_a_closed_or_cancelled_meeting_says_why_instead_of_the_form(
    client, programme, fields, reason
):
    """The page, the form sent anyway and the API refuse with the same status."""
    meeting = MeetingFactory(programme=programme, **fields)

    page = client.get(f"/en/meetings/{meeting.pk}/register/")
    posted = post_form(client, meeting, lang="en")
    through_api = client.post(
        f"/api/meetings/{meeting.pk}/registrations?lang=en",
        registration_data(),
        content_type="application/json",
    )

    assert (page.status_code, posted.status_code, through_api.status_code) == (409, 409, 409)
    assert reason in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    assert reason in posted.content.decode()
    assert not Registration.objects.exists()


def test_a_draft_meeting_has_no_form(client, programme):
    draft = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)

    assert client.get(f"/en/meetings/{draft.pk}/register/").status_code == 404


def test_registering_an_address_twice_answers_neutrally_and_reveals_nothing(
    client, meeting, register
):
    existing = register(meeting, email="sofie.claes@menen.example", dietary_notes="Halal")

    response = post_form(client, meeting, lang="en", email="SOFIE.CLAES@menen.example")

    page = response.content.decode()
    assert response.status_code == 200
    assert "already registered for this meeting" in page
    assert existing.manage_token not in page and existing.ticket_secret not in page
    assert "Halal" not in page and "confirmed" not in page.lower()
    assert Registration.objects.count() == 1
    assert Delivery.objects.filter(kind="registration_link").count() == 1


def test_the_meeting_page_offers_to_register_while_it_is_open(client, meeting, programme):
    closed = MeetingFactory(
        programme=programme, registration_closes_at=timezone.now() - timedelta(hours=1)
    )

    assert f'href="/en/meetings/{meeting.pk}/register/"' in (
        client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    )
    assert "/register/" not in client.get(f"/en/meetings/{closed.pk}/").content.decode()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "on Tuesday 2 February 2027 at 08:00"), ("nl", "op dinsdag 2 februari 2027 om 08:00")],
)
def test_a_meeting_not_yet_open_says_when_it_opens_in_its_time_zone(
    client, programme, lang, expected
):
    """07:00 UTC is 08:00 in Brussels, whatever the site's or the reader's zone."""
    opens = MeetingFactory(
        programme=programme,
        registration_opens_at=datetime(2027, 2, 2, 7, 0, tzinfo=UTC),
    )

    page = client.get(f"/{lang}/meetings/{opens.pk}/").content.decode()

    assert expected in page and "(Europe/Brussels)" in page
    assert f"/{lang}/meetings/{opens.pk}/register/" not in page
    assert f'href="/calendar/meetings/{opens.pk}.ics?lang={lang}"' in page


# --- The manage page -------------------------------------------------------------------


def test_the_manage_page_shows_the_waiting_list_position_and_no_ticket(client, programme, register):
    full = MeetingFactory(programme=programme, capacity=1)
    register(full)
    register(full)
    waiting = register(full)

    response = client.get(f"/en/r/{waiting.manage_token}/")

    page = response.content.decode()
    assert "position 2 on the waiting list" in page
    assert "qr.png" not in page
    assert "no-store" in response["Cache-Control"]
    assert client.get(f"/en/r/{waiting.manage_token}/qr.png").status_code == 404
    assert client.get(f"/en/r/{waiting.manage_token}/ticket.pdf").status_code == 404


def test_the_ticket_is_a_png_and_a_pdf(client, meeting, register):
    token = register(meeting).manage_token

    qr = client.get(f"/en/r/{token}/qr.png")
    pdf = client.get(f"/en/r/{token}/ticket.pdf")

    assert (qr["Content-Type"], qr.content[:4]) == ("image/png", b"\x89PNG")
    assert (pdf["Content-Type"], pdf.content[:5]) == ("application/pdf", b"%PDF-")


def test_markup_and_emoji_typed_in_a_name_are_escaped(client, meeting, register):
    registration = register(meeting, first_name="<b>&", last_name="Zoë 🎉")

    page = client.get(f"/en/r/{registration.manage_token}/").content.decode()

    assert "&lt;b&gt;&amp; Zoë 🎉" in page
    assert "<b>&" not in page


def test_language_and_needs_are_changed_from_the_manage_page(client, meeting, register):
    registration = register(meeting)

    response = client.post(
        f"/en/r/{registration.manage_token}/",
        {
            "language": "fr",
            "interpretation_needed": "on",
            "interpretation_to": "nl",
            "dietary_notes": "Sans gluten",
        },
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.language, registration.interpretation_to) == ("fr", "nl")
    assert (registration.dietary_notes, registration.share_contact) == ("Sans gluten", False)


def test_cancelling_asks_first_then_needs_a_post_with_the_csrf_token(meeting, register):
    registration = register(meeting)
    client = Client(enforce_csrf_checks=True)
    url = f"/en/r/{registration.manage_token}/cancel/"

    question = client.get(url)
    forged = client.post(url)
    token = question.cookies["csrftoken"].value
    answered = client.post(url, {"csrfmiddlewaretoken": token})

    assert "Do you really want to cancel" in question.content.decode()
    assert forged.status_code == 403
    assert answered.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    page = client.get(f"/en/r/{registration.manage_token}/").content.decode()
    assert "Your registration is cancelled." in page
    assert "Register again" in page


def test_an_unknown_link_is_not_found(client, db):
    assert client.get("/en/r/not-a-token/").status_code == 404
    assert client.get("/calendar/r/not-a-token.ics").status_code == 404


# --- The personal feed -----------------------------------------------------------------


def test_the_personal_feed_has_every_meeting_of_the_address_except_cancelled_ones(
    client, programme, register
):
    first = MeetingFactory(programme=programme)
    second = MeetingFactory(programme=programme)
    dropped = MeetingFactory(programme=programme)
    MeetingFactory(programme=programme)  # not registered
    registration = register(first, email="sofie@example.org", language="nl")
    register(second, email="SOFIE@example.org")
    registration_cancel(register(dropped, email="sofie@example.org"))

    response = client.get(f"/calendar/r/{registration.manage_token}.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    feed = Calendar.from_ical(response.content)
    assert sorted(str(e["SUMMARY"]) for e in feed.events) == sorted(
        [first.title_nl, second.title_nl]
    )
    again = client.get(
        f"/calendar/r/{registration.manage_token}.ics", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_the_form_shares_the_apis_allowance_per_connection(client, meeting, settings):
    settings.REGISTRATION_THROTTLE_RATE = "2/m"
    api = client.post(
        f"/api/meetings/{meeting.pk}/registrations",
        {**registration_data(email="api@example.org"), "organisation": None},
        content_type="application/json",
    )

    answers = [post_form(client, meeting, "en", email=f"form{n}@example.org") for n in range(2)]

    assert api.status_code == 201
    assert [answer.status_code for answer in answers] == [302, 429]
    assert "Too many registrations from your connection" in answers[1].content.decode()
    assert Registration.objects.count() == 2


def test_the_forms_allowance_is_not_renewed_by_a_forwarded_for(client, meeting, settings):
    settings.REGISTRATION_THROTTLE_RATE = "2/m"

    answers = [
        client.post(
            f"/en/meetings/{meeting.pk}/register/",
            form_data(email=f"form{n}@example.org"),
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(3)
    ]

    assert answers == [302, 302, 429]
