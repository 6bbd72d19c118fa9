"""Data rights: a person sees and takes away everything held about them, and erases it
(themselves or through an organiser); what the key figures count stays."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import translation

from meetings.models import Erasure, LoginLink, Person
from meetings.services.signin import login_link_request, signer_user
from registrations.models import CheckIn, Consent, Registration
from reports.booklet import booklet_pdf
from reports.booklet_data import booklet_data
from tasks.models import Delivery
from tasks.outbox.enqueue import OutboxError
from tasks.outbox.sweep import delivery_resend
from tests.reports.test_booklet import pdf_text
from workshops.models import Contribution
from workshops.services.privacy import subject_erase
from workshops.subject import subject_export, subject_of_person, subject_of_user

pytestmark = pytest.mark.django_db


def test_the_export_holds_everything_about_the_person_and_nothing_of_anyone_else(
    subject_world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        data = subject_export(subject_of_user(subject_world["user"]))
    assert data["directory_entry"]["last_name"] == "Dupont 🌻"
    assert data["directory_entry"]["phone"] == "+33 6 12 34 56 78"
    assert data["account"]["email"] == "marie.dupont@lille.example"
    # The registration under the same address in other letters, and the one tied to
    # her entry.
    assert [r["email"] for r in data["registrations"]] == [
        "Marie.Dupont@LILLE.example",
        "marie.dupont@lille.example",
    ]
    assert data["registrations"][0]["accessibility_notes"] == "marie: fauteuil roulant"
    assert data["registrations"][0]["checked_in_at"]
    assert len(data["check_ins"]) == 1
    assert [c["text"] for c in data["contributions"]] == ["Un bus de nuit"]
    assert [(e["kind"], e["status"]) for e in data["emails"]] == [
        ("registration_confirmed", "sent")
    ]
    assert [(c["kind"], c["withdrawn_at"]) for c in data["consents"]] == [
        ("privacy_notice", None),
        ("contact_sharing", None),
    ]
    dumped = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for other in ("Peeters", "jan", "Een fietspad", "café des maires", "Sofie", "végétarien"):
        assert other not in dumped


def test_the_page_shows_it_escaped_and_the_download_is_json(subject_world, client):
    client.force_login(subject_world["user"])
    page = client.get(reverse("me_data"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Marie &lt;b&gt;&amp;" in body and "<b>&" not in body
    assert "marie: sans gluten" in body and "Un bus de nuit" in body
    assert "Peeters" not in body
    download = client.get(reverse("me_data_json"))
    assert download["Content-Type"].startswith("application/json")
    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert "no-cache" in download["Cache-Control"] or "max-age=0" in download["Cache-Control"]
    assert json.loads(download.content)["directory_entry"]["first_name"] == "Marie <b>&"


@pytest.mark.parametrize(
    ("lang", "heading", "status"),
    [("fr", "Vos données", "confirmé"), ("nl", "Uw gegevens", "bevestigd")],
)
def test_the_page_speaks_the_readers_language(subject_world, client, lang, heading, status):
    client.force_login(subject_world["user"])
    with translation.override(lang):
        body = client.get(reverse("me_data")).content.decode()
        erase = client.get(reverse("me_erase")).content.decode()
    assert heading in body and f"<td>{status}</td>" in body
    assert {"fr": "Effacer mes données", "nl": "Mijn gegevens wissen"}[lang] in erase


@pytest.mark.parametrize("name", ["me_data", "me_data_json", "me_erase"])
def test_someone_not_signed_in_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin:request"))


def _figures(meeting):
    return booklet_data(meeting).figures


def test_the_booklet_reads_the_same_after_an_erasure(subject_world, settings, tmp_path):
    """The printed key figures too, read back from the PDF (post-it signatures are not
    printed, so the whole text is the same)."""
    settings.MEDIA_ROOT = tmp_path
    meeting = subject_world["meeting"]
    before = pdf_text(booklet_pdf(booklet_data(meeting), "fr"))
    subject_erase(subject_of_user(subject_world["user"]), by=None, channel="self")
    assert pdf_text(booklet_pdf(booklet_data(meeting), "fr")) == before
    assert "Un bus de nuit" in before


def test_erasing_oneself_asks_once_more_then_erases_and_signs_out(subject_world, client):
    world = subject_world
    figures = _figures(world["meeting"])
    client.force_login(world["user"])
    confirm = client.get(reverse("me_erase"))
    assert confirm.status_code == 200 and b'method="post"' in confirm.content
    assert Erasure.objects.count() == 0

    done = client.post(reverse("me_erase"))

    assert done.status_code == 200
    assert client.get(reverse("me_data")).status_code == 302  # signed out
    marie = Person.objects.get(pk=world["marie"].pk)
    assert (marie.first_name, marie.last_name, marie.phone) == ("", "Participant anonymisé", "")
    assert "lille" not in marie.email and marie.user is None
    world["user"].refresh_from_db()
    assert not world["user"].is_active and not world["user"].has_usable_password()
    assert world["user"].username == f"erased-{world['user'].pk}"
    login_link_request("marie.dupont@lille.example", "")
    assert not LoginLink.objects.exists()
    registration = Registration.objects.get(pk=world["registrations"]["marie"].pk)
    assert registration.last_name == "Participant anonymisé"
    assert registration.email.endswith("@anonymised.invalid")
    assert (registration.accessibility_notes, registration.dietary_notes) == ("", "")
    assert registration.person is None and registration.anonymised_at
    assert not registration.share_contact
    sharing = Consent.objects.get(registration=registration, kind="contact_sharing")
    assert sharing.withdrawn_at is not None
    assert CheckIn.objects.filter(registration=registration).exists()
    assert Contribution.objects.get(pk=world["posts"]["marie"].pk).author == ""
    assert Contribution.objects.get(pk=world["posts"]["jan"].pk).author == "Jan Peeters"
    delivery = Delivery.objects.get(pk=world["deliveries"]["marie"].pk)
    assert (delivery.to_email, delivery.to_name, delivery.status) == ("", "", "sent")
    assert "LILLE" not in delivery.last_error
    assert _figures(world["meeting"]) == figures
    # Jan is untouched.
    jan = Registration.objects.get(pk=world["registrations"]["jan"].pk)
    assert jan.accessibility_notes == "jan: fauteuil roulant" and jan.anonymised_at is None
    erasure = Erasure.objects.get()
    assert (erasure.channel, erasure.erased_by, erasure.person) == (
        "self",
        world["user"],
        marie,
    )
    # Two emails: the confirmation sent, and the cancellation of her upcoming seat, held back.
    assert (erasure.registrations, erasure.contributions, erasure.deliveries) == (2, 1, 2)


def test_an_upcoming_seat_goes_to_the_waiting_list_and_its_email_is_never_sent(
    subject_world,
):
    world = subject_world
    subject_erase(subject_of_user(world["user"]), by=world["user"], channel="self")
    later = Registration.objects.get(pk=world["registrations"]["later"].pk)
    assert later.status == "cancelled" and later.anonymised_at
    assert Registration.objects.get(pk=world["registrations"]["waiting"].pk).status == "confirmed"
    cancellation = Delivery.objects.get(kind="registration_cancelled", meeting=world["later"])
    assert (cancellation.status, cancellation.to_email) == ("failed", "")
    with pytest.raises(OutboxError, match="erased"):
        delivery_resend(cancellation)


def test_a_participant_outside_the_directory_is_erased_by_their_address(subject_world):
    """Signed in by a link to their registration's address, with an account of its own."""
    world = subject_world
    Person.objects.filter(pk=world["jan"].pk).update(email="jan@elsewhere.example")
    Registration.objects.filter(pk=world["registrations"]["jan"].pk).update(person=None)
    assert login_link_request("JAN.peeters@kortrijk.example")
    user = signer_user("jan.peeters@kortrijk.example")

    subject_erase(subject_of_user(user), by=user, channel="self")

    registration = Registration.objects.get(pk=world["registrations"]["jan"].pk)
    assert registration.last_name == "Geanonimiseerde deelnemer"
    user.refresh_from_db()
    assert (user.is_active, user.email, user.username) == (False, "", f"erased-{user.pk}")
    assert not LoginLink.objects.exists()
    assert not login_link_request("jan.peeters@kortrijk.example")
    assert Person.objects.get(pk=world["jan"].pk).last_name == "Peeters"


def test_an_organiser_erases_a_person_from_the_admin_after_confirming(
    subject_world, organiser_client, organiser
):
    world = subject_world
    figures = _figures(world["meeting"])
    url = reverse("admin:meetings_person_changelist")
    chosen = {"action": "erase", "_selected_action": [world["marie"].pk]}
    confirm = organiser_client.post(url, chosen)
    assert confirm.status_code == 200
    assert "Marie &lt;b&gt;&amp; Dupont 🌻" in confirm.content.decode()
    assert Erasure.objects.count() == 0

    done = organiser_client.post(url, {**chosen, "confirmed": "yes"})

    assert done.status_code == 302
    erasure = Erasure.objects.get()
    assert (erasure.channel, erasure.erased_by, erasure.erased_by_name) == (
        "organiser",
        organiser,
        "organiser",
    )
    assert Person.objects.get(pk=world["marie"].pk).phone == ""
    assert not Registration.objects.filter(email__icontains="lille").exists()
    assert _figures(world["meeting"]) == figures
    log = organiser_client.get(reverse("admin:meetings_erasure_changelist"))
    assert log.status_code == 200 and "Dupont" not in log.content.decode()


def test_an_erased_registration_link_no_longer_opens(subject_world, client):
    registration = subject_world["registrations"]["marie"]
    subject_erase(subject_of_person(subject_world["marie"]), by=None, channel="organiser")
    response = client.get(reverse("registrations:manage", args=[registration.manage_token]))
    assert response.status_code == 404
