"""Request and response bodies of namespaces, their packages and entitlements."""

from __future__ import annotations

from typing import Literal

from pydantic import MISSING, ConfigDict, Field

from platform_api.models.envelopes import InModel, OutModel, Timestamp, sparse
from platform_api.models.text import MultiLine, SingleLine
from platform_api.models.workspaces import SLUG_PATTERN

FEATURE_PATTERN = r"^[a-z_]{1,40}$"


class NamespaceCreate(InModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=200)
    slug: str = Field(pattern=SLUG_PATTERN, description="Unique among the owner's namespaces.")
    description: MultiLine | None = Field(default=None, max_length=2000)
    workspace_id: str | None = Field(
        default=None,
        pattern=r"^wks_[0-9A-Z]{26}$",
        description="Create it in this workspace (admin or owner); X-Workspace-ID does the same. Else personal.",
    )


class NamespaceUpdate(InModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    description: MultiLine | None = Field(default=None, max_length=2000)
    is_active: bool | None = None


class PackageAssign(InModel):
    model_config = ConfigDict(extra="forbid")

    package_id: str = Field(pattern=r"^pkg_[a-z0-9_]{1,40}$", examples=["pkg_starter"])


class EntitlementCheck(InModel):
    model_config = ConfigDict(extra="forbid")

    feature: str = Field(pattern=FEATURE_PATTERN, examples=["storage"])
    quantity: int = Field(default=1, ge=0, le=10**15, examples=[1073741824])


# ---------------------------------------------------------------------------------------------- responses
class NamespaceOut(OutModel):
    """A namespace: the tenant unit that owns resources, webhooks and entitlements."""

    id: str = Field(examples=["ns_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    uuid: str = Field(examples=["550e8400-e29b-41d4-a716-446655440000"])
    name: str
    slug: str
    description: str | None
    owner_type: Literal["User", "Workspace"]
    owner_id: str = Field(description="The owning user (`usr_...`) or workspace (`wks_...`).")
    workspace_id: str | None = Field(description="The workspace it belongs to; null for a personal namespace.")
    is_default: bool
    is_active: bool
    created_at: Timestamp
    updated_at: Timestamp


@sparse(NamespaceOut)
class SparseNamespace(OutModel):
    """A namespace in a list; `fields=` returns only `id` and the fields it names."""


class NamespacePackage(OutModel):
    """A package granted to a namespace."""

    id: str = Field(examples=["pkg_starter"])
    name: str = Field(examples=["Starter Package"])
    expires_at: Timestamp | None


class EntitlementUsage(OutModel):
    """One feature's live usage: `used` of `limit` (the sum of the namespace's packages' limits)."""

    used: int
    limit: int
    unit: str | MISSING = Field(default=MISSING, description="Only on `storage` (bytes) and `api_calls`.")
    reset_at: Timestamp | MISSING = Field(
        default=MISSING, description="Only on `api_calls`: when the month's count resets."
    )


class Entitlements(OutModel):
    """Every feature a package grants, by name (platform_api.packages.FEATURES)."""

    storage: EntitlementUsage = Field(description="Bytes stored (`unit`: `bytes`).")
    api_calls: EntitlementUsage = Field(description="API calls this month (`unit`, `reset_at`).")
    resources: EntitlementUsage
    members: EntitlementUsage
    webhooks: EntitlementUsage
    namespaces: EntitlementUsage


class NamespaceDetail(NamespaceOut):
    """`GET /v1/namespaces/{id}` (document 004): the namespace with its packages and live entitlement usage."""

    packages: list[NamespacePackage]
    entitlements: Entitlements


class EntitlementCheckResult(OutModel):
    """Document 004's answer to an entitlement check, at the top level of the body."""

    allowed: bool
    reason: Literal["LIMIT_EXCEEDED"] | None = Field(description="Null when allowed.")
    message: str = Field(examples=["Storage limit exceeded. Used: 1.00 GB, Available: 0.50 GB, Requested: 1.00 GB"])
    current_usage: int
    limit: int
    available: int


class PackageLimits(OutModel):
    storage: int = Field(description="Bytes.")
    api_calls: int = Field(description="Calls per month.")
    resources: int
    members: int
    webhooks: int
    namespaces: int


class PackageOut(OutModel):
    """A package of the catalogue and the limits it grants."""

    id: str = Field(examples=["pkg_starter"])
    name: str = Field(examples=["Starter Package"])
    limits: PackageLimits


@sparse(PackageOut)
class SparsePackage(OutModel):
    """A package of the catalogue; `fields=` returns only `id` and the fields it names."""
