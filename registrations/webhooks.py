"""What organisers' webhooks are told of registrations and check-ins.

The services call these inside their transaction, so a call is owed exactly when the
change commits (`tasks.webhooks`). A registration's needs and its links (manage,
ticket) are not sent: they are the person's, not the integrator's.
"""

from collections.abc import Iterable
from datetime import datetime

from tasks.webhooks import Event, webhooks_emit

from .models import Registration

# The fields `registration_data` reads: a caller that loads registrations `.only()`
# these sends no query per registration.
DATA_FIELDS = (
    "meeting_id",
    "status",
    "first_name",
    "last_name",
    "email",
    "function",
    "organisation_id",
    "organisation_name",
    "language",
)


def registration_data(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "meeting": registration.meeting_id,
        "status": registration.status,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "function": registration.function,
        "organisation": registration.organisation_id,
        "organisation_name": registration.organisation_name,
        "language": registration.language,
    }


def registrations_webhook(
    event: str, registrations: Iterable[Registration], *, changed: Iterable[str] = ()
) -> None:
    extra = {"changed": sorted(changed)} if changed else {}
    webhooks_emit(
        event,
        *({"registration": registration_data(r), **extra} for r in registrations),
    )


def checkin_webhook(registration_id: int, meeting_id: int, at: datetime, method: str) -> None:
    webhooks_emit(
        Event.CHECKIN_CREATED,
        {
            "checkin": {
                "registration": registration_id,
                "meeting": meeting_id,
                "checked_in_at": at.isoformat(),
                "method": method,
            }
        },
    )
