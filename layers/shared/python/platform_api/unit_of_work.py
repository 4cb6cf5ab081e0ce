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
- A request with an `Idempotency-Key` commits its change together with the key's completed record
  (`deferring()`, used by platform_api.idempotency): no crash can leave the change without the answer to it.

Items are pynamodb models (platform_api.db.TableItem); conditions and update actions are pynamodb
expressions, serialized with pynamodb's public `serialize` methods.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
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
class Operation:
    """One entry of TransactWriteItems and the error its condition means."""

    request: dict[str, Any]
    on_conflict: Exception | None
    key: str  # "PK|SK": logs, and two writes of one item in one transaction


class DeferredCommit:
    """The writes of one request, held back so that they commit with one more item (`send`).

    platform_api.idempotency runs a keyed request inside `deferring(DeferredCommit())`: every
    `UnitOfWork.commit()` of the route lands here instead of in DynamoDB, and the route's answer is then
    committed with them as the key's completed record, in the same transaction. Nothing the route wrote can
    exist without that record, so a crash at any point either leaves no change or leaves its stored answer.

    When that transaction is cancelled by a condition the domain registered (a version moved, a limit was
    reached), the request runs again with `DeferredCommit(failure=that error)`: its first commit raises it, so
    the domain meets the failure where it would have met it with an immediate commit (and retries, or answers
    with it).
    """

    def __init__(self, failure: Exception | None = None) -> None:
        self.operations: list[Operation] = []
        self._failure = failure

    def take(self, operations: list[Operation]) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure
        if {op.key for op in self.operations} & {op.key for op in operations}:
            raise RuntimeError("two commits of one request write the same item; they cannot be held for one")
        if len(self.operations) + len(operations) + 1 > MAX_ITEMS:
            raise errors.InvalidRequest(
                f"With an Idempotency-Key the change may touch at most {MAX_ITEMS - 1} items "
                "(one is the key's record); split it."
            )
        self.operations.extend(operations)

    def registered(self, exc: Exception) -> bool:
        """Whether `exc` is the error one of the held writes registered for its condition."""
        return any(op.on_conflict is exc for op in self.operations)

    def send(self, first: Operation) -> None:
        """Commit `first` and the held writes as one transaction; raises what a cancelled commit means."""
        _transact([first, *self.operations])


_deferred: ContextVar[DeferredCommit | None] = ContextVar("deferred_commit", default=None)


@contextmanager
def deferring(pending: DeferredCommit) -> Iterator[DeferredCommit]:
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


class UnitOfWork:
    """Collects writes; `commit()` (or leaving the `with` block without an exception) sends them as one."""

    def __init__(self) -> None:
        self._operations: list[Operation] = []
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
        pending = _deferred.get()
        if pending is not None:
            pending.take(self._operations)
            return
        if self._operations:
            _transact(self._operations)

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
        self._operations.append(Operation({kind: request}, on_conflict, f"{key['PK']['S']}|{key['SK']['S']}"))


def _key(item: TableItem) -> dict[str, Any]:
    serialized = item.serialize(null_check=False)
    return {"PK": serialized["PK"], "SK": serialized["SK"]}


def _transact(operations: list[Operation]) -> None:
    """One TransactWriteItems: retried on conflicts and throttling; a failed condition raises its error."""
    if len(operations) > MAX_ITEMS:
        raise errors.InvalidRequest(f"The change touches more than {MAX_ITEMS} items; split it.")
    items = [op.request for op in operations]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            client().transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
            return
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons") or []]
        failure = _failure(operations, reasons)
        if failure is not None:
            raise failure
        if not RETRYABLE_REASONS.intersection(reasons) or attempt == ATTEMPTS:
            break
        time.sleep(random.uniform(0, 0.025 * 2**attempt))  # noqa: S311 - full jitter, not a secret
    logger.warning("transaction cancelled", extra={"reasons": reasons, "attempts": attempt})
    raise errors.Conflict("The request conflicted with a concurrent change; retry it.", headers={"Retry-After": "1"})


def _failure(operations: list[Operation], reasons: list[str]) -> Exception | None:
    """The error registered with the first operation whose condition failed, with the details of every
    other failed operation of the same kind folded in (e.g. each feature over its new limit)."""
    failed = [op for op, code in zip(operations, reasons, strict=False) if code == "ConditionalCheckFailed"]
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
