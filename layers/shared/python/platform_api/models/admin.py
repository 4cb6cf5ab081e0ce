"""The operator plane (`/v1/admin/...`, docs/operators.md): operator keys and webhook dead letters."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from platform_api.models.envelopes import InModel, OutModel, Timestamp, sparse
from platform_api.models.namespaces import NamespacePackage
from platform_api.models.workspaces import Tier
from platform_api.packages import FEATURES

Feature = Literal[FEATURES]  # type: ignore[valid-type]

QueueName = Literal["delivery", "fanout"]


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


class DeadLetterQueueOut(OutModel):
    queue: QueueName = Field(description="`delivery` (delivery DLQ) or `fanout` (fanout DLQ).")
    waiting: int = Field(description="Messages ready to be moved (SQS's approximate count).")
    in_flight: int = Field(description="Messages received by someone (a redrive in progress) and not yet deleted.")


class DeadLettersOut(OutModel):
    """What waits in the webhook pipeline's dead-letter queues."""

    waiting: int
    queues: list[DeadLetterQueueOut]


class RedriveRequest(InModel):
    model_config = ConfigDict(extra="forbid")

    max_messages: int = Field(default=100, ge=1, le=500, description="At most this many messages per call.")
    queues: list[QueueName] | None = Field(
        default=None, min_length=1, description="Which DLQs, in this order; default: delivery, then fanout."
    )


class RedriveQueueOut(OutModel):
    queue: QueueName
    moved: int = Field(description="Sent back to the source queue and deleted from the DLQ.")
    kept: int = Field(description="Left in the DLQ: not a message its source queue's consumer reads.")
    failed: int = Field(description="Refused by the source queue: still in the DLQ, visible again in 2 minutes.")
    remaining: int = Field(description="Still in the DLQ after this call (approximate, kept ones included).")


class RedriveOut(OutModel):
    """One bounded redrive: call again while `has_more` is true."""

    moved: int
    kept: int
    failed: int
    has_more: bool = Field(description="The call stopped at `max_messages`; more may be waiting.")
    queues: list[RedriveQueueOut]


# ---------------------------------------------------------------------------------------------- plans
Reason = Annotated[
    str | None,
    Field(default=None, max_length=500, description="Why: kept in the audit trail (e.g. a ticket or invoice)."),
]


class RateLimitsIn(InModel):
    """Custom rate limits (enterprise): each window given replaces the tier's."""

    model_config = ConfigDict(extra="forbid")

    burst: int | None = Field(default=None, ge=1, le=1_000_000, description="Requests per 10 seconds.")
    minute: int | None = Field(default=None, ge=1, le=10_000_000, description="Requests per minute.")
    hour: int | None = Field(default=None, ge=1, le=100_000_000, description="Requests per hour.")


class RateLimitsOut(OutModel):
    burst: int = Field(description="Requests per 10 seconds.", examples=[200])
    minute: int = Field(examples=[600])
    hour: int = Field(examples=[10_000])


class UserPlanUpdate(InModel):
    """Change what a user's account is sold: its tier, its custom rate limits (null clears them), or both."""

    model_config = ConfigDict(extra="forbid")

    tier: Tier | None = Field(default=None, description="The account's tier; its personal namespace's package follows.")
    rate_limits: RateLimitsIn | None = Field(
        default=None, description="Custom rate limits; `null` returns to the tier's. Absent: unchanged."
    )
    reason: Reason


class UserPlanOut(OutModel):
    """A user's plan as the operator sees it."""

    id: str = Field(examples=["usr_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    email: str
    tier: Tier
    custom_rate_limits: dict[str, int] | None = Field(description="What an operator set; null: the tier's.")
    rate_limits: RateLimitsOut = Field(description="The limits in force: the tier's, with custom ones laid over.")
    default_namespace_id: str | None
    updated_at: Timestamp


class WorkspaceTierUpdate(InModel):
    model_config = ConfigDict(extra="forbid")

    tier: Tier = Field(description="The workspace's tier; its default namespace's package follows.")
    reason: Reason


class WorkspacePlanOut(OutModel):
    id: str = Field(examples=["wks_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    name: str
    tier: Tier
    default_namespace_id: str | None
    packages: list[NamespacePackage] = Field(description="The default namespace's packages.")
    updated_at: Timestamp


class PackageGrantRequest(InModel):
    model_config = ConfigDict(extra="forbid")

    package_id: str = Field(min_length=1, max_length=64, examples=["pkg_pro"])
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the grant lapses (removed within a minute of it); absent: never."
    )
    reason: Reason


class NamespaceLimitsUpdate(InModel):
    """Custom entitlement limits (enterprise): each feature named replaces what the packages sum to."""

    model_config = ConfigDict(extra="forbid")

    limits: dict[Feature, Annotated[int, Field(ge=0, le=10**18)]] | None = Field(
        description="feature -> limit; `null` or `{}` clears every custom limit.",
        examples=[{"resources": 5_000_000, "api_calls": 50_000_000}],
    )
    reason: Reason


class NamespacePlanOut(OutModel):
    """A namespace's plan: its package grants, the operator's custom limits and the limits in force."""

    id: str = Field(examples=["ns_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    packages: list[NamespacePackage]
    custom_limits: dict[str, int] | None
    limits: dict[str, int] = Field(description="feature -> limit in force.")


class AuditEntryOut(OutModel):
    """One operator change, as the transaction that made it wrote it."""

    id: str = Field(examples=["aud_01JD8X3B5Q7ZJ6W0N4M2K8R1TA"])
    action: str = Field(description="The change's event type.", examples=["user.tier_changed"])
    target_type: Literal["user", "workspace", "namespace"]
    target_id: str
    operator_id: str = Field(description="The operator key that made it, or `system` (a grant that lapsed).")
    reason: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    event_id: str | None = Field(description="The outbox event webhooks delivered for it.")
    created_at: Timestamp
