"""What the emails and webhooks API takes and answers."""

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema

from events_site.kit.pagination import PageQuery, page_of
from events_site.kit.schemas import Flag, ListOf, api_choices, field_choices

from .models import Delivery, Webhook, WebhookCall

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


WebhookEvent = api_choices(Webhook.Event, "WebhookEvent")
WebhookCallStatus = api_choices(WebhookCall.Status, "WebhookCallStatus")
WebhookLanguage = field_choices(Webhook, "language", "WebhookLanguage")

EVENTS_HELP = (
    "what the webhook is told: registration.created, .changed, .cancelled, .promoted "
    "(off the waiting list), checkin.created, meeting.published, .changed, .cancelled, "
    "booklet.approved"
)
URL_HELP = (
    "where calls are POSTed: http(s), outside this server's network (loopback, private "
    "and reserved addresses are refused)"
)


class WebhookIn(Schema):
    url: str = Field(..., max_length=2000, description=URL_HELP)
    events: ListOf[WebhookEvent] = Field(..., min_length=1, description=EVENTS_HELP)
    description: str = Field("", max_length=200)
    language: WebhookLanguage = Field(
        WebhookLanguage.FR, description="of the email sent if the webhook is switched off"
    )


class WebhookPatch(Schema):
    url: str | None = Field(None, max_length=2000, description=URL_HELP)
    events: ListOf[WebhookEvent] | None = Field(None, min_length=1, description=EVENTS_HELP)
    description: str | None = Field(None, max_length=200)
    language: WebhookLanguage | None = None
    is_active: Flag | None = Field(
        None, description="true switches a webhook on again; the calls that waited go out"
    )


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    events: list[WebhookEvent]
    language: WebhookLanguage
    is_active: bool
    failures: int = Field(..., description="calls failed for good in a row")
    disabled_at: datetime | None = Field(..., description="when it was switched off")
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        ...,
        description="the key of every call's X-Proximity-Signature: shown this once, keep it",
    )


class WebhookCallOut(Schema):
    id: int
    event: WebhookEvent
    idempotency_key: UUID = Field(..., description="sent as Idempotency-Key with each attempt")
    status: WebhookCallStatus
    attempts: int
    response_code: int | None = Field(..., description="the receiver's last HTTP status")
    last_error: str = Field(..., description="the start of the last failed answer, or why")
    payload: dict
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class WebhookCallFilters(PageQuery):
    status: WebhookCallStatus | None = None


WebhookCallPage = page_of(WebhookCallOut, "WebhookCallPage")
