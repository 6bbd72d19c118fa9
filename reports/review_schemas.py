"""What the booklet review's API takes and answers."""

from datetime import datetime

from ninja import Field, Schema

from events_site.kit.schemas import api_choices

from .models import BookletApprovalFile, BookletApprovalJob, BookletJob, BookletReview

ReviewStateName = api_choices(BookletReview.State, "BookletReviewState")
ApprovedLanguage = api_choices(BookletJob.Language, "ApprovedBookletLanguage")
ApprovedAudience = api_choices(BookletApprovalFile.Audience, "ApprovedBookletAudience")
ApprovedFormat = api_choices(BookletApprovalFile.Format, "ApprovedBookletFormat")
FilesStatus = api_choices(BookletApprovalJob.Status, "ApprovedBookletFilesStatus")


class ApprovedFileOut(Schema):
    language: ApprovedLanguage
    audience: ApprovedAudience = Field(
        ..., description="`participants`: the copy emailed to them, with the contacts page"
    )
    format: ApprovedFormat
    download_url: str = Field(..., description="absolute; takes the same `Authorization` key")


class ApprovalOut(Schema):
    number: int = Field(..., description="1 for the first approval of the meeting's booklet")
    approved_at: datetime
    approved_by: str
    files_status: FilesStatus = Field(
        ...,
        description="the build of its files: `queued`, `running`, `done` (they are listed "
        "and closing may send them), or `failed` (start it again with `…/review/files`)",
    )
    files_progress: int = Field(..., description="0 to 100; 100 once the files are stored")
    files_error: str = Field(..., description="why the build failed; empty otherwise")
    files: list[ApprovedFileOut] = Field(..., description="empty until the files are stored")


class DraftOut(Schema):
    language: ApprovedLanguage
    pdf_url: str = Field(..., description="absolute; the draft as it reads now")


class ReviewOut(Schema):
    meeting: int
    state: ReviewStateName = Field(
        ..., description="of the booklet as it reads now: `draft` again once it changes"
    )
    changed: bool = Field(
        ..., description="true when it was submitted or approved, and changed since"
    )
    submitted_at: datetime | None
    submitted_by: str | None
    preview_url: str = Field(..., description="the draft as a web page, for reviewers")
    drafts: list[DraftOut]
    approval: ApprovalOut | None = Field(
        ..., description="the latest approval: what closing the meeting sends"
    )


class CommentIn(Schema):
    text: str = Field(..., description="1 to 2 000 characters", max_length=2000)


class CommentOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime
    on_current_draft: bool = Field(
        ..., description="false once the booklet has changed since the comment"
    )
