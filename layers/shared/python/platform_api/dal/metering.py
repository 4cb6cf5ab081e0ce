"""A namespace's measured API calls, one small item per namespace and month (issue 14, docs/data-model.md):

    PK=NS#<ns>  SK=ENTITLEMENT#api_calls#<yyyymm>   used, s {<usr>: last stream sequence counted}, ttl

The request path never writes it: each authenticated request adds one to `n#<hint>` on the caller's hour item
in the rate-limit update it already makes (dal.ratelimit), and the metering consumer (functions/metering)
adds the stream's differences here, a few seconds later.

The sort key sits among the namespace's `ENTITLEMENT#<feature>` counters on purpose: the Query that already
reads a namespace's counters (dal.entitlements.counters, dal.namespaces.head) returns the month items with
them, as feature `api_calls#<yyyymm>`, so showing the measured figure costs no extra read.

Exactly once under stream retries: a stream delivers one user's records (all in partition `RATE#<usr>`) in
order, with growing sequence numbers, and a retried batch may start anywhere before or after what was
already added. So each month item keeps, per contributing user, the sequence number of the last record it
counted (`s`), and an add is conditioned on those marks: only records after a user's mark count, and the
marks move in the same update. A re-delivered batch adds nothing twice. `s` holds one entry per user who
acted in the namespace this month (bounded by the namespace's members).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from platform_api.dal.entitlements import COUNTER_PREFIX
from platform_api.dal.ratelimit import ConditionFailed, _number, _update
from platform_api.db import client, table_name

FEATURE = "api_calls"
MONTH_PREFIX = f"{COUNTER_PREFIX}{FEATURE}#"  # ENTITLEMENT#api_calls#<yyyymm>
RETENTION_SECONDS = 92 * 24 * 3600  # after the month ends: this month and the two before stay readable
SEQUENCE_DIGITS = 40  # DynamoDB Streams sequence numbers have 21 to 40 digits


def month_of(moment: datetime) -> int:
    """202611 for any instant of November 2026 (UTC)."""
    return moment.year * 100 + moment.month


def month_end(month: int) -> datetime:
    """The first instant of the month after `month` (yyyymm), UTC: when its count resets."""
    year, number = divmod(month, 100)
    return datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=UTC)


def month_feature(month: int) -> str:
    """The month item's key in a namespace's counters (dal.entitlements.counters): `api_calls#<yyyymm>`."""
    return f"{FEATURE}#{month}"


def month_key(namespace_id: str, month: int) -> dict[str, Any]:
    return {"PK": {"S": f"NS#{namespace_id}"}, "SK": {"S": f"{MONTH_PREFIX}{month}"}}


def sequence(value: str) -> str:
    """A stream sequence number as a fixed-width string: compared as strings, they compare as numbers."""
    return value.zfill(SEQUENCE_DIGITS)


def add(namespace_id: str, month: int, by_user: Mapping[str, Sequence[tuple[str, int]]], *, attempts: int = 5) -> int:
    """Add a stream batch's calls to the namespace's month; returns how many were new.

    `by_user`: user id -> [(sequence(record sequence number), calls)] in stream order. One UpdateItem in the
    steady state; when the marks are not what was assumed (first add of the month, a retried batch), the
    condition fails, its ALL_OLD tells the marks, and the add is recomputed from them.
    """
    key = month_key(namespace_id, month)
    old: dict[str, Any] | None = None  # None: assume the item exists and this batch is all new
    for _ in range(attempts):
        marks = {u: v.get("S", "") for u, v in (old or {}).get("s", {}).get("M", {}).items()}
        pending = {
            user: [(seq, calls) for seq, calls in records if seq > marks.get(user, "")]
            for user, records in by_user.items()
        }
        pending = {user: records for user, records in pending.items() if records}
        if not pending:
            return 0
        total = sum(calls for records in pending.values() for _, calls in records)
        ttl = int(month_end(month).timestamp()) + RETENTION_SECONDS
        names: dict[str, str] = {"#ttl": "ttl"}
        values: dict[str, Any] = {":n": {"N": str(total)}, ":ttl": {"N": str(ttl)}}
        if old is not None and "s" not in old:  # the month's first add (or an item without marks)
            update = "ADD used :n SET s = :marks, #ttl = if_not_exists(#ttl, :ttl)"
            condition = "attribute_not_exists(s)"
            values[":marks"] = {"M": {user: {"S": records[-1][0]} for user, records in pending.items()}}
        else:
            sets, conditions = [], ["attribute_exists(s)"]
            for i, (user, records) in enumerate(sorted(pending.items())):
                names[f"#u{i}"] = user
                values[f":s{i}"] = {"S": records[-1][0]}
                sets.append(f"s.#u{i} = :s{i}")
                if old is None:
                    values[f":f{i}"] = {"S": records[0][0]}
                    conditions.append(f"(attribute_not_exists(s.#u{i}) OR s.#u{i} < :f{i})")
                elif user in marks:
                    values[f":o{i}"] = {"S": marks[user]}
                    conditions.append(f"s.#u{i} = :o{i}")
                else:
                    conditions.append(f"attribute_not_exists(s.#u{i})")
            update = f"ADD used :n SET {', '.join(sets)}, #ttl = if_not_exists(#ttl, :ttl)"
            condition = " AND ".join(conditions)
        try:
            _update(
                Key=key,
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="NONE",
            )
            return total
        except ConditionFailed as failed:
            old = failed.old_item  # the marks as stored: recompute what is new
    raise RuntimeError(f"could not add the calls of {namespace_id} for {month} after {attempts} attempts")


def used_and_limit(namespace_id: str, month: int) -> tuple[int, int]:
    """(calls measured this month, the month's limit) in ONE Query: the `api_calls` counter (whose used +
    remaining is the limit the packages give) and the month items up to this one, which sort right after it."""
    reply = client().query(
        TableName=table_name(),
        KeyConditionExpression="PK = :pk AND SK BETWEEN :counter AND :month",
        ExpressionAttributeValues={
            ":pk": {"S": f"NS#{namespace_id}"},
            ":counter": {"S": f"{COUNTER_PREFIX}{FEATURE}"},
            ":month": {"S": f"{MONTH_PREFIX}{month}"},
        },
    )
    used = limit = 0
    for item in reply.get("Items", []):
        if item["SK"]["S"] == f"{COUNTER_PREFIX}{FEATURE}":
            limit = _number(item, "used") + _number(item, "remaining")
        elif item["SK"]["S"] == f"{MONTH_PREFIX}{month}":
            used = _number(item, "used")
    return used, limit
