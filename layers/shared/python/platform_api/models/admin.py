"""The operator plane (`/v1/admin/...`, docs/operators.md): operator keys and webhook dead letters."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from platform_api.models.envelopes import OutModel, Timestamp, sparse

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


class RedriveRequest(BaseModel):
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
