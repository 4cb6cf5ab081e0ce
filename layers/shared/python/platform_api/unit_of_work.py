"""One DynamoDB transaction per change: the writes, the errors their conditions mean, and the outbox event.

    with UnitOfWork() as uow:
        uow.put(item, condition=Item.PK.does_not_exist(), on_conflict=errors.Conflict("Already exists."))
        entitlements.consume(uow, namespace_id, "resources")     # registers its own LimitExceeded
        uow.emit(events.new_event("resource", "created", ...))   # committed with the change, or not at all

Why it exists:
- A failed condition is diagnosed from DynamoDB's cancellation reasons, which follow the order of the request;
  this class builds that request itself, so reason i is operation i and the error registered with it is raised.
  Nothing matches key substrings and nothing reads pynamodb's private transaction state.
- Every `emit` is a Put in the same TransactWriteItems call, so an event exists exactly when its change does.
- Each attempt carries its own ClientRequestToken: botocore's transport retries (a timeout after DynamoDB
  committed) cannot apply the change twice.
- A `TransactionConflict` (another transaction held one of the items) or a throttled item is retried with
  backoff, as DynamoDB advises; when it persists, the caller gets a 409 to retry rather than a 500.

Items are pynamodb models (platform_api.db.TableItem); conditions and update actions are pynamodb
expressions, serialized with pynamodb's public `serialize` methods.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action, Update

from platform_api import errors
from platform_api.db import TableItem, client, table_name

MAX_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
RETRYABLE_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
ATTEMPTS = 4

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Operation:
    request: dict[str, Any]
    on_conflict: Exception | None
    key: str  # "PK|SK", for logs only


class UnitOfWork:
    """Collects writes; `commit()` (or leaving the `with` block without an exception) sends them as one."""

    def __init__(self) -> None:
        self._operations: list[_Operation] = []
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.commit()

    def __len__(self) -> int:
        return len(self._operations)

    # ------------------------------------------------------------------ operations
    def put(self, item: TableItem, *, condition: Condition | None = None, on_conflict: Exception | None = None) -> None:
        """Write the whole item. `on_conflict` is raised when `condition` is what cancels the transaction."""
        self._add("Put", item, condition, None, on_conflict)

    def update(
        self,
        item: TableItem,
        actions: Sequence[Action],
        *,
        condition: Condition | None = None,
        on_conflict: Exception | None = None,
    ) -> None:
        self._add("Update", item, condition, actions, on_conflict)

    def delete(
        self, item: TableItem, *, condition: Condition | None = None, on_conflict: Exception | None = None
    ) -> None:
        self._add("Delete", item, condition, None, on_conflict)

    def check(self, item: TableItem, condition: Condition, *, on_conflict: Exception) -> None:
        """Write nothing to `item`, but commit only while `condition` holds on it."""
        self._add("ConditionCheck", item, condition, None, on_conflict)

    def emit(self, event: TableItem) -> None:
        """The outbox event of this change (platform_api.events.new_event): written with it, never without it."""
        self.put(event)

    # ------------------------------------------------------------------ commit
    def commit(self) -> None:
        if self._committed:
            raise RuntimeError("this unit of work has already been committed")
        self._committed = True
        if not self._operations:
            return
        if len(self._operations) > MAX_ITEMS:
            raise errors.InvalidRequest(f"The change touches more than {MAX_ITEMS} items; split it.")
        items = [op.request for op in self._operations]
        for attempt in range(1, ATTEMPTS + 1):
            try:
                client().transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
                return
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons") or []]
            failure = self._failure(reasons)
            if failure is not None:
                raise failure
            if not RETRYABLE_REASONS.intersection(reasons) or attempt == ATTEMPTS:
                break
            time.sleep(random.uniform(0, 0.025 * 2**attempt))  # noqa: S311 - full jitter, not a secret
        logger.warning("transaction cancelled", extra={"reasons": reasons, "attempts": attempt})
        raise errors.Conflict(
            "The request conflicted with a concurrent change; retry it.", headers={"Retry-After": "1"}
        )

    def _failure(self, reasons: list[str]) -> Exception | None:
        """The error registered with the first operation whose condition failed, with the details of every
        other failed operation of the same kind folded in (e.g. each feature over its new limit)."""
        failed = [op for op, code in zip(self._operations, reasons, strict=False) if code == "ConditionalCheckFailed"]
        if not failed:
            return None
        registered = [op.on_conflict for op in failed if op.on_conflict is not None]
        if not registered:
            logger.warning("condition without a registered error failed", extra={"keys": [op.key for op in failed]})
            return errors.Conflict("The request conflicted with a concurrent change; retry it.")
        first = registered[0]
        if isinstance(first, errors.ApiError):
            for other in registered[1:]:
                if type(other) is type(first) and isinstance(other, errors.ApiError):
                    first.details = {**other.details, **first.details}
        return first

    def _add(
        self,
        kind: str,
        item: TableItem,
        condition: Condition | None,
        actions: Sequence[Action] | None,
        on_conflict: Exception | None,
    ) -> None:
        key = _key(item)
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        request: dict[str, Any] = {"TableName": table_name()}
        if kind == "Put":
            request["Item"] = item.serialize()
        else:
            request["Key"] = key
        if actions:
            request["UpdateExpression"] = Update(*actions).serialize(names, values)
        if condition is not None:
            request["ConditionExpression"] = condition.serialize(names, values)
        if names:
            request["ExpressionAttributeNames"] = {placeholder: name for name, placeholder in names.items()}
        if values:
            request["ExpressionAttributeValues"] = values
        self._operations.append(_Operation({kind: request}, on_conflict, f"{key['PK']['S']}|{key['SK']['S']}"))


def _key(item: TableItem) -> dict[str, Any]:
    serialized = item.serialize(null_check=False)
    return {"PK": serialized["PK"], "SK": serialized["SK"]}
