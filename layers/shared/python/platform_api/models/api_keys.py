from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from platform_api.models.text import SingleLine


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(default_factory=lambda: ["read:all"], min_length=1, max_length=20)
    rate_limit_tier: str | None = Field(default=None, pattern=r"^(free|pro|business|enterprise)$")
    expires_at: datetime | None = None
