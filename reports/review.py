"""A booklet's review before it leaves: draft, then in review, then approved.

Organisers and the meeting's facilitators read the draft (the HTML preview and its PDF)
and comment on it; an organiser submits it for review, then approves it. Approving
freezes what the booklet says: its data is kept as JSON (`events_site.kit.frozen`) and
its files are built from that JSON and stored, so that the approved booklet reads the
same whatever happens to the post-its later. Closing the meeting sends the latest
approval, and refuses without one (`approval_for_sending`); the public results page
shows it and nothing else.

A state holds for the content it was given on, named by the digest of the booklet's
frozen data: once that content changes, the booklet is a draft again, to be submitted
and approved anew, and the earlier approvals stay as they were.
"""

from dataclasses import dataclass, replace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.kit.frozen import freeze, frozen_digest, thaw
from meetings.auth import is_organiser, may_facilitate
from meetings.models import Meeting

from .booklet import booklet_pdf
from .booklet_data import AUDIENCES, PARTICIPANTS, PUBLIC, Booklet, booklet_data
from .booklet_office import booklet_office
from .errors import BookletNotApproved, InvalidComment, NotAReviewer, ReviewRefused
from .models import BookletApproval, BookletApprovalFile, BookletComment, BookletReview
from .signals import booklet_approved
from .webhooks import booklet_approved_webhook

State = BookletReview.State
Audience = BookletApprovalFile.Audience
Format = BookletApprovalFile.Format
# An approved booklet is kept in each language on its own; "fr+nl" is printed from them
# on request, never sent.
APPROVED_LANGUAGES = ("fr", "nl")
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
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    return (
        BookletApproval.objects.filter(meeting_id=meeting_id)
        .select_related("approved_by")
        .prefetch_related("files")
        .first()
    )


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
    """The approval a closing sends; refused with the reason when there is none."""
    approval = latest_approval(meeting)
    if approval is None:
        raise BookletNotApproved(
            _(
                "The booklet has not been approved yet: submit it for review and approve it "
                "on the booklet's review page, then close the meeting."
            )
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
    """Approve the booklet in review: freeze its data and store its files.

    The files are built from the frozen data, before the transaction (a booklet takes
    seconds to lay out, and the meeting's lock is not held that long); the review is
    checked again under the lock, and a refusal there removes them.
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
    frozen = {audience: freeze(booklet) for audience, booklet in current.drafts.items()}
    saved = _files_store(
        meeting,
        current.draft_hash,
        {audience: thaw(Booklet, data) for audience, data in frozen.items()},
    )
    try:
        with transaction.atomic():
            review = _review_lock(meeting)
            if review.state != State.IN_REVIEW or review.inputs_hash != current.draft_hash:
                raise ReviewRefused(
                    _("The review changed meanwhile: reload the page and look again.")
                )
            number = (
                BookletApproval.objects.filter(meeting=meeting).aggregate(last=Max("number"))[
                    "last"
                ]
                or 0
            ) + 1
            approval = BookletApproval.objects.create(
                meeting=meeting,
                number=number,
                inputs_hash=current.draft_hash,
                data=frozen,
                approved_by=user,
            )
            BookletApprovalFile.objects.bulk_create(
                BookletApprovalFile(approval=approval, **kind, file=name) for kind, name in saved
            )
            review.state = State.APPROVED
            review.save(update_fields=["state", "updated_at"])
            booklet_approved_webhook(approval, user)
            transaction.on_commit(
                lambda: booklet_approved.send(
                    sender=BookletApproval, meeting=meeting, approval=approval, user=user
                )
            )
    except BaseException:
        for _kind, name in saved:
            default_storage.delete(name)
        raise
    return approval


def _renderings() -> list[tuple[str, str, str]]:
    """(audience, language, format) of every file an approval keeps: both copies as
    PDF, and the public one also as DOCX and ODT, which town halls finish in Word or
    LibreOffice (participants get the PDF)."""
    return [
        (audience, language, format)
        for audience in AUDIENCES
        for language in APPROVED_LANGUAGES
        for format in Format.values
        if format == Format.PDF or audience == PUBLIC
    ]


def _files_store(
    meeting: Meeting, digest: str, booklets: dict[str, Booklet]
) -> list[tuple[dict, str]]:
    """Build and store each file of the approval, every copy in each language:
    [(kind, stored name)]. A failure removes the files already stored."""
    saved = []
    try:
        for audience, language, format in _renderings():
            booklet = booklets[audience]
            payload = (
                booklet_pdf(booklet, language)
                if format == Format.PDF
                else booklet_office(booklet, language, format)
            )
            name = default_storage.save(
                f"booklets/{meeting.pk}/approved/{digest[:12]}/booklet-{meeting.pk}-"
                f"{language}-{audience}.{format}",
                ContentFile(payload),
            )
            saved.append(({"language": language, "audience": audience, "format": format}, name))
    except BaseException:
        for _kind, name in saved:
            default_storage.delete(name)
        raise
    return saved


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
