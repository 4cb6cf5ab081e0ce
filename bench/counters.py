"""Exact AWS call accounting at the botocore level.

Every boto3 client *and* every pynamodb connection (which builds its own botocore session and client)
ends in `botocore.client.BaseClient._make_api_call`, so one patch there sees every round trip, whoever
made it. Inside `counting()` each call is recorded with its service, operation, items read and written,
and an estimate of the capacity it consumed.

Capacity: moto answers `ReturnConsumedCapacity=TOTAL` with a constant (0.5 or 1.0 whatever the item),
so the recorder computes it from the item sizes with DynamoDB's published rules instead: a write is
ceil(max(old, new) KB) WCU (x2 inside a transaction), a read ceil(size / 4 KB) RCU (x0.5 when eventually
consistent, x2 in a transaction; a Query or BatchGet rounds the sum of its items). It still passes
ReturnConsumedCapacity=TOTAL on every DynamoDB call (as a real table would answer it) and keeps moto's
figure as `reported_capacity`. Reading the old/new images for the estimate uses uncounted GetItem calls.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.client

CAPACITY_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


# ------------------------------------------------------------------------------------------ item sizes
def _number_size(raw: str) -> int:
    digits = raw.lstrip("-").replace(".", "").lstrip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict[str, Any]) -> int:
    """Size in bytes of one DynamoDB attribute value (low-level wire form), per AWS's sizing rules."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        return _number_size(raw)
    if kind == "B":
        return len(raw) if isinstance(raw, bytes | bytearray) else len(str(raw).encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode("utf-8")) for v in raw)
    if kind == "NS":
        return sum(_number_size(v) for v in raw)
    if kind == "BS":
        return sum(len(v) for v in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in raw.items())
    return 0


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def wcu(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def rcu(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


# ---------------------------------------------------------------------------------------------- records
@dataclass
class Call:
    service: str
    operation: str
    items_read: int = 0
    items_written: int = 0
    rcu: float = 0.0
    wcu: float = 0.0
    reported_capacity: float | None = None
    error: str | None = None
    table: str | None = None
    index: str | None = None
    writes: list[tuple[str, float]] = field(default_factory=list)  # (partition key value, WCU) per item
    select: str | None = None

    def describe(self) -> str:
        where = f" {self.index}" if self.index else ""
        what = " COUNT" if self.select == "COUNT" else ""
        read = f" read {self.items_read}" if self.operation in ("Query", "Scan", "BatchGetItem") else ""
        return f"{self.operation}{where}{what}{read}" + (f" ({self.error})" if self.error else "")


@dataclass
class Tally:
    calls: list[Call] = field(default_factory=list)

    def of(self, service: str) -> list[Call]:
        return [c for c in self.calls if c.service == service]

    @property
    def dynamodb(self) -> list[Call]:
        return self.of("dynamodb")

    @property
    def round_trips(self) -> int:
        return len(self.dynamodb)

    @property
    def items_read(self) -> int:
        return sum(c.items_read for c in self.dynamodb)

    @property
    def items_written(self) -> int:
        return sum(c.items_written for c in self.dynamodb)

    @property
    def rcu(self) -> float:
        return sum(c.rcu for c in self.dynamodb)

    @property
    def wcu(self) -> float:
        return sum(c.wcu for c in self.dynamodb)

    def wcu_on(self, prefix: str) -> float:
        """WCU spent on items whose partition key starts with `prefix` (e.g. "RATE#")."""
        return sum(units for c in self.dynamodb for pk, units in c.writes if pk.startswith(prefix))

    def detail(self, service: str = "dynamodb") -> str:
        return "; ".join(c.describe() for c in self.of(service)) or "-"

    def operations(self, service: str = "dynamodb") -> str:
        counts = Counter(c.operation for c in self.of(service))
        return ", ".join(f"{op} x{n}" if n > 1 else op for op, n in counts.items()) or "-"


# ------------------------------------------------------------------------------------------- the hook
_ORIGINAL = botocore.client.BaseClient._make_api_call
_local = threading.local()
_active: list[Tally] = []
_lock = threading.Lock()


def _quiet() -> bool:
    return getattr(_local, "quiet", False)


@contextlib.contextmanager
def uncounted() -> Iterator[None]:
    previous = _quiet()
    _local.quiet = True
    try:
        yield
    finally:
        _local.quiet = previous


def _get_size(client: Any, table: str, key: dict[str, Any]) -> int:
    with uncounted():
        try:
            found = _ORIGINAL(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
        except Exception:
            return 0
    return item_size(found.get("Item"))


def _key_of(client: Any, table: str, item: dict[str, Any]) -> dict[str, Any]:
    names = _key_names(client, table)
    return {name: item[name] for name in names if name in item}


_KEY_CACHE: dict[str, tuple[str, ...]] = {}


def _key_names(client: Any, table: str) -> tuple[str, ...]:
    if table not in _KEY_CACHE:
        with uncounted():
            schema = _ORIGINAL(client, "DescribeTable", {"TableName": table})["Table"]["KeySchema"]
        _KEY_CACHE[table] = tuple(k["AttributeName"] for k in schema)
    return _KEY_CACHE[table]


def _write_targets(operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None, Any]]:
    """(kind, table, new item or None, key or None) for each item a write touches."""
    targets: list[tuple[str, str, dict[str, Any] | None, Any]] = []
    if operation == "PutItem":
        targets.append(("Put", params["TableName"], params["Item"], None))
    elif operation in ("UpdateItem", "DeleteItem"):
        targets.append((operation[:-4], params["TableName"], None, params["Key"]))
    elif operation == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    targets.append(("Put", table, request["PutRequest"]["Item"], None))
                else:
                    targets.append(("Delete", table, None, request["DeleteRequest"]["Key"]))
    elif operation == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            ((kind, body),) = entry.items()
            targets.append((kind, body["TableName"], body.get("Item"), body.get("Key")))
    return targets


def _record(client: Any, operation: str, params: dict[str, Any], response: dict[str, Any] | None, call: Call) -> None:
    """Fill items read and the capacity estimate of a finished DynamoDB call."""
    response = response or {}
    consistent = bool(params.get("ConsistentRead"))
    reported = response.get("ConsumedCapacity")
    if isinstance(reported, dict):
        call.reported_capacity = reported.get("CapacityUnits")
    elif isinstance(reported, list):
        call.reported_capacity = sum(c.get("CapacityUnits", 0) for c in reported)
    if operation == "GetItem":
        item = response.get("Item")
        call.items_read = 1 if item else 0
        call.rcu = rcu(item_size(item), consistent)
    elif operation in ("Query", "Scan"):
        call.items_read = int(response.get("ScannedCount", response.get("Count", 0)))
        call.rcu = rcu(sum(item_size(i) for i in response.get("Items", [])), consistent)
    elif operation == "BatchGetItem":
        for items in response.get("Responses", {}).values():
            call.items_read += len(items)
            call.rcu += sum(rcu(item_size(i), False) for i in items)
    elif operation == "TransactGetItems":
        responses = [r.get("Item") for r in response.get("Responses", [])]
        call.items_read = sum(1 for r in responses if r)
        call.rcu = sum(2 * rcu(item_size(r), True) for r in responses)


def _make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    if _quiet() or not _active:
        return _ORIGINAL(self, operation_name, api_params)
    service = self.meta.service_model.service_name
    call = Call(service=service, operation=operation_name)
    before: list[tuple[str, str, dict[str, Any] | None, Any, int]] = []
    if service == "dynamodb":
        call.table = api_params.get("TableName")
        call.index = api_params.get("IndexName")
        call.select = api_params.get("Select")
        if operation_name in CAPACITY_OPERATIONS and "ReturnConsumedCapacity" not in api_params:
            api_params = {**api_params, "ReturnConsumedCapacity": "TOTAL"}
        if operation_name in WRITE_OPERATIONS:
            for kind, table, item, key in _write_targets(operation_name, api_params):
                if key is None and item is not None:
                    key = _key_of(self, table, item)
                old = _get_size(self, table, key)
                before.append((kind, table, item, key, old))
    response = None
    try:
        response = _ORIGINAL(self, operation_name, api_params)
        return response
    except Exception as exc:
        call.error = type(exc).__name__
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if code:
            call.error = code
        raise
    finally:
        if service == "dynamodb":
            _record(self, operation_name, api_params, response, call)
            factor = 2 if operation_name == "TransactWriteItems" else 1
            for kind, table, item, key, old in before:
                hash_value = (key or {}).get("PK") or next(iter((key or {}).values()), {})
                partition = str(hash_value.get("S", "")) if isinstance(hash_value, dict) else ""

                if kind == "ConditionCheck":
                    units = factor * wcu(old)
                else:
                    new = item_size(item) if item is not None else _get_size(self, table, key)
                    if call.error is None:
                        call.items_written += 1
                    units = factor * wcu(max(old, new))
                call.wcu += units
                call.writes.append((partition, units))
        with _lock:
            for tally in _active:
                tally.calls.append(call)


def install() -> None:
    """Patch botocore once (idempotent). Calls outside `counting()` pass straight through."""
    if botocore.client.BaseClient._make_api_call is not _make_api_call:
        botocore.client.BaseClient._make_api_call = _make_api_call


def uninstall() -> None:
    botocore.client.BaseClient._make_api_call = _ORIGINAL


@contextlib.contextmanager
def counting() -> Iterator[Tally]:
    """Record every AWS call made (by any client, in any thread) while the block runs."""
    install()
    tally = Tally()
    with _lock:
        _active.append(tally)
    try:
        yield tally
    finally:
        with _lock:
            _active.remove(tally)
