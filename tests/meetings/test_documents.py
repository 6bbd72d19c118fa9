"""Documents: uploads checked by content and size (API and admin), the visibility rule on
every download path, the meeting page, and files that never outlive their row."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from meetings.models import Document, Organisation
from registrations.models import Registration
from tests.conftest import stored_files
from tests.documents import DOCX, HTML, JPEG, ODT, PDF, PLAIN_ZIP, PNG, PPTX, document_make, upload
from tests.factories import MeetingFactory, OrganisationFactory, PersonFactory
from tests.ticket_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

PUBLIC, PARTICIPANTS, MEMBERS = Document.Visibility.values


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def _user_of(person, name: str) -> User:
    person.user = User.objects.create_user(name, f"{name}@example.org")
    person.save(update_fields=["user"])
    return person.user


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Uploads ----------------------------------------------------------------------------


def _post(client, meeting, content=PDF, name="slides.pdf", **fields):
    data = {
        "title_fr": "Diaporama",
        "title_nl": "Presentatie",
        "kind": "slides",
        "language": "fr+nl",
        "visibility": "public",
        **fields,
        "file": upload(content, name),
    }
    return client.post(f"/api/meetings/{meeting.pk}/documents", data)


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PDF, "slides.pdf", "application/pdf"),
        (PNG, "photo.png", "image/png"),
        (JPEG, "photo.jpg", "image/jpeg"),
        (ODT, "fiche.odt", "application/vnd.oasis.opendocument.text"),
        (
            DOCX,
            "cahier.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        # The name says nothing: a PowerPoint called ".pdf" is a PowerPoint.
        (
            PPTX,
            "slides.pdf",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ],
)
def test_an_upload_is_typed_by_its_content(
    api_client, meeting, media_root, content, name, content_type, settings
):
    response = _post(api_client, meeting, content, name)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["content_type"] == content_type
    assert body["size"] == len(content)
    assert body["url"] == f"{settings.SITE_URL}/en/documents/{body['id']}/"
    assert stored_files(media_root) == [Document.objects.get().file.name]


@pytest.mark.parametrize(
    ("content", "name"),
    [(HTML, "report.pdf"), (PLAIN_ZIP, "fiche.odt"), (b"", "empty.pdf"), (b"%PD", "cut.pdf")],
)
def test_content_of_another_type_is_refused_whatever_its_name(
    api_client, meeting, media_root, content, name
):
    response = _post(api_client, meeting, content, name)

    assert response.status_code in (415, 422)
    assert "file" in response.json()["errors"]
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_html_named_pdf_is_refused_with_the_accepted_types(api_client, meeting):
    response = _post(api_client, meeting, HTML, "report.pdf")

    assert response.status_code == 415
    assert "not of an accepted type: PDF, PNG, JPEG" in response.json()["detail"]


def test_a_file_over_the_limit_is_refused_with_the_limit(api_client, meeting, media_root, settings):
    settings.DOCUMENT_MAX_MB = 0.001

    response = _post(api_client, meeting, PDF + b"0" * 2000)

    assert response.status_code == 413
    assert "the limit is 0.001 MB" in response.json()["detail"]
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title_fr": "", "title_nl": ""}, "title_fr"),
        ({"title_fr": "x" * 201}, "title_fr"),
        ({"kind": "video"}, "kind"),
        ({"visibility": "everyone"}, "visibility"),
    ],
)
def test_a_refused_field_stores_no_file(api_client, meeting, media_root, fields, field):
    response = _post(api_client, meeting, **fields)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert stored_files(media_root) == []


def test_a_row_that_fails_to_save_takes_its_stored_file_with_it(meeting, media_root, monkeypatch):
    """The database refuses the row after the file reached the storage."""

    def fail(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Document, "save", fail)
    with pytest.raises(RuntimeError):
        document_make(meeting)

    assert stored_files(media_root) == []


def test_participants_visibility_needs_a_meeting(media_root):
    from meetings.errors import InvalidData

    with pytest.raises(InvalidData, match="belongs to a meeting"):
        document_make(None, visibility=PARTICIPANTS)
    assert stored_files(media_root) == []


def test_uploads_and_changes_need_an_organiser(client, meeting):
    document = document_make(meeting)

    assert _post(client, meeting).status_code == 401
    assert client.delete(f"/api/documents/{document.pk}").status_code == 401
    patched = client.patch(
        f"/api/documents/{document.pk}", {"visibility": MEMBERS}, content_type="application/json"
    )
    assert patched.status_code == 401


def test_an_organiser_changes_and_deletes_a_document(
    api_client, meeting, media_root, django_capture_on_commit_callbacks
):
    document = document_make(meeting, title_fr="<b>& Vélo 🚲")

    response = api_client.patch(
        f"/api/documents/{document.pk}",
        {"visibility": PARTICIPANTS, "title_nl": "Fiets"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["visibility"] == PARTICIPANTS
    assert response.json()["title_fr"] == "<b>& Vélo 🚲"

    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.delete(f"/api/documents/{document.pk}").status_code == 204
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_unknown_ids_answer_404(api_client, meeting):
    assert _post(api_client, MeetingFactory.build(pk=999999)).status_code == 404
    assert api_client.get("/api/meetings/999999/documents").status_code == 404
    assert api_client.delete("/api/documents/999999").status_code == 404


# --- Who sees what ----------------------------------------------------------------------


@pytest.fixture
def documents(meeting):
    return {
        visibility: document_make(meeting, visibility=visibility)
        for visibility in (PUBLIC, PARTICIPANTS, MEMBERS)
    }


@pytest.fixture
def visitors(meeting, organiser):
    """Each kind of visitor, as (client, how they reach a document of `meeting`)."""
    member_org = OrganisationFactory(membership="active", member_since=2012)
    lapsed_org = OrganisationFactory(membership="lapsed", member_since=2010)
    participant = RegistrationFactory(meeting=meeting)
    other = RegistrationFactory(meeting=MeetingFactory(programme=meeting.programme))
    signed_in_participant = PersonFactory()
    RegistrationFactory(meeting=meeting, person=signed_in_participant)
    facilitator = meeting.cofacilitators.first().person

    def general(pk, lang):
        return f"/{lang}/documents/{pk}/"

    def by_token(registration):
        return lambda pk, lang: f"/{lang}/r/{registration.manage_token}/documents/{pk}/"

    return {
        "anonymous": (Client(), general),
        "participant": (Client(), by_token(participant)),
        "participant of another meeting": (Client(), by_token(other)),
        "signed-in participant": (_signed_in(_user_of(signed_in_participant, "p")), general),
        "member": (_signed_in(_user_of(PersonFactory(organisation=member_org), "m")), general),
        "non-member": (_signed_in(_user_of(PersonFactory(organisation=lapsed_org), "n")), general),
        "facilitator": (_signed_in(_user_of(facilitator, "f")), general),
        "organiser": (_signed_in(organiser), general),
    }


# What each visitor gets for a public, a participants' and a members' document.
EXPECTED = {
    "anonymous": (200, 403, 403),
    "participant": (200, 200, 404),
    # The link of one registration opens its own meeting's documents, no other's.
    "participant of another meeting": (404, 404, 404),
    "signed-in participant": (200, 200, 403),
    "member": (200, 403, 200),
    "non-member": (200, 403, 403),
    "facilitator": (200, 200, 403),
    "organiser": (200, 200, 200),
}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_each_visitor_against_each_visibility(documents, visitors, lang):
    seen = {}
    for name, (client, url) in visitors.items():
        seen[name] = tuple(
            client.get(url(documents[visibility].pk, lang)).status_code
            for visibility in (PUBLIC, PARTICIPANTS, MEMBERS)
        )
    assert seen == EXPECTED


def test_a_refusal_says_who_the_document_is_for(client, documents):
    response = client.get(f"/nl/documents/{documents[PARTICIPANTS].pk}/")

    assert response.status_code == 403
    assert response["Cache-Control"] == "private, no-store"
    assert "deelnemers" in response.content.decode()
    members = client.get(f"/fr/documents/{documents[MEMBERS].pk}/").content.decode()
    assert "organisations adhérentes" in members


def test_public_documents_are_cached_long_the_others_by_nobody(documents, organiser):
    client = _signed_in(organiser)
    public = client.get(f"/fr/documents/{documents[PUBLIC].pk}/")
    assert public["Content-Type"] == "application/pdf"
    assert b"".join(public.streaming_content) == PDF
    assert "public" in public["Cache-Control"]
    assert "max-age=604800" in public["Cache-Control"]
    for visibility in (PARTICIPANTS, MEMBERS):
        response = client.get(f"/fr/documents/{documents[visibility].pk}/")
        assert response["Cache-Control"] == "private, no-store"


def test_through_a_manage_link_even_public_documents_stay_private(meeting, documents):
    registration = RegistrationFactory(meeting=meeting)
    url = f"/fr/r/{registration.manage_token}/documents/{documents[PUBLIC].pk}/"

    assert Client().get(url)["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_only_a_confirmed_registration_opens_participants_documents(meeting, documents, status):
    registration = RegistrationFactory(meeting=meeting, status=status)
    url = f"/fr/r/{registration.manage_token}/documents/{documents[PARTICIPANTS].pk}/"

    assert Client().get(url).status_code == 404


def test_documents_of_a_draft_meeting_are_the_organisers_alone(programme, organiser):
    draft = MeetingFactory(programme=programme, status="draft")
    document = document_make(draft)

    assert Client().get(f"/fr/documents/{document.pk}/").status_code == 404
    assert _signed_in(organiser).get(f"/fr/documents/{document.pk}/").status_code == 200


def test_an_organisers_api_key_downloads_a_draft_meetings_document(
    client, programme, organiser_key
):
    document = document_make(MeetingFactory(programme=programme, status="draft"))
    url = f"/fr/documents/{document.pk}/"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {organiser_key}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION="Bearer pm_forged").status_code == 401


def test_office_files_are_saved_not_opened(meeting, organiser):
    document = document_make(meeting, content=DOCX, name="cahier des charges.docx")

    response = _signed_in(organiser).get(f"/fr/documents/{document.pk}/")

    assert response["Content-Disposition"].startswith("attachment;")
    assert "cahier_des_charges.docx" in response["Content-Disposition"]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_api_lists_what_the_caller_may_see(
    client, api_client, meeting, documents, lang, django_assert_max_num_queries
):
    url = f"/api/meetings/{meeting.pk}/documents?lang={lang}"

    with django_assert_max_num_queries(4):
        anonymous = Client().get(url).json()["results"]
    assert [d["visibility"] for d in anonymous] == [PUBLIC]
    title = "Presentatie van de plenaire" if lang == "nl" else "Diaporama de la plénière"
    assert anonymous[0]["title"] == title
    listed = api_client.get(url).json()["results"]
    assert {d["visibility"] for d in listed} == {PUBLIC, PARTICIPANTS, MEMBERS}


def test_the_api_hides_the_documents_of_a_draft_meeting(client, programme):
    draft = MeetingFactory(programme=programme, status="draft")

    assert client.get(f"/api/meetings/{draft.pk}/documents").status_code == 404


# --- The meeting page ---------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "heading"), [("fr", "Documents"), ("nl", "Documenten")])
def test_the_meeting_page_lists_what_the_visitor_may_see(
    client, meeting, documents, organiser, lang, heading, django_assert_max_num_queries
):
    url = f"/{lang}/meetings/{meeting.pk}/"
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()

    assert heading in page
    assert page.count("/documents/") == 1
    assert f"/{lang}/documents/{documents[PUBLIC].pk}/" in page
    assert page.count("/documents/") == 1
    assert _signed_in(organiser).get(url).content.decode().count("/documents/") == 3


def test_a_meeting_without_documents_shows_no_section(client, meeting):
    assert "documents-title" not in client.get(f"/fr/meetings/{meeting.pk}/").content.decode()


# --- Membership ---------------------------------------------------------------------------


def test_people_of_active_member_organisations_are_members():
    active = OrganisationFactory(membership="active", member_since=2010)
    lapsed = OrganisationFactory(membership="lapsed", member_since=2011)
    outside = OrganisationFactory()
    people = [PersonFactory(organisation=org) for org in (active, lapsed, outside)]
    loner = PersonFactory(organisation=None)

    assert list(Organisation.objects.members()) == [active]
    assert [p.pk for p in type(loner).objects.members()] == [people[0].pk]
    assert [p.is_member for p in [*people, loner]] == [True, False, False, False]


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"membership": "active", "member_since": 2010}, 201),
        ({"membership": "active"}, 422),
        ({"membership": "", "member_since": 2010}, 422),
        ({"membership": "lapsed", "member_since": 1850}, 422),
        ({"membership": "honorary", "member_since": 2010}, 422),
    ],
)
def test_the_api_records_membership(api_client, fields, status):
    response = api_client.post(
        "/api/organisations",
        {"name": "Commune de Changé", "kind": "municipality", "country": "FR", **fields},
        content_type="application/json",
    )

    assert response.status_code == status, response.json()
    if status == 201:
        assert response.json()["is_member"] is True
        assert response.json()["member_since"] == 2010


def test_a_lapsed_membership_is_shown_and_is_not_membership(api_client):
    organisation = OrganisationFactory(membership="active", member_since=2010)

    response = api_client.patch(
        f"/api/organisations/{organisation.pk}",
        {"membership": "lapsed"},
        content_type="application/json",
    )

    assert response.json()["membership"] == "lapsed"
    assert response.json()["is_member"] is False


# --- The admin ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "label"), [("fr", "adhérent actif"), ("nl", "actief lid")])
def test_the_admin_shows_membership(organiser_client, lang, label):
    OrganisationFactory(name="Changé", membership="active", member_since=2012)

    page = organiser_client.get(f"/{lang}/admin/meetings/organisation/").content.decode()

    assert label in page
    assert "2012" in page


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def _admin_add(client, meeting, content, name):
    return client.post(
        "/fr/admin/meetings/document/add/",
        {
            "title_fr": "Poster",
            "title_nl": "",
            "kind": "poster",
            "language": "fr",
            "meeting": meeting.pk,
            "visibility": "participants",
            "file": upload(content, name),
        },
    )


def test_the_admin_uploads_through_the_same_checks(superuser_client, meeting, media_root):
    refused = _admin_add(superuser_client, meeting, HTML, "poster.png")
    assert refused.status_code == 200
    assert "accepté" in refused.content.decode()
    assert stored_files(media_root) == []

    added = _admin_add(superuser_client, meeting, PNG, "poster.png")
    assert added.status_code == 302
    document = Document.objects.get()
    assert document.content_type == "image/png"
    assert document.uploaded_by.username == "root"


def test_registrations_are_participants_only_while_confirmed(meeting):
    person = PersonFactory()
    registration = RegistrationFactory(meeting=meeting, person=person)
    from meetings.selectors import viewer_for

    user = _user_of(person, "x")
    assert meeting.pk in viewer_for(user).participant_of
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")
    user = User.objects.get(pk=user.pk)
    assert meeting.pk not in viewer_for(user).participant_of


# --- The manage page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("fr", "Documents de la rencontre"), ("nl", "Documenten van de ontmoeting")],
)
def test_the_manage_page_links_the_participants_documents_through_its_token(
    meeting, documents, lang, heading
):
    registration = RegistrationFactory(meeting=meeting, language=lang)
    waiting = RegistrationFactory(meeting=meeting, status="waitlisted")

    page = Client().get(f"/{lang}/r/{registration.manage_token}/").content.decode()

    assert heading in page
    for visibility in (PUBLIC, PARTICIPANTS):
        url = f"/{lang}/r/{registration.manage_token}/documents/{documents[visibility].pk}/"
        assert url in page
    assert f"/documents/{documents[MEMBERS].pk}/" not in page
    waiting_page = Client().get(f"/{lang}/r/{waiting.manage_token}/").content.decode()
    assert f"/documents/{documents[PUBLIC].pk}/" in waiting_page
    assert f"/documents/{documents[PARTICIPANTS].pk}/" not in waiting_page


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "n’est pas d’un type accepté"), ("nl", "geen aanvaard type")],
)
def test_a_refusal_is_in_the_callers_language(api_client, meeting, lang, words):
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang

    response = _post(api_client, meeting, HTML, "report.pdf")

    assert words in response.json()["detail"]


def test_a_control_character_in_an_upload_field_is_refused_before_any_storage(
    api_client, meeting, media_root
):
    response = _post(api_client, meeting, title_fr="Dia\x00porama")

    assert response.status_code == 422
    assert "title_fr" in response.json()["detail"]
    assert stored_files(media_root) == []


def test_the_meeting_admin_links_its_documents(superuser_client, meeting, documents):
    page = superuser_client.get(f"/fr/admin/meetings/meeting/{meeting.pk}/change/")
    url = f"/fr/admin/meetings/document/?meeting__id__exact={meeting.pk}"

    assert url in page.content.decode().replace("&amp;", "&")
    listing = superuser_client.get(url)
    assert listing.status_code == 200
    assert listing.content.decode().count("/change/") >= 3


# --- Under the agenda -----------------------------------------------------------------------


def _item(meeting, title):
    from meetings.services.agenda import agenda_item_create

    return agenda_item_create(
        meeting, starts_at=meeting.starts_at, duration_min=45, kind="plenary", title_fr=title
    )


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_slides_of_an_agenda_item_show_under_it_on_the_meeting_page(
    api_client, client, meeting, lang
):
    plenary = _item(meeting, "Plénière d’ouverture")
    response = _post(api_client, meeting, agenda_item=plenary.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["agenda_item"] == plenary.pk
    loose = document_make(meeting, title_fr="Affiche", kind="poster")

    page = client.get(f"/{lang}/meetings/{meeting.pk}/").content.decode()

    agenda = page[page.index('id="agenda-title"') : page.index("</ol>")]
    assert f"/{lang}/documents/{response.json()['id']}/" in agenda
    assert f"/documents/{loose.pk}/" not in agenda
    assert f"/{lang}/documents/{loose.pk}/" in page[page.index('id="documents-title"') :]


def test_an_agenda_item_of_another_meeting_is_refused(api_client, meeting, media_root):
    other = MeetingFactory(programme=meeting.programme)
    elsewhere = _item(other, "Ailleurs")

    response = _post(api_client, meeting, agenda_item=elsewhere.pk)

    assert response.status_code == 422
    assert "agenda_item" in response.json()["errors"]
    assert stored_files(media_root) == []
    unknown = _post(api_client, meeting, agenda_item=999999)
    assert unknown.status_code == 422


# --- The archive ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_archive_links_each_past_meetings_public_documents(
    client, programme, lang, django_assert_max_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    past = [
        MeetingFactory(
            programme=programme,
            starts_at=timezone.now() - timedelta(days=d, hours=3),
            ends_at=timezone.now() - timedelta(days=d),
        )
        for d in (1, 2, 3)
    ]
    public = [document_make(meeting) for meeting in past]
    hidden = document_make(past[0], visibility=PARTICIPANTS)

    with django_assert_max_num_queries(8):
        page = client.get(f"/{lang}/archive/").content.decode()

    for document in public:
        assert f"/{lang}/documents/{document.pk}/" in page
    assert f"/documents/{hidden.pk}/" not in page


def test_a_signed_in_registrant_outside_the_directory_is_a_participant(meeting, documents):
    registration = RegistrationFactory(meeting=meeting, person=None, email="Sofie@Menen.example")
    user = User.objects.create_user("sofie", "sofie@menen.example")

    url = f"/nl/documents/{documents[PARTICIPANTS].pk}/"

    assert _signed_in(user).get(url).status_code == 200
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")
    assert _signed_in(user).get(url).status_code == 403
