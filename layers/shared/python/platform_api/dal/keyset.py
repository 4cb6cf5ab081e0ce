"""Key-ordered reads of one partition, a few items per round trip: what every bounded list is built on.

    pages = keyset.query_pages(
        keyset.Range("GSI1", "GSI1PK", f"WHD#{webhook_id}", "GSI1SK"),   # the index and partition to read
        forward=False,                                                  # newest first
        start={"GSI1PK": ..., "GSI1SK": ..., "PK": ..., "SK": ...},     # strictly after this key (a cursor)
        demand=lambda: per_page + 1,                                    # Limit of the next round trip
    )

Each round trip is one Query with `Limit = demand()`: the caller decides how many more items it wants after
every page it consumed, so a list never reads more than it keeps (plus the one that says "there is more").
Nothing here Scans, and nothing reads past the partition the caller named: a start key only positions the
read inside that partition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from platform_api.db import client, table_name

RawItem = dict[str, Any]  # an item as DynamoDB returns it ({"PK": {"S": ...}, ...})
Demand = Callable[[], int]  # how many items the next round trip should read
HIGH = "~"  # sorts after every character our keys use (ids are [0-9A-Za-z_], timestamps [0-9:TZ-])
BATCH_GET_MAX = 100


@dataclass(frozen=True)
class Range:
    """One partition of the table or of an index: `index` None is the table itself."""

    index: str | None
    partition_attribute: str
    partition: str
    sort_attribute: str
    low: str | None = None  # inclusive bounds on the sort key
    high: str | None = None

    def between(self, low: str | None, high: str | None) -> Range:
        return Range(self.index, self.partition_attribute, self.partition, self.sort_attribute, low, high)

    @property
    def empty(self) -> bool:
        return self.low is not None and self.high is not None and self.low > self.high


def prefix(range_: Range, value: str) -> Range:
    """The sort keys that begin with `value` (a key condition, not a filter)."""
    return range_.between(value, value + HIGH)


def timestamp(moment: datetime) -> str:
    """A stored timestamp (`timeutil.isoformat`: UTC, to the second), always with a four-digit year."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def time_bounds(after: datetime | None, before: datetime | None) -> tuple[str | None, str | None]:
    """Inclusive sort-key bounds for keys `<timestamp>#<id>` whose timestamp is strictly after `after` and
    strictly before `before` (the `created_after` / `created_before` of a list): a key condition, so the
    read never touches an item outside the range. Stored timestamps are whole seconds."""
    low = high = None
    if after is not None:
        whole = after.replace(microsecond=0)
        # after 10:00:00 -> from 10:00:01 on (skip every id of 10:00:00); after 10:00:00.5 -> from 10:00:01
        low = timestamp(whole + timedelta(seconds=1)) if after.microsecond else timestamp(whole) + "#" + HIGH
    if before is not None:
        whole = before.replace(microsecond=0)
        # before 10:00:00 -> up to 09:59:59 (a bare timestamp sorts before its own keys); before 10:00:00.5 ->
        # every id of 10:00:00
        high = timestamp(whole) + "#" + HIGH if before.microsecond else timestamp(whole)
    return low, high


def query_pages(
    range_: Range,
    *,
    forward: bool,
    start: dict[str, str] | None,
    demand: Demand,
    consistent: bool = False,
) -> Iterator[list[RawItem]]:
    """The partition's items in key order, strictly after `start`, one Query page at a time.

    Before each round trip `demand()` says how many items to ask for; 0 (or less) ends the read.
    """
    if range_.empty:
        return
    names = {"#pk": range_.partition_attribute}
    values: dict[str, Any] = {":pk": {"S": range_.partition}}
    condition = "#pk = :pk"
    if range_.low is not None or range_.high is not None:
        names["#sk"] = range_.sort_attribute
    if range_.low is not None and range_.high is not None:
        condition += " AND #sk BETWEEN :low AND :high"
        values.update({":low": {"S": range_.low}, ":high": {"S": range_.high}})
    elif range_.low is not None:
        condition += " AND #sk >= :low"
        values[":low"] = {"S": range_.low}
    elif range_.high is not None:
        condition += " AND #sk <= :high"
        values[":high"] = {"S": range_.high}
    request: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
        "ScanIndexForward": forward,
    }
    if range_.index:
        request["IndexName"] = range_.index
    elif consistent:
        request["ConsistentRead"] = True
    start_key = {name: {"S": value} for name, value in start.items()} if start else None
    while True:
        limit = demand()
        if limit <= 0:
            return
        if start_key:
            request["ExclusiveStartKey"] = start_key
        reply = client().query(**request, Limit=limit)
        items = reply.get("Items", [])
        if items:
            yield items
        start_key = reply.get("LastEvaluatedKey")
        if not start_key:
            return


def gsi1_pages(
    partition: str,
    sk_prefix: str,
    *,
    newest_first: bool,
    after: tuple[str, tuple[str, str]] | None,
    demand: Demand,
) -> Iterator[list[RawItem]]:
    """Pages of one GSI1 partition's `sk_prefix` run, strictly after `after` = (its GSI1SK, its table key):
    the shape of every "a user's (or an owner's) things by id" list."""
    range_ = prefix(Range("GSI1", "GSI1PK", partition, "GSI1SK"), sk_prefix)
    start = None
    if after is not None:
        start = {"GSI1PK": partition, "GSI1SK": after[0], "PK": after[1][0], "SK": after[1][1]}
    yield from query_pages(range_, forward=not newest_first, start=start, demand=demand)


def batch_get(keys: list[tuple[str, str]]) -> dict[tuple[str, str], RawItem]:
    """(PK, SK) -> item for every key that exists: one BatchGetItem per 100 keys (unprocessed keys retried)."""
    found: dict[tuple[str, str], RawItem] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), BATCH_GET_MAX):
        chunk = unique[start : start + BATCH_GET_MAX]
        request: dict[str, Any] = {
            table_name(): {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in chunk]},
        }
        while request:
            reply = client().batch_get_item(RequestItems=request)
            for raw in reply.get("Responses", {}).get(table_name(), []):
                found[(raw["PK"]["S"], raw["SK"]["S"])] = raw
            request = reply.get("UnprocessedKeys") or {}
    return found
