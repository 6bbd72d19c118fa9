"""An email to a registrant, through the outbox, once per event."""

from datetime import datetime

from django.conf import settings

from meetings.emails import email_delivery
from tasks.outbox import DeliverySpec

from ..models import Registration


def registration_delivery(
    registration: Registration, *, kind: str, key: str, **context
) -> DeliverySpec:
    """An email to a registrant, in the language they registered in; `context` goes to
    the renderer along with the registration's id."""
    return email_delivery(
        registration,
        kind=kind,
        key=key,
        language=registration.language,
        reply_to=settings.DEFAULT_REPLY_TO,
        person_id=registration.person_id,
        meeting_id=registration.meeting_id,
        context={"registration": registration.pk, **context},
    )


def _event_key(kind: str, registration: Registration, at: datetime) -> str:
    """One email per event: a person may be confirmed, cancel and register again."""
    return f"{kind}:{registration.pk}:{at:%Y%m%dT%H%M%S%f}"
