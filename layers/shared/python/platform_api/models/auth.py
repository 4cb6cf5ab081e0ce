from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from platform_api.models.envelopes import InModel, OutModel
from platform_api.models.text import SingleLine
from platform_api.models.users import EMAIL_PATTERN, USERNAME_PATTERN, UserOut


class RegisterRequest(InModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(max_length=1024)
    name: SingleLine | None = Field(default=None, max_length=200)


class LoginRequest(InModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class RefreshRequest(InModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=512)


class TokenResponse(OutModel):
    """Document 000's token object (`POST /auth/login`, `/auth/refresh`), at the top level of the body."""

    access_token: str = Field(description="A JWT; send it as `Authorization: Bearer <access_token>`.")
    refresh_token: str = Field(description="Single use: `POST /auth/refresh` rotates it.")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[3600])


class RegisterResponse(TokenResponse):
    """`POST /auth/register`: the new user in `data`, and a session's tokens beside it."""

    data: UserOut
