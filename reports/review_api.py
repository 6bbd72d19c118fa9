"""The booklet's review for organisers and the meeting's facilitators: read where it
stands, comment; organisers submit and approve (`reports.review`)."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status

from events_site.kit.errors import NotSignedIn
from events_site.kit.http_errors import error_responses
from meetings.auth import facilitator_auth, organiser_auth
from meetings.models import Meeting

from . import review
from .models import BookletApproval, BookletComment
from .review_schemas import CommentIn, CommentOut, ReviewOut

router = Router(tags=["booklet review"])


def _nobody(request):
    raise NotSignedIn(_("Sign in as an organiser or as a facilitator of this meeting."))


reviewers = [*facilitator_auth, _nobody]


def _absolute(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _approval_out(approval: BookletApproval | None, user) -> dict | None:
    if approval is None:
        return None
    job = approval.files_job
    return {
        "number": approval.number,
        "approved_at": approval.approved_at,
        "approved_by": _user_name(approval.approved_by),
        "files_status": job.status,
        "files_progress": job.progress,
        "files_error": job.error,
        "files": [
            {
                "language": stored.language,
                "audience": stored.audience,
                "format": stored.format,
                "download_url": _absolute(
                    "reports:booklet_review_file", approval.meeting_id, stored.pk
                ),
            }
            for stored in review.approval_files_for(approval, user)
        ],
    }


def _user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def review_out(state: review.ReviewState, user) -> dict:
    meeting = state.meeting
    submitted = state.review if state.review and state.review.submitted_at else None
    return {
        "meeting": meeting.pk,
        "state": state.state,
        "changed": state.changed,
        "submitted_at": submitted.submitted_at if submitted else None,
        "submitted_by": _user_name(submitted.submitted_by) if submitted else None,
        "preview_url": _absolute("reports:booklet_review", meeting.pk),
        "drafts": [
            {
                "language": language,
                "pdf_url": _absolute("reports:booklet_review_draft", meeting.pk, language),
            }
            for language in review.APPROVED_LANGUAGES
        ],
        "approval": _approval_out(state.approval, user),
    }


def _meeting(request, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    review.review_require(request.auth, meeting)
    return meeting


@router.get(
    "/meetings/{meeting_id}/booklet/review",
    response={200: ReviewOut, **error_responses()},
    auth=reviewers,
    summary="Read the booklet's review",
)
def booklet_review_read(request, meeting_id: int):
    """Where the meeting's booklet stands: `draft`, `in_review` or `approved`, of the
    booklet as it reads now (a change after a submission or an approval makes it a
    draft again, and `changed` says so); the draft's preview page and PDFs; the latest
    approval and its stored files, which closing the meeting sends (the participants'
    copy, with their contacts, to organisers only), listed once their build is done
    (`files_status`, `files_progress`: poll this while it is `queued` or `running`).
    Organisers and the meeting's facilitators; anyone else signed in gets 403."""
    return review_out(review.review_state(_meeting(request, meeting_id)), request.auth)


@router.post(
    "/meetings/{meeting_id}/booklet/review/submit",
    response={200: ReviewOut, **error_responses()},
    auth=organiser_auth,
    summary="Submit the booklet for review",
)
def booklet_review_submit(request, meeting_id: int):
    """Put the booklet, as it reads now, in review. 409 when it is already in review,
    or approved and unchanged since. Organisers only."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    return review_out(review.booklet_submit(meeting, request.auth), request.auth)


@router.post(
    "/meetings/{meeting_id}/booklet/review/approve",
    response={201: ReviewOut, **error_responses()},
    auth=organiser_auth,
    summary="Approve the booklet in review",
)
def booklet_review_approve(request, meeting_id: int):
    """Approve the booklet in review: its data is frozen, and that version is what
    closing the meeting sends and what the public results page shows; later changes make
    a new draft. 409 when it is not in review (submit it first) or changed since it was
    submitted (submit it again). It answers at once: its files (PDF, DOCX and ODT, in
    French and Dutch; the participants' copy as PDF, whose contacts page alone follows
    later changes of consent) are built by a worker, and `approval.files_status` and
    `files_progress` follow that build (read this review again); a small booklet's are
    built before it answers. Until they are stored, closing the meeting is refused and
    the results page keeps the previous version. Organisers only."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    review.booklet_approve(meeting, request.auth)
    return Status(201, review_out(review.review_state(meeting), request.auth))


@router.post(
    "/meetings/{meeting_id}/booklet/review/files",
    response={202: ReviewOut, **error_responses()},
    auth=organiser_auth,
    summary="Build the approved booklet's files again",
)
def booklet_review_files_retry(request, meeting_id: int):
    """Start the build of the latest approval's files again, after it failed
    (`approval.files_status` is `failed`, `files_error` says why). 409 when it has not
    failed. Organisers only."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    review.booklet_files_retry(meeting, request.auth)
    return Status(202, review_out(review.review_state(meeting), request.auth))


def comment_out(comment: BookletComment, draft_hash: str) -> dict:
    return {
        "id": comment.pk,
        "author": comment.author_name,
        "text": comment.text,
        "created_at": comment.created_at,
        "on_current_draft": comment.inputs_hash == draft_hash,
    }


@router.get(
    "/meetings/{meeting_id}/booklet/review/comments",
    response={200: list[CommentOut], **error_responses()},
    auth=reviewers,
    summary="List the review's comments",
)
def booklet_comment_list(request, meeting_id: int):
    """Every comment on the meeting's booklet, oldest first, each saying whether the
    booklet has changed since. Organisers and the meeting's facilitators."""
    state = review.review_state(_meeting(request, meeting_id))
    return [comment_out(c, state.draft_hash) for c in review.review_comments(state.meeting)]


@router.post(
    "/meetings/{meeting_id}/booklet/review/comments",
    response={201: CommentOut, **error_responses()},
    auth=reviewers,
    summary="Comment on the booklet",
)
def booklet_comment_add(request, meeting_id: int, payload: CommentIn):
    """A comment on the booklet as it reads now (1 to 2 000 characters; 422 when empty
    or longer). Organisers and the meeting's facilitators."""
    comment = review.comment_add(_meeting(request, meeting_id), request.auth, payload.text)
    return Status(201, comment_out(comment, comment.inputs_hash))
