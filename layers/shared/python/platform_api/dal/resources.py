"""Resources in the single table, and every DynamoDB call about them.

    item          PK = NS#<ns_id>      SK = RES#<res_id>      (res ids are ULIDs: key order = creation order)

Access paths (docs/data-model.md has the full table, docs/query-language.md the cost of each query):

    order / filter         where                    partition key              sort key
    created_at (default)   table                    NS#<ns>                    RES#<res>
    status                 GSI1 on the item         RESIDX#<ns>#status         <status>\x01<res>
    updated_at             GSI2 on the item         RESIDX#<ns>#updated        <updated_at>\x01<res>
    name                   GSI3 on the item         RESIDX#<ns>#name           <casefolded name[:200]>\x01<res>
    type                   entry item in the table  RESIDX#<ns>#type           <type>\x01<res>
    owner                  entry item in the table  RESIDX#<ns>#owner          <owner>\x01<res>
    tags                   entry item per tag       RESIDX#<ns>#tag            <tag>\x01<res>
    search                 entry item per term      RESWORD#<ns>#<term>        RES#<res>

Search terms (the 2- to 8-character prefixes of the folded words of name, description and tags, see
`query.search_words`) are many per resource, more than a transaction holds, so the search index is kept by
its own consumer of the table stream (functions/search_indexer), from each write's old and new image: it
trails the write by the stream's delay (about a second), and a page re-checks every item it returns.

Every index key ends with the resource id, a ULID: within one value the order is creation order, so a
single filter with the default order, and a created_* range inside it, are key conditions too. `\x01`
sorts below every character a value may hold (control characters are refused), so `a` < `a b` < `ab`
in the key exactly as in the API's order. The item's own GSI attributes cost no extra write; an entry item
is one more Put/Delete in the resource's transaction, written only when its value changes.
"""

from __future__ import annotations

import json
import time
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from platform_api.db import TableItem, client, table_name

SK_PREFIX = "RES#"
SK_HIGH = "RES#~"  # above every ULID (Crockford base32 is 0-9A-Z)
SEP = "\x01"
UNBOUNDED = "\U0010ffff"  # above every key: the high bound of a run with no upper limit
NAME_KEY_LENGTH = 200  # characters of the casefolded name in the key; longer names tie, then go by id
ITEM_INDEXES = {
    "status": ("GSI1", "GSI1PK", "GSI1SK"),
    "updated_at": ("GSI2", "GSI2PK", "GSI2SK"),
    "name": ("GSI3", "GSI3PK", "GSI3SK"),
}
ENTRY_INDEXES = ("type", "owner", "tags")
SEARCH_PREFIXES = range(2, 9)  # the lengths of word prefixes the search index keys


def pk(namespace_id: str) -> str:
    return f"NS#{namespace_id}"


def sk(resource_id: str) -> str:
    return f"{SK_PREFIX}{resource_id}"


class ResourceItem(TableItem):
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
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
    item.size = item_size(item)  # what the tenant stored, before the index attributes
    for field, (_, pk_attr, sk_attr) in ITEM_INDEXES.items():
        setattr(item, pk_attr, index_partition(namespace_id, field))
        setattr(item, sk_attr, index_key(field, index_value(item, field), resource_id))
    return item


class IndexEntry(TableItem):
    """A resource's place in one entry index (type, owner, tag): written and deleted with the resource."""

    resource_id = UnicodeAttribute()


def index_partition(namespace_id: str, field: str) -> str:
    return f"RESIDX#{namespace_id}#{'tag' if field == 'tags' else field.removesuffix('_at')}"


def key_value(field: str, value: str) -> str:
    """The part of an index key that orders by `field` (names compare case-insensitively)."""
    return value.casefold()[:NAME_KEY_LENGTH] if field == "name" else value


def index_key(field: str, value: str, resource_id: str) -> str:
    return f"{key_value(field, value)}{SEP}{resource_id}"


def index_value(item: ResourceItem, field: str) -> str:
    """The item's value of an indexed field, as its index keys it (before `key_value`)."""
    values: dict[str, str] = {
        "status": item.status,
        "type": item.resource_type,
        "owner": item.owner_id,
        "updated_at": item.updated_at,
        "name": item.name,
    }
    return values[field]


def index_attributes() -> list[str]:
    """The GSI key attributes a resource item carries (ITEM_INDEXES), e.g. for a backfill to set."""
    return [attribute for _, pk_attr, sk_attr in ITEM_INDEXES.values() for attribute in (pk_attr, sk_attr)]


def entries_of(item: ResourceItem) -> set[tuple[str, str]]:
    """(PK, SK) of every entry item the resource has: its type, its owner and each of its tags."""
    rid, ns = str(item.resource_id), str(item.namespace_id)
    keys = {
        (index_partition(ns, field), index_key(field, index_value(item, field), rid)) for field in ("type", "owner")
    }
    keys.update((index_partition(ns, "tags"), index_key("tags", str(tag), rid)) for tag in item.tags or [])
    return keys


class TallyItem(TableItem):
    """How many of a namespace's resources have one status or one type (PK=NS#<ns>, SK=TALLY#<field>#<value>):
    moved in every write's transaction, so `status=x` and `type=y` lists report an exact total."""

    n = NumberAttribute(default=0)


def tally_key(namespace_id: str, field: str, value: str) -> tuple[str, str]:
    return pk(namespace_id), f"TALLY#{field}#{value}"


def tally(namespace_id: str, field: str, value: str) -> int:
    try:
        return int(TallyItem.get(*tally_key(namespace_id, field, value), consistent_read=True).n)
    except TallyItem.DoesNotExist:
        return 0


def entry(pk_value: str, sk_value: str) -> IndexEntry:
    return IndexEntry(pk_value, sk_value, resource_id=sk_value.rsplit(SEP, 1)[1])


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


def id_at(epoch_ms: int, *, last: bool) -> str:
    """The first (or last) resource id a ULID clock can give at `epoch_ms`: created_* ranges as key bounds."""
    from ulid import ULID

    randomness = b"\xff" * 10 if last else b"\x00" * 10
    return f"res_{ULID(max(0, epoch_ms).to_bytes(6, 'big') + randomness)}"


def search_terms(item: ResourceItem | None) -> set[str]:
    """The search index's terms for a resource: every 2- to 8-character prefix of each word it is searched by."""
    from platform_api.query import search_words

    if item is None:
        return set()
    words: set[str] = set()
    for text in (item.name, item.description, *(item.tags or [])):
        if text:
            words.update(search_words(str(text)))
    return {word[:length] for word in words for length in SEARCH_PREFIXES if len(word) >= length}


def search_partition(namespace_id: str, term: str) -> str:
    return f"RESWORD#{namespace_id}#{term[: SEARCH_PREFIXES[-1]]}"


def reindex_search(old_image: dict[str, Any] | None, new_image: dict[str, Any] | None) -> int:
    """Move a resource's search entries from its old image's terms to its new image's (stream images, DynamoDB
    JSON): Puts and Deletes only, so a replayed record changes nothing. Returns the entries written."""
    old = ResourceItem.from_raw_data(old_image) if old_image else None
    new = ResourceItem.from_raw_data(new_image) if new_image else None
    some = new or old
    if some is None:
        return 0
    namespace_id, key = str(some.namespace_id), sk(str(some.resource_id))
    before, after = search_terms(old), search_terms(new)
    requests = [
        {"DeleteRequest": {"Key": {"PK": {"S": search_partition(namespace_id, t)}, "SK": {"S": key}}}}
        for t in sorted(before - after)
    ] + [
        {"PutRequest": {"Item": {"PK": {"S": search_partition(namespace_id, t)}, "SK": {"S": key}}}}
        for t in sorted(after - before)
    ]
    for start in range(0, len(requests), 25):
        pending: dict[str, Any] = {table_name(): requests[start : start + 25]}
        for attempt in range(8):
            pending = client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(1.0, 0.05 * 2**attempt))
        if pending:
            raise RuntimeError("search entries stayed unprocessed; the stream source retries the record")
    return len(requests)


def scan_index(
    namespace_id: str,
    field: str,
    *,
    term: str | None = None,
    low: str,
    high: str,
    descending: bool,
    limit: int,
) -> tuple[list[tuple[str, str, dict[str, Any] | None]], bool]:
    """One Query of one index between two sort keys (inclusive): [(resource id, sort key, raw item or None)]
    in order, and whether the index holds more past the last one. The table is read strongly consistent; a
    GSI is eventually consistent and an entry holds no attributes, so callers re-read those items."""
    if field == "created_at":
        index_name, pk_attr, sk_attr, partition = None, "PK", "SK", pk(namespace_id)
    elif field == "search":
        index_name, pk_attr, sk_attr, partition = None, "PK", "SK", search_partition(namespace_id, term or "")
    elif field in ITEM_INDEXES:
        index_name, pk_attr, sk_attr = ITEM_INDEXES[field]
        partition = index_partition(namespace_id, field)
    else:
        index_name, pk_attr, sk_attr, partition = None, "PK", "SK", index_partition(namespace_id, field)
    if low > high:
        return [], False
    values = {":pk": {"S": partition}}
    if low and high != UNBOUNDED:
        condition = " AND #sk BETWEEN :low AND :high"
    elif low:
        condition = " AND #sk >= :low"
    elif high != UNBOUNDED:
        condition = " AND #sk <= :high"
    else:
        condition = ""
    values.update({k: {"S": v} for k, v in ((":low", low), (":high", high)) if k in condition})
    kwargs: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": "#pk = :pk" + condition,
        "ExpressionAttributeNames": {"#pk": pk_attr, **({"#sk": sk_attr} if condition else {})},
        "ExpressionAttributeValues": values,
        "ScanIndexForward": not descending,
        "Limit": limit,
    }
    if index_name:
        kwargs["IndexName"] = index_name
    else:
        kwargs["ConsistentRead"] = True
    reply = client().query(**kwargs)
    rows: list[tuple[str, str, dict[str, Any] | None]] = []
    for raw in reply.get("Items", []):
        key = raw[sk_attr]["S"]
        by_id = field in ("created_at", "search")
        resource_id = key.removeprefix(SK_PREFIX) if by_id else key.rsplit(SEP, 1)[-1]
        rows.append((resource_id, key, raw if index_name is None and field == "created_at" else None))
    return rows, "LastEvaluatedKey" in reply


def just_below(key: str) -> str:
    """The greatest string below `key` that any index key could be (an inclusive upper bound excluding it)."""
    return key[:-1] + chr(ord(key[-1]) - 1) + "\U0010ffff" if key else ""


def from_raw(raw: dict[str, Any]) -> ResourceItem:
    return ResourceItem.from_raw_data(raw)


def get_many(namespace_id: str, resource_ids: list[str]) -> dict[str, ResourceItem]:
    """One consistent BatchGetItem (per 100 ids) of the namespace's items; ids of other tenants are absent."""
    ids = list(dict.fromkeys(resource_ids))
    if not ids:
        return {}
    return {
        item.resource_id: item
        for item in ResourceItem.batch_get([(pk(namespace_id), sk(i)) for i in ids], consistent_read=True)
    }
