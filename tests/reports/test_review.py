"""The booklet's review: draft, in review, approved; who may see and do what; closing
only with an approved booklet; an approved booklet that nothing changes afterwards."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from meetings.models import Meeting
from meetings.services.signin import person_user
from registrations.services.consents import contact_sharing_withdraw
from reports import approval_files, review
from reports.approval_files import approval_files_build
from reports.booklet import booklet_pdf
from reports.booklet_data import Booklet, booklet_data
from reports.errors import ReviewRefused
from reports.models import (
    BookletApproval,
    BookletApprovalFile,
    BookletApprovalJob,
    BookletComment,
    BookletReview,
)
from reports.review import approval_booklet, booklet_approve, booklet_submit, review_state
from reports.signals import booklet_approved
from tasks.models import Delivery
from tests.conftest import stored_files
from tests.factories import MeetingFactory, cross_border_pair
from tests.ticket_factories import RegistrationFactory, checkin_make
from workshops.services.postits import contribution_create, contribution_update
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.django_db

REVIEW = "/api/meetings/{}/booklet/review"


def pdf_text(payload: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(payload)).pages)


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def day(meeting, organiser):
    """A meeting over (not closed), with a workshop, two post-its and two people who
    came, one reading Dutch."""
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    meeting.refresh_from_db()
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    table, *_rest = tables_create(workshop, 1)
    bus = contribution_create(
        workshop, text="Une ligne de bus <b>& transfrontalière", table=table, source="transcribed"
    )
    contribution_create(workshop, text="Een fietsbrug 🚲", table=table, source="transcribed")
    came = {
        language: RegistrationFactory(
            meeting=meeting, language=language, first_name=name, share_contact=True
        )
        for language, name in (("fr", "Amélie"), ("nl", "Joke"))
    }
    for registration in came.values():
        checkin_make(registration, by=organiser)
    return {"meeting": meeting, "workshop": workshop, "bus": bus, **came}


@pytest.fixture
def facilitator(meeting):
    return person_user(meeting.cofacilitators.order_by("pk").first().person)


def _session(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- The state machine ---------------------------------------------------------------


def _closed_without_results(meeting, client):
    """Once `meeting` is closed, neither its results page nor its booklet is there."""
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now())
    assert client.get(reverse("reports:meeting_results", args=[meeting.pk])).status_code == 404
    pdf = reverse("reports:results_booklet", args=[meeting.pk, "fr"])
    assert client.get(pdf).status_code == 404


def test_a_booklet_goes_from_draft_to_review_to_approved(day, api_client):
    url = REVIEW.format(day["meeting"].pk)
    first = api_client.get(url).json()
    assert first["state"] == "draft" and first["approval"] is None and not first["changed"]

    submitted = api_client.post(f"{url}/submit").json()
    assert submitted["state"] == "in_review" and submitted["submitted_by"] == "organiser"

    response = api_client.post(f"{url}/approve")
    assert response.status_code == 201
    approved = response.json()
    assert approved["state"] == "approved" and approved["approval"]["number"] == 1
    files = {(f["language"], f["audience"], f["format"]) for f in approved["approval"]["files"]}
    assert files == {
        (language, audience, format)
        for language in ("fr", "nl")
        for audience, format in (
            ("public", "pdf"),
            ("public", "docx"),
            ("public", "odt"),
            ("participants", "pdf"),
        )
    }
    for stored in approved["approval"]["files"]:
        assert stored["download_url"].startswith("http")
        assert api_client.get(stored["download_url"]).status_code == 200


def test_each_step_out_of_order_is_refused_with_the_reason(day, api_client):
    url = REVIEW.format(day["meeting"].pk)
    refused = api_client.post(f"{url}/approve")
    assert refused.status_code == 409 and "Submit the booklet" in refused.json()["detail"]

    api_client.post(f"{url}/submit")
    again = api_client.post(f"{url}/submit")
    assert again.status_code == 409 and "already in review" in again.json()["detail"]

    api_client.post(f"{url}/approve")
    twice = api_client.post(f"{url}/approve")
    assert twice.status_code == 409 and "already approved" in twice.json()["detail"]
    nothing = api_client.post(f"{url}/submit")
    assert nothing.status_code == 409 and "nothing to submit" in nothing.json()["detail"]
    assert BookletApproval.objects.count() == 1


def test_a_change_after_submission_must_be_submitted_again(day, api_client):
    url = REVIEW.format(day["meeting"].pk)
    api_client.post(f"{url}/submit")
    contribution_update(day["bus"], text="Une ligne de bus réécrite")

    state = api_client.get(url).json()
    assert state["state"] == "draft" and state["changed"]
    refused = api_client.post(f"{url}/approve")
    assert refused.status_code == 409 and "submit it for review again" in refused.json()["detail"]
    assert not BookletApproval.objects.exists()


def test_a_change_after_approval_makes_a_new_draft_and_a_second_version(day, organiser):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    first = booklet_approve(meeting, organiser)
    contribution_update(day["bus"], text="Une ligne de bus réécrite")

    state = review_state(meeting)
    assert state.state == "draft" and state.changed and state.approval == first
    booklet_submit(meeting, organiser)
    second = booklet_approve(meeting, organiser)
    assert second.number == 2 and review_state(meeting).approval == second


def test_approval_freezes_the_data_as_it_was(day, organiser):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    live = booklet_data(meeting)
    approval = booklet_approve(meeting, organiser)

    frozen = approval_booklet(approval)
    assert isinstance(frozen, Booklet) and frozen == live
    assert frozen.starts_at.tzinfo is not None
    assert pdf_text(booklet_pdf(frozen, "nl")) == pdf_text(booklet_pdf(live, "nl"))


def test_the_signal_is_sent_once_the_approval_commits(
    day, organiser, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(sender, meeting, approval, user, **kwargs):
        heard.append((meeting.pk, approval.pk, user.pk))

    booklet_approved.connect(receiver)
    try:
        booklet_submit(day["meeting"], organiser)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            approval = booklet_approve(day["meeting"], organiser)
        assert heard == []
        for callback in callbacks:
            callback()
    finally:
        booklet_approved.disconnect(receiver)
    assert heard == [(day["meeting"].pk, approval.pk, organiser.pk)]


def test_a_failed_approval_leaves_no_file_behind(day, organiser, media_root, monkeypatch):
    booklet_submit(day["meeting"], organiser)
    monkeypatch.setattr(
        BookletApproval.objects, "create", lambda **kwargs: (_ for _ in ()).throw(OSError("disk"))
    )
    with pytest.raises(OSError):
        booklet_approve(day["meeting"], organiser)
    assert not [path for path in media_root.rglob("*") if path.is_file()]
    assert BookletReview.objects.get().state == "in_review"


# --- Who may see and do what -----------------------------------------------------------


def test_the_meetings_facilitator_reviews_and_comments_but_does_not_approve(
    day, client, facilitator
):
    client = _session(client, facilitator)
    url = REVIEW.format(day["meeting"].pk)
    assert client.get(url).status_code == 200
    written = client.post(
        f"{url}/comments", {"text": "Il manque <b>& la gare 🚉"}, content_type="application/json"
    )
    assert written.status_code == 201 and written.json()["on_current_draft"]
    assert client.post(f"{url}/submit").status_code == 403
    assert client.post(f"{url}/approve").status_code == 403

    page = client.get(reverse("reports:booklet_review", args=[day["meeting"].pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Il manque &lt;b&gt;&amp; la gare 🚉" in body
    assert "Submit for review" not in body
    draft = client.get(reverse("reports:booklet_review_draft", args=[day["meeting"].pk, "fr"]))
    assert "Mobilité" in pdf_text(draft.content) and "Amélie" not in pdf_text(draft.content)


def test_the_participants_copy_with_their_contacts_is_for_organisers_only(
    day, organiser, client, facilitator
):
    booklet_submit(day["meeting"], organiser)
    approval = booklet_approve(day["meeting"], organiser)
    copies = {(f.language, f.audience): f for f in approval.files.all()}
    contacts = [entry.name for entry in approval_booklet(approval, "participants").contacts]
    assert sorted(name.split()[0] for name in contacts) == ["Amélie", "Joke"]
    assert approval_booklet(approval, "public").contacts == []

    client = _session(client, facilitator)
    listed = client.get(REVIEW.format(day["meeting"].pk)).json()["approval"]["files"]
    assert {f["audience"] for f in listed} == {"public"}
    for (_language, audience), stored in copies.items():
        url = reverse("reports:booklet_review_file", args=[day["meeting"].pk, stored.pk])
        assert client.get(url).status_code == (200 if audience == "public" else 403)


def test_a_participant_and_another_meetings_facilitator_are_refused(day, client):
    meeting = day["meeting"]
    participant = User.objects.create_user("participant", "p@example.org")
    other = MeetingFactory(programme=meeting.programme)
    cross_border_pair(other)
    strangers = [participant, person_user(other.cofacilitators.first().person)]
    urls = [
        reverse("reports:booklet_review", args=[meeting.pk]),
        reverse("reports:booklet_review_draft", args=[meeting.pk, "fr"]),
    ]
    for user in strangers:
        client = _session(client, user)
        assert client.get(REVIEW.format(meeting.pk)).status_code == 403
        assert client.get(f"{REVIEW.format(meeting.pk)}/comments").status_code == 403
        posted = client.post(
            f"{REVIEW.format(meeting.pk)}/comments", {"text": "x"}, content_type="application/json"
        )
        assert posted.status_code == 403
        for url in urls:
            assert client.get(url).status_code == 403
    assert not BookletComment.objects.exists()


def test_anonymous_callers_are_told_to_sign_in(day, client):
    url = REVIEW.format(day["meeting"].pk)
    assert client.get(url).status_code == 401
    assert client.post(f"{url}/submit").status_code == 401
    page = client.get(reverse("reports:booklet_review", args=[day["meeting"].pk]))
    assert page.status_code == 302 and "next=" in page["Location"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_a_comment_is_between_one_and_two_thousand_characters(day, api_client, text):
    response = api_client.post(
        f"{REVIEW.format(day['meeting'].pk)}/comments",
        {"text": text},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["detail"]
    assert not BookletComment.objects.exists()


def test_the_organisers_page_submits_and_approves(day, organiser_client):
    url = reverse("reports:booklet_review", args=[day["meeting"].pk])
    refused = organiser_client.post(url, {"action": "approve"})
    assert refused.status_code == 409
    assert "Submit the booklet for review" in refused.content.decode()
    assert organiser_client.post(url, {"action": "submit"}).status_code == 302
    assert organiser_client.post(url, {"action": "approve"}).status_code == 302
    page = organiser_client.get(url).content.decode()
    assert "Approved version 1" in page


# --- Closing ---------------------------------------------------------------------------


def test_closing_without_an_approved_booklet_is_refused_and_writes_nothing(
    day, api_client, organiser, client, django_capture_on_commit_callbacks
):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/meetings/{meeting.pk}/close")
    assert response.status_code == 409
    assert "has not been approved" in response.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.closed_at is None
    assert not Delivery.objects.exists() and mail.outbox == []

    api_client.defaults.pop("HTTP_AUTHORIZATION")
    client.force_login(organiser)
    page = client.get(reverse("reports:meeting_booklet", args=[meeting.pk]))
    assert "closing is refused until an organiser approves one" in page.content.decode()


def test_closing_sends_the_approved_booklet_not_a_later_change(
    day, api_client, organiser, client, django_capture_on_commit_callbacks
):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    approval = booklet_approve(meeting, organiser)
    stored = {f.pk: default_storage.open(f.file.name).read() for f in approval.files.all()}
    contribution_update(day["bus"], text="Un texte changé après l'approbation")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/meetings/{meeting.pk}/close")
    assert response.status_code == 200 and response.json()["emails_queued"] == 2
    for message in mail.outbox:
        text = pdf_text(message.attachments[0][1])
        assert "transfrontalière" in text and "changé après" not in text

    # The approved files are as they were; the draft has moved on.
    for stored_file in approval.files.all():
        assert default_storage.open(stored_file.file.name).read() == stored[stored_file.pk]
    fr = approval.files.get(language="fr", audience="public", format="pdf")
    assert "changé après" not in pdf_text(stored[fr.pk])
    api_client.defaults.pop("HTTP_AUTHORIZATION")
    client.force_login(organiser)
    draft = client.get(reverse("reports:booklet_review_draft", args=[meeting.pk, "fr"]))
    assert "changé après" in pdf_text(draft.content)


# --- The public results page ---------------------------------------------------------


def test_the_results_page_shows_the_approved_version_only(day, organiser, client):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    booklet_approve(meeting, organiser)
    contribution_update(day["bus"], text="Un texte changé après l'approbation")
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now())

    page = client.get(reverse("reports:meeting_results", args=[meeting.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Une ligne de bus &lt;b&gt;&amp; transfrontalière" in body and "changé après" not in body
    pdf_url = reverse("reports:results_booklet", args=[meeting.pk, "fr"])
    assert pdf_url in body
    download = client.get(pdf_url)
    assert download.status_code == 200 and download["Cache-Control"].startswith("public")
    text = pdf_text(b"".join(download.streaming_content))
    assert "transfrontalière" in text and "changé après" not in text


def test_a_closed_meeting_without_an_approval_has_no_results_page(day, client):
    _closed_without_results(day["meeting"], client)


def test_a_consent_withdrawn_after_the_approval_leaves_the_contacts_page_sent(
    day, api_client, organiser, django_capture_on_commit_callbacks
):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    approval = booklet_approve(meeting, organiser)
    contact_sharing_withdraw([day["nl"]])

    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(f"/api/meetings/{meeting.pk}/close")
    (amelie,) = [m for m in mail.outbox if day["fr"].email in m.to[0]]
    stored = approval.files.get(language="fr", audience="participants")
    sent = amelie.attachments[0][1]
    # Laid out again, from the approved data: the same content, without Joke's contact.
    assert sent != default_storage.open(stored.file.name).read()
    assert "transfrontalière" in pdf_text(sent) and "Joke" not in pdf_text(sent)
    # Nothing else moved: the approval is as it was.
    assert review_state(meeting).state == "approved"
    frozen = [entry.name for entry in approval_booklet(approval, "participants").contacts]
    assert any(name.startswith("Joke") for name in frozen)


def test_the_participants_copy_sent_is_the_stored_one_while_the_contacts_hold(
    day, api_client, organiser, django_capture_on_commit_callbacks
):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    approval = booklet_approve(meeting, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(f"/api/meetings/{meeting.pk}/close")
    for message, registration in zip(
        sorted(mail.outbox, key=lambda m: m.to[0]),
        sorted([day["fr"], day["nl"]], key=lambda r: f"{r.first_name} {r.last_name}"),
        strict=True,
    ):
        stored = approval.files.get(language=registration.language, audience="participants")
        assert message.attachments[0][1] == default_storage.open(stored.file.name).read()


def test_the_approved_editable_copies_keep_the_approved_text(day, organiser):
    from docx import Document as read_docx

    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    approval = booklet_approve(meeting, organiser)
    contribution_update(day["bus"], text="Un texte changé après l'approbation")
    booklet_submit(meeting, organiser)
    booklet_approve(meeting, organiser)

    stored = approval.files.get(language="fr", audience="public", format="docx")
    document = read_docx(BytesIO(default_storage.open(stored.file.name).read()))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert "transfrontalière" in text and "changé après" not in text
    odt = approval.files.get(language="nl", audience="public", format="odt")
    assert default_storage.open(odt.file.name).read().startswith(b"PK")


# --- The approved files, made by a job --------------------------------------------------


@pytest.fixture
def by_a_worker(settings):
    """Every booklet is large enough for its approved files to be made by a job."""
    settings.BOOKLET_APPROVAL_AT_ONCE = -1


def _approved_by_api(api_client, meeting, django_capture_on_commit_callbacks, *, run: bool):
    """Submit and approve through the API; the job queued at commit runs when `run`."""
    url = REVIEW.format(meeting.pk)
    api_client.post(f"{url}/submit")
    with django_capture_on_commit_callbacks(execute=run):
        response = api_client.post(f"{url}/approve")
    assert response.status_code == 201
    return response.json()


def test_a_large_booklet_is_approved_at_once_and_its_files_follow(
    day, api_client, by_a_worker, media_root, django_capture_on_commit_callbacks
):
    meeting = day["meeting"]
    answer = _approved_by_api(api_client, meeting, django_capture_on_commit_callbacks, run=False)
    approval = answer["approval"]
    assert answer["state"] == "approved" and approval["number"] == 1
    assert approval["files_status"] == "queued" and approval["files_progress"] == 0
    assert approval["files"] == [] and stored_files(media_root) == []

    refused = api_client.post(f"/api/meetings/{meeting.pk}/close")
    assert refused.status_code == 409
    assert "files are still being made (0% done)" in refused.json()["detail"]
    assert Meeting.objects.get(pk=meeting.pk).closed_at is None
    assert not Delivery.objects.exists()

    assert approval_files_build(BookletApprovalJob.objects.get().pk).status == "done"
    built = api_client.get(REVIEW.format(meeting.pk)).json()["approval"]
    assert built["files_status"] == "done" and built["files_progress"] == 100
    assert len(built["files"]) == 8 and len(stored_files(media_root)) == 8
    with django_capture_on_commit_callbacks(execute=True):
        closed = api_client.post(f"/api/meetings/{meeting.pk}/close")
    assert closed.status_code == 200 and closed.json()["emails_queued"] == 2


def test_the_approval_queues_its_files_build_for_after_the_commit(
    day, organiser, by_a_worker, django_capture_on_commit_callbacks
):
    booklet_submit(day["meeting"], organiser)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approval = booklet_approve(day["meeting"], organiser)
    assert approval.files_job.status == "queued" and not approval.files.exists()
    for callback in callbacks:
        callback()
    approval.files_job.refresh_from_db()
    assert approval.files_job.status == "done"
    assert BookletApprovalFile.objects.filter(approval=approval).count() == 8


def test_the_files_build_reports_real_progress(day, organiser, by_a_worker, monkeypatch):
    booklet_submit(day["meeting"], organiser)
    approval = booklet_approve(day["meeting"], organiser)
    written = []
    keep = BookletApprovalJob.progress_write

    def spy(job, percent):
        keep(job, percent)
        written.append(BookletApprovalJob.objects.get(pk=job.pk).progress)

    monkeypatch.setattr(BookletApprovalJob, "progress_write", spy)
    approval_files_build(approval.files_job.pk)
    # Each file moves the bar, from the start to the last file, never backwards.
    assert written == sorted(written) and len(set(written)) >= 8 and max(written) >= 90
    assert BookletApprovalJob.objects.get().progress == 100


def test_the_results_page_keeps_the_previous_version_while_the_next_is_made(
    day, organiser, client, settings, django_capture_on_commit_callbacks
):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    booklet_approve(meeting, organiser)
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now())
    contribution_update(day["bus"], text="Un texte changé après l'approbation")
    booklet_submit(meeting, organiser)
    settings.BOOKLET_APPROVAL_AT_ONCE = -1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = booklet_approve(meeting, organiser)
    results = reverse("reports:meeting_results", args=[meeting.pk])
    pdf = reverse("reports:results_booklet", args=[meeting.pk, "fr"])

    body = client.get(results).content.decode()
    assert "transfrontalière" in body and "changé après" not in body
    text = pdf_text(b"".join(client.get(pdf).streaming_content))
    assert "transfrontalière" in text and "changé après" not in text

    for callback in callbacks:
        callback()
    assert BookletApprovalJob.objects.get(approval=second).status == "done"
    assert "changé après" in client.get(results).content.decode()
    assert "changé après" in pdf_text(b"".join(client.get(pdf).streaming_content))


def test_no_results_page_before_the_first_approvals_files_are_made(
    day, organiser, client, by_a_worker
):
    booklet_submit(day["meeting"], organiser)
    booklet_approve(day["meeting"], organiser)
    _closed_without_results(day["meeting"], client)


def test_a_failed_build_is_shown_refuses_closing_and_is_started_again(
    day, api_client, by_a_worker, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    meeting = day["meeting"]
    monkeypatch.setattr(
        approval_files,
        "booklet_office",
        lambda *args, **kwargs: (_ for _ in ()).throw(OSError("disk full")),
    )
    _approved_by_api(api_client, meeting, django_capture_on_commit_callbacks, run=True)
    approval = api_client.get(REVIEW.format(meeting.pk)).json()["approval"]
    assert approval["files_status"] == "failed" and "disk full" in approval["files_error"]
    assert approval["files"] == [] and stored_files(media_root) == []

    refused = api_client.post(f"/api/meetings/{meeting.pk}/close")
    assert refused.status_code == 409 and "could not be made" in refused.json()["detail"]
    assert "start them again" in refused.json()["detail"]

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = api_client.post(f"{REVIEW.format(meeting.pk)}/files")
    assert retried.status_code == 202 and retried.json()["approval"]["files_status"] == "queued"
    approval = api_client.get(REVIEW.format(meeting.pk)).json()["approval"]
    assert approval["files_status"] == "done" and len(approval["files"]) == 8
    again = api_client.post(f"{REVIEW.format(meeting.pk)}/files")
    assert again.status_code == 409 and "nothing to start again" in again.json()["detail"]


def _files_build_failing(monkeypatch) -> BookletApprovalJob:
    """Run the approval's files job with its PDF layout failing, as on a full disk."""
    job = BookletApprovalJob.objects.get()
    monkeypatch.setattr(
        approval_files,
        "booklet_pdf",
        lambda *args, **kwargs: (_ for _ in ()).throw(OSError("disk full")),
    )
    approval_files_build(job.pk)
    return job


def test_the_review_page_follows_the_build_and_offers_a_retry_when_it_failed(
    day, organiser_client, by_a_worker, monkeypatch
):
    url = reverse("reports:booklet_review", args=[day["meeting"].pk])
    organiser_client.post(url, {"action": "submit"})
    organiser_client.post(url, {"action": "approve"})
    page = organiser_client.get(url).content.decode()
    assert 'id="approval-files-progress"' in page and "files are being made" in page
    assert "approval-files" in page and 'value="retry"' not in page

    job = _files_build_failing(monkeypatch)
    page = organiser_client.get(url).content.decode()
    assert "could not be made (OSError: disk full)" in page and 'value="retry"' in page
    monkeypatch.undo()
    assert organiser_client.post(url, {"action": "retry"}).status_code == 302
    job.refresh_from_db()
    assert job.status == "queued" and job.progress == 0 and job.error == ""


def test_a_build_whose_worker_was_lost_is_shown_as_failed(day, api_client, by_a_worker, organiser):
    booklet_submit(day["meeting"], organiser)
    booklet_approve(day["meeting"], organiser)
    BookletApprovalJob.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    approval = api_client.get(REVIEW.format(day["meeting"].pk)).json()["approval"]
    assert approval["files_status"] == "failed" and "worker was lost" in approval["files_error"]


def test_a_small_booklets_files_are_made_in_the_request(day, organiser, settings):
    settings.BOOKLET_APPROVAL_AT_ONCE = 2
    booklet_submit(day["meeting"], organiser)
    approval = booklet_approve(day["meeting"], organiser)
    assert approval.files_job.status == "done" and approval.files.count() == 8


def test_two_organisers_approving_at_once_make_one_approval(day, organiser, monkeypatch):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    # What both read before either took the meeting's lock: "in review".
    seen = review_state(meeting)
    booklet_approve(meeting, organiser)
    monkeypatch.setattr(review, "review_state", lambda meeting, drafts=None: seen)
    with pytest.raises(ReviewRefused, match="changed meanwhile"):
        booklet_approve(meeting, organiser)
    assert BookletApproval.objects.count() == 1 and BookletApprovalJob.objects.count() == 1


def test_a_post_it_changed_before_the_job_runs_is_not_in_the_approved_files(
    day, organiser, by_a_worker, django_capture_on_commit_callbacks
):
    meeting = day["meeting"]
    booklet_submit(meeting, organiser)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approval = booklet_approve(meeting, organiser)
    contribution_update(day["bus"], text="Un texte changé avant la fabrication")
    for callback in callbacks:
        callback()
    for stored in BookletApprovalFile.objects.filter(approval=approval, format="pdf"):
        text = pdf_text(default_storage.open(stored.file.name).read())
        assert "transfrontalière" in text and "changé avant" not in text


def test_organisers_see_a_failed_files_build_in_the_admin(
    day, organiser, client, by_a_worker, monkeypatch
):
    booklet_submit(day["meeting"], organiser)
    booklet_approve(day["meeting"], organiser)
    job = _files_build_failing(monkeypatch)
    client.force_login(organiser)
    listing = client.get(reverse("admin:reports_bookletapprovaljob_changelist"))
    detail = client.get(reverse("admin:reports_bookletapprovaljob_change", args=[job.pk]))
    assert listing.status_code == detail.status_code == 200
    assert escape(str(day["meeting"])) in listing.content.decode()
    assert "disk full" in detail.content.decode()
