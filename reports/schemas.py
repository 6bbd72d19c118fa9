"""What the booklets API takes and answers."""

from datetime import datetime

from ninja import Field, Schema

from .models import BookletJob


class BookletIn(Schema):
    language: str = BookletJob.Language.FR


class BookletOut(Schema):
    id: int
    meeting: int
    language: str
    status: str
    progress: int
    error: str
    download_url: str | None = Field(
        ..., description="absolute; takes the same `Authorization: Bearer` key; null until done"
    )
    created_at: datetime
    finished_at: datetime | None


class MeetingClosedOut(Schema):
    meeting: int
    closed_at: datetime
    emails_queued: int
