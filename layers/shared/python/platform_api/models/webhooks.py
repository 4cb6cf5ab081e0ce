"""Request bodies of webhook subscriptions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from platform_api.models.text import MultiLine

EventName = str
MAX_EVENTS = 50


class WebhookCreate(BaseModel):
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


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[EventName] | None = Field(default=None, min_length=1, max_length=MAX_EVENTS)
    description: MultiLine | None = Field(default=None, max_length=500)
    is_active: bool | None = None


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: str | None = Field(default=None, min_length=8, max_length=256, pattern=r"^[\x21-\x7e]+$")
    grace_period_seconds: int = Field(
        default=86400, ge=0, le=7 * 86400, description="How long the previous secret keeps signing."
    )
