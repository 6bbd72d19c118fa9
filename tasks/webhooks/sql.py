"""The calls a hand-written statement owes with its own change, in that same statement.

The door's scan is one statement on PostgreSQL (`registrations/sql.py`). Asking first
whether anyone listens to check-ins, so as to open a transaction for the call only
then (`webhooks_atomic`), was a cache round trip a scan: a third of what a scan added
to a bare request. Instead the statement owes the calls itself, from the webhooks'
table as it stands when the statement runs: exact, with nothing to forget when a
webhook is saved, and no round trip at all when nobody listens.
"""

from datetime import datetime
from functools import cache

from events_site.kit import sql

from ..models import Webhook, WebhookCall

_OWED_SQL = (
    "INSERT INTO {calls} ({webhook}, {event}, {key}, {payload}, {status}, {attempts}, "
    "{last_error}, {created_at}, {updated_at}, {enqueued_at}) "
    "SELECT hook.{id}, %(event)s::text, gen_random_uuid(), jsonb_build_object("
    "'event', %(event)s::text, 'created_at', %(at_iso)s::text, 'data', occurrence.data), "
    "{queued}, 0, '', %(at)s, %(at)s, %(at)s "
    "FROM {occurrences} occurrence, {hooks} hook "
    "WHERE hook.{active} AND hook.{events} @> jsonb_build_array(%(event)s::text) "
    "RETURNING {call}"
)


@cache
def webhook_calls_sql(occurrences: str) -> str:
    """PostgreSQL's `INSERT … SELECT` owing a call to each active webhook listening to
    an event, for each row of `occurrences` (the name of a query of the statement, whose
    `data` column is what one occurrence says, as `webhooks_emit`'s `data`). The same
    rows as `webhooks_emit` writes, stamped as handed on; it returns their ids, for
    `webhook_calls_publish`. Its parameters are named (`webhook_calls_params`), each
    written once however often the statement uses it, and the statement's own may
    use the same names for the same values: `at`, the moment (a datetime), and
    `at_iso`, the same as text."""
    return sql.fill(
        _OWED_SQL,
        occurrences=occurrences,
        calls=WebhookCall,
        webhook=(WebhookCall, "webhook"),
        event=(WebhookCall, "event"),
        key=(WebhookCall, "idempotency_key"),
        payload=(WebhookCall, "payload"),
        status=(WebhookCall, "status"),
        attempts=(WebhookCall, "attempts"),
        last_error=(WebhookCall, "last_error"),
        created_at=(WebhookCall, "created_at"),
        updated_at=(WebhookCall, "updated_at"),
        enqueued_at=(WebhookCall, "enqueued_at"),
        call=(WebhookCall, "id"),
        queued=sql.constant(WebhookCall.Status.QUEUED),
        hooks=Webhook,
        id=(Webhook, "id"),
        active=(Webhook, "is_active"),
        events=(Webhook, "events"),
    )


def webhook_calls_params(event: str, now: datetime) -> dict:
    """`webhook_calls_sql`'s parameters for calls of `event` made at `now`."""
    return {"event": event, "at": now, "at_iso": now.isoformat()}
