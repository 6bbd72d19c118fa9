"""Everyone the network knows signs in with a one-time link: 15 minutes, once, and
nobody else's."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings.auth import may_facilitate
from meetings.models import LoginLink, Person
from meetings.services.signin import (
    LOGIN_LINKS_PER_HOUR,
    LoginLinkInvalid,
    login_link_request,
    login_link_use,
    person_user,
)
from tests.factories import MeetingFactory, PersonFactory, cross_border_pair
from tests.ticket_factories import RegistrationFactory


@pytest.fixture
def mayor(meeting):
    return meeting.cofacilitators.select_related("person").first().person


def _link_from_mail() -> str:
    body = mail.outbox[-1].body
    return next(line for line in body.splitlines() if "/signin/" in line).strip()


def test_a_facilitator_gets_a_link_that_signs_them_in_once(
    client, mayor, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fr/signin/", {"email": mayor.email.upper()})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to[0].endswith(f"<{mayor.email}>")
    link = _link_from_mail()
    path = link.split("127.0.0.1:8000", 1)[1]

    # Opening the link (a mail scanner does) signs nobody in and spends nothing.
    assert client.get(path).status_code == 200
    assert LoginLink.objects.get().used_at is None

    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/fr/facilitate/"
    mayor.refresh_from_db()
    assert mayor.user is not None and not mayor.user.is_staff
    assert may_facilitate(mayor.user, meeting)

    again = Client().post(path)
    assert again.status_code == 400
    with translation.override("fr"):
        assert _("This sign-in link was already used: ask for a new one.") in again.content.decode()


def test_the_page_and_the_email_say_how_long_the_link_works_in_dutch(
    client, mayor, django_capture_on_commit_callbacks
):
    mayor.preferred_language = "nl"
    mayor.save()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/nl/signin/", {"email": mayor.email})
    assert "gedurende 15 minuten" in page.content.decode()
    assert "gedurende 15 minuten" in mail.outbox[0].body


def test_the_form_says_the_same_for_strangers_and_sends_them_nothing(
    client, mayor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stranger = client.post("/en/signin/", {"email": "nobody@example.org"})
        known = client.post("/en/signin/", {"email": mayor.email})
    assert stranger.status_code == known.status_code == 200
    strip = lambda html, email: html.content.decode().replace(email, "EMAIL")  # noqa: E731
    assert strip(stranger, "nobody@example.org") == strip(known, mayor.email)
    assert len(mail.outbox) == 1


def test_an_invalid_address_is_refused_with_a_reason(client, db):
    response = client.post("/en/signin/", {"email": "not an address\r\nBcc: x@example.org"})
    assert response.status_code == 422
    assert "email address" in response.content.decode()
    assert not LoginLink.objects.exists()


def test_a_link_expires_after_15_minutes(mayor):
    assert login_link_request(mayor.email)
    link = LoginLink.objects.get()
    assert link.expires_at - link.created_at == pytest.approx(
        timedelta(minutes=15), abs=timedelta(seconds=1)
    )
    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save()
    with pytest.raises(LoginLinkInvalid, match=r"expired \(links last 15 minutes\)"):
        login_link_use(link.token)
    with pytest.raises(LoginLinkInvalid, match="not valid"):
        login_link_use("forged-token")


def test_links_are_rationed_per_address(mayor):
    sent = [login_link_request(mayor.email) for _ in range(LOGIN_LINKS_PER_HOUR + 2)]
    assert sent.count(True) == LOGIN_LINKS_PER_HOUR
    assert LoginLink.objects.count() == LOGIN_LINKS_PER_HOUR


def test_anyone_in_the_directory_or_registered_gets_a_link_and_nobody_else(db):
    assert login_link_request(PersonFactory().email)
    assert login_link_request(RegistrationFactory(email="Sofie@Menen.example").email.lower())
    assert not login_link_request("nobody@example.org")
    assert LoginLink.objects.count() == 2


def test_a_registrant_outside_the_directory_gets_a_plain_account_and_no_directory_entry(
    db, client, django_capture_on_commit_callbacks
):
    RegistrationFactory(email="Sofie.Claes@menen.example", language="nl", first_name="Sofie")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fr/signin/", {"email": "sofie.claes@MENEN.example"})
    (message,) = mail.outbox
    assert "Sofie" in message.to[0] and "gedurende 15 minuten" in message.body
    response = client.post(_link_from_mail().split("127.0.0.1:8000", 1)[1])
    assert response["Location"] == "/nl/me/"  # the link is in her language
    user = User.objects.get(username__startswith="signer-")
    assert (user.email, user.is_staff, user.has_usable_password()) == (
        "sofie.claes@menen.example",
        False,
        False,
    )
    assert not Person.objects.exists()

    # Entering the directory later, she keeps the same account.
    person = PersonFactory(email="sofie.claes@menen.example")
    assert person_user(person) == user


def test_links_are_rationed_per_address_outside_the_directory_too(db):
    email = RegistrationFactory().email
    sent = [login_link_request(email.upper()) for _ in range(LOGIN_LINKS_PER_HOUR + 1)]
    assert sent.count(True) == LOGIN_LINKS_PER_HOUR


def test_a_facilitator_may_not_run_another_meeting(mayor, meeting):
    assert login_link_request(mayor.email)
    user, _next = login_link_use(LoginLink.objects.get().token)
    other = MeetingFactory(programme=meeting.programme)
    cross_border_pair(other)
    assert may_facilitate(user, meeting)
    assert not may_facilitate(user, other)


def test_the_next_page_is_kept_but_never_another_site(client, mayor):
    client.post("/fr/signin/", {"email": mayor.email, "next": "https://evil.example/"})
    client.post("/fr/signin/", {"email": mayor.email, "next": "/fr/door/meetings/1/"})
    evil, door = LoginLink.objects.order_by("pk")
    assert evil.next_url == ""
    assert door.next_url == "/fr/door/meetings/1/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_a_link_stored_for_later_keeps_no_page_on_another_site(mayor, next_url):
    assert login_link_request(mayor.email, next_url)
    assert LoginLink.objects.get().next_url == ""


def test_links_are_rationed_per_client_address_whatever_the_email(client, mayor, settings):
    settings.SIGNIN_THROTTLE_RATE = "2/h"

    answers = [
        client.post(
            "/en/signin/",
            {"email": f"someone{n}@example.org"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        for n in range(2)
    ]
    refused = client.post("/en/signin/", {"email": mayor.email})

    assert [answer.status_code for answer in answers] == [200, 200]
    assert refused.status_code == 429
    assert "Too many sign-in links" in refused.content.decode()
    assert not LoginLink.objects.exists()
