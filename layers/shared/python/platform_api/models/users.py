from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from platform_api.models.auth import EMAIL_PATTERN, USERNAME_PATTERN
from platform_api.models.text import SingleLine


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: SingleLine | None = Field(default=None, max_length=100)
    last_name: SingleLine | None = Field(default=None, max_length=100)
    avatar_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")


class UserUpdate(BaseModel):
    """The writable fields: an allowlist. tier, email_verified_at and roles are not among them."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, max_length=200)
    username: str | None = Field(default=None, pattern=USERNAME_PATTERN)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    profile: ProfileUpdate | None = None
    password: str | None = Field(default=None, min_length=1, max_length=1024, description="A new password.")
    current_password: str | None = Field(
        default=None,
        max_length=1024,
        description="Required to change `email` or `password`; never stored or returned.",
    )


class EmailConfirmation(BaseModel):
    """`POST /v1/users/me/email/confirm`: the token from the confirmation link."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=16, max_length=200)
