from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from platform_api.models.text import SingleLine

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,40}$"


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(max_length=1024)
    name: SingleLine | None = Field(default=None, max_length=200)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=512)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the token type, not a secret
    expires_in: int = 3600
