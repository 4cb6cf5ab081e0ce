"""Request bodies of namespaces, their packages and entitlement checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from platform_api.models.text import MultiLine, SingleLine
from platform_api.models.workspaces import SLUG_PATTERN

FEATURE_PATTERN = r"^[a-z_]{1,40}$"


class NamespaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=200)
    slug: str = Field(pattern=SLUG_PATTERN, description="Unique among the owner's namespaces.")
    description: MultiLine | None = Field(default=None, max_length=2000)
    workspace_id: str | None = Field(
        default=None,
        pattern=r"^wks_[0-9A-Z]{26}$",
        description="Create it in this workspace (admin or owner); X-Workspace-ID does the same. Else personal.",
    )


class NamespaceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    description: MultiLine | None = Field(default=None, max_length=2000)
    is_active: bool | None = None


class PackageAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    package_id: str = Field(pattern=r"^pkg_[a-z0-9_]{1,40}$", examples=["pkg_starter"])


class EntitlementCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feature: str = Field(pattern=FEATURE_PATTERN, examples=["storage"])
    quantity: int = Field(default=1, ge=0, le=10**15, examples=[1073741824])
