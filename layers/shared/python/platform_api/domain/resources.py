"""Generic resources: create, read, update, delete, list (query language) and all-or-nothing batches.

Every mutation is ONE DynamoDB transaction holding the resource item (conditional), its outbox event
(`resource.created|updated|deleted`) and the namespace's entitlement counters (`resources` count and
`storage` bytes) through platform_api.domain.entitlements, so limits hold under concurrency and an event
exists exactly when its change does. No HTTP here: the route module shapes the response.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from platform_api import errors, events
from platform_api.dal import resources as dal
from platform_api.dal.users import get_users
from platform_api.domain import entitlements
from platform_api.domain.tenancy import Actor
from platform_api.ids import has_prefix, new_id, ulid_milliseconds
from platform_api.models.resources import MAX_BATCH_OPERATIONS, STATUSES, ResourceCreate, ResourceUpdate
from platform_api.query import ListQuery, ListSpec, Page, comparator, encode_position, matches, search_words
from platform_api.timeutil import isoformat, now_iso
from platform_api.unit_of_work import MAX_ITEMS, UnitOfWork

OBJECT_TYPE = "resource"
FIELDS = ("id", "name", "description", "type", "status", "metadata", "tags", "owner", "created_at", "updated_at")
SUMMARY_FIELDS = ("id", "name", "type", "status", "created_at", "updated_at")
INCLUDES = ("owner", "tags", "metadata")
OWNER_FIELDS = ("id", "username", "name")
MAX_WRITE_ATTEMPTS = 3  # optimistic-concurrency retries of update/delete before answering 409
# DynamoDB caps a transaction at 100 items. A batch is one transaction: each operation writes its item, its
# outbox event and its changed index entries, and the batch adds at most 2 counter updates; one item is kept
# for the Idempotency-Key record committed with it, so a batch over 99 items is refused whole (run_batch says
# how many it needs), with or without a key.
MAX_BATCH_ITEMS = MAX_ITEMS - 1
# MAX_BATCH_OPERATIONS (models.resources, so the OpenAPI document states it): 23 plain creates are 23 x 4 + 4 = 96
# items, room left for a few tags.

LIST_SPEC = ListSpec(
    name="resources",
    filters={"status": STATUSES, "type": str, "tags": str, "owner": str},
    sorts=("created_at", "updated_at", "name", "type", "status"),
    default_sort="-created_at",
    fields=FIELDS,
    includes=INCLUDES,
    search=("name", "description", "tags"),
)


# ---------------------------------------------------------------------------------------------- shaping
def shape(full: Mapping[str, Any], *, summary: bool, includes: Iterable[str], owners: Mapping[str, Any]) -> dict:
    """A list item (summary fields) or the full object, plus what `include` asked for."""
    out = {k: full[k] for k in SUMMARY_FIELDS} if summary else dict(full)
    for name in includes:
        if name == "owner":
            out["owner"] = owners.get(full["owner"]) or {"id": full["owner"]}
        else:
            out[name] = full[name]
    return out


def owners_of(owner_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """User summaries for `include=owner` (never the email): one BatchGetItem, no read when empty."""
    ids = sorted({i for i in owner_ids if i})
    if not ids:
        return {}
    return {user_id: {name: user[name] for name in OWNER_FIELDS} for user_id, user in get_users(ids).items()}


# ---------------------------------------------------------------------------------------------- reads
def get_resource(actor: Actor, resource_id: str) -> dict[str, Any]:
    item = dal.get(actor.namespace_id, resource_id) if has_prefix(resource_id, "res") else None
    if item is None:
        raise errors.NotFound("Resource not found.")
    return item.to_dict()


def resource_total(namespace_id: str) -> int:
    """The exact unfiltered total: the namespace's `resources` entitlement counter (one GetItem)."""
    return entitlements.usage(namespace_id, "resources")


FILTER_INDEXES = ("status", "type", "owner", "tags")  # each one is an index whose order within a value is creation
SORT_INDEXES = {
    "created_at": "created_at",
    "id": "created_at",
    "updated_at": "updated_at",
    "name": "name",
    "status": "status",
    "type": "type",
}
SCAN_CAP = 1000  # items one request reads at most (index entries and the items they point to) when it checks them


@dataclass
class _Plan:
    """How one list query reads: which index, between which keys, and what is checked on each item."""

    index: str
    descending: bool
    low: str
    high: str
    value: str | None  # the one filter value the index is narrowed to (its run of the index), if any
    bounded: bool  # the key condition alone selects the query's items: nothing read is dropped by a check
    exact_order: bool  # the index order is the query's whole order (else ties of the first field are re-sorted)


def _one_value(query: ListQuery, name: str) -> str | None:
    values = query.filters.get(name)
    return str(values[0]) if values is not None and len(values) == 1 else None


def _created_bounds(query: ListQuery) -> tuple[str, str]:
    """created_* ranges as id bounds (ids are ULIDs of their creation time; created_at is that time's second)."""
    low, high = "", dal.UNBOUNDED
    for field, op, moment in query.ranges:
        if field != "created_at":
            continue
        second = int(moment.timestamp() // 1)
        if op == ">":  # created_at > moment  <=>  its second >= floor(moment) + 1
            low = max(low, dal.id_at((second + 1) * 1000, last=False))
        else:  # created_at < moment  <=>  its second <= ceil(moment) - 1
            ceiling = second if moment.timestamp() == second else second + 1
            high = min(high, dal.id_at(ceiling * 1000 - 1, last=True))
    return low, high


def _updated_bounds(query: ListQuery) -> tuple[str, str]:
    """updated_* ranges as bounds on `<updated_at>\\x01<id>` keys (updated_at has whole seconds)."""
    low, high = "", dal.UNBOUNDED
    for field, op, moment in query.ranges:
        if field != "updated_at":
            continue
        second = int(moment.timestamp() // 1)
        floor_text = isoformat(datetime.fromtimestamp(second, UTC))
        if op == ">":
            low = max(low, floor_text + "\x02")
        else:
            high = min(high, floor_text if moment.timestamp() == second else floor_text + "\x02")
    return low, high


def _plan(query: ListQuery) -> _Plan:
    """The index whose order is the query's first sort field, narrowed by what a key condition can express."""
    first, descending = query.sort[0]
    index = SORT_INDEXES[first]
    exact_order = len(query.sort) == 1 or (len(query.sort) == 2 and query.sort[1] == ("id", descending))
    expressed: set[str] = set()
    prefix, value = "", None
    low, high = "", dal.UNBOUNDED
    terms = search_words(query.search) if query.search else []
    longest = max(terms, key=len) if terms else ""
    if index == "created_at" and len(longest) >= min(dal.SEARCH_PREFIXES):
        # the search index's run for the longest word, in creation order; other words and filters are checked
        index, value, prefix = "search", longest[: max(dal.SEARCH_PREFIXES)], dal.SK_PREFIX
        low, high = _created_bounds(query)
        expressed.add("created_at")
        if len(terms) == 1 and len(longest) <= max(dal.SEARCH_PREFIXES):
            expressed.add("search")
    elif index == "created_at":
        narrowing = next(((name, v) for name in FILTER_INDEXES if (v := _one_value(query, name)) is not None), None)
        if narrowing is not None:  # one filter value, in creation order: that value's run of its index
            index, value = narrowing
            prefix = value + dal.SEP
            expressed.add(index)
        else:
            prefix = dal.SK_PREFIX
        low, high = _created_bounds(query)
        expressed.add("created_at")
    elif index in ("status", "type") and _one_value(query, index) is not None:
        value = _one_value(query, index)
        prefix = f"{value}{dal.SEP}"
        expressed.add(index)
    elif index == "updated_at":
        low, high = _updated_bounds(query)
        expressed.add("updated_at")
    unexpressed = [name for name in query.filters if name not in expressed]
    unexpressed += [field for field, _, _ in query.ranges if field not in expressed]
    bounded = not unexpressed and (not query.search or "search" in expressed)
    return _Plan(index, descending, prefix + low, prefix + high, value, bounded, exact_order)


def _key_now(plan: _Plan, item: dal.ResourceItem) -> str | None:
    """The key `item` has in the plan's index now; None when it has left the index's run (a GSI or an
    entry read a moment ago may lag the item, which is read strongly consistent)."""
    if plan.index in ("created_at", "search"):
        return dal.sk(item.resource_id)
    if plan.index == "tags":
        return dal.index_key("tags", plan.value or "", item.resource_id) if plan.value in (item.tags or []) else None
    return dal.index_key(plan.index, dal.index_value(item, plan.index), item.resource_id)


def _group_bounds(plan: _Plan, key: str) -> tuple[str, str]:
    """The keys (inclusive) of every entry tied with `key` on the first sort field: a multi-field sort re-sorts
    each such tie group. created_at has whole seconds, so its group is the ids of one second of the ULID clock."""
    if plan.index in ("created_at", "search"):
        second = ulid_milliseconds(key[len(dal.SK_PREFIX) + len("res_") :]) // 1000
        first, last = dal.id_at(second * 1000, last=False), dal.id_at(second * 1000 + 999, last=True)
        return dal.SK_PREFIX + first, dal.SK_PREFIX + last
    group = key.rsplit(dal.SEP, 1)[0] + dal.SEP
    return group, group + dal.UNBOUNDED


def _group_of(plan: _Plan, key: str) -> str:
    return _group_bounds(plan, key)[0]


def _resume(plan: _Plan, query: ListQuery) -> tuple[str, str, dict[str, Any] | None]:
    """The key bounds after the cursor's position, and the sort values to skip up to inside a tie group."""
    low, high = plan.low, plan.high
    after = query.after
    if after is None:
        return low, high, None
    key, group, shown = after.get("k"), after.get("g"), after.get("p")
    if shown is not None and not isinstance(shown, dict):
        raise _bad_cursor()
    if isinstance(group, str) and group:  # start again at the tie group of the last item shown
        first, last = _group_bounds(plan, group)
        return (max(low, first), high, shown) if not plan.descending else (low, min(high, last), shown)
    if not isinstance(key, str) or not key:
        raise _bad_cursor()
    if plan.descending:
        return low, min(high, dal.just_below(key)), shown
    return max(low, key + dal.SEP), high, shown


def _bad_cursor() -> errors.InvalidRequest:
    return errors.InvalidRequest("The cursor is invalid.", details={"cursor": ["The cursor is invalid."]})


def list_resources(actor: Actor, query: ListQuery) -> Page:
    """One index in the order asked for, read a page at a time (docs/query-language.md has the cost of each).

    A query the index's key condition expresses whole reads `per_page + 1` entries and their items. Anything
    else (another filter, a range on another field, search) is checked on the items read and stops at a full
    page or SCAN_CAP entries, whichever is first; the page then carries a cursor to go on from there.
    """
    plan = _plan(query)
    compare = comparator(query.sort)
    low, high, shown = _resume(plan, query)
    start = query.offset if query.after is None else 0
    wanted = start + query.per_page + 1
    cap = SCAN_CAP * (query.page if query.after is None else 1)
    found: list[tuple[str, dict[str, Any]]] = []  # (index key, API object) of each match, in index order
    scanned, last_key, more = 0, "", True  # scanned: items read, index entries and the items they point to
    per_entry = 1 if plan.index == "created_at" else 2  # the table's rows are the items; other entries need a read
    chunk = wanted  # a query whose matches need checking reads twice as much each round trip, up to the cap
    while more and scanned + per_entry <= cap:
        if plan.bounded:
            limit = min((cap - scanned) // per_entry, wanted - len(found))
        else:
            chunk = min(chunk * 2, cap)
            limit = min((cap - scanned) // per_entry, chunk)
        rows, more = dal.scan_index(
            actor.namespace_id,
            plan.index,
            term=plan.value,
            low=low,
            high=high,
            descending=plan.descending,
            limit=max(1, limit),
        )
        scanned += len(rows) * per_entry
        items = {rid: dal.from_raw(raw) for rid, _, raw in rows if raw is not None}
        items.update(dal.get_many(actor.namespace_id, [rid for rid, _, raw in rows if raw is None]))
        for rid, key, _ in rows:
            item = items.get(rid)
            if item is None or _key_now(plan, item) != key:
                continue  # deleted, or moved in the index since it was read
            values = item.to_dict()
            if matches(values, query) and (shown is None or compare(values, shown) > 0):
                found.append((key, values))
        if not rows:
            break
        last_key = rows[-1][1]
        if plan.descending:
            high = dal.just_below(last_key)
        else:
            low = last_key + dal.SEP
        if len(found) >= wanted and (plan.exact_order or _group_of(plan, found[-1][0]) != _group_of(plan, last_key)):
            break
    if not plan.exact_order:
        order_of = functools.cmp_to_key(compare)
        found.sort(key=lambda match: order_of(match[1]))
    window = found[start : start + query.per_page]
    next_cursor = None
    if len(found) > start + query.per_page:
        last_key_shown, last_item = window[-1]
        position: dict[str, Any] = {"k": last_key_shown}
        if not plan.exact_order:
            position = {"g": _group_of(plan, last_key_shown), "p": _position(query, last_item)}
        next_cursor = encode_position(query, position)
    elif more and scanned + per_entry > cap:  # stopped at the cap: go on after the last entry read
        position = {"k": last_key}
        if not plan.exact_order and window:
            position["p"] = _position(query, window[-1][1])
        elif shown is not None:
            position["p"] = shown
        next_cursor = encode_position(query, position)
    total = _total(actor.namespace_id, query)
    objects = [values for _, values in window]
    includes = [name for name in INCLUDES if name in query.includes]
    owners = owners_of(obj["owner"] for obj in objects) if "owner" in query.includes else {}
    shaped = [shape(obj, summary=query.fields is None, includes=includes, owners=owners) for obj in objects]
    return Page(items=shaped, total=total, next_cursor=next_cursor)


def _total(namespace_id: str, query: ListQuery) -> int | None:
    """Exact where a counter kept in every write's transaction has it (no filter; one status; one type);
    otherwise None: counting would read every match, which no request does."""
    if query.ranges or query.search:
        return None
    if not query.filters:
        return resource_total(namespace_id)
    if len(query.filters) == 1:
        ((field, values),) = query.filters.items()
        if field in TALLIED and len(values) == 1:
            return dal.tally(namespace_id, field, str(values[0]))
    return None


def _position(query: ListQuery, values: dict[str, Any]) -> dict[str, Any]:
    return {name: values.get(name) for name, _ in query.sort}


# ---------------------------------------------------------------------------------------------- writes


class _Conflict(Exception):
    """A resource item's own condition failed (it changed or vanished since it was read): read again."""


TALLIED = ("status", "type")  # an exact total for one value of these comes from a tally item


def _reindex(
    uow: UnitOfWork, before: dal.ResourceItem | None, after: dal.ResourceItem | None, tallies: Counter[tuple[str, str]]
) -> None:
    """The entry items (type, owner, tags) that change with this write, in its transaction: a filtered list
    never sees a resource its entries do not describe. The GSI keys travel on the item itself. The status and
    type tallies move in `tallies`, written once per transaction by `_write_tallies`."""
    old = dal.entries_of(before) if before is not None else set()
    new = dal.entries_of(after) if after is not None else set()
    for key in sorted(old - new):
        uow.delete(dal.entry(*key))
    for key in sorted(new - old):
        uow.put(dal.entry(*key))
    for item, sign in ((before, -1), (after, 1)):
        if item is not None:
            tallies[("status", str(item.status))] += sign
            tallies[("type", str(item.resource_type))] += sign


def _write_tallies(uow: UnitOfWork, namespace_id: str, tallies: Counter[tuple[str, str]]) -> None:
    for (field, value), delta in sorted(tallies.items()):
        if delta:
            uow.update(dal.TallyItem(*dal.tally_key(namespace_id, field, value)), [dal.TallyItem.n.add(delta)])


def _adjust(uow: UnitOfWork, namespace_id: str, feature: str, delta: int) -> None:
    if delta > 0:
        entitlements.consume(uow, namespace_id, feature, delta)
    elif delta < 0:
        entitlements.release(uow, namespace_id, feature, -delta)


def _created_at(resource_id: str) -> str:
    # created_at comes from the id's own ULID clock, so (created_at, id) order IS key order, across containers.
    return isoformat(datetime.fromtimestamp(ulid_milliseconds(resource_id.split("_", 1)[1]) / 1000, UTC))


def _event(action: str, obj: dict[str, Any], actor: Actor) -> events.EventRecord:
    return events.new_event(
        OBJECT_TYPE, action, obj["id"], obj, namespace_id=actor.namespace_id, workspace_id=actor.workspace_id
    )


def _new_item(actor: Actor, data: ResourceCreate) -> dal.ResourceItem:
    resource_id = new_id("res")
    created_at = _created_at(resource_id)
    return dal.build_item(
        resource_id=resource_id,
        namespace_id=actor.namespace_id,
        workspace_id=actor.workspace_id,
        owner_id=actor.user_id,
        fields=data.model_dump(),
        created_at=created_at,
        updated_at=created_at,
        version=1,
    )


def _updated_item(current: dal.ResourceItem, changes: dict[str, Any]) -> dal.ResourceItem:
    fields = {**current.to_dict(), **changes}
    return dal.build_item(
        resource_id=current.resource_id,
        namespace_id=current.namespace_id,
        workspace_id=current.workspace_id,
        owner_id=current.owner_id,
        fields=fields,
        created_at=current.created_at,
        updated_at=max(now_iso(), current.updated_at),
        version=int(current.version) + 1,
    )


def create_resource(actor: Actor, data: ResourceCreate) -> dict[str, Any]:
    """One transaction: item (must not exist), outbox event, `resources` +1 and `storage` +size."""
    item = _new_item(actor, data)
    obj = item.to_dict()

    with UnitOfWork() as uow:
        collision = errors.Conflict("Could not create the resource; retry.")  # of ULIDs: practically impossible
        uow.put(item, condition=dal.ResourceItem.PK.does_not_exist(), on_conflict=collision)
        tallies: Counter[tuple[str, str]] = Counter()
        _reindex(uow, None, item, tallies)
        _write_tallies(uow, actor.namespace_id, tallies)
        uow.emit(_event("created", obj, actor))
        _adjust(uow, actor.namespace_id, "resources", 1)
        _adjust(uow, actor.namespace_id, "storage", int(item.size))
    return obj


def update_resource(actor: Actor, resource_id: str, data: ResourceUpdate) -> dict[str, Any]:
    """Read, then one conditional transaction (version check); retried when a concurrent write won."""
    changes = data.changes()
    for _ in range(MAX_WRITE_ATTEMPTS):
        current = dal.get(actor.namespace_id, resource_id) if has_prefix(resource_id, "res") else None
        if current is None:
            raise errors.NotFound("Resource not found.")
        if not changes:
            return current.to_dict()
        item = _updated_item(current, changes)
        obj = item.to_dict()
        delta = int(item.size) - int(current.size or 0)

        try:
            with UnitOfWork() as uow:
                uow.put(item, condition=dal.ResourceItem.version == int(current.version), on_conflict=_Conflict())
                tallies: Counter[tuple[str, str]] = Counter()
                _reindex(uow, current, item, tallies)
                _write_tallies(uow, actor.namespace_id, tallies)
                uow.emit(_event("updated", obj, actor))
                _adjust(uow, actor.namespace_id, "storage", delta)
            return obj
        except _Conflict:
            continue
    raise errors.Conflict("The resource was modified concurrently; retry.")


def delete_resource(actor: Actor, resource_id: str) -> None:
    """Read (for the event and the bytes to release), then one conditional transaction."""
    for _ in range(MAX_WRITE_ATTEMPTS):
        current = dal.get(actor.namespace_id, resource_id) if has_prefix(resource_id, "res") else None
        if current is None:
            raise errors.NotFound("Resource not found.")
        obj = current.to_dict()

        try:
            with UnitOfWork() as uow:
                uow.delete(current, condition=dal.ResourceItem.version == int(current.version), on_conflict=_Conflict())
                tallies = Counter[tuple[str, str]]()
                _reindex(uow, current, None, tallies)
                _write_tallies(uow, actor.namespace_id, tallies)
                uow.emit(_event("deleted", obj, actor))
                _adjust(uow, actor.namespace_id, "resources", -1)
                _adjust(uow, actor.namespace_id, "storage", -int(current.size or 0))
            return
        except _Conflict:
            continue
    raise errors.Conflict("The resource was modified concurrently; retry.")


# ---------------------------------------------------------------------------------------------- batch
def _details_of(exc: ValidationError, prefix: str) -> dict[str, list[str]]:
    return {
        f"{prefix}.{name}" if name != "body" else prefix: msgs
        for name, msgs in errors.validation_details(exc.errors()).items()
    }


def _validate_operations(operations: list[Any]) -> list[tuple[str, str | None, Any]]:
    """Each operation validated exactly as its single-route twin; every problem reported at once."""
    if len(operations) > MAX_BATCH_OPERATIONS:
        message = f"A batch holds at most {MAX_BATCH_OPERATIONS} operations (got {len(operations)})."
        raise errors.InvalidRequest(message, details={"operations": [message]})
    details: dict[str, list[str]] = {}
    parsed: list[tuple[str, str | None, Any]] = []
    seen: dict[str, int] = {}
    for index, op in enumerate(operations):
        prefix = f"operations.{index}"
        data: Any = None
        if op.action == "create":
            if op.id is not None:
                details[f"{prefix}.id"] = ["id must not be given for create."]
            try:
                data = ResourceCreate.model_validate(op.data if op.data is not None else {})
            except ValidationError as exc:
                details.update(_details_of(exc, f"{prefix}.data"))
        else:
            if not op.id:
                details[f"{prefix}.id"] = ["This field is required."]
            elif op.id in seen:
                details[f"{prefix}.id"] = [f"The same resource is already in operation {seen[op.id]}."]
            else:
                seen[op.id] = index
            if op.action == "update":
                if op.data is None:
                    details[f"{prefix}.data"] = ["This field is required."]
                else:
                    try:
                        data = ResourceUpdate.model_validate(op.data)
                    except ValidationError as exc:
                        details.update(_details_of(exc, f"{prefix}.data"))
            elif op.data is not None:
                details[f"{prefix}.data"] = ["data must not be given for delete."]
        parsed.append((op.action, op.id, data))
    if details:
        raise errors.InvalidRequest("One or more operations are invalid; nothing was written.", details=details)
    return parsed


def run_batch(actor: Actor, operations: list[Any]) -> list[dict[str, Any]]:
    """All or nothing: validation, one BatchGetItem for the targets, then ONE transaction for everything."""
    parsed = _validate_operations(operations)
    target_ids = [rid for action, rid, _ in parsed if action != "create" and rid]
    for _ in range(MAX_WRITE_ATTEMPTS):
        current = _load(actor, target_ids)
        missing = {
            f"operations.{i}.id": ["Resource not found."]
            for i, (action, rid, _) in enumerate(parsed)
            if action != "create" and rid not in current
        }
        if missing:
            raise errors.NotFound("One or more resources were not found; nothing was written.", details=missing)
        plan: list[tuple[str, Any, dict[str, Any]]] = []  # (action, item to write, object) per operation
        count_delta = storage_delta = 0
        for action, rid, data in parsed:
            if action == "create":
                item = _new_item(actor, data)
                plan.append((action, item, item.to_dict()))
                count_delta += 1
                storage_delta += int(item.size)
            elif action == "update":
                assert rid is not None  # updates and deletes carry an id (checked when parsed)
                old = current[rid]
                changes = data.changes()
                item = _updated_item(old, changes) if changes else old
                plan.append((action, (item, old) if changes else None, item.to_dict()))
                storage_delta += int(item.size) - int(old.size or 0)
            else:
                assert rid is not None
                old = current[rid]
                plan.append((action, old, old.to_dict()))
                count_delta -= 1
                storage_delta -= int(old.size or 0)

        uow = UnitOfWork()
        batch_tallies: Counter[tuple[str, str]] = Counter()
        for action, target, obj in plan:
            if action == "create":
                uow.put(target, condition=dal.ResourceItem.PK.does_not_exist(), on_conflict=_Conflict())
                _reindex(uow, None, target, batch_tallies)
                uow.emit(_event("created", obj, actor))
            elif action == "update" and target is not None:
                new, old = target
                uow.put(new, condition=dal.ResourceItem.version == int(old.version), on_conflict=_Conflict())
                _reindex(uow, old, new, batch_tallies)
                uow.emit(_event("updated", obj, actor))
            elif action == "delete":
                uow.delete(target, condition=dal.ResourceItem.version == int(target.version), on_conflict=_Conflict())
                _reindex(uow, target, None, batch_tallies)
                uow.emit(_event("deleted", obj, actor))
        _adjust(uow, actor.namespace_id, "resources", count_delta)
        _adjust(uow, actor.namespace_id, "storage", storage_delta)
        _write_tallies(uow, actor.namespace_id, batch_tallies)
        if len(uow) > MAX_BATCH_ITEMS:
            message = (
                f"This batch writes {len(uow)} items; one batch writes at most {MAX_BATCH_ITEMS} in its transaction "
                "(each create or delete writes 4 items and 1 more per tag; an update 2, and 2 more per changed "
                "type, owner or tag). Split it."
            )
            raise errors.InvalidRequest(message, details={"operations": [message]})
        try:
            uow.commit()
        except _Conflict:
            continue
        return [
            {
                "index": index,
                "action": action,
                "id": obj["id"] if obj else None,
                "status": {"create": 201, "update": 200, "delete": 204}[action],
                "data": obj if action != "delete" else None,
            }
            for index, (action, _, obj) in enumerate(plan)
        ]
    raise errors.Conflict("A resource in the batch was modified concurrently; nothing was written. Retry.")


def _load(actor: Actor, resource_ids: list[str]) -> dict[str, dal.ResourceItem]:
    valid = [rid for rid in resource_ids if has_prefix(rid, "res") and len(rid) <= 64]
    if not valid:
        return {}
    keys = [(dal.pk(actor.namespace_id), dal.sk(rid)) for rid in valid]
    return {item.resource_id: item for item in dal.ResourceItem.batch_get(keys, consistent_read=True)}
