from __future__ import annotations

from pydantic import ConfigDict, Field

from platform_api.models.envelopes import InModel, OutModel, Timestamp, sparse
from platform_api.models.text import SingleLine
from platform_api.models.workspaces import Role, Tier

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,40}$"


class ProfileUpdate(InModel):
    model_config = ConfigDict(extra="forbid")

    first_name: SingleLine | None = Field(default=None, max_length=100)
    last_name: SingleLine | None = Field(default=None, max_length=100)
    avatar_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")


class UserUpdate(InModel):
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


class EmailConfirmation(InModel):
    """`POST /v1/users/me/email/confirm`: the token from the confirmation link."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=16, max_length=200)


# ---------------------------------------------------------------------------------------------- responses
class ProfileOut(OutModel):
    first_name: str | None
    last_name: str | None
    avatar_url: str | None


class UserOut(OutModel):
    """A user (`/users/me`, `/user`, `/users/{id}`, and `data` of `POST /auth/register`)."""

    id: str = Field(examples=["usr_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    email: str
    username: str
    name: str | None
    profile: ProfileOut
    tier: Tier
    email_verified_at: Timestamp | None = Field(description="When the current email was confirmed; null until then.")
    default_namespace_id: str | None = Field(description="The user's personal namespace: the default tenant context.")
    created_at: Timestamp
    updated_at: Timestamp


class WorkspaceUserOut(UserOut):
    """A user as listed by `GET /v1/users`: with their role in the workspace in context."""

    role: Role


@sparse(WorkspaceUserOut)
class SparseWorkspaceUser(OutModel):
    """A user of the workspace in context, with their role; `fields=` returns only `id` and the fields it names."""
