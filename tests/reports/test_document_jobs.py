"""Organisers' documents built as jobs once large: the link, the job, its file, who may."""

import csv
import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from meetings.auth import api_key_create
from meetings.models import Meeting
from meetings.services.signin import person_user
from reports.brochure import programme_brochure
from reports.document_jobs import (
    BUILD_LOST_AFTER,
    document_build,
    document_jobs_expire,
    document_request,
)
from reports.models import DocumentJob
from tests.conftest import stored_files
from tests.factories import MeetingFactory, ProgrammeFactory, cross_border_pair
from tests.ticket_factories import RegistrationFactory
from workshops.models import Table
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings):
    """Documents of more than two people (or tables) go through a job."""
    settings.DOCUMENTS_AT_ONCE = dict.fromkeys(settings.DOCUMENTS_AT_ONCE, 2)
    return settings.DOCUMENTS_AT_ONCE


@pytest.fixture
def crowd(meeting):
    names = ["Zoë <b>&", "Peeters", "Dupont", "Émile 🎉"]
    return [
        RegistrationFactory(meeting=meeting, last_name=name, language=("fr", "nl")[n % 2])
        for n, name in enumerate(names)
    ]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def pdf_text(payload: bytes, tmp_path) -> str:
    (tmp_path / "document.pdf").write_bytes(payload)
    return subprocess.run(  # noqa: S603 - poppler on our own file
        [shutil.which("pdftotext"), "-layout", str(tmp_path / "document.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def start(client, meeting, kind, payload=None, **headers):
    return client.post(
        f"/api/meetings/{meeting.pk}/exports/{kind}",
        payload or {},
        "application/json",
        **headers,
    )


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler")
def test_a_large_meetings_badges_link_leads_to_a_job_whose_file_reads_back(
    organiser_client, meeting, crowd, small_limits, media_root, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    link = organiser_client.get(f"/fr/meetings/{meeting.pk}/badges.pdf")
    page_url = reverse("reports:document_job", args=[meeting.pk, "badges"])
    assert (link.status_code, link["Location"]) == (302, page_url)
    page = organiser_client.get(page_url)
    assert page.status_code == 200
    assert b'id="document-text"' in page.content and b"documents.js" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = start(organiser_client, meeting, "badges", {"language": "nl"})
    assert response.status_code == 202  # queued; the job runs after the commit
    job = organiser_client.get(f"/api/exports/{response.json()['id']}").json()
    assert (job["status"], job["progress"], job["done"], job["total"]) == ("done", 100, 4, 4)
    path = reverse("reports:document_download", args=[job["id"]])
    assert job["download_url"].endswith(path) and job["download_url"].startswith("http")

    download = organiser_client.get(path)
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    text = pdf_text(body(download), tmp_path)
    assert "ZOË <B>&" in text and "ÉMILE □" in text and "PEETERS" in text
    assert "burgemeester" in text  # each badge in its wearer's language


@pytest.mark.parametrize("kind", ["registrations_csv", "registrations_xlsx", "attendance"])
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler")
def test_exports_and_the_attendance_sheet_go_through_jobs_and_read_back(
    api_client, meeting, crowd, small_limits, media_root, tmp_path, kind,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = start(api_client, meeting, kind, {"language": "fr"})
    job = api_client.get(f"/api/exports/{response.json()['id']}").json()
    assert job["status"] == "done" and job["kind"] == kind

    # The download link takes the key that asked for it.
    payload = body(api_client.get(job["download_url"].split("testserver", 1)[-1]))
    if kind == "registrations_csv":
        rows = list(csv.reader(io.StringIO(payload.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][0] == "nom"
        assert sorted(row[0] for row in rows[1:]) == ["Dupont", "Peeters", "Zoë <b>&", "Émile 🎉"]
    elif kind == "registrations_xlsx":
        sheet = load_workbook(io.BytesIO(payload)).active
        assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
            "Dupont",
            "Peeters",
            "Zoë <b>&",
            "Émile 🎉",
        ]
    else:
        text = pdf_text(payload, tmp_path)
        assert "Presentielijst" in text and "ZOË <B>&" in text


def test_a_small_meeting_is_still_answered_at_once(organiser_client, meeting, crowd, settings):
    settings.DOCUMENTS_AT_ONCE = dict.fromkeys(settings.DOCUMENTS_AT_ONCE, 4)
    for document in ("badges.pdf", "attendance.pdf", "registrations.csv", "registrations.xlsx"):
        response = organiser_client.get(f"/fr/meetings/{meeting.pk}/{document}")
        assert response.status_code == 200, document
    assert not DocumentJob.objects.exists()


def test_two_presses_start_one_build(api_client, meeting, crowd, small_limits):
    first = start(api_client, meeting, "badges")
    second = start(api_client, meeting, "badges")
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["language"] == "en"  # the request's language by default
    assert DocumentJob.objects.count() == 1


def test_only_organisers_start_follow_and_download_documents(
    client, api_client, meeting, crowd, small_limits, media_root, organiser,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        job_id = start(api_client, meeting, "badges").json()["id"]
    download = reverse("reports:document_download", args=[job_id])
    page = reverse("reports:document_job", args=[meeting.pk, "badges"])

    anonymous = client.post(
        f"/api/meetings/{meeting.pk}/exports/badges", {}, "application/json",
        HTTP_AUTHORIZATION="",
    )  # fmt: skip
    assert anonymous.status_code == 401
    assert client.get(download, HTTP_AUTHORIZATION="").status_code == 302  # to sign in

    _key, intern = api_key_create(User.objects.create_user("intern", is_staff=True))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {intern}"}
    assert client.get(f"/api/exports/{job_id}", **bearer).status_code == 401
    assert client.get(download, **bearer).status_code == 403

    # A facilitator of another meeting, signed in: neither this meeting's badges nor its job.
    other = MeetingFactory(programme=meeting.programme)
    other_pair = cross_border_pair(other)
    client.force_login(person_user(other_pair[0].person))
    no_key = {"HTTP_AUTHORIZATION": ""}
    assert start(client, meeting, "badges", **no_key).status_code == 403
    assert client.get(f"/api/exports/{job_id}", **no_key).status_code == 404
    assert client.get(download, **no_key).status_code == 403
    assert client.get(page, **no_key).status_code == 403
    assert DocumentJob.objects.count() == 1

    client.force_login(organiser)
    assert client.get(download, **no_key).status_code == 200


def test_table_cards_are_a_job_for_the_meetings_facilitators_of_that_meeting_only(
    client, meeting, small_limits, media_root, django_capture_on_commit_callbacks
):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    Table.objects.bulk_create(Table(workshop=workshop, name=f"Table {n}") for n in range(3))
    elsewhere = workshop_create(MeetingFactory(programme=meeting.programme), title_fr="Ailleurs")
    facilitator = person_user(meeting.cofacilitators.order_by("pk").first().person)
    client.force_login(facilitator)
    no_key = {"HTTP_AUTHORIZATION": ""}

    cards = client.get(f"/en/facilitate/workshops/{workshop.pk}/tables.pdf")
    page = reverse("reports:document_job", args=[meeting.pk, "table_cards"])
    assert cards["Location"] == f"{page}?workshop={workshop.pk}"
    assert client.get(cards["Location"]).status_code == 200

    refused = start(client, meeting, "table_cards", {"workshop": elsewhere.pk}, **no_key)
    assert refused.status_code == 422 and "workshop" in refused.json()["errors"]
    missing = start(client, meeting, "table_cards", **no_key)
    assert missing.status_code == 422
    assert start(client, meeting, "badges", **no_key).status_code == 403  # organisers only

    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, meeting, "table_cards", {"workshop": workshop.pk}, **no_key)
    job = client.get(f"/api/exports/{response.json()['id']}", **no_key).json()
    assert (job["status"], job["total"], job["workshop"]) == ("done", 3, workshop.pk)
    download = client.get(reverse("reports:document_download", args=[job["id"]]))
    assert body(download).startswith(b"%PDF")


def test_a_failed_build_reports_its_failure_not_a_hung_bar(
    api_client, meeting, crowd, small_limits, media_root, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("registrations.tickets._BadgeSheet.draw", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(api_client, meeting, "badges")
    job = api_client.get(f"/api/exports/{response.json()['id']}").json()
    assert job["status"] == "failed" and "disk full" in job["error"]
    assert job["download_url"] is None and job["progress"] == 0


def test_a_build_whose_worker_was_lost_is_answered_as_failed(api_client, meeting, crowd):
    job, _started = document_request("badges", meeting, language="fr")  # no commit: no worker
    DocumentJob.objects.filter(pk=job.pk).update(
        status="running", created_at=timezone.now() - BUILD_LOST_AFTER - timedelta(seconds=1)
    )

    answer = api_client.get(f"/api/exports/{job.pk}").json()

    assert answer["status"] == "failed" and "start it again" in answer["error"]
    assert document_build(job.pk) is None  # a late message builds nothing
    again, started = document_request("badges", meeting, language="fr")
    assert started and again.pk != job.pk


def test_the_progress_counts_badges_as_they_are_drawn(meeting, media_root, monkeypatch):
    monkeypatch.setattr("registrations.tickets.BADGE_PROGRESS_EVERY", 2)
    RegistrationFactory.create_batch(5, meeting=meeting)
    seen = []
    original = DocumentJob.objects.filter

    def spy(*args, **kwargs):
        query = original(*args, **kwargs)
        update = query.update

        def recording(**fields):
            if "done" in fields and "status" not in fields:
                seen.append((fields["done"], fields["total"]))
            return update(**fields)

        query.update = recording
        return query

    job, _started = document_request("badges", meeting, language="fr")
    monkeypatch.setattr(DocumentJob.objects, "filter", spy)
    document_build(job.pk)

    assert seen == [(2, 5), (4, 5)]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.progress) == ("done", 5, 5, 100)


def test_documents_are_deleted_with_their_files_after_a_week(
    api_client, meeting, crowd, small_limits, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old_id = start(api_client, meeting, "registrations_csv").json()["id"]
    DocumentJob.objects.filter(pk=old_id).update(created_at=timezone.now() - timedelta(days=8))
    old = DocumentJob.objects.get(pk=old_id)
    with django_capture_on_commit_callbacks(execute=True):
        new_id = start(api_client, meeting, "registrations_xlsx").json()["id"]
    assert stored_files(media_root) == sorted(
        [old.file.name, DocumentJob.objects.get(pk=new_id).file.name]
    )

    with django_capture_on_commit_callbacks(execute=True):
        deleted = document_jobs_expire()

    assert deleted == 1
    assert list(DocumentJob.objects.values_list("pk", flat=True)) == [new_id]
    assert old.file.name not in stored_files(media_root)
    assert api_client.get(reverse("reports:document_download", args=[old_id])).status_code == 404


# --- The programme's brochure -----------------------------------------------------------


def start_brochure(client, programme, payload=None, **headers):
    return client.post(
        f"/api/programmes/{programme.year}/exports/brochure",
        payload or {},
        "application/json",
        **headers,
    )


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler")
def test_an_organiser_builds_the_programmes_brochure_as_a_job_and_downloads_its_file(
    api_client, meeting, media_root, tmp_path, django_capture_on_commit_callbacks
):
    programme = meeting.programme
    MeetingFactory(programme=programme, title_nl="Ontmoeting <b>& Co</b> 🎉")
    MeetingFactory(programme=programme, status=Meeting.Status.DRAFT, title_nl="Ontwerp")

    with django_capture_on_commit_callbacks(execute=True):
        response = start_brochure(api_client, programme, {"language": "nl"})
    assert response.status_code == 202  # queued; the job runs after the commit
    job = api_client.get(f"/api/exports/{response.json()['id']}").json()
    assert (job["kind"], job["meeting"], job["programme"], job["workshop"]) == (
        "brochure",
        None,
        programme.pk,
        None,
    )
    # Two meetings shown, the draft left out.
    assert (job["status"], job["progress"], job["done"], job["total"]) == ("done", 100, 2, 2)
    stored = DocumentJob.objects.get(pk=job["id"]).file.name
    assert stored.startswith(f"exports/programme-{programme.pk}/") and stored in stored_files(
        media_root
    )

    download = api_client.get(job["download_url"].split("testserver", 1)[-1])
    assert download["Content-Type"] == "application/pdf"
    assert f"programme-{programme.year}-nl.pdf" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    text = pdf_text(body(download), tmp_path)
    assert "Ontmoeting <b>& Co</b> □" in text
    assert meeting.title_nl in text and "Ontwerp" not in text


def test_the_brochures_progress_counts_its_meetings(meeting):
    for _ in range(3):
        MeetingFactory(programme=meeting.programme)
    seen = []

    programme_brochure(meeting.programme, "fr", lambda done, total: seen.append((done, total)))

    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_only_organisers_build_the_brochure_and_only_as_a_programmes_document(
    client, api_client, meeting, organiser
):
    programme = meeting.programme
    assert start_brochure(api_client, ProgrammeFactory.build(year=1999)).status_code == 404
    with_workshop = start_brochure(api_client, programme, {"workshop": 1})
    assert with_workshop.status_code == 422 and "workshop" in with_workshop.json()["errors"]
    as_meetings = start(api_client, meeting, "brochure")
    assert as_meetings.status_code == 422 and "kind" in as_meetings.json()["errors"]
    page = reverse("reports:document_job", args=[meeting.pk, "brochure"])
    client.force_login(organiser)
    assert client.get(page).status_code == 404

    # A co-facilitator, signed in: not an organiser.
    client.force_login(person_user(meeting.cofacilitators.order_by("pk").first().person))
    assert start_brochure(client, programme, HTTP_AUTHORIZATION="").status_code in (401, 403)
    assert DocumentJob.objects.count() == 0


def test_two_presses_start_one_brochure_build(api_client, meeting):
    first = start_brochure(api_client, meeting.programme).json()
    second = start_brochure(api_client, meeting.programme).json()

    assert first["id"] == second["id"]
    assert DocumentJob.objects.filter(kind="brochure").count() == 1


def test_the_brochures_page_starts_and_follows_its_build_for_organisers_only(
    client, api_client, meeting, organiser, media_root, django_capture_on_commit_callbacks
):
    programme = meeting.programme
    page = reverse("reports:brochure_job", args=[programme.year])
    assert page.endswith(f"/programme/{programme.year}/brochure/")
    assert client.get(page).status_code == 302  # to sign in

    client.force_login(organiser)
    empty = client.get(page)
    assert empty.status_code == 200
    start_url = f'data-start-url="/api/programmes/{programme.year}/exports/brochure"'
    assert start_url in empty.content.decode() and b"documents.js" in empty.content
    with django_capture_on_commit_callbacks(execute=True):
        # The page shows the builds in its own language.
        started = start_brochure(api_client, programme, {"language": page.split("/")[1]})
    built = client.get(page).content.decode()
    assert reverse("reports:document_download", args=[started.json()["id"]]) in built

    client.force_login(person_user(meeting.cofacilitators.order_by("pk").first().person))
    assert client.get(page).status_code == 403
