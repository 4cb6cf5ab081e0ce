"""Request and response bodies, and limits, of generic resources (document 000's "Resources", README's decision row).

Limits (docs/query-language.md lists them for clients):
    name         1-255 characters after trimming, required on create, never null
    description  up to 2,000 characters, null clears it
    type         a token: lower-case letter, then letters, digits, `_` or `-`, at most 64 ("standard")
    status       one of STATUSES ("active" by default)
    metadata     a JSON object, at most 16 KiB serialized, at most 5 levels deep; PATCH replaces it whole
    tags         at most 20 strings of 1-64 characters, trimmed, de-duplicated (first occurrence wins)
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import MISSING, ConfigDict, Field, field_validator

from platform_api.models.envelopes import InModel, OutModel, Timestamp, sparse
from platform_api.models.text import MultiLine, SingleLine, single_line

Status = Literal["active", "inactive", "archived"]
STATUSES = ("active", "inactive", "archived")
DEFAULT_TYPE = "standard"
DEFAULT_STATUS: Status = "active"
MAX_NAME = 255
MAX_DESCRIPTION = 2000
MAX_METADATA_BYTES = 16 * 1024
MAX_METADATA_DEPTH = 5
MAX_TAGS = 20
MAX_TAG_LENGTH = 64
TYPE_PATTERN = r"^[a-z][a-z0-9_-]{0,63}$"

TypeToken = Annotated[str, Field(pattern=TYPE_PATTERN, description="A token such as `standard`.")]
Name = Annotated[SingleLine, Field(min_length=1, max_length=MAX_NAME)]
Description = Annotated[MultiLine, Field(max_length=MAX_DESCRIPTION)]


def _depth(value: Any) -> int:
    """Nesting depth, iteratively: a hostile body cannot exhaust the stack."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        current, level = pending.pop()
        children = current.values() if isinstance(current, dict) else current if isinstance(current, list) else None
        if children is None:
            continue
        deepest = max(deepest, level + 1)
        pending.extend((child, level + 1) for child in children)
    return deepest


def check_metadata(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise ValueError(f"metadata must be at most {MAX_METADATA_BYTES} bytes serialized (got {size}).")
    if _depth(value) > MAX_METADATA_DEPTH:
        raise ValueError(f"metadata must be at most {MAX_METADATA_DEPTH} levels deep.")
    return value


def check_tags(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    cleaned: list[str] = []
    for tag in value:
        tag = tag.strip()
        if not tag or len(tag) > MAX_TAG_LENGTH:
            raise ValueError(f"each tag must be 1-{MAX_TAG_LENGTH} characters.")
        single_line(tag)
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags are allowed.")
    return cleaned


def _clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValueError("name must not be blank.")
    return value


class ResourceCreate(InModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    type: TypeToken = DEFAULT_TYPE
    status: Status = DEFAULT_STATUS
    metadata: dict[str, Any] | None = None
    tags: list[Annotated[str, Field(max_length=MAX_TAG_LENGTH * 4)]] | None = Field(default=None, max_length=200)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _clean_name(value)

    @field_validator("metadata")
    @classmethod
    def _metadata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_metadata(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return check_tags(value)


class ResourceUpdate(InModel):
    """PATCH: only the fields sent change; `description: null` clears it; `name`, `type`, `status` cannot be null."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    type: TypeToken | None = None
    status: Status | None = None
    metadata: dict[str, Any] | None = None
    tags: list[Annotated[str, Field(max_length=MAX_TAG_LENGTH * 4)]] | None = Field(default=None, max_length=200)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _clean_name(value)

    @field_validator("metadata")
    @classmethod
    def _metadata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_metadata(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return check_tags(value)

    @field_validator("name", "type", "status", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("This field cannot be null.")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


MAX_BATCH_OPERATIONS = 23  # one transaction: 23 plain creates are 23 x 4 + 4 = 96 items (domain.resources)


class BatchOperation(InModel):
    """One operation; `data` is validated exactly as its single-route twin (ResourceCreate / ResourceUpdate)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["create", "update", "delete"]
    id: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] | None = None


class BatchRequest(InModel):
    model_config = ConfigDict(extra="forbid")

    # The document's maxItems is this bound, the one the server enforces (domain.resources explains the number).
    operations: list[BatchOperation] = Field(min_length=1, max_length=MAX_BATCH_OPERATIONS)


# ---------------------------------------------------------------------------------------------- responses
class ResourceOut(OutModel):
    """A resource, every field (create, update, batch results)."""

    id: str = Field(examples=["res_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    name: str
    description: str | None
    type: str = Field(examples=["standard"])
    status: Status
    metadata: dict[str, Any] = Field(description="A JSON object; `{}` when none was given.")
    tags: list[str]
    owner: str = Field(description="The creating user's id.")
    created_at: Timestamp
    updated_at: Timestamp


class ResourceOwner(OutModel):
    """The creating user, embedded by `include=owner` (never the email)."""

    id: str
    username: str | MISSING = Field(default=MISSING, description="Absent when the user no longer exists.")
    name: str | MISSING | None = Field(default=MISSING, description="Absent when the user no longer exists.")


@sparse(
    ResourceOut,
    absent="Absent when the answer leaves it out: list items carry only the summary fields unless `include=` "
    "or `fields=` name more; `fields=` returns only `id` and the fields it names.",
)
class SparseResource(OutModel):
    """A resource as `GET /v1/resources` lists it and `GET /v1/resources/{id}` answers it. A list item carries
    the summary fields (`id`, `name`, `type`, `status`, `created_at`, `updated_at`), `GET /{id}` every field;
    `include=owner,tags,metadata` adds those, and `fields=` returns only `id` and the fields it names."""

    owner: str | ResourceOwner = Field(description="The creating user's id; with `include=owner`, the user.")


class BatchResult(OutModel):
    """The result of one operation of a batch, in the order sent."""

    index: int = Field(description="The operation's position in `operations`.")
    action: Literal["create", "update", "delete"]
    id: str
    status: Literal[201, 200, 204] = Field(description="What the single route would have answered.")
    data: ResourceOut | None = Field(description="The resource after the operation; null for a delete.")
