"""Reads of the outbox for the organisers' API and admin."""

from ..models import Delivery


def meeting_deliveries(
    meeting_id: int, *, kind: str | None = None, status: str | None = None
) -> list[Delivery]:
    """Every email about a meeting, newest first."""
    deliveries = Delivery.objects.filter(meeting_id=meeting_id)
    if kind:
        deliveries = deliveries.filter(kind=kind)
    if status:
        deliveries = deliveries.filter(status=status)
    return list(deliveries.order_by("-created_at", "-pk"))
