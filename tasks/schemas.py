"""What the emails API answers."""

from datetime import datetime

from ninja import Field, Schema

from events_site.kit.schemas import api_choices

from .models import Delivery

DeliveryStatus = api_choices(Delivery.Status, "DeliveryStatus")


class DeliveryOut(Schema):
    id: int
    kind: str = Field(..., description="invitation, meeting_update, meeting_cancel, announcement…")
    to_email: str
    to_name: str
    language: str
    status: DeliveryStatus
    attempts: int
    last_error: str = Field(..., description="the mail server's answer to the last failure")
    created_at: datetime
    sent_at: datetime | None
