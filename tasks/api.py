"""What organisers see of the outbox: each email's status, and a resend after a failure."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from events_site.kit.schemas import api_choices
from meetings.api import ERRORS
from meetings.auth import organiser_auth
from meetings.models import Meeting

from .models import Delivery
from .outbox import selectors, sweep

router = Router(tags=["emails"])

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


@router.get(
    "/meetings/{meeting_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    auth=organiser_auth,
)
def meeting_deliveries(
    request, meeting_id: int, kind: str | None = None, status: DeliveryStatus | None = None
):
    """Every email about a meeting, newest first, optionally of one kind or status."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    return selectors.meeting_deliveries(meeting.pk, kind=kind, status=status)


@router.post(
    "/deliveries/{delivery_id}/resend",
    response={200: DeliveryOut, **ERRORS},
    auth=organiser_auth,
)
def delivery_resend(request, delivery_id: int):
    """Send a failed email again, once its cause (an address, a mailbox) is fixed."""
    return sweep.delivery_resend(get_object_or_404(Delivery, pk=delivery_id))
