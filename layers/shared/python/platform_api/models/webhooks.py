"""Request and response bodies of webhook subscriptions and their deliveries."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from platform_api.models.envelopes import InModel, OutModel, Timestamp, sparse
from platform_api.models.text import MultiLine

EventName = str
MAX_EVENTS = 50


class WebhookCreate(InModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048, examples=["https://your-app.com/webhooks"])
    events: list[EventName] = Field(
        min_length=1, max_length=MAX_EVENTS, examples=[["resource.created", "resource.updated"]]
    )
    secret: str | None = Field(
        default=None,
        min_length=8,
        max_length=256,
        pattern=r"^[\x21-\x7e]+$",
        description="Your signing secret; generated (`whsec_...`) when omitted. Returned only now.",
    )
    description: MultiLine | None = Field(default=None, max_length=500)
    is_active: bool = True


class WebhookUpdate(InModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[EventName] | None = Field(default=None, min_length=1, max_length=MAX_EVENTS)
    description: MultiLine | None = Field(default=None, max_length=500)
    is_active: bool | None = None


class SecretRotation(InModel):
    model_config = ConfigDict(extra="forbid")

    secret: str | None = Field(default=None, min_length=8, max_length=256, pattern=r"^[\x21-\x7e]+$")
    grace_period_seconds: int = Field(
        default=86400, ge=0, le=7 * 86400, description="How long the previous secret keeps signing."
    )


class DeliveryRecovery(InModel):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime = Field(
        description="Re-send every failed delivery created at or after this time (ISO 8601 with a zone), e.g. "
        "the webhook's `disabled_at` before enabling it again.",
        examples=["2026-11-23T10:30:00Z"],
    )


# ---------------------------------------------------------------------------------------------- responses
class WebhookOut(OutModel):
    """A webhook subscription, never its secret."""

    id: str = Field(examples=["wh_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    url: str = Field(examples=["https://your-app.com/webhooks"])
    events: list[str] = Field(description="Event types or patterns (`resource.*`, `*`).")
    description: str | None
    is_active: bool
    disabled_reason: Literal["endpoint_gone", "failing"] | None = Field(
        description="Set when the platform turned the webhook off: `endpoint_gone` (the endpoint answered 410), "
        "`failing` (no success for WEBHOOK_DISABLE_AFTER_SECONDS, 5 days by default). Null otherwise, also when "
        "its owner set `is_active` to false. Setting `is_active` to true clears it."
    )
    disabled_at: Timestamp | None = Field(description="When the platform disabled it.")
    disabled_by_event_id: str | None = Field(description="The event whose delivery attempt disabled it.")
    failing_since: Timestamp | None = Field(
        description="The first failed attempt since the last success; null while attempts succeed."
    )
    namespace_id: str
    workspace_id: str | None
    created_at: Timestamp
    updated_at: Timestamp


class WebhookCreated(WebhookOut):
    """`POST /v1/webhooks`: the subscription with its signing secret, returned this once only."""

    secret: str = Field(description="The signing secret (`whsec_...` when generated); never returned again.")


class WebhookSecretRotated(WebhookOut):
    """`POST /v1/webhooks/{id}/rotate-secret`: the new secret, returned this once only."""

    secret: str = Field(description="The new signing secret; never returned again.")
    previous_secret_expires_at: Timestamp = Field(description="Until then the previous secret keeps signing too.")


@sparse(WebhookOut)
class SparseWebhook(OutModel):
    """A webhook in a list (never its secret); `fields=` returns only `id` and the fields it names."""


class WebhookTestResult(OutModel):
    """Document 004's answer to a test send, at the top level of the body; the attempt is recorded as a delivery."""

    success: bool
    status_code: int | None = Field(description="The receiver's HTTP status; null when no answer came.")
    response_time_ms: int
    delivery_id: str
    error: str | None


DeliveryStatus = Literal["pending", "success", "failed"]


class DeliveryOut(OutModel):
    """One event's delivery to one webhook: its latest outcome."""

    id: str = Field(examples=["del_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    webhook_id: str
    event_id: str
    event_type: str = Field(examples=["resource.created"])
    status: DeliveryStatus
    status_code: int | None
    attempts: int
    response_time_ms: int | None
    error: str | None
    delivered_at: Timestamp | None
    next_attempt_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


@sparse(DeliveryOut)
class SparseDelivery(OutModel):
    """A delivery in the history; `fields=` returns only `id` and the fields it names."""


class EventObject(OutModel):
    id: str = Field(description="The entity's id.", examples=["res_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    type: str = Field(description="The entity's type.", examples=["resource"])
    attributes: dict[str, Any] = Field(description="The entity as its API object, after the change.")


class EventData(OutModel):
    object: EventObject


class WebhookEvent(OutModel):
    """Document 004's webhook payload: the exact JSON body a subscriber receives."""

    id: str = Field(description="The event id; deduplicate on it.", examples=["evt_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    type: str = Field(examples=["resource.created"])
    created_at: Timestamp
    data: EventData


class DeliveryAttempt(OutModel):
    attempt: int = Field(description="1 for the first attempt.")
    at: Timestamp
    status_code: int | None
    response_time_ms: int | None
    error: str | None
    manual: bool = Field(description="A test send or a retry by hand.")


class DeliveryDetail(DeliveryOut):
    """`GET .../deliveries/{id}`: the delivery with the payload sent and every attempt."""

    response_excerpt: str | None = Field(description="The start of the receiver's last answer.")
    payload: WebhookEvent = Field(description="The event as sent.")
    history: list[DeliveryAttempt]


class DeliveriesRecovered(OutModel):
    """`POST /v1/webhooks/{id}/recover`: how many failed deliveries were queued again."""

    recovered: int = Field(description="Failed deliveries queued for one more attempt by this call.")
    since: Timestamp
    has_more: bool = Field(
        description="More failed deliveries than one call queues (500): call again with the same `since`."
    )
