"""Request bodies of workspaces (= organizations) and their members."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(default=None, max_length=64, description="IANA time zone, e.g. `Europe/London`.")
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN, description="e.g. `en_GB`.")

    _tz = field_validator("timezone")(_valid_timezone)


class WorkspaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=200)
    slug: str | None = Field(
        default=None, pattern=SLUG_PATTERN, description="Unique; derived from the name when omitted."
    )
    tier: Tier = Field(default="free", description="At most the creator's own tier.")
    settings: SettingsIn | None = None


class WorkspaceUpdate(BaseModel):
    """The writable fields (an allowlist): the tier is billing, not a PATCH."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    settings: SettingsIn | None = None


class MemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(pattern=r"^usr_[0-9A-Z]{26}$")
    role: Role = "member"


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
