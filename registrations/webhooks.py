"""What organisers' webhooks are told of registrations and check-ins.

The services call these inside their transaction, so a call is owed exactly when the
change commits (`tasks.webhooks`). A registration's needs and its links (manage,
ticket) are not sent: they are the person's, not the integrator's.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from tasks.webhooks import Event, webhook_calls_about, webhook_calls_rewrite, webhooks_emit

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


# What in a registration's call names the person.
PERSONAL_FIELDS = ("first_name", "last_name", "email")


# Ids per statement: a retention run anonymises years of registrations at once, and
# one statement takes at most 32 766 parameters on SQLite.
REDACT_BATCH = 5000


def registration_calls_redact(registration_ids: list[int]) -> int:
    """After these registrations were anonymised: every call that told of one, sent or
    still owed, now reads its names and address as the registration does (the
    placeholder), so that nothing kept or sent afterwards names the person. The rest of
    the body (the event, the status it told) stays as it was."""
    rewritten = 0
    for start in range(0, len(registration_ids), REDACT_BATCH):
        batch = registration_ids[start : start + REDACT_BATCH]
        now_reads = {
            pk: dict(zip(PERSONAL_FIELDS, personal, strict=True))
            for pk, *personal in Registration.objects.filter(pk__in=batch).values_list(
                "pk", *PERSONAL_FIELDS
            )
        }
        rewritten += webhook_calls_rewrite(
            webhook_calls_about("registration", batch), partial(_redacted, now_reads)
        )
    return rewritten


def _redacted(now_reads: dict[int, dict], payload: dict) -> dict:
    told = payload["data"]["registration"]
    told.update(now_reads[told["id"]])
    return payload


def registrations_webhook(
    event: str, registrations: Iterable[Registration], *, changed: Iterable[str] = ()
) -> None:
    extra = {"changed": sorted(changed)} if changed else {}
    webhooks_emit(
        event,
        *({"registration": registration_data(r), **extra} for r in registrations),
    )


def checkin_data(registration_id: int | None, meeting_id: int, at: datetime, method: str) -> dict:
    """What a check-in's call says. The door's scan builds the same in its own statement
    (`sql.ticket_at_door`, `_SCAN_TOLD`)."""
    return {
        "checkin": {
            "registration": registration_id,
            "meeting": meeting_id,
            "checked_in_at": at.isoformat(),
            "method": method,
        }
    }


def checkin_webhook(registration_id: int, meeting_id: int, at: datetime, method: str) -> None:
    webhooks_emit(Event.CHECKIN_CREATED, checkin_data(registration_id, meeting_id, at, method))
