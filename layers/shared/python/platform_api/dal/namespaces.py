"""Namespaces: `PK=NS#<ns>`, `SK=NAMESPACE`.

GSI1 lists an owner's namespaces: `GSI1PK=USER#<usr>` (personal) or `WS#<wks>` (a workspace's), with
`GSI1SK=NS#<ns>`. The namespace's entitlement counters and packages live in its own partition
(dal/entitlements.py), so the namespace and everything it is billed for come back with one Query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from platform_api.dal import keyset
from platform_api.dal.entitlements import COUNTER_PREFIX, PACKAGES_SK, CounterItem, PackagesItem
from platform_api.db import Gsi1Item, TableItem, client, table_name

SK = "NAMESPACE"
GSI_PREFIX = "NS#"


class NamespaceItem(Gsi1Item):
    namespace_id = UnicodeAttribute()
    uuid = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    owner_type = UnicodeAttribute()  # "User" | "Workspace"
    owner_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute(null=True)
    is_default = BooleanAttribute(default=False)
    is_active = BooleanAttribute(default=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def key(namespace_id: str) -> tuple[str, str]:
    return f"NS#{namespace_id}", SK


class SlugClaim(TableItem):
    """One owner's namespace slugs are unique: `PK=NSSLUG#<owner>#<slug>`, `SK=UNIQUE`."""


def slug_claim(owner_type: str, owner_id: str, slug: str) -> tuple[str, str]:
    return f"NSSLUG#{owner_partition(owner_type, owner_id)}#{slug.lower()}", "UNIQUE"


def owner_partition(owner_type: str, owner_id: str) -> str:
    return f"USER#{owner_id}" if owner_type == "User" else f"WS#{owner_id}"


def get_namespace(namespace_id: str, *, consistent: bool = False) -> NamespaceItem | None:
    try:
        return NamespaceItem.get(*key(namespace_id), consistent_read=consistent)
    except NamespaceItem.DoesNotExist:
        return None


def list_owned(owner_type: str, owner_id: str) -> list[NamespaceItem]:
    """An owner's namespaces: one Query on GSI1."""
    partition = owner_partition(owner_type, owner_id)
    return list(NamespaceItem.gsi1.query(partition, NamespaceItem.GSI1SK.startswith(GSI_PREFIX)))


def owned_pages(
    owner_type: str, owner_id: str, *, newest_first: bool, after_namespace_id: str | None, demand: keyset.Demand
) -> Iterator[list[NamespaceItem]]:
    """An owner's namespaces by namespace id (creation order: ids are ULIDs), one GSI1 Query page at a time,
    strictly after `after_namespace_id` (which need not be one of this owner's: it is only a position)."""
    after = (f"{GSI_PREFIX}{after_namespace_id}", key(after_namespace_id)) if after_namespace_id else None
    for raw in keyset.gsi1_pages(
        owner_partition(owner_type, owner_id), GSI_PREFIX, newest_first=newest_first, after=after, demand=demand
    ):
        yield [NamespaceItem.from_raw_data(r) for r in raw]


@dataclass
class NamespaceHead:
    """A namespace with its package grants and entitlement counters, as one Query returns them."""

    namespace: NamespaceItem | None
    packages: PackagesItem | None
    counters: dict[str, CounterItem]


def head(namespace_id: str) -> NamespaceHead:
    """The namespace, its package grants and its counters in ONE strongly consistent Query.

    Their sort keys (`ENTITLEMENT#<feature>`, `NAMESPACE`, `PACKAGES`) sort together, before the partition's
    `RES#` and `WEBHOOK#` items, so `SK BETWEEN ENTITLEMENT# AND PACKAGES` reads exactly them: 8 items at
    most, whatever the namespace holds.
    """
    reply = client().query(
        TableName=table_name(),
        KeyConditionExpression="PK = :pk AND SK BETWEEN :low AND :high",
        ExpressionAttributeValues={
            ":pk": {"S": f"NS#{namespace_id}"},
            ":low": {"S": COUNTER_PREFIX},
            ":high": {"S": PACKAGES_SK},
        },
        ConsistentRead=True,
    )
    found = NamespaceHead(None, None, {})
    for raw in reply.get("Items", []):
        sort_key = raw["SK"]["S"]
        if sort_key == SK:
            found.namespace = NamespaceItem.from_raw_data(raw)
        elif sort_key == PACKAGES_SK:
            found.packages = PackagesItem.from_raw_data(raw)
        elif sort_key.startswith(COUNTER_PREFIX):
            found.counters[sort_key.removeprefix(COUNTER_PREFIX)] = CounterItem.from_raw_data(raw)
    return found
