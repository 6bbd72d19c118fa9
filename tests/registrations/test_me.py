"""Each person's own space: their meetings, the contact lists they are owed, their
consents; and the privacy notice."""

import pytest
from django.contrib.auth.models import User

from meetings.services.signin import person_user, signer_user
from registrations.models import Consent
from tests.factories import PersonFactory
from tests.ticket_factories import RegistrationFactory, checkin_make


@pytest.fixture
def sofie(contact_meeting, client):
    """Sofie signed in: outside the directory, known by her registration's address."""
    client.force_login(signer_user("sofie.claes@menen.example"))
    return client


def test_the_space_needs_a_sign_in(client, db):
    response = client.get("/fr/me/")
    assert response.status_code == 302 and response["Location"].startswith("/fr/signin/")


def test_a_participant_sees_their_meetings_and_lists_in_their_language(
    sofie, contact_meeting, django_assert_max_num_queries
):
    upcoming = RegistrationFactory(email="SOFIE.claes@menen.example")
    for _n in range(5):
        checkin_make(RegistrationFactory(email="sofie.claes@menen.example", share_contact=True))
    RegistrationFactory(first_name="Someone else")
    with django_assert_max_num_queries(9):  # four of them for the documents kept for her
        page = sofie.get("/nl/me/").content.decode()
    assert "Mijn ruimte" in page and "Contactlijsten" in page
    meeting = contact_meeting["meeting"]
    assert f"/nl/me/meetings/{meeting.pk}/contacts.pdf" in page
    assert f"/nl/me/meetings/{meeting.pk}/contacts.vcf" in page
    assert f"/nl/r/{upcoming.manage_token}/" in page
    assert f"/nl/r/{contact_meeting['sofie'].manage_token}/" in page
    assert "/calendar/r/" in page
    assert "Someone else" not in page
    assert "Mijn toestemming om mijn gegevens te delen intrekken" in page


def test_the_lists_download_in_the_readers_language(sofie, contact_meeting):
    meeting = contact_meeting["meeting"]
    pdf = sofie.get(f"/nl/me/meetings/{meeting.pk}/contacts.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f'filename="contacten-{meeting.pk}.pdf"' in pdf["Content-Disposition"]
    assert "no-store" in pdf["Cache-Control"]
    vcf = sofie.get(f"/fr/me/meetings/{meeting.pk}/contacts.vcf")
    assert vcf["Content-Type"] == "text/vcard; charset=utf-8" and b"FN:Marie Dupont" in vcf.content


@pytest.mark.parametrize("who", ["lea", "stranger"])
def test_nobody_fetches_a_list_they_are_not_owed(contact_meeting, client, who):
    """Léa came but does not share; a stranger was not there: neither gets the list,
    whatever they put in the address."""
    email = contact_meeting["lea"].email if who == "lea" else "someone@example.org"
    client.force_login(signer_user(email))
    meeting = contact_meeting["meeting"]
    for extension in ("pdf", "vcf"):
        assert client.get(f"/fr/me/meetings/{meeting.pk}/contacts.{extension}").status_code == 404
    assert "contacts.pdf" not in client.get("/fr/me/").content.decode()


def test_a_directory_person_finds_registrations_made_with_their_address(contact_meeting, client):
    marie = contact_meeting["marie"].person
    client.force_login(person_user(marie))
    page = client.get("/fr/me/").content.decode()
    assert "Mon espace" in page and "contacts.pdf" in page
    assert "Recevoir les nouvelles du réseau" in page


def test_withdrawing_takes_the_person_out_of_every_list_served_after(sofie, contact_meeting):
    meeting = contact_meeting["meeting"]
    Consent.objects.create(
        kind="contact_sharing",
        version="2026-12",
        registration=contact_meeting["sofie"],
        given_at=meeting.starts_at,
    )
    response = sofie.post("/fr/me/contact-sharing/withdraw/", follow=True)
    page = response.content.decode()
    assert "Les copies déjà envoyées ne peuvent pas être rappelées" in page
    assert "Vos coordonnées ne figurent dans aucune liste" in page
    assert sofie.get(f"/fr/me/meetings/{meeting.pk}/contacts.pdf").status_code == 404
    assert not Consent.objects.get(registration=contact_meeting["sofie"]).is_standing

    marie = sofie.__class__()
    marie.force_login(person_user(contact_meeting["marie"].person))
    vcards = marie.get(f"/fr/me/meetings/{meeting.pk}/contacts.vcf").content.decode()
    assert "Sofie" not in vcards


def test_withdrawal_and_news_are_posts_with_csrf(contact_meeting):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(signer_user("sofie.claes@menen.example"))
    assert client.post("/fr/me/contact-sharing/withdraw/").status_code == 403
    assert client.get("/fr/me/contact-sharing/withdraw/").status_code == 405


def test_a_person_chooses_the_network_news(client, db):
    person = PersonFactory(accepts_network_news=False)
    client.force_login(person_user(person))
    client.post("/nl/me/network-news/", {"given": "1"})
    person.refresh_from_db()
    assert person.accepts_network_news
    assert Consent.objects.get(person=person).kind == "network_news"


def test_someone_outside_the_directory_has_no_news_to_choose(client, db):
    client.force_login(signer_user("x@example.org"))
    assert client.post("/fr/me/network-news/", {"given": "1"}).status_code == 404
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "Notice de confidentialité"), ("nl", "Privacyverklaring")],
)
def test_the_privacy_notice_speaks_each_language_and_shows_its_version(
    client, db, settings, lang, words
):
    settings.PRIVACY_NOTICE_VERSION = "2027-03"
    settings.RETENTION_MONTHS = 18
    page = client.get(f"/{lang}/privacy/").content.decode()
    assert words in page and "2027-03" in page
    # It says the periods the retention rules run with, and where to exercise one's rights.
    assert " 18 " in page and " 24 " not in page
    assert f'href="/{lang}/me/data/"' in page


def test_organisers_adapt_the_notice_with_a_template_of_their_own(client, db, settings, tmp_path):
    notice = tmp_path / "registrations" / "privacy" / "notice_nl.html"
    notice.parent.mkdir(parents=True)
    notice.write_text("<p>Onze eigen tekst.</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    assert "Onze eigen tekst." in client.get("/nl/privacy/").content.decode()
    assert "Onze eigen tekst." not in client.get("/fr/privacy/").content.decode()


def test_the_registration_form_links_the_notice(client, meeting):
    page = client.get(f"/fr/meetings/{meeting.pk}/register/").content.decode()
    assert 'href="/fr/privacy/"' in page


def test_an_organiser_with_no_registration_sees_an_empty_space_and_the_admin(organiser_client):
    page = organiser_client.get("/en/me/").content.decode()
    assert "None." in page and 'href="/en/admin/"' in page and 'href="/en/facilitate/"' in page
    assert "contacts.pdf" not in page and "Withdraw" not in page


def test_the_space_lists_the_documents_kept_for_the_person(
    contact_meeting, client, media_root, django_assert_max_num_queries
):
    """Sofie came to the meeting: its participants' documents are hers, not another
    meeting's nor the members'; Marie's organisation is a member: the members' are hers
    too. Public documents are on the meeting pages, not listed here."""
    from meetings.models import Document
    from tests.documents import document_make
    from tests.factories import MeetingFactory

    meeting = contact_meeting["meeting"]
    visibility = Document.Visibility
    document_make(meeting, title_fr="Diaporama <b>&", visibility=visibility.PARTICIPANTS)
    document_make(MeetingFactory(), title_fr="Autre réunion", visibility=visibility.PARTICIPANTS)
    document_make(meeting, title_fr="Fiche des membres", visibility=visibility.MEMBERS)
    document_make(meeting, title_fr="Affiche publique", visibility=visibility.PUBLIC)

    client.force_login(signer_user("sofie.claes@menen.example"))
    with django_assert_max_num_queries(9):
        page = client.get("/fr/me/").content.decode()
    assert "Diaporama &lt;b&gt;&amp;" in page
    assert "Autre réunion" not in page and "Fiche des membres" not in page
    assert "Affiche publique" not in page

    marie = contact_meeting["marie"].person
    marie.organisation.membership, marie.organisation.member_since = "active", 2012
    marie.organisation.save()
    client.force_login(person_user(marie))
    page = client.get("/fr/me/").content.decode()
    assert "Fiche des membres" in page and "Diaporama &lt;b&gt;&amp;" in page
