"""Inviting people: who is invited, who is skipped and why, and the iMIP messages they get."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from events_site.kit.http_errors import http_status
from meetings.calendar import meeting_uid
from meetings.models import Meeting, Person
from meetings.services import meetings as meeting_services
from meetings.services.meetings import meeting_cancel, meeting_update
from registrations.errors import InvalidSelection, MeetingNotOpen
from registrations.models import Invitation
from registrations.services.invitations import meeting_invite
from registrations.services.registration import registration_cancel
from tasks.models import Delivery
from tasks.outbox import recipient_problem
from tasks.outbox.send import deliveries_send
from tests.factories import MeetingFactory, OrganisationFactory, PersonFactory
from tests.mail import calendar, html, parsed, recipient, text

pytestmark = pytest.mark.django_db


def sent_to(email: str):
    (message,) = [m for m in mail.outbox if recipient(m) == email]
    return message


def invited_ids(meeting) -> set[int]:
    return set(Invitation.objects.filter(meeting=meeting).values_list("person_id", flat=True))


# --- Who is invited ----------------------------------------------------------------------


def test_picked_people_are_invited_and_emailed_once_each(meeting, organiser, marie, jan, committed):
    report = committed(meeting_invite, meeting, people=[marie, jan], invited_by=organiser)

    assert (report.queued, report.skipped) == (2, [])
    assert invited_ids(meeting) == {marie.pk, jan.pk}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "Jan Peeters <jan.peeters@kortrijk.example>",
        "Marie Dupont <marie.dupont@lille.example>",
    ]
    assert set(Delivery.objects.values_list("kind", "status")) == {("invitation", "sent")}
    assert set(Delivery.objects.values_list("idempotency_key", flat=True)) == {
        f"invite:{meeting.pk}:{marie.pk}",
        f"invite:{meeting.pk}:{jan.pk}",
    }


def test_picking_an_organisation_invites_everyone_in_it(meeting, organiser, committed):
    lille, tournai = OrganisationFactory(name="Lille"), OrganisationFactory(name="Tournai")
    staff = PersonFactory.create_batch(2, organisation=lille, function=Person.Function.OFFICER)
    PersonFactory(organisation=tournai)

    report = committed(meeting_invite, meeting, organisations=[lille], invited_by=organiser)

    assert report.queued == 2
    assert invited_ids(meeting) == {person.pk for person in staff}


def test_all_mayors_invites_every_mayor_and_burgomaster_and_nobody_else(
    meeting, organiser, marie, jan, committed
):
    PersonFactory(function=Person.Function.ALDERMAN)
    PersonFactory(function=Person.Function.OFFICER)
    mayors = set(
        Person.objects.filter(
            function__in=[Person.Function.MAYOR, Person.Function.BURGOMASTER]
        ).values_list("pk", flat=True)
    )

    report = committed(meeting_invite, meeting, all_mayors=True, invited_by=organiser)

    assert {marie.pk, jan.pk} < mayors, "the co-facilitators are mayors too"
    assert report.queued == len(mayors) == len(mail.outbox)
    assert invited_ids(meeting) == mayors


def test_someone_picked_twice_over_is_invited_once(meeting, organiser, marie, committed):
    report = committed(
        meeting_invite,
        meeting,
        people=[marie, marie],
        organisations=[marie.organisation],
        all_mayors=True,
        invited_by=organiser,
    )

    assert report.skipped == []
    assert [m.to[0] for m in mail.outbox].count("Marie Dupont <marie.dupont@lille.example>") == 1


# --- Who is skipped, and why ---------------------------------------------------------


def test_unusable_addresses_and_people_already_invited_are_skipped_with_the_reason(
    meeting, organiser, marie, jan, committed
):
    committed(meeting_invite, meeting, people=[jan], invited_by=organiser)
    # Rows the directory's validation would refuse, as an old import may have left them.
    bad_email = Person.objects.create(
        first_name="Paul", last_name="Sansmail", email="paul@", function="mayor"
    )
    injected = Person.objects.create(
        first_name="Eve\r\nBcc: all@example.org",
        last_name="Martin",
        email="eve@example.org",
        function="mayor",
    )
    mail.outbox.clear()

    report = committed(
        meeting_invite, meeting, people=[marie, jan, bad_email, injected], invited_by=organiser
    )

    assert report.queued == 1
    skipped = {s.person: (s.name, s.email, s.reason) for s in report.skipped}
    assert skipped == {
        jan.pk: ("Jan Peeters", jan.email, "Already invited to this meeting."),
        bad_email.pk: ("Paul Sansmail", "paul@", recipient_problem("paul@")),
        injected.pk: (
            injected.full_name,
            injected.email,
            "A line break in a name or an address is not allowed.",
        ),
    }
    assert [m.to[0] for m in mail.outbox] == ["Marie Dupont <marie.dupont@lille.example>"]
    assert invited_ids(meeting) == {marie.pk, jan.pk}


def test_inviting_again_sends_nothing_new(meeting, organiser, marie, committed):
    committed(meeting_invite, meeting, people=[marie], invited_by=organiser)

    report = committed(meeting_invite, meeting, people=[marie], invited_by=organiser)

    assert report.queued == 0
    assert len(mail.outbox) == 1
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            Meeting.Status.CANCELLED,
            "This meeting is cancelled: nobody can be invited to it any more.",
        ),
        (Meeting.Status.DRAFT, "This meeting is not published yet: publish it, then invite."),
    ],
)
def test_a_cancelled_or_draft_meeting_refuses_invitations_and_writes_nothing(
    programme, organiser, marie, committed, status, message
):
    meeting = MeetingFactory(programme=programme, status=status)

    with pytest.raises(MeetingNotOpen) as refusal:
        committed(meeting_invite, meeting, people=[marie], invited_by=organiser)

    assert refusal.value.message == message
    assert http_status(refusal.value) == 409
    assert not Invitation.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_an_empty_selection_is_refused(meeting, organiser):
    with pytest.raises(InvalidSelection) as refusal:
        meeting_invite(meeting, people=[], organisations=[], invited_by=organiser)

    assert http_status(refusal.value) == 422
    assert refusal.value.message == "Pick at least one person, organisation or all mayors."


# --- The invitation ------------------------------------------------------------------


def test_the_invitation_is_an_imip_request_to_its_one_attendee(
    meeting, organiser, marie, committed
):
    committed(meeting_invite, meeting, people=[marie], invited_by=organiser)

    calendar_part, invite = calendar(sent_to(marie.email))

    assert calendar_part.get_params()[0] == ("text/calendar", "")
    assert calendar_part.get_param("method") == "REQUEST" == str(invite["METHOD"])
    (event,) = invite.events
    assert str(event["UID"]) == meeting_uid(meeting)
    assert event["SEQUENCE"] == meeting.sequence
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert [str(tz["TZID"]) for tz in invite.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert str(event["ORGANIZER"]) == f"mailto:{settings.DEFAULT_FROM_EMAIL}"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{marie.email}"
    assert attendee.params["CN"] == "Marie Dupont"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"


def test_the_organizer_is_the_bare_sender_address(meeting, organiser, marie, committed, settings):
    settings.DEFAULT_FROM_EMAIL = "Rencontres de proximité <rencontres@agence.example>"

    committed(meeting_invite, meeting, people=[marie], invited_by=organiser)

    _part, invite = calendar(sent_to(marie.email))
    assert str(invite.events[0]["ORGANIZER"]) == "mailto:rencontres@agence.example"


def test_the_invitation_is_in_each_invitees_language(meeting, organiser, marie, jan, committed):
    committed(meeting_invite, meeting, people=[marie, jan], invited_by=organiser)

    for person, title, month in (
        (marie, meeting.title_fr, "mars"),
        (jan, meeting.title_nl, "maart"),
    ):
        message = sent_to(person.email)
        with translation.override(person.preferred_language):
            sentence = gettext(
                "You are invited to the cross-border proximity meeting “%(title)s”."
            ) % {"title": title}
            subject = gettext("Invitation: %(title)s") % {"title": title}
        assert message.subject == subject
        assert sentence in text(message)
        assert month in text(message)
        assert sentence in html(message)
        _part, invite = calendar(message)
        assert str(invite.events[0]["SUMMARY"]) == title


def test_the_invitation_carries_a_personal_link_and_replies_go_to_the_organiser(
    meeting, organiser, marie, committed
):
    committed(meeting_invite, meeting, people=[marie], invited_by=organiser)

    invitation = Invitation.objects.get(meeting=meeting, person=marie)
    link = f"{settings.SITE_URL}/fr/i/{invitation.token}/"
    message = sent_to(marie.email)
    assert link in text(message)
    assert f'href="{link}"' in html(message)
    assert message.reply_to == ["organiser@example.org"]
    assert len(invitation.token) >= 32


def test_replies_go_to_the_agencys_address_when_the_organiser_has_none(
    meeting, organiser, marie, committed, settings
):
    settings.DEFAULT_REPLY_TO = "rencontres@agence.example"
    organiser.email = ""
    organiser.save()

    committed(meeting_invite, meeting, people=[marie], invited_by=organiser)

    assert sent_to(marie.email).reply_to == ["rencontres@agence.example"]


def test_markup_and_emoji_in_a_name_are_escaped_in_html_and_encoded_in_the_to_header(
    meeting, organiser, committed
):
    person = PersonFactory(first_name="<b>&", last_name="Zoë 🎉", email="zoe@example.org")

    committed(meeting_invite, meeting, people=[person], invited_by=organiser)

    message = sent_to("zoe@example.org")
    (address,) = parsed(message)["To"].addresses
    assert (address.display_name, address.addr_spec) == ("<b>& Zoë 🎉", "zoe@example.org")
    assert "&lt;b&gt;&amp; Zoë 🎉" in html(message)
    assert "<b>&" not in html(message)
    _part, invite = calendar(message)
    assert invite.events[0]["ATTENDEE"].params["CN"] == "<b>& Zoë 🎉"


def test_an_invitation_still_queued_when_its_meeting_is_cancelled_is_not_sent(
    meeting, organiser, marie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        meeting_invite(meeting, people=[marie], invited_by=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_cancel(meeting)
    invitation = Delivery.objects.get(kind="invitation")

    deliveries_send([invitation.pk])  # as the sweep would, once the broker is back

    invitation.refresh_from_db()
    assert invitation.status == Delivery.Status.FAILED
    assert "cancelled before this invitation went out" in invitation.last_error
    assert [Delivery.objects.get(kind="meeting_cancel").status] == [Delivery.Status.SENT]


# --- The personal link ---------------------------------------------------------------


def test_the_personal_link_records_the_first_opening_and_leads_to_the_prefilled_form(
    client, meeting, organiser, marie, committed
):
    committed(meeting_invite, meeting, people=[marie], invited_by=organiser)
    invitation = Invitation.objects.get()

    response = client.get(f"/nl/i/{invitation.token}/")

    assert response.status_code == 302
    with translation.override("nl"):
        form = reverse("registrations:register", args=[meeting.pk])
    assert response["Location"] == f"{form}?invitation={invitation.token}"
    assert response["Location"].startswith("/nl/")
    invitation.refresh_from_db()
    first_opening = invitation.opened_at
    assert first_opening is not None

    client.get(f"/fr/i/{invitation.token}/")
    invitation.refresh_from_db()
    assert invitation.opened_at == first_opening


def test_an_unknown_link_is_not_found(client, db):
    assert client.get("/fr/i/not-a-token/").status_code == 404


# --- Changes and cancellation --------------------------------------------------------


def test_a_new_time_sends_every_invitee_a_request_with_the_higher_sequence(
    meeting, organiser, marie, jan, committed
):
    committed(meeting_invite, meeting, people=[marie, jan], invited_by=organiser)
    mail.outbox.clear()
    before = Meeting.objects.get(pk=meeting.pk).sequence

    changed = committed(
        meeting_services.meeting_update,
        meeting,
        starts_at=meeting.starts_at + timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=1),
    )

    assert changed.sequence == before + 1
    assert len(mail.outbox) == 2
    for person in (marie, jan):
        message = sent_to(person.email)
        calendar_part, update = calendar(message)
        assert calendar_part.get_param("method") == "REQUEST" == str(update["METHOD"])
        event = update.events[0]
        assert event["SEQUENCE"] == before + 1
        assert str(event["UID"]) == meeting_uid(meeting)
        assert event["DTSTART"].dt == changed.local_starts_at
        assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert Delivery.objects.filter(
        idempotency_key=f"update:{meeting.pk}:{before + 1}:{marie.pk}"
    ).exists()


def test_a_change_of_description_only_sends_nothing(meeting, organiser, marie, committed):
    committed(meeting_invite, meeting, people=[marie], invited_by=organiser)
    mail.outbox.clear()

    committed(meeting_services.meeting_update, meeting, description_fr="Nouvel ordre du jour")

    assert mail.outbox == []
    assert not Delivery.objects.filter(kind="meeting_update").exists()


def test_a_cancellation_sends_every_invitee_a_cancel(meeting, organiser, marie, jan, committed):
    committed(meeting_invite, meeting, people=[marie, jan], invited_by=organiser)
    mail.outbox.clear()

    cancelled = committed(meeting_services.meeting_cancel, meeting, reason="Salle indisponible")

    assert len(mail.outbox) == 2
    message = sent_to(marie.email)
    calendar_part, cancel = calendar(message)
    assert calendar_part.get_param("method") == "CANCEL" == str(cancel["METHOD"])
    event = cancel.events[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == cancelled.sequence
    assert str(event["UID"]) == meeting_uid(meeting)
    assert "Salle indisponible" in text(message)
    with translation.override("nl"):
        subject = gettext("Cancelled: %(title)s") % {"title": meeting.title_nl}
    assert sent_to(jan.email).subject == subject

    committed(meeting_services.meeting_cancel, meeting)
    assert len(mail.outbox) == 2, "cancelling again is a no-op"


def test_an_invitee_whose_address_went_bad_does_not_block_a_change(
    meeting, organiser, marie, jan, committed
):
    committed(meeting_invite, meeting, people=[marie, jan], invited_by=organiser)
    Person.objects.filter(pk=jan.pk).update(email="jan@")
    mail.outbox.clear()

    committed(meeting_services.meeting_cancel, meeting)

    assert [m.to[0] for m in mail.outbox] == ["Marie Dupont <marie.dupont@lille.example>"]


# --- Scale ---------------------------------------------------------------------------


def test_inviting_2000_people_costs_a_fixed_number_of_queries_besides_batched_inserts(
    meeting, organiser, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    Person.objects.bulk_create(
        Person(
            first_name=f"Prénom{n}",
            last_name=f"Nom{n}",
            email=f"maire{n}@example.org",
            function=Person.Function.MAYOR,
            organisation=organisation,
            preferred_language="nl" if n % 2 else "fr",
        )
        for n in range(2000)
    )

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        report = meeting_invite(meeting, organisations=[organisation], invited_by=organiser)

    assert report.queued == 2000
    assert Delivery.objects.filter(kind="invitation").count() == 2000
    statements = [query["sql"] for query in queries.captured_queries]
    inserts = [sql for sql in statements if sql.startswith("INSERT")]
    # SQLite takes 999 parameters a statement, so 4 000 rows need dozens of INSERTs there
    # (a handful on PostgreSQL); what must not grow with the head count is the rest.
    assert len(statements) - len(inserts) <= 10
    assert len(inserts) <= 4000 / 50
    assert len(callbacks) == 1, "one job hand-off for the whole batch, after commit"
    assert mail.outbox == []


def test_a_meeting_change_and_cancellation_reach_registrants_once_per_address(
    small_meeting, organiser, marie, register, committed
):
    meeting_invite(small_meeting, people=[marie], invited_by=organiser)
    register(small_meeting, email="MARIE.DUPONT@lille.example")  # an invitee who registered
    confirmed = register(small_meeting)
    waiting = register(small_meeting)
    gone = registration_cancel(register(small_meeting))
    mail.outbox.clear()

    committed(
        meeting_update,
        small_meeting,
        starts_at=small_meeting.starts_at + timedelta(days=1),
        ends_at=small_meeting.ends_at + timedelta(days=1),
    )
    updated = sorted(recipient(m).lower() for m in mail.outbox)
    mail.outbox.clear()
    committed(meeting_cancel, small_meeting)
    cancelled = sorted(recipient(m).lower() for m in mail.outbox)

    expected = sorted([marie.email, confirmed.email, waiting.email])
    assert updated == expected == cancelled
    assert gone.email not in updated
