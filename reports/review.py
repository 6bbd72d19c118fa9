"""A booklet's review before it leaves: draft, then in review, then approved.

Organisers and the meeting's facilitators read the draft (the HTML preview and its PDF)
and comment on it; an organiser submits it for review, then approves it. Approving
freezes what the booklet says: its data is kept as JSON (`events_site.kit.frozen`) and
its files are built from that JSON by a job and stored (`approval_files`), so that the
approved booklet reads the same whatever happens to the post-its later. Closing the
meeting sends the latest approval, and refuses without one or while its files are being
made (`approval_for_sending`); the public results page shows the latest approval whose
files are stored, and nothing else.

A state holds for the content it was given on, named by the digest of the booklet's
frozen data: once that content changes, the booklet is a draft again, to be submitted
and approved anew, and the earlier approvals stay as they were.
"""

from dataclasses import dataclass, replace

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit.frozen import freeze, frozen_digest, thaw
from meetings.auth import is_organiser, may_facilitate
from meetings.models import Meeting

from . import approval_files
from .booklet import booklet_pdf
from .booklet_data import AUDIENCES, PARTICIPANTS, PUBLIC, Booklet, booklet_data
from .document_jobs import build_job_check
from .errors import (
    BookletFilesNotReady,
    BookletNotApproved,
    InvalidComment,
    NotAReviewer,
    ReviewRefused,
)
from .models import (
    BookletApproval,
    BookletApprovalFile,
    BookletApprovalJob,
    BookletComment,
    BookletReview,
)
from .signals import booklet_approved
from .webhooks import booklet_approved_webhook

State = BookletReview.State
Audience = BookletApprovalFile.Audience
Format = BookletApprovalFile.Format
APPROVED_LANGUAGES = approval_files.APPROVED_LANGUAGES
COMMENT_MAX = 2000


@dataclass
class ReviewState:
    """The review as a reader sees it now. `state` is that of the booklet as it reads
    today; `changed` says it was submitted or approved, and has changed since. `drafts`
    are its copies by audience (`booklet_data.AUDIENCES`); `draft` the public one."""

    meeting: Meeting
    state: str
    changed: bool
    draft_hash: str
    review: BookletReview | None
    approval: BookletApproval | None
    drafts: dict[str, Booklet]

    @property
    def draft(self) -> Booklet:
        return self.drafts[PUBLIC]


def booklet_drafts(meeting: Meeting) -> dict[str, Booklet]:
    """The booklet as it reads now, in each copy."""
    return {audience: booklet_data(meeting, audience=audience) for audience in AUDIENCES}


def drafts_digest(drafts: dict[str, Booklet]) -> str:
    """What the review approves, as a digest: every copy's content, but not who is in
    the participants' contacts page, which follows their consents, not the review."""
    return frozen_digest(
        {audience: replace(booklet, contacts=[]) for audience, booklet in drafts.items()}
    )


def may_review(user, meeting: Meeting | int) -> bool:
    """Organisers, and the meeting's co-facilitators and support staff."""
    return may_facilitate(user, meeting)


def review_require(user, meeting: Meeting | int) -> None:
    if not may_review(user, meeting):
        raise NotAReviewer(
            _("Only the organisers and the facilitators of this meeting review its booklet.")
        )


def _organiser_require(user) -> None:
    if not is_organiser(user):
        raise NotAReviewer(_("Only an organiser submits a booklet for review and approves it."))


def review_state(meeting: Meeting, drafts: dict[str, Booklet] | None = None) -> ReviewState:
    """Where the booklet of `meeting` stands, from its data as it is now (`drafts`, when
    the caller has just read them)."""
    drafts = drafts or booklet_drafts(meeting)
    digest = drafts_digest(drafts)
    review = BookletReview.objects.filter(meeting=meeting).select_related("submitted_by").first()
    approval = latest_approval(meeting)
    if review is None or review.state == State.DRAFT:
        state, changed = State.DRAFT, False
    elif review.inputs_hash == digest:
        state, changed = review.state, False
    else:
        state, changed = State.DRAFT, True
    return ReviewState(meeting, state, changed, digest, review, approval, drafts)


def latest_approval(meeting: Meeting | int) -> BookletApproval | None:
    """The meeting's latest approval, its files' build checked for a lost worker."""
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    approval = _approvals().filter(meeting_id=meeting_id).first()
    if approval is not None:
        build_job_check(approval.files_job)
    return approval


def _approvals():
    return BookletApproval.objects.select_related("approved_by", "files_job").prefetch_related(
        "files"
    )


def published_approval(meeting: Meeting | int) -> BookletApproval | None:
    """The latest approval whose files are stored: what the public results page shows.
    While a newer one's files are being made, the previous version stays."""
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    return (
        BookletApproval.objects.filter(
            meeting_id=meeting_id, files_job__status=BookletApprovalJob.Status.DONE
        )
        .prefetch_related("files")
        .first()
    )


def files_ready(approval: BookletApproval) -> bool:
    return approval.files_job.status == BookletApprovalJob.Status.DONE


def approval_booklet(approval: BookletApproval, audience: str = PUBLIC) -> Booklet:
    """A copy of the booklet as it was approved, read back from its frozen data."""
    return thaw(Booklet, approval.data[audience])


def approval_file(
    approval: BookletApproval, language: str, audience: str, format: str = Format.PDF
) -> BookletApprovalFile | None:
    """One stored file of an approval (from its prefetched files)."""
    return next(
        (
            stored
            for stored in approval.files.all()
            if (stored.language, stored.audience, stored.format) == (language, audience, format)
        ),
        None,
    )


def approval_files_for(approval: BookletApproval, user) -> list[BookletApprovalFile]:
    """The approval's files `user` may download: the participants' copy holds their
    contacts, which are shared with those who came and share theirs, and organisers;
    a facilitator gets the public copy."""
    organiser = is_organiser(user)
    return [
        stored for stored in approval.files.all() if organiser or stored.audience == Audience.PUBLIC
    ]


def approval_sent_payload(approval: BookletApproval, language: str, contacts: list) -> bytes:
    """The participants' copy of an approved booklet, as it was stored, for `contacts`
    (`booklet_data.ContactEntry`, those who share theirs when the email leaves).

    The contacts page is the one part that is not frozen: a consent withdrawn after the
    approval is honoured (`registrations.selectors.contact_list`'s rule). Only then is
    the copy laid out again, from the frozen data with today's contacts.
    """
    frozen = approval_booklet(approval, PARTICIPANTS)
    stored = approval_file(approval, language, Audience.PARTICIPANTS)
    if stored is None or frozen.contacts != contacts:
        return booklet_pdf(replace(frozen, contacts=contacts), language)
    with default_storage.open(stored.file.name, "rb") as handle:
        return handle.read()


def approval_for_sending(meeting: Meeting) -> BookletApproval:
    """The approval a closing sends; refused with the reason when there is none, or while
    its files are not stored (a closing never sends a booklet without its files)."""
    approval = latest_approval(meeting)
    if approval is None:
        raise BookletNotApproved(
            _(
                "The booklet has not been approved yet: submit it for review and approve it "
                "on the booklet's review page, then close the meeting."
            )
        )
    if approval.files_job.status == BookletApprovalJob.Status.FAILED:
        raise BookletFilesNotReady(
            _(
                "The approved booklet's files could not be made: start them again on the "
                "booklet's review page, then close the meeting."
            )
        )
    if not files_ready(approval):
        raise BookletFilesNotReady(
            _(
                "The approved booklet's files are still being made (%(progress)s%% done): "
                "close the meeting again in a minute."
            )
            % {"progress": approval.files_job.progress}
        )
    return approval


def _review_lock(meeting: Meeting) -> BookletReview:
    """The meeting's review row, locked with the meeting: two organisers pressing
    "approve" at once make one approval."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    review, _created = BookletReview.objects.select_for_update().get_or_create(meeting=meeting)
    return review


def booklet_submit(meeting: Meeting, user) -> ReviewState:
    """Put the booklet as it reads now in review."""
    _organiser_require(user)
    current = review_state(meeting)
    if current.state == State.IN_REVIEW:
        raise ReviewRefused(_("This booklet is already in review: approve it, or change it."))
    if current.state == State.APPROVED:
        raise ReviewRefused(
            _("This booklet is approved and has not changed since: there is nothing to submit.")
        )
    with transaction.atomic():
        review = _review_lock(meeting)
        review.state = State.IN_REVIEW
        review.inputs_hash = current.draft_hash
        review.submitted_at = timezone.now()
        review.submitted_by = user
        review.save()
    return review_state(meeting, current.drafts)


def booklet_approve(meeting: Meeting, user) -> BookletApproval:
    """Approve the booklet in review: freeze its data, and start the build of its files.

    The approval (its frozen data, number, webhook call and the review's state) is
    written at once under the meeting's lock; its files are laid out from the frozen
    data by a job once it commits (`approval_files`), or right after the commit here
    for a small booklet. Until they are stored, the approval says so and is not sent.
    """
    _organiser_require(user)
    current = review_state(meeting)
    if current.state == State.APPROVED:
        raise ReviewRefused(_("This booklet is already approved, as it reads now."))
    if current.state == State.DRAFT:
        raise ReviewRefused(
            _("This booklet changed after it was submitted: submit it for review again.")
            if current.changed
            else _("Submit the booklet for review before approving it.")
        )
    now = approval_files.at_once(current.draft)
    with transaction.atomic():
        review = _review_lock(meeting)
        if review.state != State.IN_REVIEW or review.inputs_hash != current.draft_hash:
            raise ReviewRefused(_("The review changed meanwhile: reload the page and look again."))
        number = (
            BookletApproval.objects.filter(meeting=meeting).aggregate(last=Max("number"))["last"]
            or 0
        ) + 1
        approval = BookletApproval.objects.create(
            meeting=meeting,
            number=number,
            inputs_hash=current.draft_hash,
            data={audience: freeze(booklet) for audience, booklet in current.drafts.items()},
            approved_by=user,
        )
        job = approval_files.approval_files_start(approval, user, now=now)
        review.state = State.APPROVED
        review.save(update_fields=["state", "updated_at"])
        booklet_approved_webhook(approval, user)
        transaction.on_commit(
            lambda: booklet_approved.send(
                sender=BookletApproval, meeting=meeting, approval=approval, user=user
            )
        )
    if now:
        approval_files.approval_files_build(job.pk)
    return _approvals().get(pk=approval.pk)


def booklet_files_retry(meeting: Meeting, user) -> BookletApproval:
    """Make the latest approval's files again, after their build failed or was lost."""
    _organiser_require(user)
    approval = latest_approval(meeting)
    if approval is None or approval.files_job.status != BookletApprovalJob.Status.FAILED:
        raise ReviewRefused(
            _("The approved booklet's files have not failed: there is nothing to start again.")
        )
    now = approval_files.at_once(approval_booklet(approval))
    job = approval_files.approval_files_retry(approval, user, now=now)
    if now:
        approval_files.approval_files_build(job.pk)
    return _approvals().get(pk=approval.pk)


def comment_add(meeting: Meeting, user, text: str) -> BookletComment:
    """A reviewer's comment on the booklet as it reads now."""
    review_require(user, meeting)
    text = (text or "").strip()
    if not text:
        raise InvalidComment(_("Write a comment first."), {"text": [_("This field is empty.")]})
    if len(text) > COMMENT_MAX:
        message = _("A comment holds at most %(limit)s characters.") % {"limit": COMMENT_MAX}
        raise InvalidComment(message, {"text": [message]})
    return BookletComment.objects.create(
        meeting=meeting,
        author=user,
        author_name=(user.get_full_name() or user.get_username())[:200],
        text=text,
        inputs_hash=drafts_digest(booklet_drafts(meeting)),
    )


def review_comments(meeting: Meeting) -> list[BookletComment]:
    return list(BookletComment.objects.filter(meeting=meeting))
