"""The synthesis booklet: what it says (read back from the PDF), how it is built and
reused, and who gets it when the meeting closes."""

import gc
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from events_site.kit import pdf
from meetings.models import Meeting
from registrations.models import CheckIn
from reports.booklet import _without_cycle_collection, booklet_pdf
from reports.booklet_data import booklet_data
from reports.models import BookletJob
from reports.services import booklet_request
from tests.booklet_review import booklet_approved_make
from tests.documents import document_make
from tests.factories import MeetingFactory, OrganisationFactory
from tests.ticket_factories import RegistrationFactory, checkin_make
from workshops.models import Workshop
from workshops.services.orientations import orientation_create
from workshops.services.plan import question_create
from workshops.services.postits import contribution_create, contribution_update
from workshops.services.tables import tables_create
from workshops.services.votes import vote_cast, workshop_vote_set
from workshops.services.workshops import workshop_close, workshop_create

pytestmark = pytest.mark.django_db

LONG = ("Un vélo partagé entre Halluin et Menen " * 40)[:990] + " FIN-LONG"
HOSTILE = ["<b>& gras", "<script>alert(1)</script>", "Vélo 🚲 partagé", LONG]


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def synthesis(meeting, organiser):
    """A meeting's workshops as the booklet sees them: two workshops (the second with no
    post-it), two orientations, votes, a merge, a hidden post-it, hostile text, and
    five registrations of whom three came (one reads Dutch, one English)."""
    lille = OrganisationFactory(name="Lille", country="FR")
    kortrijk = OrganisationFactory(name="Kortrijk", country="BE", kind="municipality")
    agency = OrganisationFactory(name="Eurometropool", country="BE", kind="agency")
    people = [
        ("fr", "mayor", lille, True),
        ("nl", "burgomaster", kortrijk, True),
        ("en", "officer", agency, True),
        ("fr", "officer", lille, False),
        ("nl", "alderman", kortrijk, False),
    ]
    registrations = []
    for language, function, organisation, present in people:
        registration = RegistrationFactory(
            meeting=meeting, language=language, function=function, organisation=organisation
        )
        if present:
            checkin_make(registration, by=organiser)
        registrations.append(registration)

    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    question_create(workshop, text_fr="Comment relier nos communes ?", text_nl="Hoe?")
    table, _second = tables_create(workshop, 2)
    transport = orientation_create(workshop, title_fr="Transports", title_nl="Vervoer")
    jobs = orientation_create(workshop, title_fr="Emploi", title_nl="")

    def post(text, orientation=None, objective=""):
        item = contribution_create(
            workshop, text=text, objective=objective, table=table, source="transcribed"
        )
        if orientation is not None:
            contribution_update(item, orientation=orientation)
        return item

    items = {
        "bus": post("Une ligne de bus transfrontalière", transport, "Relier les gares"),
        "train": post("Un train toutes les heures", transport),
        "jobs": post("Un salon de l'emploi commun", jobs, "Trouver du travail"),
        "loose": post("Un café des maires"),
    }
    for index, text in enumerate(HOSTILE):
        items[f"hostile{index}"] = post(text, transport if index % 2 else None)
    items["merged"] = post("Des bus plus fréquents", None, "Moins attendre")
    contribution_update(items["merged"], merged_into=items["bus"])
    items["hidden"] = post("Texte masqué hors sujet")
    contribution_update(items["hidden"], hidden=True)
    items["hidden_merged"] = post("Fusionné dans un masqué")
    contribution_update(items["hidden_merged"], merged_into=items["hidden"])
    workshop_vote_set(workshop, True)
    for voter in ("a", "b", "c"):
        vote_cast(items["train"], voter)
    vote_cast(items["jobs"], "a")
    workshop_vote_set(workshop, False)
    empty = workshop_create(meeting, title_fr="Culture", title_nl="")
    Meeting.objects.filter(pk=meeting.pk).update(
        next_steps_fr="Une réunion de suivi en juin.", next_steps_nl="Een opvolging in juni."
    )
    return {
        "meeting": meeting,
        "workshop": workshop,
        "empty": empty,
        "items": items,
        "registrations": registrations,
        "orientations": {"transport": transport, "jobs": jobs},
    }


def pdf_text(payload: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(payload)).pages)


def squeeze(text: str) -> str:
    """Text without its whitespace: where lines wrap does not matter."""
    return re.sub(r"\s+", "", text)


def between(text: str, start: str, end: str | None) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin + len(start)) if end else None]


# --- The data ------------------------------------------------------------------------


def test_each_visible_post_it_is_placed_once_merged_inside_hidden_nowhere_in_few_queries(
    synthesis, django_assert_max_num_queries
):
    items = synthesis["items"]
    # 14: one more than before polls, for the workshops' polls and words rounds.
    with django_assert_max_num_queries(14):
        booklet = booklet_data(synthesis["meeting"])

    section, empty = booklet.workshops
    placed = {
        (group.title["fr"] if group.title else None): [item.id for item in group.items]
        for group in section.groups
    }
    assert placed == {
        "Transports": [items[k].pk for k in ("bus", "train", "hostile1", "hostile3")],
        "Emploi": [items["jobs"].pk],
        None: [items[k].pk for k in ("loose", "hostile0", "hostile2")],
    }
    bus = section.groups[0].items[0]
    assert [(m.text, m.objective) for m in bus.merged] == [
        ("Des bus plus fréquents", "Moins attendre")
    ]
    assert section.groups[1].title == {"fr": "Emploi", "nl": "Emploi"}  # falls back
    assert [item.id for item in section.strongest] == [items["train"].pk, items["jobs"].pk]
    annexed = [item.id for entry in section.annex for item in entry.items]
    assert sorted(annexed) == sorted(i for group in placed.values() for i in group)
    assert section.contributions == 9  # eight visible and one merged into them
    assert empty.contributions == 0 and empty.groups == []


def test_key_figures_equal_the_database(synthesis):
    figures = booklet_data(synthesis["meeting"]).figures
    meeting = synthesis["meeting"]

    assert (
        figures.attendance.present == CheckIn.objects.filter(registration__meeting=meeting).count()
    )
    assert figures.attendance.registered == 5
    groups = {s.key: s.present for s in figures.attendance.by_function_group}
    assert groups == {"elected": 2, "officers": 1, "other": 0}
    assert figures.organisations == 3
    assert dict(figures.organisations_by_kind) == {"municipality": 2, "agency": 1}
    assert dict(figures.organisations_by_country) == {"BE": 2, "FR": 1}
    assert (figures.workshops, figures.tables, figures.contributions) == (2, 2, 9)


def test_pdf_prints_each_post_it_once_under_its_orientation(synthesis):
    items = synthesis["items"]
    text = pdf_text(booklet_pdf(booklet_data(synthesis["meeting"]), "fr"))
    with translation.override("fr"):
        table = squeeze(
            between(
                text,
                # The heading over the table's own header row, not its line in the contents.
                translation.gettext("Orientations, proposed actions and objectives")
                + "\n"
                + translation.gettext("Orientations"),
                translation.gettext("Next steps") + "\n",
            )
        )
        other_proposals = squeeze(translation.gettext("Other proposals"))
    transport, jobs, other = (
        table.index("Transports"),
        table.index("Emploi"),
        table.index(other_proposals),
    )
    for key in ("bus", "train", "hostile1", "hostile3", "merged", "jobs", "loose", "hostile0"):
        typed = squeeze(pdf.printable(items[key].text))
        assert table.count(typed) == 1, key
    assert transport < table.index(squeeze(items["merged"].text)) < jobs
    assert jobs < table.index(squeeze(items["jobs"].text)) < other
    assert other < table.index(squeeze(items["loose"].text))
    assert "masqué" not in text
    assert "Moinsattendre" in table  # a merged post-it's objective goes with it


def test_hostile_text_comes_out_as_typed_and_emoji_as_a_placeholder(synthesis):
    text = squeeze(pdf_text(booklet_pdf(booklet_data(synthesis["meeting"]), "fr")))
    assert squeeze("<b>& gras") in text
    assert squeeze("<script>alert(1)</script>") in text
    assert squeeze(f"Vélo {pdf.PLACEHOLDER} partagé") in text and "🚲" not in text
    assert squeeze(LONG) in text


def test_key_figures_and_cover_are_printed(synthesis):
    text = pdf_text(booklet_pdf(booklet_data(synthesis["meeting"]), "fr"))
    flat = " ".join(text.split())
    with translation.override("fr"):
        assert f"3 {translation.gettext('participants')}" in flat
        assert f"9 {translation.gettext('contributions')}" in flat
        assert translation.gettext("Co-facilitators") in text
    assert "Une réunion de suivi en juin." in flat
    assert re.search(r"1 / (\d+)", text)


def test_an_nl_booklet_has_dutch_headings_and_content_with_fallback(synthesis):
    question_create(synthesis["empty"], text_fr="Quelle culture partager ?", text_nl="")
    text = pdf_text(booklet_pdf(booklet_data(synthesis["meeting"]), "nl"))
    with translation.override("nl"):
        for heading in ("Key figures", "Next steps", "Venue"):
            assert translation.gettext(heading) in text
        assert translation.gettext("Venue") != "Venue"  # the Dutch catalog is in use
    assert "Mobiliteit" in text and "Vervoer" in text
    assert "Culture" in text  # no Dutch title: the French one
    assert "Een opvolging in juni." in text


def test_a_bilingual_booklet_prints_both_halves(synthesis):
    booklet = booklet_data(synthesis["meeting"])
    text = pdf_text(booklet_pdf(booklet, "fr+nl"))
    assert text.index("Mobilité") < text.index("Mobiliteit")
    # In each half: highlighted, most voted, in the table and in the annex.
    assert squeeze(text).count(squeeze(synthesis["items"]["train"].text)) == 2 * 4


def test_a_post_it_taller_than_a_page_is_split_across_pages(synthesis):
    items, workshop = synthesis["items"], synthesis["workshop"]
    before = pdf_text(booklet_pdf(booklet_data(synthesis["meeting"]), "fr")).count("FIN-LONG")
    for number in range(4):
        twin = contribution_create(
            workshop, text=f"{number}{LONG[1:]}", objective=LONG, source="transcribed"
        )
        contribution_update(twin, merged_into=items["train"])
    text = pdf_text(booklet_pdf(booklet_data(synthesis["meeting"]), "fr"))
    # Each merged post-it and its objective, in the one row of the post-it they joined.
    assert text.count("FIN-LONG") == before + 2 * 4
    for number in range(4):
        assert squeeze(f"+ {number}{LONG[1:40]}") in squeeze(text)


def test_the_same_idea_merged_from_both_languages_is_printed_once_with_them(synthesis):
    items, workshop = synthesis["items"], synthesis["workshop"]
    dutch = contribution_create(
        workshop,
        text="Elk uur een trein tussen de steden, ook in het weekend",
        source="transcribed",
    )
    contribution_update(dutch, merged_into=items["train"])
    section = booklet_data(synthesis["meeting"]).workshops[0]
    bus, train = section.groups[0].items[:2]
    assert (bus.languages, train.languages) == (["fr"], ["fr", "nl"])
    table = squeeze(pdf_text(booklet_pdf(booklet_data(synthesis["meeting"]), "fr")))
    assert table.count(squeeze(dutch.text)) == 1  # in the row of the one it joined
    assert table.count("FR·NL") == 1


def test_contents_longer_than_a_page_go_on_over_the_next_one(programme):
    meeting = MeetingFactory(programme=programme)
    Workshop.objects.bulk_create(
        Workshop(meeting=meeting, title_fr=f"Atelier n° {n}", order=n, synthesis_fr="Une idée.")
        for n in range(30)
    )
    pages = PdfReader(BytesIO(booklet_pdf(booklet_data(meeting), "fr+nl"))).pages
    # Page 1 is the cover; the contents fill page 2 and go on over page 3.
    assert "Atelier n° 0" in pages[1].extract_text()
    assert re.search(r"Atelier n° 29\s+\d+", pages[2].extract_text())


def test_a_meeting_without_contributions_gives_a_valid_booklet_that_says_so(programme):
    meeting = MeetingFactory(programme=programme)
    payload = booklet_pdf(booklet_data(meeting), "fr")
    text = pdf_text(payload)
    with translation.override("fr"):
        assert translation.gettext("No contribution was recorded at this meeting.") in text
    assert payload.startswith(b"%PDF")


# --- Building, reusing, downloading -------------------------------------------------


def booklet_url(meeting) -> str:
    return f"/api/meetings/{meeting.pk}/booklet"


def test_the_api_builds_then_serves_the_stored_booklet_until_its_inputs_change(
    synthesis, api_client, monkeypatch, django_capture_on_commit_callbacks
):
    meeting = synthesis["meeting"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(booklet_url(meeting), {"language": "nl"}, "application/json")
    assert response.status_code == 202  # queued; the job runs after the commit
    first = api_client.get(f"/api/booklets/{response.json()['id']}").json()
    assert (first["status"], first["progress"], first["language"]) == ("done", 100, "nl")

    builds = []
    monkeypatch.setattr(
        "reports.services.booklet_pdf", lambda *args, **kw: builds.append(args) or b"%PDF"
    )
    again = api_client.post(booklet_url(meeting), {"language": "nl"}, "application/json")
    assert again.status_code == 200 and again.json()["id"] == first["id"] and builds == []

    contribution_update(synthesis["items"]["loose"], text="Un café des bourgmestres")
    with django_capture_on_commit_callbacks(execute=True):
        changed = api_client.post(booklet_url(meeting), {"language": "nl"}, "application/json")
    assert changed.json()["id"] != first["id"] and len(builds) == 1

    state = api_client.get(f"/api/booklets/{first['id']}").json()
    path = reverse("reports:booklet_download", args=[meeting.pk, first["id"]])
    assert state["download_url"] == settings.SITE_URL + path
    # The key that asked for the booklet downloads it.
    download = api_client.get(path)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert api_client.get(path, HTTP_AUTHORIZATION="Bearer pm_forged").status_code == 401


def test_the_api_refuses_an_unknown_language_and_anonymous_callers(synthesis, client, api_client):
    meeting = synthesis["meeting"]
    response = api_client.post(booklet_url(meeting), {"language": "de"}, "application/json")
    assert response.status_code == 422 and "language" in response.json()["errors"]
    anonymous = client.post(
        booklet_url(meeting), {"language": "fr"}, "application/json", HTTP_AUTHORIZATION=""
    )
    assert anonymous.status_code == 401
    assert not BookletJob.objects.exists()


def test_organisers_download_and_see_the_booklet_page_others_do_not(
    synthesis, client, organiser, django_capture_on_commit_callbacks
):
    meeting = synthesis["meeting"]
    with django_capture_on_commit_callbacks(execute=True):
        job, _started = booklet_request(meeting, "fr")
    url = reverse("reports:booklet_download", args=[meeting.pk, job.pk])
    page = reverse("reports:meeting_booklet", args=[meeting.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(organiser)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    page_response = client.get(page)
    assert page_response.status_code == 200
    assert b'id="booklet-text"' in page_response.content


def test_closing_a_workshop_builds_the_booklets_of_the_meeting(
    synthesis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workshop_close(synthesis["workshop"])
    jobs = BookletJob.objects.filter(meeting=synthesis["meeting"])
    assert sorted(jobs.values_list("language", "status")) == [("fr", "done"), ("nl", "done")]


# --- Closing the meeting -----------------------------------------------------------


def test_closing_emails_the_booklet_to_attendees_only_each_in_their_language(
    synthesis, api_client, organiser, django_capture_on_commit_callbacks
):
    meeting = synthesis["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    booklet_approved_make(meeting, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/meetings/{meeting.pk}/close")
    assert response.status_code == 200 and response.json()["emails_queued"] == 3

    came = [
        r for r in synthesis["registrations"] if CheckIn.objects.filter(registration=r).exists()
    ]
    assert sorted(m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox) == sorted(
        r.email for r in came
    )
    by_email = {m.to[0].split("<")[-1].rstrip(">"): m for m in mail.outbox}
    for registration in came:
        message = by_email[registration.email]
        language = "nl" if registration.language == "nl" else "fr"
        with translation.override(language):
            assert message.subject == translation.gettext(
                "The synthesis booklet of “%(title)s”"
            ) % {"title": getattr(meeting, f"title_{language}")}
        (attachment,) = message.attachments
        assert attachment[2] == "application/pdf"
        title = "Mobiliteit" if language == "nl" else "Mobilité"
        assert title in pdf_text(attachment[1])

    again = api_client.post(f"/api/meetings/{meeting.pk}/close")
    assert again.json()["emails_queued"] == 0 and len(mail.outbox) == 3


def test_a_meeting_is_closed_only_once_it_has_started(synthesis, api_client):
    response = api_client.post(f"/api/meetings/{synthesis['meeting'].pk}/close")
    assert response.status_code == 409 and "not started" in response.json()["detail"]
    assert mail.outbox == []


# --- The public results page -------------------------------------------------------


def test_the_results_page_shows_the_booklet_once_the_meeting_is_closed(
    synthesis, client, organiser, django_assert_max_num_queries
):
    meeting = synthesis["meeting"]
    url = reverse("reports:meeting_results", args=[meeting.pk])
    booklet_approved_make(meeting, organiser)
    assert client.get(url).status_code == 404
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now())
    # 15: one more than before polls, for the workshops' polls and words rounds.
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "Texte masqué" not in body and "Des bus plus fréquents" in body


def test_organisers_see_the_builds_in_the_admin(
    synthesis, client, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job, _started = booklet_request(synthesis["meeting"], "nl")
    client.force_login(organiser)
    listing = client.get(reverse("admin:reports_bookletjob_changelist"))
    detail = client.get(reverse("admin:reports_bookletjob_change", args=[job.pk]))
    download = reverse("reports:booklet_download", args=[job.meeting_id, job.pk])
    assert listing.status_code == detail.status_code == 200
    assert download in listing.content.decode() and download in detail.content.decode()


def test_overlapping_layouts_keep_the_collector_off_until_the_last_one_ends():
    """Two threads building booklets: the first to finish must not turn the collector
    back on under the other, and the last must turn it back on."""
    assert gc.isenabled()
    first, second = _without_cycle_collection(), _without_cycle_collection()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


# --- Documents ---------------------------------------------------------------------


@pytest.fixture
def meeting_documents(synthesis):
    meeting = synthesis["meeting"]
    return {
        "slides": document_make(meeting, title_fr="Diaporama <b>&", title_nl="Presentatie"),
        "poster": document_make(
            meeting, kind="poster", visibility="participants", title_fr="Affiche", title_nl=""
        ),
        "members": document_make(meeting, visibility="members", title_fr="Cahier réservé"),
    }


@pytest.mark.parametrize(
    ("lang", "heading", "slides", "kind"),
    [
        ("fr", "Documents de la rencontre", "Diaporama <b>&", "diaporama"),
        ("nl", "Documenten van de ontmoeting", "Presentatie", "presentatie"),
    ],
)
def test_the_annexes_list_the_participants_documents_with_their_links(
    synthesis, meeting_documents, settings, lang, heading, slides, kind
):
    public = pdf_text(booklet_pdf(booklet_data(synthesis["meeting"]), lang))
    assert "Affiche" not in public[public.rindex(heading) :]  # for participants only
    copy = booklet_data(synthesis["meeting"], audience="participants")
    text = pdf_text(booklet_pdf(copy, lang))
    annexes = squeeze(text[text.rindex(heading) :])

    assert squeeze(slides) in annexes and kind in annexes
    assert "Affiche" in annexes  # no Dutch title: the French one
    assert "Cahierréservé" not in annexes
    for name in ("slides", "poster"):
        url = f"{settings.SITE_URL}/{lang}/documents/{meeting_documents[name].pk}/"
        assert url in annexes


def test_a_new_document_changes_the_booklets_inputs(synthesis):
    from reports.booklet_data import inputs_hash

    before = inputs_hash(booklet_data(synthesis["meeting"]), "fr")
    document_make(synthesis["meeting"])

    assert inputs_hash(booklet_data(synthesis["meeting"]), "fr") != before


def test_the_after_meeting_email_links_the_slides_through_each_ones_manage_link(
    synthesis, meeting_documents, api_client, organiser, django_capture_on_commit_callbacks
):
    meeting = synthesis["meeting"]
    document_make(meeting, visibility="participants", title_fr="Diaporama de l'atelier")
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    booklet_approved_make(meeting, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(f"/api/meetings/{meeting.pk}/close")

    by_email = {m.to[0].split("<")[-1].rstrip(">"): m for m in mail.outbox}
    for registration in synthesis["registrations"]:
        message = by_email.get(registration.email)
        if message is None:
            continue
        language = "nl" if registration.language == "nl" else "fr"
        with translation.override(language):
            assert translation.gettext("The slides shown at the meeting:") in message.body
        links = re.findall(r"https?://\S+/documents/\d+/", message.body)
        assert len(links) == 2  # the public slides and the participants' ones, not the poster
        assert all(f"/{language}/r/{registration.manage_token}/documents/" in url for url in links)
        html = message.alternatives[0][0]
        assert "Diaporama &lt;b&gt;&amp;" in html or "Presentatie" in html
