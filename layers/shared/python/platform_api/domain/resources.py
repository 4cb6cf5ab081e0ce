"""Generic resources: create, read, update, delete, list (query language) and all-or-nothing batches.

Every mutation is ONE DynamoDB transaction holding the resource item (conditional), its outbox event
(`resource.created|updated|deleted`) and the namespace's entitlement counters (`resources` count and
`storage` bytes) through platform_api.domain.entitlements, so limits hold under concurrency and an event
exists exactly when its change does. No HTTP here: the route module shapes the response.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from ulid import ULID

from platform_api import errors, events
from platform_api.dal import resources as dal
from platform_api.dal.users import get_users
from platform_api.domain import entitlements
from platform_api.domain.tenancy import Actor
from platform_api.ids import has_prefix, new_id
from platform_api.models.resources import STATUSES, ResourceCreate, ResourceUpdate
from platform_api.query import ListQuery, ListSpec, Page, apply_in_memory, encode_cursor
from platform_api.timeutil import isoformat, now_iso
from platform_api.unit_of_work import UnitOfWork

OBJECT_TYPE = "resource"
FIELDS = ("id", "name", "description", "type", "status", "metadata", "tags", "owner", "created_at", "updated_at")
SUMMARY_FIELDS = ("id", "name", "type", "status", "created_at", "updated_at")
INCLUDES = ("owner", "tags", "metadata")
OWNER_FIELDS = ("id", "username", "name")
MAX_WRITE_ATTEMPTS = 3  # optimistic-concurrency retries of update/delete before answering 409
# DynamoDB caps a transaction at 100 items: each operation writes its item and its outbox event (2 items),
# and the whole batch adds at most 2 entitlement counter updates (net `resources` count, net `storage` bytes).
MAX_BATCH_OPERATIONS = 49

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


def _key_order(query: ListQuery) -> bool | None:
    """The direction when the query is the partition's key order (no filter/search), else None."""
    if query.filters or query.ranges or query.search:
        return None
    sort = query.sort
    if len(sort) == 2 and sort[0][0] == "created_at" and sort[1] == ("id", sort[0][1]):
        return sort[0][1]
    if len(sort) == 1 and sort[0][0] == "id":
        return sort[0][1]
    return None


def list_resources(actor: Actor, query: ListQuery) -> Page:
    """Key order -> keyset Query of one page; anything else -> whole partition, filtered in memory."""
    descending = _key_order(query)
    if descending is not None:
        total = resource_total(actor.namespace_id)
        if query.after is not None:
            after_id = query.after.get("id")
            if not isinstance(after_id, str) or not has_prefix(after_id, "res"):
                raise errors.InvalidRequest("The cursor is invalid.", details={"cursor": ["The cursor is invalid."]})
            rows = dal.query_key_order(
                actor.namespace_id, descending=descending, limit=query.per_page + 1, after_id=after_id
            )
        elif query.offset >= total:
            rows = []
        else:
            rows = dal.query_key_order(
                actor.namespace_id, descending=descending, limit=query.offset + query.per_page + 1
            )
            rows = rows[query.offset :]
        window = [row.to_dict() for row in rows[: query.per_page]]
        has_more = len(rows) > query.per_page
        page = Page(items=window, total=total, next_cursor=encode_cursor(query, window[-1]) if has_more else None)
    else:
        page = apply_in_memory((row.to_dict() for row in dal.query_all(actor.namespace_id)), query)
    includes = [name for name in INCLUDES if name in query.includes]
    owners = owners_of(item["owner"] for item in page.items) if "owner" in query.includes else {}
    page.items = [shape(item, summary=query.fields is None, includes=includes, owners=owners) for item in page.items]
    return page


# ---------------------------------------------------------------------------------------------- writes


class _Conflict(Exception):
    """A resource item's own condition failed (it changed or vanished since it was read): read again."""


def _adjust(uow: UnitOfWork, namespace_id: str, feature: str, delta: int) -> None:
    if delta > 0:
        entitlements.consume(uow, namespace_id, feature, delta)
    elif delta < 0:
        entitlements.release(uow, namespace_id, feature, -delta)


def _created_at(resource_id: str) -> str:
    # created_at comes from the id's own ULID clock, so (created_at, id) order IS key order, across containers.
    return isoformat(ULID.from_str(resource_id.split("_", 1)[1]).datetime)


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
        for action, target, obj in plan:
            if action == "create":
                uow.put(target, condition=dal.ResourceItem.PK.does_not_exist(), on_conflict=_Conflict())
                uow.emit(_event("created", obj, actor))
            elif action == "update" and target is not None:
                new, old = target
                uow.put(new, condition=dal.ResourceItem.version == int(old.version), on_conflict=_Conflict())
                uow.emit(_event("updated", obj, actor))
            elif action == "delete":
                uow.delete(target, condition=dal.ResourceItem.version == int(target.version), on_conflict=_Conflict())
                uow.emit(_event("deleted", obj, actor))
        _adjust(uow, actor.namespace_id, "resources", count_delta)
        _adjust(uow, actor.namespace_id, "storage", storage_delta)
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
