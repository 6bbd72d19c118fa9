"""The booklet's review pages: the draft as a web page with the review around it, the
draft's PDF, the approved files for reviewers, and the approved PDF of the public
results page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from events_site.kit.errors import DomainError
from events_site.kit.http_errors import http_status
from events_site.kit.permissions import signed_in_and_allowed
from meetings.auth import api_key_or_session, is_organiser
from meetings.models import Meeting

from . import review
from .booklet import booklet_title
from .models import BookletApprovalFile
from .services import booklet_language, booklet_payload

PDF = "application/pdf"
reviewers_only = signed_in_and_allowed(
    lambda request, meeting_id, *args, **kwargs: review.may_review(request.user, meeting_id)
)
# What each button of the page does, and what it then says.
ACTIONS = {
    "submit": lambda meeting, user, post: review.booklet_submit(meeting, user),
    "approve": lambda meeting, user, post: review.booklet_approve(meeting, user),
    "comment": lambda meeting, user, post: review.comment_add(meeting, user, post.get("text", "")),
    "retry": lambda meeting, user, post: review.booklet_files_retry(meeting, user),
}


def _done_message(action: str) -> str:
    return {
        "submit": _("The booklet is in review."),
        "approve": _("The booklet is approved: closing the meeting sends this version."),
        "retry": _("The approved booklet's files are being made again."),
        "comment": _("Your comment is added."),
    }[action]


@require_http_methods(["GET", "HEAD", "POST"])
@reviewers_only
def booklet_review(request, meeting_id: int):
    """The draft as it reads now, under its review: state, draft PDFs, the approved
    version, the comments and their form; an organiser's submit and approve buttons."""
    meeting = get_object_or_404(Meeting.objects.select_related("host_organisation"), pk=meeting_id)
    refusal = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        try:
            ACTIONS[action](meeting, request.user, request.POST)
        except DomainError as exc:
            refusal = exc
        else:
            messages.success(request, _done_message(action))
            return redirect("reports:booklet_review", meeting.pk)
    state = review.review_state(meeting)
    lang = booklet_language(translation.get_language())
    context = {
        "meeting": meeting,
        "booklet": state.draft,
        "lang": lang,
        "title": booklet_title(state.draft, lang),
        "review": state,
        "approved_files": state.approval
        and review.approval_files_for(state.approval, request.user),
        "comments": review.review_comments(meeting),
        "organiser": is_organiser(request.user),
        "languages": review.APPROVED_LANGUAGES,
        "refusal": refusal,
        "comment_max": review.COMMENT_MAX,
        "review_api": f"{reverse('api:api-root')}meetings/{meeting.pk}/booklet/review",
        "text": request.POST.get("text", "") if refusal else "",
    }
    status = http_status(refusal) if refusal else 200
    return render(request, "reports/review.html", context, status=status)


@require_safe
@api_key_or_session
@reviewers_only
def booklet_review_draft(request, meeting_id: int, language: str):
    """The draft's PDF as it reads now (stored while it does not change)."""
    if language not in review.APPROVED_LANGUAGES:
        raise Http404
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    response = HttpResponse(booklet_payload(meeting, language), content_type=PDF)
    response["Content-Disposition"] = (
        f'inline; filename="booklet-{meeting.pk}-{language}-draft.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _file_response(stored: BookletApprovalFile, **headers) -> FileResponse:
    if not default_storage.exists(stored.file.name):
        raise Http404
    response = FileResponse(
        default_storage.open(stored.file.name, "rb"),
        filename=(
            f"booklet-{stored.approval.meeting_id}-v{stored.approval.number}-"
            f"{stored.language}-{stored.audience}.{stored.format}"
        ),
    )
    for name, value in headers.items():
        response[name] = value
    return response


@require_safe
@api_key_or_session
@reviewers_only
def booklet_review_file(request, meeting_id: int, file_id: int):
    """A file of an approved booklet for the meeting's reviewers; the participants' copy,
    with their contacts, for organisers only (`review.approval_files_for`)."""
    stored = get_object_or_404(
        BookletApprovalFile.objects.select_related("approval"),
        pk=file_id,
        approval__meeting_id=meeting_id,
    )
    if stored.audience != review.Audience.PUBLIC and not is_organiser(request.user):
        raise PermissionDenied
    return _file_response(stored, **{"Cache-Control": "private, no-store"})


@require_safe
def results_booklet(request, meeting_id: int, language: str):
    """The public copy of the approved booklet, once the meeting is closed: what its
    results page shows, as a PDF."""
    meeting = get_object_or_404(
        Meeting, pk=meeting_id, status=Meeting.Status.PUBLISHED, closed_at__isnull=False
    )
    approval = review.published_approval(meeting)
    stored = approval and review.approval_file(approval, language, review.Audience.PUBLIC)
    if stored is None:
        raise Http404
    # A later approval replaces it: cached briefly, and for everyone alike.
    return _file_response(stored, **{"Cache-Control": "public, max-age=300"})
