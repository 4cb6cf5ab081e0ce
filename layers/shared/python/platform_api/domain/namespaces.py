"""Namespaces: the tenant unit that owns resources, webhooks and entitlements.

Every user has a personal default namespace (owner_type `User`), every workspace a default one (owner_type
`Workspace`). More namespaces consume the `namespaces` entitlement of the owner's default namespace. A
namespace the caller cannot see is a 404. Personal namespaces are managed by their user; a workspace's by
its owners and admins (members read). Packages are assigned and removed by the same managers; a package's
limits are added to (or taken from) the namespace's counters in the same transaction as the grant.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, NoReturn

from platform_api import errors
from platform_api.dal import entitlements as entitlements_dal
from platform_api.dal import namespaces as dal
from platform_api.domain import entitlements, listing
from platform_api.domain.tenancy import membership, require_membership
from platform_api.events import new_event
from platform_api.ids import has_prefix, new_id
from platform_api.packages import DEFAULT_PACKAGE, FEATURES, catalogue
from platform_api.principal import Principal
from platform_api.query import ListQuery
from platform_api.timeutil import now_iso
from platform_api.unit_of_work import UnitOfWork

NOT_FOUND = "Namespace not found."


def to_api(item: dal.NamespaceItem) -> dict[str, Any]:
    return {
        "id": item.namespace_id,
        "uuid": item.uuid,
        "name": item.name,
        "slug": item.slug,
        "description": item.description,
        "owner_type": item.owner_type,
        "owner_id": item.owner_id,
        "workspace_id": item.workspace_id,
        "is_default": item.is_default,
        "is_active": item.is_active,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def new_namespace_items(
    *,
    owner_type: str,
    owner_id: str,
    workspace_id: str | None,
    name: str,
    slug: str,
    is_default: bool,
    description: str | None = None,
    package_ids: tuple[str, ...] | None = None,
    members_used: int = 0,
) -> tuple[str, list[Any]]:
    """A new namespace's items, to save in its creator's transaction: the namespace, its packages and
    entitlement counters, and its outbox event."""
    namespace_id, now = new_id("ns"), now_iso()
    namespace = dal.NamespaceItem(
        *dal.key(namespace_id),
        GSI1PK=dal.owner_partition(owner_type, owner_id),
        GSI1SK=f"{dal.GSI_PREFIX}{namespace_id}",
        namespace_id=namespace_id,
        uuid=str(uuid.uuid4()),
        name=name,
        slug=slug,
        description=description,
        owner_type=owner_type,
        owner_id=owner_id,
        workspace_id=workspace_id,
        is_default=is_default,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    counters = entitlements.new_counters(namespace_id, package_ids or (DEFAULT_PACKAGE,))
    for item in counters:
        if members_used and f"{entitlements_dal.COUNTER_PREFIX}members" == item.SK:
            item.used, item.remaining = members_used, int(item.remaining) - members_used
    event = new_event(
        "namespace", "created", namespace_id, to_api(namespace), namespace_id=namespace_id, workspace_id=workspace_id
    )
    return namespace_id, [namespace, *counters, event]


def personal_namespace_items(user_id: str) -> tuple[str, list[Any]]:
    """A new user's personal default namespace, saved in the registration transaction."""
    return new_namespace_items(
        owner_type="User",
        owner_id=user_id,
        workspace_id=None,
        name="Personal Namespace",
        slug="personal",
        is_default=True,
    )


# ---------------------------------------------------------------------------------------------- access
def _role_in(principal: Principal, item: dal.NamespaceItem) -> str | None:
    if item.owner_type == "User":
        return "owner" if item.owner_id == principal.user_id else None
    member = membership(item.workspace_id, principal.user_id)
    return member.role if member else None


def visible(principal: Principal, namespace_id: str, *, manage: bool = False) -> dal.NamespaceItem:
    """The namespace if the caller may see it (404 otherwise); with `manage`, 403 below admin."""
    item = dal.get_namespace(namespace_id, consistent=True) if has_prefix(namespace_id, "ns") else None
    return _seen_by(principal, item, manage=manage)


def _seen_by(principal: Principal, item: dal.NamespaceItem | None, *, manage: bool = False) -> dal.NamespaceItem:
    role = _role_in(principal, item) if item else None
    if item is None or role is None:
        raise errors.NotFound(NOT_FOUND)
    if manage and role not in ("owner", "admin"):
        raise errors.InsufficientPermissions("Managing this namespace needs the admin or owner role.")
    return item


def _visible_head(principal: Principal, namespace_id: str) -> dal.NamespaceHead:
    """The namespace with its packages and counters (one Query), if the caller may see it."""
    head = dal.head(namespace_id) if has_prefix(namespace_id, "ns") else dal.NamespaceHead(None, None, {})
    _seen_by(principal, head.namespace)
    return head


def _owner_default(principal: Principal, workspace_id: str | None) -> tuple[str, str, str]:
    """(owner_type, owner_id, default namespace) of a new namespace's owner, checking the caller may create."""
    if not workspace_id:
        if not principal.default_namespace_id:
            raise errors.NotFound(NOT_FOUND)
        return "User", principal.user_id, principal.default_namespace_id
    from platform_api.dal import workspaces as workspaces_dal

    require_membership(principal.user_id, workspace_id, "admin")
    workspace = workspaces_dal.get(workspace_id)
    if workspace is None or not workspace.default_namespace_id:
        raise errors.NotFound("Workspace not found.")
    return "Workspace", workspace_id, workspace.default_namespace_id


# ---------------------------------------------------------------------------------------------- reads
def list_visible(principal: Principal, workspace_id: str | None) -> list[dict[str, Any]]:
    """The caller's personal namespaces and those of every workspace they belong to.

    One Query for the personal ones, one for the memberships, one per workspace (docs/data-model.md);
    `workspace_id` narrows it to one workspace (a foreign one is a 404).
    """
    from platform_api.dal import workspaces as workspaces_dal

    if workspace_id:
        require_membership(principal.user_id, workspace_id)
        return [to_api(i) for i in dal.list_owned("Workspace", workspace_id)]
    items = dal.list_owned("User", principal.user_id)
    for joined in workspaces_dal.memberships(principal.user_id):
        items.extend(dal.list_owned("Workspace", joined.workspace_id))
    return [to_api(i) for i in items]


def list_page(principal: Principal, workspace_id: str | None, query: ListQuery) -> listing.Listing:
    """One page of the namespaces the caller can see: theirs and those of their workspaces (`workspace_id`, the
    tenant context, narrows it to one workspace; a foreign one is a 404).

    Each owner's namespaces are one GSI1 partition (`USER#<usr>` or `WS#<wks>` / `NS#<ns>`) in id order, which
    is the creation order; the page merges those partitions from the cursor's id, reading at most
    `per_page + 1` from each. The caller's memberships are read to know the partitions (at most SORT_CAP;
    more is a 400 asking for a workspace context); the `owner_type` and `workspace_id` filters leave partitions
    out instead of filtering them. Other filters and `search` filter in memory; `name`, `slug` and
    `updated_at` sort in memory over at most SORT_CAP namespaces."""
    owners: list[tuple[str, str]] = []
    wanted_types = set(query.filters.get("owner_type") or ("User", "Workspace"))
    wanted_workspaces = {str(w) for w in query.filters.get("workspace_id") or ()}
    if workspace_id:
        require_membership(principal.user_id, workspace_id)
        if "Workspace" in wanted_types and (not wanted_workspaces or workspace_id in wanted_workspaces):
            owners.append(("Workspace", workspace_id))
    else:
        if "User" in wanted_types and not wanted_workspaces:
            owners.append(("User", principal.user_id))
        if "Workspace" in wanted_types:
            if wanted_workspaces:
                joined = [w for w in sorted(wanted_workspaces) if membership(w, principal.user_id) is not None]
            else:
                joined = [m.workspace_id for m in _all_memberships(principal.user_id)]
            owners.extend(("Workspace", w) for w in joined)
    in_key_order = listing.serves(query, *listing.id_orders())
    newest_first = listing.descending(query) if in_key_order else True

    def partition(owner_type: str, owner_id: str) -> listing.Stream:
        def read(after: dict[str, Any] | None, demand: listing.Demand) -> Iterator[dict[str, Any]]:
            pages = dal.owned_pages(
                owner_type,
                owner_id,
                newest_first=newest_first,
                after_namespace_id=listing.position_id(after, "ns"),
                demand=demand,
            )
            for page in pages:
                yield from (to_api(item) for item in page)

        return read

    if not owners:
        return listing.Listing([], None, None if query.uses_cursor else 0)
    # merged by id, the partitions' own key order (created_at is minted with the id)
    stream = listing.merged([partition(*owner) for owner in owners], listing.by("id", descending=newest_first))
    if not in_key_order:
        return listing.sorted_page(query, stream, served="created_at or id")
    exact = not (set(query.filters) - {"owner_type", "workspace_id"}) and not query.ranges and not query.search
    return listing.ordered_page(query, stream, exact=exact)


def _all_memberships(user_id: str) -> list[Any]:
    """Every workspace the user belongs to (one GSI1 Query per 1 MB), at most SORT_CAP; more is a 400."""
    from platform_api.dal import workspaces as workspaces_dal

    found: list[Any] = []
    pages = workspaces_dal.membership_pages(
        user_id, newest_first=False, after_workspace_id=None, demand=lambda: listing.SORT_CAP + 1 - len(found)
    )
    for page in pages:
        found.extend(page)
    if len(found) > listing.SORT_CAP:
        message = (
            f"You belong to more than {listing.SORT_CAP:,} workspaces; list one workspace's namespaces "
            "(X-Workspace-ID or workspace_id)."
        )
        raise errors.InvalidRequest(message, details={"workspace_id": [message]})
    return found


def detail(principal: Principal, namespace_id: str) -> dict[str, Any]:
    """Document 004's GET: the namespace with its packages and live entitlement usage, from one Query."""
    head = _visible_head(principal, namespace_id)
    assert head.namespace is not None  # _visible_head raised otherwise
    return {
        **to_api(head.namespace),
        "packages": entitlements.describe_packages(head.packages),
        "entitlements": entitlements.summarize(head.counters),
    }


def usage_of(principal: Principal, namespace_id: str) -> dict[str, Any]:
    """GET /namespaces/{id}/entitlements: the live usage, from the same one Query."""
    return entitlements.summarize(_visible_head(principal, namespace_id).counters)


def check(principal: Principal, namespace_id: str, feature: str, quantity: int) -> dict[str, Any]:
    return entitlements.check(_visible_head(principal, namespace_id).counters, feature, quantity)


# ---------------------------------------------------------------------------------------------- writes
def _slug_taken(slug: str) -> errors.Conflict:
    message = f"You already have a namespace with the slug '{slug}'."
    return errors.Conflict(message, details={"slug": [message]})


def create(principal: Principal, body: Any, workspace_id: str | None) -> dict[str, Any]:
    owner_type, owner_id, owner_default = _owner_default(principal, body.workspace_id or workspace_id)
    _, items = new_namespace_items(
        owner_type=owner_type,
        owner_id=owner_id,
        workspace_id=owner_id if owner_type == "Workspace" else None,
        name=body.name.strip(),
        slug=body.slug,
        is_default=False,
        description=body.description,
    )
    with UnitOfWork() as uow:
        claim = dal.SlugClaim(*dal.slug_claim(owner_type, owner_id, body.slug))
        uow.put(claim, condition=dal.SlugClaim.PK.does_not_exist(), on_conflict=_slug_taken(body.slug))
        for item in items:
            uow.put(item)
        entitlements.consume(uow, owner_default, "namespaces")
    return to_api(items[0])


def update(principal: Principal, namespace_id: str, body: Any) -> dict[str, Any]:
    item = visible(principal, namespace_id, manage=True)
    changes = body.model_dump(exclude_unset=True)
    for field in ("name", "slug", "is_active"):
        if field in changes and changes[field] is None:
            raise errors.InvalidRequest(f"{field} cannot be null.", details={field: ["Cannot be null."]})
    if changes.get("is_active") is False and item.is_default:
        message = "A default namespace cannot be deactivated."
        raise errors.InvalidRequest(message, details={"is_active": [message]})
    swap = "slug" in changes and changes["slug"].lower() != item.slug.lower()
    if swap and item.is_default:
        raise errors.InvalidRequest("A default namespace keeps its slug.", details={"slug": ["Not changeable."]})
    now, old_slug = now_iso(), item.slug
    actions = [dal.NamespaceItem.updated_at.set(now)]
    for field in ("name", "slug", "description", "is_active"):
        if field in changes:
            value = changes[field].strip() if field == "name" else changes[field]
            actions.append(getattr(dal.NamespaceItem, field).set(value))
            setattr(item, field, value)
    item.updated_at = now
    obj = to_api(item)
    with UnitOfWork() as uow:
        if swap:
            claim = dal.SlugClaim(*dal.slug_claim(item.owner_type, item.owner_id, changes["slug"]))
            uow.put(claim, condition=dal.SlugClaim.PK.does_not_exist(), on_conflict=_slug_taken(changes["slug"]))
            uow.delete(dal.SlugClaim(*dal.slug_claim(item.owner_type, item.owner_id, old_slug)))
        uow.update(item, actions, condition=dal.NamespaceItem.PK.exists(), on_conflict=errors.NotFound(NOT_FOUND))
        uow.emit(
            new_event(
                "namespace", "updated", namespace_id, obj, namespace_id=namespace_id, workspace_id=item.workspace_id
            )
        )
    return obj


def delete(principal: Principal, namespace_id: str) -> None:
    """Refuses (409) a default namespace, and one that still owns resources or webhooks."""
    item = visible(principal, namespace_id, manage=True)
    if item.is_default:
        raise errors.Conflict("A default namespace is deleted with its user or workspace only.")
    counters = entitlements_dal.counters(namespace_id)
    owned = {f: int(counters[f].used) for f in ("resources", "webhooks") if f in counters and int(counters[f].used)}
    if owned:
        what = ", ".join(f"{count} {feature}" for feature, count in owned.items())
        raise errors.Conflict(
            f"The namespace still owns data ({what}); delete it first.",
            details={feature: [f"{count} remaining."] for feature, count in owned.items()},
        )
    owner_type, owner_id = item.owner_type, item.owner_id
    owner_default = _default_of(owner_type, owner_id)
    changed = errors.Conflict("The namespace changed while it was being deleted; retry.")
    with UnitOfWork() as uow:
        uow.delete(item, condition=dal.NamespaceItem.PK.exists(), on_conflict=changed)
        uow.delete(dal.SlugClaim(*dal.slug_claim(owner_type, owner_id, item.slug)))
        uow.delete(entitlements_dal.PackagesItem(*entitlements_dal.packages_key(namespace_id)))
        for feature, counter in counters.items():
            guard = entitlements_dal.CounterItem.used == 0 if feature in ("resources", "webhooks") else None
            uow.delete(counter, condition=guard, on_conflict=changed if guard is not None else None)
        if owner_default:
            entitlements.release(uow, owner_default, "namespaces")
        uow.emit(
            new_event(
                "namespace",
                "deleted",
                namespace_id,
                to_api(item),
                namespace_id=namespace_id,
                workspace_id=item.workspace_id,
            )
        )


def _default_of(owner_type: str, owner_id: str) -> str | None:
    if owner_type == "User":
        from platform_api.dal.users import get_item

        user = get_item(owner_id)
        return user.default_namespace_id if user else None
    from platform_api.dal import workspaces as workspaces_dal

    workspace = workspaces_dal.get(owner_id)
    return workspace.default_namespace_id if workspace else None


# ---------------------------------------------------------------------------------------------- packages
def list_catalogue() -> list[dict[str, Any]]:
    return [
        {"id": package_id, "name": package["name"], "limits": {f: package["limits"].get(f, 0) for f in FEATURES}}
        for package_id, package in catalogue().items()
    ]


def list_packages(principal: Principal, namespace_id: str) -> list[dict[str, Any]]:
    visible(principal, namespace_id)
    return entitlements.packages_of(namespace_id)


PACKAGES_BY_OPERATORS = (
    "Packages are granted and removed by the platform's operators "
    "(POST /v1/admin/namespaces/{namespace_id}/packages, docs/operators.md): ask them to change this namespace's."
)


def refuse_package_change(principal: Principal, namespace_id: str) -> NoReturn:
    """A tenant asking to change its own packages: what it pays for is not its to grant (issue 14). After
    visibility, so that a foreign namespace stays a 404."""
    visible(principal, namespace_id)
    raise errors.InsufficientPermissions(PACKAGES_BY_OPERATORS)
