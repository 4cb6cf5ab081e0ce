"""Backfill: give resources written before the list indexes existed their index keys, entries and tallies.

A resource written by this version carries `GSI2PK` (and the other index attributes), has its type, owner and
tag entries and is counted in its status and type tallies, all in its own transaction. One written earlier has
none of it, so filtered and sorted lists would not see it. This walks the table once (a parallel Scan that
only the operator runs, never a request) and, per old resource, commits in ONE transaction: the index
attributes (on the condition that the item still has no `GSI2PK` and the same version), its entries and its
tally increments. Hence:

- idempotent: an item already indexed (by a write of the new code or an earlier run) is skipped, and a
  concurrent write wins (its own transaction indexes it; ours is cancelled and skipped);
- resumable: `run()` returns the Scan position after each page; pass it back (`start_key`) to go on.

Run it with `python -m local.backfill` (README, "Deploy") against a deployed table or the local stack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from platform_api import errors
from platform_api.dal import resources as dal
from platform_api.db import client, table_name
from platform_api.unit_of_work import UnitOfWork


class _Changed(Exception):
    """The item was indexed or rewritten meanwhile: nothing to do for it."""


def index_one(raw: dict[str, Any]) -> bool:
    """Index one stored resource; False when it already was (or changed meanwhile)."""
    if "GSI2PK" in raw:
        return False
    old = dal.from_raw(raw)
    indexed = dal.build_item(
        resource_id=old.resource_id,
        namespace_id=old.namespace_id,
        workspace_id=old.workspace_id,
        owner_id=old.owner_id,
        fields=old.to_dict(),
        created_at=old.created_at,
        updated_at=old.updated_at,
        version=int(old.version),
    )
    tallies: Counter[tuple[str, str]] = Counter({("status", str(old.status)): 1, ("type", str(old.resource_type)): 1})
    try:
        with UnitOfWork() as uow:
            actions = [
                getattr(dal.ResourceItem, attribute).set(getattr(indexed, attribute))
                for attribute in ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK")
            ]
            unchanged = dal.ResourceItem.GSI2PK.does_not_exist() & (dal.ResourceItem.version == int(old.version))
            uow.update(old, actions, condition=unchanged, on_conflict=_Changed())
            for key in sorted(dal.entries_of(indexed)):
                uow.put(dal.entry(*key))
            for (field, value), delta in sorted(tallies.items()):
                uow.update(
                    dal.TallyItem(*dal.tally_key(str(old.namespace_id), field, value)), [dal.TallyItem.n.add(delta)]
                )
    except (_Changed, errors.Conflict):
        return False
    return True


def run(
    *,
    segment: int = 0,
    total_segments: int = 1,
    start_key: dict[str, Any] | None = None,
    page_size: int = 500,
    on_page: Callable[[dict[str, Any] | None, int, int], None] | None = None,
) -> dict[str, int]:
    """Scan one segment for resource items and index the old ones; `on_page(next_key, seen, indexed)` after
    each page lets the caller checkpoint. Returns the counts."""
    seen = indexed = 0
    kwargs: dict[str, Any] = {
        "TableName": table_name(),
        "FilterExpression": "begins_with(SK, :res) AND attribute_not_exists(GSI2PK)",
        "ExpressionAttributeValues": {":res": {"S": dal.SK_PREFIX}},
        "Segment": segment,
        "TotalSegments": total_segments,
        "Limit": page_size,
        "ConsistentRead": True,
    }
    while True:
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        reply = client().scan(**kwargs)
        for raw in reply.get("Items", []):
            seen += 1
            indexed += index_one(raw)
        start_key = reply.get("LastEvaluatedKey")
        if on_page is not None:
            on_page(start_key, seen, indexed)
        if not start_key:
            return {"seen": seen, "indexed": indexed}
