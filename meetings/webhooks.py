"""What organisers' webhooks are told of a meeting: the meeting as it now stands.

The services call these inside their transaction, so a call is owed exactly when the
change commits (`tasks.webhooks`).
"""

from collections.abc import Iterable

from tasks.webhooks import webhooks_emit

from .models import Meeting


def meeting_data(meeting: Meeting) -> dict:
    """The meeting's fields an integrator files it by; times in its own time zone."""
    return {
        "id": meeting.pk,
        "uid": str(meeting.uid),
        "programme": meeting.programme.year,
        "status": meeting.status,
        "sequence": meeting.sequence,
        "title_fr": meeting.title_fr,
        "title_nl": meeting.title_nl,
        "starts_at": meeting.local_starts_at.isoformat(),
        "ends_at": meeting.local_ends_at.isoformat(),
        "time_zone": meeting.time_zone,
        "venue_name": meeting.venue_name,
        "venue_city": meeting.venue_city,
        "capacity": meeting.capacity,
        "cancellation_reason": meeting.cancellation_reason,
    }


def meeting_webhook(event: str, meeting: Meeting, *, changed: Iterable[str] = ()) -> None:
    data = {"meeting": meeting_data(meeting)}
    if changed:
        data["changed"] = sorted(changed)
    webhooks_emit(event, data)
