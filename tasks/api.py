"""What organisers see of the outbox: each email's status, and a resend after a failure."""

from django.shortcuts import get_object_or_404
from ninja import Router

from events_site.kit.http_errors import error_responses
from meetings.auth import organiser_auth
from meetings.models import Meeting

from .models import Delivery
from .outbox import selectors, sweep
from .schemas import DeliveryOut, DeliveryStatus

router = Router(tags=["emails"])


@router.get(
    "/meetings/{meeting_id}/deliveries",
    response={200: list[DeliveryOut], **error_responses()},
    auth=organiser_auth,
    summary="List a meeting's emails",
)
def meeting_deliveries(
    request, meeting_id: int, kind: str | None = None, status: DeliveryStatus | None = None
):
    """Every email about a meeting, newest first, optionally of one kind or status."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    return selectors.meeting_deliveries(meeting.pk, kind=kind, status=status)


@router.post(
    "/deliveries/{delivery_id}/resend",
    response={200: DeliveryOut, **error_responses()},
    auth=organiser_auth,
    summary="Send an email again",
)
def delivery_resend(request, delivery_id: int):
    """Send a failed email again, once its cause (an address, a mailbox) is fixed."""
    return sweep.delivery_resend(get_object_or_404(Delivery, pk=delivery_id))
