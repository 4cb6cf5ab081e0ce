from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from platform_api.models.auth import EMAIL_PATTERN, USERNAME_PATTERN


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    avatar_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")


class UserUpdate(BaseModel):
    """The writable fields: an allowlist. tier, email_verified_at and roles are not among them."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    username: str | None = Field(default=None, pattern=USERNAME_PATTERN)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    profile: ProfileUpdate | None = None
