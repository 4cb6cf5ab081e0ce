"""Resources in the single table, and every DynamoDB call about them.

    item          PK = NS#<ns_id>      SK = RES#<res_id>      (res ids are ULIDs: key order = creation order)

Access patterns (docs/query-language.md has the cost table):
    get one       GetItem (consistent) on the tenant's partition: a foreign id is simply absent
    default list  Query on the partition, SK between RES# and RES#~, in key order (= created_at, id),
                  Limit per_page + 2: page 1 and every cursor page cost the same (keyset on the key)
    other lists   Query the whole RES# range of the partition (bounded by the namespace's `resources`
                  entitlement) and filter / search / sort in memory
    writes        one TransactWriteItems: the item (conditional), its outbox event, the entitlement counters
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from platform_api.db import TableItem

SK_PREFIX = "RES#"
SK_HIGH = "RES#~"  # above every ULID (Crockford base32 is 0-9A-Z)


def pk(namespace_id: str) -> str:
    return f"NS#{namespace_id}"


def sk(resource_id: str) -> str:
    return f"{SK_PREFIX}{resource_id}"


class ResourceItem(TableItem):
    resource_id = UnicodeAttribute()
    namespace_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    resource_type = UnicodeAttribute(attr_name="type")
    status = UnicodeAttribute()
    metadata_json = UnicodeAttribute(null=True, attr_name="metadata")
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    owner_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=1)
    size = NumberAttribute(default=0)  # bytes counted against the `storage` entitlement

    def to_dict(self) -> dict[str, Any]:
        """The full API object (GET /{id}); list summaries are a subset of it."""
        return {
            "id": self.resource_id,
            "name": self.name,
            "description": self.description,
            "type": self.resource_type,
            "status": self.status,
            "metadata": json.loads(self.metadata_json) if self.metadata_json else {},
            "tags": list(self.tags or []),
            "owner": self.owner_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def build_item(
    *,
    resource_id: str,
    namespace_id: str,
    workspace_id: str | None,
    owner_id: str,
    fields: dict[str, Any],
    created_at: str,
    updated_at: str,
    version: int,
) -> ResourceItem:
    metadata = fields.get("metadata")
    item = ResourceItem(
        PK=pk(namespace_id),
        SK=sk(resource_id),
        resource_id=resource_id,
        namespace_id=namespace_id,
        workspace_id=workspace_id,
        name=fields["name"],
        description=fields.get("description"),
        resource_type=fields["type"],
        status=fields["status"],
        metadata_json=json.dumps(metadata, separators=(",", ":"), ensure_ascii=False) if metadata else None,
        tags=list(fields.get("tags") or []) or None,
        owner_id=owner_id,
        created_at=created_at,
        updated_at=updated_at,
        version=version,
    )
    item.size = item_size(item)
    return item


def item_size(item: ResourceItem) -> int:
    """Approximate stored bytes (attribute names + values), what the `storage` entitlement counts."""
    data = item.serialize()
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def get(namespace_id: str, resource_id: str) -> ResourceItem | None:
    """One consistent GetItem; None when missing or in another tenant's partition."""
    if not resource_id or len(resource_id) > 64:
        return None
    try:
        return ResourceItem.get(pk(namespace_id), sk(resource_id), consistent_read=True)
    except ResourceItem.DoesNotExist:
        return None


def _just_below(key: str) -> str:
    # Every SK in the RES# range has the same length, so the greatest valid key below `key` is at most
    # key[:-1] + (last char - 1) + "~": an inclusive bound that excludes `key` itself.
    return key[:-1] + chr(ord(key[-1]) - 1) + "~"


def query_key_order(
    namespace_id: str, *, descending: bool, limit: int, after_id: str | None = None
) -> list[ResourceItem]:
    """One Query in key order, strictly after `after_id` (the keyset cursor) when given.

    The bounds exclude the cursor's own item, so a cursor page reads exactly as many items as page 1.
    """
    if after_id is None:
        condition = ResourceItem.SK.between(SK_PREFIX, SK_HIGH)
    elif descending:
        condition = ResourceItem.SK.between(SK_PREFIX, _just_below(sk(after_id)))
    else:
        condition = ResourceItem.SK.between(sk(after_id) + "0", SK_HIGH)
    rows = ResourceItem.query(
        pk(namespace_id),
        condition,
        scan_index_forward=not descending,
        consistent_read=True,
        limit=limit,
        page_size=limit,
    )
    return list(rows)


def query_all(namespace_id: str) -> Iterator[ResourceItem]:
    """The namespace's whole RES# range (1 MB per round trip), for filtered / searched / re-sorted lists."""
    return ResourceItem.query(
        pk(namespace_id), ResourceItem.SK.between(SK_PREFIX, SK_HIGH), consistent_read=True, page_size=1000
    )
