"""The operator plane (`/v1/admin/...`, docs/operators.md): operator keys."""

from __future__ import annotations

from pydantic import Field

from platform_api.models.envelopes import OutModel, Timestamp, sparse


class OperatorKeyOut(OutModel):
    """An operator key, never its secret."""

    id: str = Field(examples=["opk_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    name: str = Field(examples=["on-call (jane)"])
    prefix: str = Field(description="`opk_live_` (prod) or `opk_test_`.", examples=["opk_live_"])
    scopes: list[str] = Field(examples=[["admin:platform"]])
    created_by: str = Field(description="Who ran the bootstrap that created it, as they named themselves.")
    last_used_at: Timestamp | None
    expires_at: Timestamp | None
    created_at: Timestamp


@sparse(OperatorKeyOut)
class SparseOperatorKey(OutModel):
    """An operator key in a list; `fields=` returns only `id` and the fields it names."""
