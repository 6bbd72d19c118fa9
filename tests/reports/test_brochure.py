from datetime import datetime
from io import BytesIO

import pytest
from django.utils import translation
from pypdf import PdfReader

from meetings.models import Meeting, Programme
from reports.brochure import programme_brochure
from tasks.tasks import brochure_build
from tests.factories import (
    BRUSSELS,
    CoFacilitatorFactory,
    MeetingFactory,
    ProgrammeFactory,
)


def pages_of(payload: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(payload)).pages]


def in_language(lang: str, message: str, **params) -> str:
    """The wording the brochure uses, whatever the catalogs translate it to."""
    with translation.override(lang):
        return translation.gettext(message) % params


def test_lists_each_public_meeting_once_marks_the_cancelled_and_leaves_drafts_out(
    programme, meeting
):
    meeting.title_fr = "Mobilité frontalière"
    meeting.save()
    MeetingFactory(programme=programme, title_fr="Emploi et formation")
    MeetingFactory(programme=programme, title_fr="Eau partagée", status=Meeting.Status.CANCELLED)
    MeetingFactory(programme=programme, title_fr="Brouillon secret", status=Meeting.Status.DRAFT)

    text = "\n".join(pages_of(programme_brochure(programme, "fr")))

    for title in ("Mobilité frontalière", "Emploi et formation", "Eau partagée"):
        assert text.count(title) == 1
    assert "Brouillon secret" not in text
    cancelled = in_language("fr", "Cancelled").upper()
    assert text.count(cancelled) == 1
    assert f"{cancelled} · Eau partagée" in text


def test_french_and_dutch_brochures_use_their_own_titles_and_month_names(programme, meeting):
    french = "\n".join(pages_of(programme_brochure(programme, "fr")))
    dutch = "\n".join(pages_of(programme_brochure(programme, "nl")))

    assert meeting.title_fr in french and meeting.title_nl not in french
    assert meeting.title_nl in dutch and meeting.title_fr not in dutch
    assert "Mars 2027" in french and "12 mars 2027" in french
    assert "Maart 2027" in dutch and "12 maart 2027" in dutch


def test_every_page_carries_its_number_out_of_the_total(programme):
    for month in range(1, 13):
        MeetingFactory(
            programme=programme, starts_at=datetime(2027, month, 4, 14, 0, tzinfo=BRUSSELS)
        )

    pages = pages_of(programme_brochure(programme, "nl"))

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        footer = in_language("nl", "page %(page)s / %(pages)s", page=number, pages=len(pages))
        assert footer in text


def test_hostile_and_accented_user_text_comes_out_as_typed(programme):
    meeting = MeetingFactory(
        programme=programme,
        title_fr="<b>& Cœur d’Europe 🎉",
        description_fr="<script>alert(1)</script>\nNoël à Zoë : naïf, « 5 € » 😀",
    )
    CoFacilitatorFactory(meeting=meeting, person__first_name="<b>&", person__last_name="Ëlsa 🎉")

    text = "\n".join(pages_of(programme_brochure(programme, "fr")))

    assert "<b>& Cœur d’Europe □" in text
    assert "<script>alert(1)</script>" in text
    assert "Noël à Zoë : naïf, « 5 € » □" in text
    assert "<b>& Ëlsa □" in text
    assert "🎉" not in text and "😀" not in text


def test_a_programme_without_meetings_still_prints_and_says_so(programme):
    pages = pages_of(programme_brochure(programme, "fr"))

    assert len(pages) == 1
    assert programme.title_fr in pages[0]
    assert in_language("fr", "No meeting has been published in this programme yet.") in pages[0]


@pytest.mark.parametrize("year", [2027, 2031])
def test_a_draft_or_missing_programme_has_no_brochure(client, db, year):
    ProgrammeFactory(year=2027, status=Programme.Status.DRAFT)

    assert client.get(f"/fr/programme/{year}.pdf").status_code == 404


def test_the_brochure_is_served_inline_in_the_url_language(client, meeting):
    response = client.get("/nl/programme/2027.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="programme-2027-nl.pdf"'
    assert meeting.title_nl in "\n".join(pages_of(response.content))


def test_repeated_downloads_come_from_the_cache_until_the_programme_changes(
    client, meeting, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = client.get("/fr/programme/2027.pdf").content
    with django_assert_num_queries(0):
        assert client.get("/fr/programme/2027.pdf").content == first

    with django_capture_on_commit_callbacks(execute=True):
        meeting.title_fr = "Nouveau titre"
        meeting.save()

    assert "Nouveau titre" in "\n".join(pages_of(client.get("/fr/programme/2027.pdf").content))


def test_a_large_programmes_brochure_is_built_by_a_worker_while_visitors_wait(
    client, meeting, settings, monkeypatch
):
    settings.DOCUMENTS_AT_ONCE = {**settings.DOCUMENTS_AT_ONCE, "brochure": 0}
    queued = []
    monkeypatch.setattr(
        "reports.brochure.enqueue_on_commit", lambda name, *args: queued.append((name, *args))
    )

    waiting = client.get("/nl/programme/2027.pdf")
    again = client.get("/nl/programme/2027.pdf")

    assert (waiting.status_code, waiting["Retry-After"]) == (503, "20")
    assert b'http-equiv="refresh"' in waiting.content
    assert again.status_code == 503
    assert queued == [("tasks.brochure_build", 2027, "nl")]  # once per generation

    brochure_build(2027, "nl")  # the worker
    response = client.get("/nl/programme/2027.pdf")
    assert response.status_code == 200
    assert meeting.title_nl in "\n".join(pages_of(response.content))


@pytest.mark.django_db(transaction=True)  # the request's queued job runs at once, as served
def test_without_a_worker_a_large_brochure_is_built_in_the_request(client, meeting, settings):
    settings.DOCUMENTS_AT_ONCE = {**settings.DOCUMENTS_AT_ONCE, "brochure": 0}

    response = client.get("/fr/programme/2027.pdf")

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
