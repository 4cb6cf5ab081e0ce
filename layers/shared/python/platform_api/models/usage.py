"""Response body of `GET /v1/usage`: rate-limit windows, API calls this month and entitlement usage."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from platform_api.models.envelopes import OutModel, Timestamp
from platform_api.models.namespaces import Entitlements
from platform_api.models.workspaces import Tier


class Period(OutModel):
    start: Timestamp = Field(description="The first instant of this calendar month (UTC).")
    end: Timestamp = Field(description="The first instant of the next one.")


class RateLimitWindow(OutModel):
    limit: int
    used: int
    remaining: int
    reset: int = Field(description="When the window resets (epoch seconds).")


class RateLimitStatus(OutModel):
    """The caller's windows: the API key's when called with one, else the user's."""

    tier: Tier
    subject: str = Field(description="What the limit counts: the API key id (`key_...`) or the user id.")
    burst: RateLimitWindow | None = Field(
        description="The 10-second burst window of the caller's account (null for an API key: its owner's counts)."
    )
    minute: RateLimitWindow
    hour: RateLimitWindow


class KeyCalls(OutModel):
    id: str = Field(description="The API key id.")
    calls: int


class ApiCalls(OutModel):
    this_month: int = Field(description="Every request of the user this month, by session or by any key.")
    sessions: int = Field(description="What no live API key accounts for.")
    api_keys: list[KeyCalls]


class NamespaceUsage(OutModel):
    id: str
    name: str
    owner_type: Literal["User", "Workspace"]
    workspace_id: str | None
    entitlements: Entitlements


class UsageOut(OutModel):
    """The caller's usage; `namespaces` covers at most 50 visible namespaces (`GET /v1/namespaces/{id}` has each)."""

    period: Period
    rate_limit: RateLimitStatus
    api_calls: ApiCalls
    namespaces: list[NamespaceUsage]
