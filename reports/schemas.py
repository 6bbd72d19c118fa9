"""What the booklets API takes and answers."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from events_site.kit.schemas import api_choices

from .models import BookletJob

BookletLanguage = api_choices(BookletJob.Language, "BookletLanguage")
BookletStatus = api_choices(BookletJob.Status, "BookletStatus")
BookletAudience = api_choices(BookletJob.Audience, "BookletAudience")
# While it runs, a build reads the data, writes the sections, lays out the pages, makes
# the editable copies, then stores the files; before and after, its stage is its status.
BookletStage = Literal["queued", "data", "sections", "layout", "copies", "saving", "done", "failed"]


class BookletIn(Schema):
    language: BookletLanguage = BookletLanguage.FR
    audience: BookletAudience = Field(
        BookletAudience.PUBLIC,
        description="public, or the participants' copy, which adds the shared contacts",
    )


class BookletDownloads(Schema):
    """Where each format of a finished build is downloaded; null until done."""

    pdf: str | None = Field(..., description="absolute, as `download_url`")
    docx: str | None = Field(..., description="absolute; the copy to edit in Word")
    odt: str | None = Field(..., description="absolute; the copy to edit in LibreOffice")


class BookletOut(Schema):
    id: int
    meeting: int
    language: BookletLanguage
    audience: BookletAudience
    status: BookletStatus
    stage: BookletStage = Field(..., description="what a running build is doing")
    progress: int
    error: str
    download_url: str | None = Field(
        ..., description="absolute; takes the same `Authorization: Bearer` key; null until done"
    )
    downloads: BookletDownloads = Field(
        ...,
        description="the PDF and its editable copies; each takes the same key as `download_url`",
    )
    created_at: datetime
    finished_at: datetime | None


class MeetingClosedOut(Schema):
    meeting: int
    closed_at: datetime
    emails_queued: int
