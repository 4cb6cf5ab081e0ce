from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from platform_api.models.envelopes import InModel, OutModel, Timestamp, sparse
from platform_api.models.text import SingleLine
from platform_api.models.workspaces import Tier


class ApiKeyCreate(InModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(default_factory=lambda: ["read:all"], min_length=1, max_length=20)
    rate_limit_tier: str | None = Field(default=None, pattern=r"^(free|pro|business|enterprise)$")
    expires_at: datetime | None = None


# ---------------------------------------------------------------------------------------------- responses
class ApiKeyOut(OutModel):
    """An API key, never its secret."""

    id: str = Field(examples=["key_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    name: str
    prefix: str = Field(description="`sk_live_` or `sk_test_`.", examples=["sk_live_"])
    scopes: list[str] = Field(examples=[["read:all", "write:resources"]])
    rate_limit_tier: Tier
    last_used_at: Timestamp | None
    expires_at: Timestamp | None
    created_at: Timestamp


class ApiKeyCreated(ApiKeyOut):
    """`POST /v1/api-keys`: the key with its secret, returned this once only."""

    key: str = Field(description="The secret; store it now, it is never returned again.")


@sparse(ApiKeyOut)
class SparseApiKey(OutModel):
    """An API key in a list (never its secret); `fields=` returns only `id` and the fields it names."""
