"""A booklet from draft to approved and sent, in a real browser: a facilitator comments,
the organiser is refused the close, submits, approves, then closes the meeting."""

from io import BytesIO

import pytest
from django.core import mail
from pypdf import PdfReader

from meetings.services.signin import person_user
from reports import approval_files
from reports.models import BookletApprovalJob
from tasks.models import Delivery
from tests.e2e.conftest import sign_in
from tests.ticket_factories import RegistrationFactory, checkin_make
from workshops.services.postits import contribution_create, contribution_update
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_booklet_goes_from_draft_to_approved_and_sent(
    live_server, page, started_meeting, organiser, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    meeting = started_meeting
    workshop = workshop_create(meeting, title_fr="Mobilité <b>&", title_nl="Mobiliteit")
    bus = contribution_create(workshop, text="Une ligne de bus 🚌", source="transcribed")
    checkin_make(RegistrationFactory(meeting=meeting, language="fr"), by=organiser)
    review = f"{live_server.url}/en/meetings/{meeting.pk}/booklet/review/"
    page.on("dialog", lambda dialog: dialog.accept())

    facilitator = person_user(meeting.cofacilitators.order_by("pk").first().person)
    sign_in(page, live_server, facilitator)
    page.goto(review)
    assert page.locator(".review-state").inner_text().endswith("draft")
    assert page.get_by_role("button", name="Submit for review").count() == 0
    page.get_by_label("Your comment").fill("Ajouter la gare <b>& de Menen")
    page.get_by_role("button", name="Add the comment").click()
    page.wait_for_selector("text=Your comment is added.")
    assert "Ajouter la gare <b>& de Menen" in page.locator(".review-comments").inner_text()

    page.context.clear_cookies()
    sign_in(page, live_server, organiser)
    booklet = f"{live_server.url}/en/meetings/{meeting.pk}/booklet/"
    page.goto(booklet)
    page.locator("#booklet-close").click()
    status = page.locator("#booklet-close-status")
    # The API answers in the browser's language (French here).
    status.filter(has_text="pas encore approuvé").wait_for()

    page.goto(review)
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector("text=The booklet is in review.")
    page.get_by_role("button", name="Approve this booklet").click()
    page.wait_for_selector("text=Approved version 1")
    # A change after the approval is a new draft: it is not what leaves.
    contribution_update(bus, text="Un texte écrit après l'approbation")

    page.goto(booklet)
    page.locator("#booklet-close").click()
    status.filter(has_text="on their way").wait_for()
    (sent,) = Delivery.objects.filter(meeting=meeting, kind="booklet")
    assert sent.status == Delivery.Status.SENT
    (message,) = [m for m in mail.outbox if m.attachments]
    pdf = message.attachments[0][1]
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "Une ligne de bus" in text and "après l'approbation" not in text


def test_the_review_page_follows_the_approved_files_being_made(
    live_server, page, started_meeting, organiser, settings, tmp_path, monkeypatch
):
    """A booklet too large for the request: approving answers at once, closing is refused
    while the files are made, and the review page lists them once a worker has."""
    settings.MEDIA_ROOT = tmp_path
    settings.BOOKLET_APPROVAL_AT_ONCE = -1
    # No worker takes the job: the test plays it once the page is following.
    monkeypatch.setattr(approval_files, "enqueue_on_commit", lambda *args: None)
    meeting = started_meeting
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    contribution_create(workshop, text="Une ligne de bus 🚌", source="transcribed")
    review = f"{live_server.url}/en/meetings/{meeting.pk}/booklet/review/"
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, organiser)

    page.goto(review)
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector("text=The booklet is in review.")
    page.get_by_role("button", name="Approve this booklet").click()
    page.wait_for_selector("text=Approved version 1")
    assert page.locator("#approval-files-progress").is_visible()
    assert page.locator(".review-files").count() == 0

    page.goto(f"{live_server.url}/en/meetings/{meeting.pk}/booklet/")
    assert "closing waits for them" in page.content()
    page.locator("#booklet-close").click()
    # The API answers in the browser's language (French here).
    page.locator("#booklet-close-status").filter(
        has_text="encore en cours de génération"
    ).wait_for()

    page.goto(review)
    approval_files.approval_files_build(BookletApprovalJob.objects.get().pk)
    page.locator(".review-files li").first.wait_for()
    assert page.locator(".review-files li").count() == 8
    assert page.locator("#approval-files-progress").count() == 0
