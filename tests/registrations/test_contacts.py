"""The contact list (seed 001): mutual, opt-in, of those who came; its PDF and vCards,
its consents, and what organisers see of it."""

from io import BytesIO

import pytest
import vobject
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader

from meetings.models import Person
from meetings.services.directory import person_create, person_update
from meetings.services.signin import signer_user
from registrations import selectors
from registrations.contacts import contact_list_files
from registrations.models import Consent, Registration
from registrations.services.consents import (
    CONTACT_SHARING_VERSION,
    NETWORK_NEWS_VERSION,
    RECORDED_BY_ORGANISERS,
    contact_sharing_withdraw,
    network_news_set,
    registration_consents_record,
)
from registrations.services.registration import registration_update
from tests.factories import PersonFactory


def pdf_text(payload: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(payload)).pages)


def files(registration, language) -> dict[str, bytes]:
    return {
        name.rsplit(".", 1)[1]: payload
        for name, payload, _type in contact_list_files(
            Registration.objects.get(pk=registration.pk), language
        )
    }


def test_the_list_holds_who_came_and_shares_and_goes_to_them_only(contact_meeting):
    listed = selectors.contact_list(contact_meeting["meeting"].pk)
    assert {r.first_name for r in listed} == {"Marie", "Sofie 🌷"}
    assert files(contact_meeting["lea"], "fr") == {}  # came, does not share
    assert files(contact_meeting["paul"], "fr") == {}  # shares, did not come


def test_the_pdf_gives_each_other_participant_in_the_readers_language(contact_meeting):
    french = pdf_text(files(contact_meeting["sofie"], "fr")["pdf"])
    assert "Marie Dupont" in french
    assert "maire, Ville de Lille" in french
    assert "Lille, France" in french
    assert "+33 3 20 00 00 00" in french and "Marie.Dupont@lille.example" in french
    assert "Sofie" not in french  # not in her own list
    assert "Léa" not in french and "Paul" not in french

    dutch = pdf_text(files(contact_meeting["marie"], "nl")["pdf"])
    assert "Contactlijst" in dutch
    assert "<b>& Claes" in dutch  # markup printed as typed
    assert "schepen, Stad Menen" in dutch and "België" in dutch
    assert "Marie" not in dutch


def test_the_vcards_are_one_per_person_and_keep_names_as_typed(contact_meeting):
    payload = files(contact_meeting["marie"], "fr")["vcf"].decode()
    (card,) = list(vobject.readComponents(payload))
    assert card.fn.value == "Sofie 🌷 <b>& Claes"
    assert (card.n.value.given, card.n.value.family) == ("Sofie 🌷", "<b>& Claes")
    assert card.org.value == ["Stad Menen"] and card.title.value == "échevin"
    assert card.email.value == "sofie.claes@menen.example"
    assert card.adr.value.country == "Belgique"
    assert not hasattr(card, "tel")

    payload = files(contact_meeting["sofie"], "nl")["vcf"].decode()
    (card,) = list(vobject.readComponents(payload))
    assert (card.fn.value, card.tel.value, card.adr.value.city) == (
        "Marie Dupont",
        "+33 3 20 00 00 00",
        "Lille",
    )


def test_someone_who_withdraws_leaves_every_list_served_after(contact_meeting):
    sofie = contact_meeting["sofie"]
    Consent.objects.create(
        kind=Consent.Kind.CONTACT_SHARING, version="1", registration=sofie, given_at=timezone.now()
    )
    assert contact_sharing_withdraw([sofie]) == 1

    assert files(contact_meeting["sofie"], "nl") == {}  # mutual: she receives none either
    assert "Sofie" not in pdf_text(files(contact_meeting["marie"], "fr")["pdf"])
    consent = Consent.objects.get(registration=sofie)
    assert consent.withdrawn_at is not None and not consent.is_standing
    assert contact_sharing_withdraw([sofie]) == 0


def test_the_form_records_each_consent_with_its_text_version(register, meeting):
    shares = register(meeting, share_contact=True)
    keeps = register(meeting, share_contact=False)
    kinds = lambda r: sorted(  # noqa: E731
        Consent.objects.filter(registration=r).values_list("kind", "version")
    )
    assert kinds(shares) == [
        ("contact_sharing", CONTACT_SHARING_VERSION),
        ("privacy_notice", settings.PRIVACY_NOTICE_VERSION),
    ]
    assert kinds(keeps) == [("privacy_notice", settings.PRIVACY_NOTICE_VERSION)]

    registration_update(keeps, {"share_contact": True})
    registration_update(keeps, {"share_contact": False})
    registration_update(keeps, {"share_contact": False})
    (given,) = Consent.objects.filter(registration=keeps, kind="contact_sharing")
    assert given.withdrawn_at is not None


def test_a_new_notice_version_closes_the_old_consent_and_records_the_new(
    register, meeting, settings
):
    registration = register(meeting, share_contact=False)
    settings.PRIVACY_NOTICE_VERSION = "2027-01"
    registration_consents_record(registration, timezone.now())
    old, new = Consent.objects.filter(registration=registration).order_by("pk")
    assert (old.withdrawn_at is not None, new.version, new.is_standing) == (True, "2027-01", True)


def test_network_news_are_the_persons_own_choice_with_its_record(db):
    person = PersonFactory()
    network_news_set(person, True)
    network_news_set(person, True)
    network_news_set(person, False)
    person.refresh_from_db()
    assert not person.accepts_network_news
    (consent,) = Consent.objects.filter(person=person)
    assert (consent.kind, consent.withdrawn_at is not None) == ("network_news", True)


# --- What organisers see -------------------------------------------------------------


def test_organisers_see_each_participant_with_their_consent(
    contact_meeting, api_client, django_assert_max_num_queries
):
    meeting = contact_meeting["meeting"]
    Consent.objects.create(
        kind="contact_sharing",
        version="2026-12",
        registration=contact_meeting["marie"],
        given_at=timezone.now(),
    )
    with django_assert_max_num_queries(8):
        response = api_client.get(f"/api/meetings/{meeting.pk}/contacts")
    assert response.status_code == 200
    rows = {row["first_name"]: row for row in response.json()}
    assert set(rows) == {"Marie", "Sofie 🌷", "Paul", "Léa"}
    assert (rows["Marie"]["in_list"], rows["Marie"]["consent_version"]) == (True, "2026-12")
    assert rows["Marie"]["phone"] == "+33 3 20 00 00 00"
    assert (rows["Paul"]["shares_contact"], rows["Paul"]["in_list"]) == (True, False)
    assert (rows["Léa"]["shares_contact"], rows["Léa"]["checked_in"]) == (False, True)
    assert rows["Sofie 🌷"]["country"] == "BE"


@pytest.mark.parametrize("who", ["anonymous", "participant"])
def test_nobody_else_sees_who_consented(contact_meeting, client, who):
    if who == "participant":
        client.force_login(signer_user("sofie.claes@menen.example"))
    response = client.get(f"/api/meetings/{contact_meeting['meeting'].pk}/contacts")
    assert response.status_code == (403 if who == "participant" else 401)


def test_an_unknown_meeting_has_no_contacts(api_client, db):
    assert api_client.get("/api/meetings/999999/contacts").status_code == 404


def test_network_news_an_organiser_enters_are_recorded_as_theirs(db):
    person = person_create(
        first_name="Anne",
        last_name="Martin",
        email="anne@example.org",
        function="mayor",
        accepts_network_news=True,
    )
    (recorded,) = Consent.objects.filter(person=person)
    assert (recorded.version, recorded.is_standing) == (RECORDED_BY_ORGANISERS, True)

    person_update(person, first_name="Anne-Marie")  # no change to the news: no new row
    network_news_set(person, False)
    network_news_set(person, True)  # her own, given here
    person_update(Person.objects.get(pk=person.pk), last_name="Martin-Dupont")
    assert [
        (consent.version, consent.is_standing) for consent in Consent.objects.filter(person=person)
    ] == [(RECORDED_BY_ORGANISERS, False), (NETWORK_NEWS_VERSION, True)]

    person_update(Person.objects.get(pk=person.pk), accepts_network_news=False)
    assert not Consent.objects.filter(person=person, withdrawn_at=None).exists()
