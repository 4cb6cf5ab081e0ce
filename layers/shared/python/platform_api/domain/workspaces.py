"""Workspaces (= organizations) and their members.

Rules (docs/tenancy.md):
- the creator becomes the only owner; the workspace gets a default namespace (owner_type `Workspace`) whose
  package follows the workspace's tier, and every membership consumes that namespace's `members` entitlement;
- a workspace the caller is not a member of is a 404, exactly like one that does not exist;
- joining takes the user's consent: owners and admins invite (`POST .../members`), the user accepts;
- members and admins read; owners and admins manage members; only owners grant or take the owner role
  (in a signed-in session, never with an API key), rename the slug or delete the workspace; API keys need
  `admin:workspace` for member and role changes, the slug and deletion; the last owner can neither leave
  nor be demoted (`owners` counter, checked in the same transaction);
- delete refuses (409) while the workspace still owns data: resources, webhooks or namespaces besides its
  default one. Otherwise the workspace, its slug, its memberships and its default namespace go in ONE
  transaction (at most MAX_MEMBERS_ON_DELETE memberships; remove members first beyond that).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator
from typing import Any

from platform_api import errors, tiers
from platform_api.dal import entitlements as entitlements_dal
from platform_api.dal import namespaces as namespaces_dal
from platform_api.dal import users as users_dal
from platform_api.dal import workspaces as dal
from platform_api.domain import entitlements, listing
from platform_api.domain.auth import require_scope
from platform_api.domain.namespaces import new_namespace_items
from platform_api.domain.tenancy import require_membership
from platform_api.events import new_event
from platform_api.ids import has_prefix, new_id
from platform_api.models.workspaces import MemberAdd, MemberUpdate, WorkspaceCreate, WorkspaceUpdate
from platform_api.packages import TIER_PACKAGES
from platform_api.principal import Principal
from platform_api.query import ListQuery
from platform_api.timeutil import now_iso
from platform_api.unit_of_work import UnitOfWork

MAX_MEMBERS_ON_DELETE = 80  # + workspace, slug, namespace items and event: within a 100-item transaction
NOT_FOUND = "Workspace not found."
INVITATION_DAYS = 7


# ---------------------------------------------------------------------------------------------- shapes
def to_api(item: dal.WorkspaceItem, role: str | None = None) -> dict[str, Any]:
    settings = item.settings
    out = {
        "id": item.workspace_id,
        "name": item.name,
        "slug": item.slug,
        "tier": item.tier,
        "settings": {
            "timezone": getattr(settings, "timezone", None) or "UTC",
            "locale": getattr(settings, "locale", None) or "en_GB",
        },
        "default_namespace_id": item.default_namespace_id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }
    if role is not None:
        out["role"] = role
    return out


def member_to_api(member: dal.MemberItem, user: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": member.user_id,  # a membership is addressed by its user: /members/{user_id}
        "user_id": member.user_id,
        "workspace_id": member.workspace_id,
        "role": member.role,
        "user": user,
        "created_at": member.created_at,
        "updated_at": member.updated_at or member.created_at,
    }


def _slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:50].strip("-")
    return f"{slug or 'workspace'}-{new_id('wks')[-6:].lower()}"


# ---------------------------------------------------------------------------------------------- access
def _load(workspace_id: str) -> dal.WorkspaceItem:
    item = dal.get(workspace_id, consistent=True)
    if item is None:
        raise errors.NotFound(NOT_FOUND)
    return item


# ---------------------------------------------------------------------------------------------- workspaces
def list_workspaces(principal: Principal, query: ListQuery) -> listing.Listing:
    """One page of the caller's workspaces: a Query of their memberships (GSI1, by workspace id, which is the
    creation order: ids are ULIDs minted with `created_at`) from the cursor, and one BatchGetItem of the page's
    workspaces. `role` filters on the memberships; `tier`, `search` and the ranges need the workspaces, so each
    round trip then reads them too (at most SCAN_CAP memberships a page); `name`, `slug` and `updated_at` sort
    in memory up to SORT_CAP memberships (more is a 400)."""
    in_key_order = listing.serves(query, *listing.id_orders())
    newest_first = listing.descending(query) if in_key_order else True
    needs_workspaces = not in_key_order or bool(set(query.filters) - {"role"} or query.ranges or query.search)

    def stream(after: dict[str, Any] | None, demand: listing.Demand) -> Iterator[dict[str, Any]]:
        pages = dal.membership_pages(
            principal.user_id,
            newest_first=newest_first,
            after_workspace_id=listing.position_id(after, "wks"),
            demand=demand,
        )
        for members in pages:
            mine = [{"id": m.workspace_id, "role": m.role} for m in members]
            yield from with_workspaces(mine) if needs_workspaces else mine

    def with_workspaces(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found = {w.workspace_id: w for w in dal.get_many([m["id"] for m in page])}
        return [to_api(found[m["id"]], m["role"]) for m in page if m["id"] in found]

    if not in_key_order:
        return listing.sorted_page(query, stream, served="created_at or id")
    exact = not query.filters and not query.ranges and not query.search
    return listing.ordered_page(query, stream, exact=exact, hydrate=None if needs_workspaces else with_workspaces)


def get_workspace(principal: Principal, workspace_id: str) -> dict[str, Any]:
    member = require_membership(principal.user_id, workspace_id, not_found=NOT_FOUND)
    return to_api(_load(workspace_id), member.role)


def create_workspace(principal: Principal, body: WorkspaceCreate) -> dict[str, Any]:
    owner = users_dal.get_item(principal.user_id)
    if owner is None:
        raise errors.NotFound("User not found.")
    if not tiers.at_most(body.tier, owner.tier):
        message = f"tier '{body.tier}' is above your own tier '{owner.tier}'."
        raise errors.InsufficientPermissions(message, details={"tier": [message]})
    workspace_id, now = new_id("wks"), now_iso()
    slug = body.slug or _slugify(body.name)
    namespace_id, namespace_items = new_namespace_items(
        owner_type="Workspace",
        owner_id=workspace_id,
        workspace_id=workspace_id,
        name=f"{body.name} (default)",
        slug="default",
        is_default=True,
        package_ids=(TIER_PACKAGES[body.tier],),
        members_used=1,
    )
    settings = body.settings.model_dump(exclude_none=True) if body.settings else {}
    item = dal.WorkspaceItem(
        *dal.workspace_key(workspace_id),
        workspace_id=workspace_id,
        name=body.name.strip(),
        slug=slug,
        tier=body.tier,
        settings=dal.Settings(**{"timezone": "UTC", "locale": "en_GB", **settings}),
        default_namespace_id=namespace_id,
        owners=1,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    obj = to_api(item, "owner")
    member = dal.new_member(workspace_id, principal.user_id, "owner", now)
    with UnitOfWork() as uow:
        claim = dal.SlugItem(*dal.slug_key(slug), workspace_id=workspace_id)
        uow.put(claim, condition=dal.SlugItem.PK.does_not_exist(), on_conflict=_slug_taken(slug))
        collision = errors.Conflict("Could not create the workspace; retry.")  # of ULIDs: practically impossible
        uow.put(item, condition=dal.WorkspaceItem.PK.does_not_exist(), on_conflict=collision)
        uow.put(member)
        for extra in namespace_items:
            uow.put(extra)
        uow.emit(
            new_event("workspace", "created", workspace_id, obj, namespace_id=namespace_id, workspace_id=workspace_id)
        )
    return obj


def _slug_taken(slug: str) -> errors.Conflict:
    message = f"The slug '{slug}' is already taken."
    return errors.Conflict(message, details={"slug": [message]})


def _merged_settings(current: dal.WorkspaceItem, changes: dict[str, Any]) -> dict[str, str]:
    merged = {"timezone": "UTC", "locale": "en_GB", **(current.settings.as_dict() if current.settings else {})}
    merged.update({k: v for k, v in (changes.get("settings") or {}).items() if v is not None})
    return merged


def update_workspace(principal: Principal, workspace_id: str, body: WorkspaceUpdate) -> dict[str, Any]:
    member = require_membership(principal.user_id, workspace_id, "admin", not_found=NOT_FOUND)
    current = _load(workspace_id)
    changes = body.model_dump(exclude_unset=True)
    for field in ("name", "slug", "settings"):
        if field in changes and changes[field] is None:
            raise errors.InvalidRequest(f"{field} cannot be null.", details={field: ["Cannot be null."]})
    new_slug: str = changes.get("slug") or ""
    swap = bool(new_slug) and new_slug != current.slug
    if swap:
        _require_admin_scope(principal)
    if swap and member.role != "owner":
        raise errors.InsufficientPermissions("Only an owner may change the slug.")
    now = now_iso()
    updated = {**to_api(current, member.role), "updated_at": now, "settings": _merged_settings(current, changes)}
    actions = [
        dal.WorkspaceItem.updated_at.set(now),
        dal.WorkspaceItem.settings.set(dal.Settings(**updated["settings"])),
    ]
    if "name" in changes:
        updated["name"] = changes["name"].strip()
        actions.append(dal.WorkspaceItem.name.set(updated["name"]))
    if swap:
        updated["slug"] = new_slug
        actions.append(dal.WorkspaceItem.slug.set(new_slug))
    with UnitOfWork() as uow:
        if swap:
            claim = dal.SlugItem(*dal.slug_key(new_slug), workspace_id=workspace_id)
            uow.put(claim, condition=dal.SlugItem.PK.does_not_exist(), on_conflict=_slug_taken(new_slug))
            uow.delete(dal.SlugItem(*dal.slug_key(current.slug)))
        uow.update(current, actions, condition=dal.WorkspaceItem.PK.exists(), on_conflict=errors.NotFound(NOT_FOUND))
        uow.emit(
            new_event(
                "workspace",
                "updated",
                workspace_id,
                updated,
                namespace_id=current.default_namespace_id,
                workspace_id=workspace_id,
            )
        )
    return updated


def delete_workspace(principal: Principal, workspace_id: str) -> None:
    _require_admin_scope(principal)
    require_membership(principal.user_id, workspace_id, "owner", not_found=NOT_FOUND)
    current = _load(workspace_id)
    members = dal.list_members(workspace_id)
    if len(members) > MAX_MEMBERS_ON_DELETE:
        raise errors.Conflict(
            f"The workspace has {len(members)} members; remove all but {MAX_MEMBERS_ON_DELETE} before deleting it."
        )
    namespace_id = current.default_namespace_id or ""
    counters = entitlements_dal.counters(namespace_id)
    owned: dict[str, int] = {f: int(counters[f].used) for f in ("resources", "webhooks", "namespaces") if f in counters}
    if any(owned.values()):
        raise _still_owns(owned)
    changed = errors.Conflict("The workspace changed while it was being deleted; retry.")
    with UnitOfWork() as uow:
        uow.delete(current, condition=dal.WorkspaceItem.PK.exists(), on_conflict=changed)
        uow.delete(dal.SlugItem(*dal.slug_key(current.slug)))
        for member in members:
            uow.delete(member)
        uow.delete(namespaces_dal.NamespaceItem(*namespaces_dal.key(namespace_id)))
        uow.delete(entitlements_dal.PackagesItem(*entitlements_dal.packages_key(namespace_id)))
        for feature, counter in counters.items():
            if feature in owned:  # unchanged since checked: nothing was created in the workspace meanwhile
                unchanged = entitlements_dal.CounterItem.used == int(counter.used)
                uow.delete(counter, condition=unchanged, on_conflict=changed)
            else:
                uow.delete(counter)
        uow.emit(
            new_event(
                "workspace",
                "deleted",
                workspace_id,
                to_api(current),
                namespace_id=namespace_id,
                workspace_id=workspace_id,
            )
        )


def _still_owns(owned: dict[str, int]) -> errors.Conflict:
    what = ", ".join(f"{count} {feature}" for feature, count in owned.items() if count)
    return errors.Conflict(
        f"The workspace still owns data ({what}); delete it first.",
        details={feature: [f"{count} remaining."] for feature, count in owned.items() if count},
    )


# ---------------------------------------------------------------------------------------------- members
def list_members(principal: Principal, workspace_id: str, query: ListQuery) -> listing.Listing:
    """One page of a workspace's members, and one BatchGetItem of that page's users.

    By joining time (`created_at`, the default, either way): GSI2 `WSM#<wks>`, the `created_*` ranges in the
    key condition; by user id (`user_id` / `id`): the table's `MEMBER#<usr>`. `role` and `updated_*` filter in
    memory (at most SCAN_CAP members a page); `sort=role` sorts in memory (a workspace holds at most its
    `members` entitlement). `total` is the `members` counter (no filter) or the workspace's `owners` counter
    (`role=owner`), both kept in the membership transactions."""
    require_membership(principal.user_id, workspace_id, not_found=NOT_FOUND)
    by_join = (listing.by("created_at", "id", descending=True), listing.by("created_at", "id", descending=False))
    by_user = tuple(
        order
        for descending in (True, False)
        for order in (listing.by("user_id", "id", descending=descending), listing.by("id", descending=descending))
    )
    join_order = listing.serves(query, *by_join)
    in_key_order = join_order or listing.serves(query, *by_user)
    newest_first = listing.descending(query) if in_key_order else False
    joined_after = max((m for f, op, m in query.ranges if f == "created_at" and op == ">"), default=None)
    joined_before = min((m for f, op, m in query.ranges if f == "created_at" and op == "<"), default=None)

    def stream(after: dict[str, Any] | None, demand: listing.Demand) -> Iterator[dict[str, Any]]:
        position = None
        if after is not None:
            user_id, joined = listing.position_id(after, "usr"), after.get("created_at")
            if join_order and not isinstance(joined, str):
                raise errors.InvalidRequest("The cursor is invalid; start again.", details={"cursor": ["Invalid."]})
            position = (str(joined or ""), str(user_id))
        pages = dal.member_pages(
            workspace_id,
            join_order=join_order or not in_key_order,
            newest_first=newest_first,
            after=position,
            joined_after=joined_after if join_order or not in_key_order else None,
            joined_before=joined_before if join_order or not in_key_order else None,
            demand=demand,
        )
        for members in pages:
            yield from (member_to_api(m, None) for m in members)

    def with_users(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        users = users_dal.get_users([m["user_id"] for m in page])
        return [{**m, "user": users.get(m["user_id"])} for m in page]

    if not in_key_order:
        return listing.sorted_page(query, stream, served="created_at, user_id or id", hydrate=with_users)
    key_ranges = join_order and all(field == "created_at" for field, _, _ in query.ranges)
    exact = not query.filters and (not query.ranges or key_ranges)
    return listing.ordered_page(
        query, stream, exact=exact, total=_member_total(workspace_id, query), hydrate=with_users
    )


def _member_total(workspace_id: str, query: ListQuery) -> int | None:
    """Exact counts kept in the membership transactions: every member (`members` entitlement counter of the
    workspace's default namespace) or its owners (`owners` on the workspace). Otherwise unknown (None)."""
    roles = query.filters.get("role")
    if query.ranges or query.search or set(query.filters) - {"role"} or (roles and set(roles) != {"owner"}):
        return None
    workspace = dal.get(workspace_id)
    if workspace is None:
        return None
    if roles:
        return int(workspace.owners)
    counter = entitlements_dal.get_counter(workspace.default_namespace_id or "", "members")
    return int(counter.used) if counter is not None else None


def invite_member(principal: Principal, workspace_id: str, body: MemberAdd) -> dict[str, Any]:
    """`POST .../members`: an invitation the user accepts (`POST /v1/invitations/{id}/accept`), never a membership
    made without their consent. The answer names the user by id only: no email before they accept."""
    _require_admin_scope(principal)
    mine = require_membership(principal.user_id, workspace_id, "admin", not_found=NOT_FOUND)
    if body.role == "owner":
        _require_owner_session(principal, mine)
    workspace = _load(workspace_id)
    if users_dal.get_user(body.user_id) is None:
        raise errors.NotFound("User not found.", details={"user_id": ["No such user."]})
    if dal.get_member(workspace_id, body.user_id) is not None:
        raise errors.Conflict("The user is already a member.", details={"user_id": ["Already a member."]})
    now = now_iso()
    expires = int(time.time()) + INVITATION_DAYS * 86400
    invitation, claim = dal.new_invitation(
        new_id("inv"), workspace_id, body.user_id, body.role, principal.user_id, now, expires
    )
    message = "The user already has a pending invitation to this workspace."
    pending = errors.Conflict(message, details={"user_id": [message]})
    with UnitOfWork() as uow:
        uow.put(claim, condition=dal.InvitationClaimItem.PK.does_not_exist(), on_conflict=pending)
        collision = errors.Conflict("Could not create the invitation; retry.")
        uow.put(invitation, condition=dal.InvitationItem.PK.does_not_exist(), on_conflict=collision)
    return invitation_to_api(invitation, workspace)


def invitation_to_api(invitation: dal.InvitationItem, workspace: dal.WorkspaceItem | None) -> dict[str, Any]:
    return {
        "id": invitation.invitation_id,
        "object": "invitation",
        "status": "pending",
        "workspace_id": invitation.workspace_id,
        "workspace": {"id": workspace.workspace_id, "name": workspace.name, "slug": workspace.slug}
        if workspace is not None
        else None,
        "user_id": invitation.user_id,
        "role": invitation.role,
        "invited_by": invitation.invited_by,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
    }


def _my_invitation(principal: Principal, invitation_id: str) -> dal.InvitationItem:
    """The caller's own pending invitation; anyone else's, or an expired one, is a 404."""
    invitation = dal.get_invitation(invitation_id) if has_prefix(invitation_id, "inv") else None
    if invitation is None or invitation.user_id != principal.user_id or (invitation.ttl or 0) < time.time():
        raise errors.NotFound("Invitation not found.")
    return invitation


def list_invitations(principal: Principal, query: ListQuery) -> listing.Listing:
    """One page of the caller's pending invitations, newest first (or `sort=created_at`): a Query of GSI1
    `USER#<usr>` / `INVITE#<inv>` from the cursor, and one BatchGetItem of that page's workspaces. Expired
    invitations DynamoDB has not removed yet are skipped (they count towards SCAN_CAP)."""
    now = time.time()

    def stream(after: dict[str, Any] | None, demand: listing.Demand) -> Iterator[dict[str, Any]]:
        pages = dal.invitation_pages(
            principal.user_id,
            newest_first=listing.descending(query),
            after_invitation_id=listing.position_id(after, "inv"),
            demand=demand,
        )
        for invitations in pages:
            yield from ({**invitation_to_api(i, None), "_live": (i.ttl or 0) >= now} for i in invitations)

    def with_workspaces(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found = {w.workspace_id: w for w in dal.get_many([i["workspace_id"] for i in page])}
        out = []
        for invitation in page:
            workspace = found.get(invitation["workspace_id"])
            summary = (
                {"id": workspace.workspace_id, "name": workspace.name, "slug": workspace.slug} if workspace else None
            )
            out.append({**{k: v for k, v in invitation.items() if k != "_live"}, "workspace": summary})
        return out

    # exact: an expired invitation is rare (TTL removes it within days), so each round trip asks for what the page
    # still needs; the few it meets cost one more round trip
    return listing.ordered_page(
        query, stream, exact=True, hydrate=with_workspaces, keep=lambda invitation: invitation["_live"]
    )


def accept_invitation(principal: Principal, invitation_id: str) -> dict[str, Any]:
    """The invited user joins: the invitation goes and the membership comes in one transaction, which also
    consumes the workspace's `members` entitlement."""
    invitation = _my_invitation(principal, invitation_id)
    workspace = _load(invitation.workspace_id)
    member = dal.new_member(invitation.workspace_id, principal.user_id, invitation.role, now_iso())
    obj = member_to_api(member, users_dal.get_user(principal.user_id))
    with UnitOfWork() as uow:
        entitlements.consume(uow, workspace.default_namespace_id, "members")
        uow.put(
            member,
            condition=dal.MemberItem.PK.does_not_exist(),
            on_conflict=errors.Conflict("You are already a member of this workspace."),
        )
        gone = errors.NotFound("Invitation not found.")
        uow.delete(invitation, condition=dal.InvitationItem.PK.exists(), on_conflict=gone)
        uow.delete(dal.InvitationClaimItem(*dal.invitation_claim_key(invitation.workspace_id, principal.user_id)))
        if invitation.role == "owner":
            uow.update(
                workspace, [dal.WorkspaceItem.owners.add(1)], condition=dal.WorkspaceItem.PK.exists(), on_conflict=gone
            )
        uow.emit(_member_event("created", obj, workspace))
    return obj


def decline_invitation(principal: Principal, invitation_id: str) -> None:
    invitation = _my_invitation(principal, invitation_id)
    _delete_invitation(invitation.workspace_id, invitation.user_id, invitation.invitation_id)


def _delete_invitation(workspace_id: str, user_id: str, invitation_id: str) -> None:
    with UnitOfWork() as uow:
        uow.delete(dal.InvitationItem(*dal.invitation_key(invitation_id)))
        uow.delete(dal.InvitationClaimItem(*dal.invitation_claim_key(workspace_id, user_id)))


def _require_admin_scope(principal: Principal) -> None:
    """Member and role changes, the slug, deletion and package grants are administration (docs/auth.md)."""
    require_scope(principal, "admin:workspace")


def _require_owner_session(principal: Principal, mine: dal.MemberItem) -> None:
    """The owner role is granted or taken by an owner in a signed-in session, never with an API key."""
    if mine.role != "owner":
        raise errors.InsufficientPermissions("Only an owner may grant or take the owner role.")
    if principal.kind != "session":
        raise errors.InsufficientPermissions("Granting or taking the owner role needs a signed-in session.")


def _member_event(action: str, obj: dict[str, Any], workspace: dal.WorkspaceItem) -> Any:
    return new_event(
        "member",
        action,
        f"{workspace.workspace_id}:{obj['user_id']}",
        obj,
        namespace_id=workspace.default_namespace_id,
        workspace_id=workspace.workspace_id,
    )


def _target(workspace_id: str, user_id: str) -> dal.MemberItem:
    target = dal.get_member(workspace_id, user_id) if has_prefix(user_id, "usr") else None
    if target is None:
        raise errors.NotFound("Member not found.")
    return target


def update_member(principal: Principal, workspace_id: str, user_id: str, body: MemberUpdate) -> dict[str, Any]:
    _require_admin_scope(principal)
    mine = require_membership(principal.user_id, workspace_id, "admin", not_found=NOT_FOUND)
    target = _target(workspace_id, user_id)
    if "owner" in (body.role, target.role):
        _require_owner_session(principal, mine)
    workspace = _load(workspace_id)
    if body.role == target.role:
        return member_to_api(target, users_dal.get_user(user_id))
    now = now_iso()
    with UnitOfWork() as uow:
        _adjust_owners(uow, workspace, target.role, body.role)
        uow.update(
            target,
            [dal.MemberItem.role.set(body.role), dal.MemberItem.updated_at.set(now)],
            condition=dal.MemberItem.role == target.role,
            on_conflict=_membership_changed(),
        )
        target.role, target.updated_at = body.role, now
        obj = member_to_api(target, users_dal.get_user(user_id))
        uow.emit(_member_event("updated", obj, workspace))
    return obj


def _membership_changed() -> errors.Conflict:
    return errors.Conflict("The membership changed meanwhile; retry.")


def _adjust_owners(uow: UnitOfWork, workspace: dal.WorkspaceItem, old_role: str | None, new_role: str | None) -> None:
    """Keep the owner count in the membership change's transaction: the last owner can neither leave nor be demoted."""
    if old_role == "owner" and new_role != "owner":
        uow.update(
            workspace,
            [dal.WorkspaceItem.owners.add(-1)],
            condition=dal.WorkspaceItem.owners > 1,
            on_conflict=errors.Conflict("A workspace needs at least one owner; make someone else owner first."),
        )
    elif new_role == "owner" and old_role != "owner":
        uow.update(
            workspace,
            [dal.WorkspaceItem.owners.add(1)],
            condition=dal.WorkspaceItem.PK.exists(),
            on_conflict=errors.NotFound(NOT_FOUND),
        )


def remove_member(principal: Principal, workspace_id: str, user_id: str) -> None:
    """Owners and admins remove members; anyone may leave; only an owner removes an owner."""
    leaving = user_id == principal.user_id
    if not leaving:
        _require_admin_scope(principal)
    mine = require_membership(principal.user_id, workspace_id, "member" if leaving else "admin", not_found=NOT_FOUND)
    if not leaving and dal.get_member(workspace_id, user_id) is None:
        claim = dal.get_invitation_claim(workspace_id, user_id) if has_prefix(user_id, "usr") else None
        if claim is None:
            raise errors.NotFound("Member not found.")
        _delete_invitation(workspace_id, user_id, claim.invitation_id)  # cancels a pending invitation
        return
    target = mine if leaving else _target(workspace_id, user_id)
    if target.role == "owner":
        _require_owner_session(principal, mine)
    workspace = _load(workspace_id)
    obj = member_to_api(target, None)
    with UnitOfWork() as uow:
        _adjust_owners(uow, workspace, target.role, None)
        uow.delete(target, condition=dal.MemberItem.role == target.role, on_conflict=_membership_changed())
        entitlements.release(uow, workspace.default_namespace_id, "members")
        uow.emit(_member_event("deleted", obj, workspace))
