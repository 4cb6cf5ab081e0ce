"""Request and response bodies of workspaces (= organizations), their members and invitations."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from platform_api.models.envelopes import InModel, OutModel, Timestamp, sparse
from platform_api.models.text import SingleLine

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
LOCALE_PATTERN = r"^[a-z]{2,3}(?:[_-][A-Z]{2})?$"
Tier = Literal["free", "pro", "business", "enterprise"]
Role = Literal["owner", "admin", "member"]


def _valid_timezone(value: str | None) -> str | None:
    if value is None:
        return value
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        if "/" in value.strip("/") or value in ("UTC", "GMT"):
            ZoneInfo(value)
            return value
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise ValueError("must be an IANA time zone such as 'UTC' or 'Europe/London'")


class SettingsIn(InModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(default=None, max_length=64, description="IANA time zone, e.g. `Europe/London`.")
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN, description="e.g. `en_GB`.")

    _tz = field_validator("timezone")(_valid_timezone)


class WorkspaceCreate(InModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=200)
    slug: str | None = Field(
        default=None, pattern=SLUG_PATTERN, description="Unique; derived from the name when omitted."
    )
    tier: Tier = Field(default="free", description="At most the creator's own tier.")
    settings: SettingsIn | None = None


class WorkspaceUpdate(InModel):
    """The writable fields (an allowlist): the tier is billing, not a PATCH."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    settings: SettingsIn | None = None


class MemberAdd(InModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(pattern=r"^usr_[0-9A-Z]{26}$")
    role: Role = "member"


class MemberUpdate(InModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


# ---------------------------------------------------------------------------------------------- responses
class SettingsOut(OutModel):
    timezone: str = Field(description="IANA time zone.", examples=["UTC"])
    locale: str = Field(examples=["en_GB"])


class WorkspaceOut(OutModel):
    """A workspace (= organization), with the caller's role in it."""

    id: str = Field(examples=["wks_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    name: str
    slug: str
    tier: Tier
    settings: SettingsOut
    role: Role = Field(description="The caller's role in the workspace.")
    default_namespace_id: str | None = Field(description="The workspace's default namespace.")
    created_at: Timestamp
    updated_at: Timestamp


@sparse(WorkspaceOut)
class SparseWorkspace(OutModel):
    """A workspace in a list; `fields=` returns only `id` and the fields it names."""


class MemberUser(OutModel):
    """The member's user account, summarized."""

    id: str
    username: str
    name: str | None
    email: str


class MemberOut(OutModel):
    """A membership, addressed by its user: `/members/{user_id}`."""

    id: str = Field(description="The member's user id (a membership is addressed by its user).")
    user_id: str
    workspace_id: str
    role: Role
    user: MemberUser | None = Field(description="Null when the user account no longer exists.")
    created_at: Timestamp
    updated_at: Timestamp


@sparse(MemberOut)
class SparseMember(OutModel):
    """A member in a list; `fields=` returns only `id` and the fields it names."""


class InvitationWorkspace(OutModel):
    id: str
    name: str
    slug: str


class InvitationOut(OutModel):
    """An invitation to join a workspace; the invited user accepts (`POST /v1/invitations/{id}/accept`)."""

    id: str = Field(examples=["inv_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    object: Literal["invitation"]
    status: Literal["pending"]
    workspace_id: str
    workspace: InvitationWorkspace | None = Field(description="Null when the workspace no longer exists.")
    user_id: str = Field(description="The invited user.")
    role: Role = Field(description="The role the user gets on accepting.")
    invited_by: str = Field(description="The user id of whoever invited.")
    created_at: Timestamp
    expires_at: Timestamp


@sparse(InvitationOut)
class SparseInvitation(OutModel):
    """A pending invitation in `GET /v1/invitations`; `fields=` returns only `id` and the fields it names."""
