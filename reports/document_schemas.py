"""What the exports API takes and answers: one job resource for every kind of document."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from events_site.kit.schemas import api_choices, field_choices

from .models import DocumentJob

ExportKind = api_choices(DocumentJob.Kind, "ExportKind")
# The brochure is a programme's: its own route builds it.
MeetingExportKind = api_choices(
    DocumentJob.Kind, "MeetingExportKind", without=(DocumentJob.Kind.BROCHURE,)
)
ExportStatus = api_choices(DocumentJob.Status, "ExportStatus")
ExportLanguage = field_choices(DocumentJob, "language", "ExportLanguage")


class ExportIn(Schema):
    language: ExportLanguage | None = Field(
        None, description="the document's wording; by default the request's language"
    )
    workshop: int | None = Field(
        None, description="table cards only, and required for them: the workshop's id"
    )


class BrochureIn(Schema):
    """The brochure is the whole programme's: no workshop to name."""

    model_config = ConfigDict(extra="forbid")

    language: ExportLanguage | None = Field(
        None, description="the brochure's wording; by default the request's language"
    )


class ExportOut(Schema):
    id: int
    kind: ExportKind
    meeting: int | None = Field(..., description="null for a programme's brochure")
    programme: int | None = Field(..., description="the brochure's programme; null otherwise")
    workshop: int | None
    language: ExportLanguage
    status: ExportStatus
    progress: int = Field(..., description="per cent, 100 once the file is stored")
    done: int = Field(..., description="badges, rows, tables or meetings done so far")
    total: int = Field(..., description="badges, rows, tables or meetings to do")
    error: str
    download_url: str | None = Field(
        ..., description="absolute; takes the same `Authorization: Bearer` key; null until done"
    )
    created_at: datetime
    finished_at: datetime | None
