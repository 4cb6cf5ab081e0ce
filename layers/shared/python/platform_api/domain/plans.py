"""What is sold, granted by the platform operator only (docs/operators.md): tiers, packages, custom limits.

Every change is ONE transaction holding the change itself, its outbox event (webhooks deliver it to the
account's default namespace) and its audit entry (dal/audit.py), so none of the three exists without the
others. Tenants have no route to any of this: the `/v1/admin` routes that call it need an operator key.

A tier or custom-limit change reaches live credentials at once: it is written into the user's rate-limit
items of this hour and the next (which every access token issued before it counts in) and onto every live
API key of the user, in the same transaction (dal/ratelimit.py `override_limits`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from platform_api import errors, tiers
from platform_api.dal import api_keys as api_keys_dal
from platform_api.dal import audit as audit_dal
from platform_api.dal import entitlements as entitlements_dal
from platform_api.dal import namespaces as namespaces_dal
from platform_api.dal import ratelimit
from platform_api.dal import users as users_dal
from platform_api.dal import workspaces as workspaces_dal
from platform_api.domain import entitlements
from platform_api.events import EventRecord, new_event
from platform_api.ids import has_prefix, new_id
from platform_api.packages import FEATURES, TIER_PACKAGES, catalogue
from platform_api.query import ListQuery, Page, encode_cursor
from platform_api.timeutil import isoformat, now_iso, utcnow
from platform_api.unit_of_work import UnitOfWork

SYSTEM = "system"  # the operator id of changes the platform makes itself (a grant that lapsed)
EXPIRY_BATCH = 25  # lapsed grants handled per sweep; the next sweep (a minute later) takes the rest


# ---------------------------------------------------------------------------------------------- audit
def _audit(
    uow: UnitOfWork,
    event: EventRecord,
    *,
    target_type: str,
    target_id: str,
    operator_id: str,
    reason: str | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    uow.emit(event)
    audit_id = new_id("aud")
    for pk, sk in audit_dal.trail_keys(audit_id, target_id):
        uow.put(
            audit_dal.AuditItem(
                pk,
                sk,
                audit_id=audit_id,
                action=event.event_type,
                target_type=target_type,
                target_id=target_id,
                operator_id=operator_id,
                reason=reason,
                before=json.dumps(before, sort_keys=True),
                after=json.dumps(after, sort_keys=True),
                event_id=event.event_id,
                created_at=event.created_at,
            )
        )


def audit_entry(item: audit_dal.AuditItem) -> dict[str, Any]:
    return {
        "id": item.audit_id,
        "action": item.action,
        "target_type": item.target_type,
        "target_id": item.target_id,
        "operator_id": item.operator_id,
        "reason": item.reason,
        "before": json.loads(item.before),
        "after": json.loads(item.after),
        "event_id": item.event_id,
        "created_at": item.created_at,
    }


def audit_page(query: ListQuery) -> Page:
    """One page of the trail (all of it, or one target's), newest first: one Query by key condition."""
    if query.page > 1 and not query.uses_cursor:
        message = "The audit trail pages by cursor: follow links.next (meta.next_cursor)."
        raise errors.InvalidRequest(message, details={"page": [message]})
    targets = query.filters.get("target_id") or (None,)
    if len(targets) > 1:
        raise errors.InvalidRequest("Filter on one target_id at a time.", details={"target_id": ["One value."]})
    after = str(query.after["id"]) if query.after else None
    items = audit_dal.page(targets[0], after, query.per_page + 1)
    entries = [audit_entry(item) for item in items[: query.per_page]]
    more = len(items) > query.per_page
    return Page(entries, None, encode_cursor(query, entries[-1]) if more and entries else None)


# ---------------------------------------------------------------------------------------------- tier packages
def _swap_tier_package(
    grants: list[entitlements_dal.PackageGrant], old_tier: str, new_tier: str
) -> list[entitlements_dal.PackageGrant]:
    """The grants with the old tier's package (a permanent grant) replaced by the new tier's."""
    old_package, new_package = TIER_PACKAGES.get(old_tier), TIER_PACKAGES[new_tier]
    if old_package == new_package:
        return list(grants)
    kept, swapped = [], False
    for grant in grants:
        if not swapped and grant.package_id == old_package and grant.expires_at is None:
            swapped = True
            continue
        kept.append(grant)
    return [*kept, entitlements_dal.PackageGrant(package_id=new_package, expires_at=None)]


# ---------------------------------------------------------------------------------------------- users
def user_plan(user: users_dal.UserItem) -> dict[str, Any]:
    custom = users_dal.custom_limits_of(user)
    return {
        "id": user.user_id,
        "email": user.email,
        "tier": user.tier,
        "custom_rate_limits": custom,
        "rate_limits": tiers.limits(user.tier, custom),
        "default_namespace_id": user.default_namespace_id,
        "updated_at": user.updated_at,
    }


def get_user_plan(user_id: str) -> dict[str, Any]:
    user = users_dal.get_item(user_id) if has_prefix(user_id, "usr") else None
    if user is None:
        raise errors.NotFound("User not found.")
    return user_plan(user)


def change_user_plan(
    operator_id: str,
    user_id: str,
    *,
    tier: str | None,
    rate_limits: dict[str, int] | None,
    change_rate_limits: bool,
    reason: str | None,
) -> dict[str, Any]:
    """Set a user's tier and/or custom rate limits (None clears them); swaps the tier package of their
    personal namespace (a 409 when its usage would not fit a lower one) and takes effect on their next request."""
    user = users_dal.get_item(user_id) if has_prefix(user_id, "usr") else None
    if user is None:
        raise errors.NotFound("User not found.")
    before = user_plan(user)
    new_tier = tier or user.tier
    custom = rate_limits if change_rate_limits else before["custom_rate_limits"]
    if new_tier == user.tier and custom == before["custom_rate_limits"]:
        return before  # nothing changes: no event, no audit entry
    limits = tiers.limits(new_tier, custom)
    version = int(user.plan_version or 0)
    now = now_iso()
    with UnitOfWork() as uow:
        uow.update(
            user,
            [
                users_dal.UserItem.tier.set(new_tier),
                users_dal.UserItem.custom_limits.set(custom) if custom else users_dal.UserItem.custom_limits.remove(),
                users_dal.UserItem.plan_version.set(version + 1),
                users_dal.UserItem.updated_at.set(now),
            ],
            condition=users_dal.UserItem.PK.exists()
            & (users_dal.UserItem.plan_version.does_not_exist() | (users_dal.UserItem.plan_version == version)),
            on_conflict=errors.Conflict("The user's plan changed meanwhile; retry.", headers={"Retry-After": "1"}),
        )
        if new_tier != user.tier and user.default_namespace_id:
            current = entitlements_dal.get_packages(user.default_namespace_id)
            grants = _swap_tier_package(current.packages if current else [], user.tier, new_tier)
            entitlements.change_plan(uow, user.default_namespace_id, current, grants, entitlements.custom_of(current))
        ratelimit.override_limits(uow, user.user_id, new_tier, limits)
        _update_keys(uow, user.user_id, new_tier, custom)
        user.tier, user.updated_at = new_tier, now
        user.custom_limits = custom
        after = user_plan(user)
        event_type = "user.tier_changed" if new_tier != before["tier"] else "user.limits_changed"
        event = new_event(
            "user",
            "updated",
            user.user_id,
            {"tier": new_tier, "previous_tier": before["tier"], "rate_limits": limits},
            namespace_id=user.default_namespace_id,
            event_type=event_type,
        )
        _audit(
            uow,
            event,
            target_type="user",
            target_id=user.user_id,
            operator_id=operator_id,
            reason=reason,
            before=before,
            after=after,
        )
    return after


def _update_keys(uow: UnitOfWork, user_id: str, tier: str, custom: dict[str, int] | None) -> None:
    """Every live key of the user counts in its owner's windows with the new limits; a key whose own tier is
    now above its owner's comes down to the owner's (a key is never above its owner)."""
    for entry in api_keys_dal.list_for(user_id):
        credential = api_keys_dal.ApiKeyItem(*api_keys_dal.key(entry.key_id))
        actions: list[Any] = [
            api_keys_dal.ApiKeyItem.owner_tier.set(tier),
            api_keys_dal.ApiKeyItem.owner_limits.set(custom)
            if custom
            else api_keys_dal.ApiKeyItem.owner_limits.remove(),
        ]
        if not tiers.at_most(entry.rate_limit_tier, tier):
            own = tiers.limits(tier)
            actions += [
                api_keys_dal.ApiKeyItem.rate_limit_tier.set(tier),
                api_keys_dal.ApiKeyItem.rl_minute.set(own["minute"]),
                api_keys_dal.ApiKeyItem.rl_hour.set(own["hour"]),
            ]
            uow.update(entry, [api_keys_dal.ApiKeyEntry.rate_limit_tier.set(tier)])
        uow.update(
            credential,
            actions,
            condition=api_keys_dal.ApiKeyItem.PK.exists(),
            on_conflict=errors.Conflict("The user's keys changed meanwhile; retry.", headers={"Retry-After": "1"}),
        )


# ---------------------------------------------------------------------------------------------- workspaces
def _workspace_plan(item: workspaces_dal.WorkspaceItem, grants: list[entitlements_dal.PackageGrant]) -> dict:
    return {
        "id": item.workspace_id,
        "name": item.name,
        "tier": item.tier,
        "default_namespace_id": item.default_namespace_id,
        "packages": entitlements.describe_grants(grants),
        "updated_at": item.updated_at,
    }


def change_workspace_tier(operator_id: str, workspace_id: str, tier: str, reason: str | None) -> dict[str, Any]:
    """Set a workspace's tier; its default namespace's tier package follows (409 when usage would not fit)."""
    item = workspaces_dal.get(workspace_id, consistent=True) if has_prefix(workspace_id, "wks") else None
    if item is None or not item.default_namespace_id:
        raise errors.NotFound("Workspace not found.")
    current = entitlements_dal.get_packages(item.default_namespace_id)
    grants = current.packages if current else []
    before = _workspace_plan(item, grants)
    if tier == item.tier:
        return before
    previous = item.tier
    new_grants = _swap_tier_package(grants, previous, tier)
    now = now_iso()
    with UnitOfWork() as uow:
        uow.update(
            item,
            [workspaces_dal.WorkspaceItem.tier.set(tier), workspaces_dal.WorkspaceItem.updated_at.set(now)],
            condition=workspaces_dal.WorkspaceItem.tier == previous,
            on_conflict=errors.Conflict("The workspace's tier changed meanwhile; retry.", headers={"Retry-After": "1"}),
        )
        entitlements.change_plan(uow, item.default_namespace_id, current, new_grants, entitlements.custom_of(current))
        item.tier, item.updated_at = tier, now
        after = _workspace_plan(item, new_grants)
        event = new_event(
            "workspace",
            "updated",
            item.workspace_id,
            {"tier": tier, "previous_tier": previous, "packages": after["packages"]},
            namespace_id=item.default_namespace_id,
            workspace_id=item.workspace_id,
            event_type="workspace.tier_changed",
        )
        _audit(
            uow,
            event,
            target_type="workspace",
            target_id=item.workspace_id,
            operator_id=operator_id,
            reason=reason,
            before=before,
            after=after,
        )
    return after


# ---------------------------------------------------------------------------------------------- namespaces
def _namespace(namespace_id: str) -> namespaces_dal.NamespaceItem:
    item = namespaces_dal.get_namespace(namespace_id, consistent=True) if has_prefix(namespace_id, "ns") else None
    if item is None:
        raise errors.NotFound("Namespace not found.")
    return item


def get_namespace_plan(namespace_id: str) -> dict[str, Any]:
    return namespace_plan(_namespace(namespace_id).namespace_id)


def namespace_plan(namespace_id: str, packages: entitlements_dal.PackagesItem | None = None) -> dict[str, Any]:
    packages = packages if packages is not None else entitlements_dal.get_packages(namespace_id)
    grants = packages.packages if packages else []
    custom = entitlements.custom_of(packages)
    return {
        "id": namespace_id,
        "packages": entitlements.describe_grants(grants),
        "custom_limits": custom or None,
        "limits": entitlements.limits_for(grants, custom),
    }


def _change_namespace(
    uow: UnitOfWork,
    item: namespaces_dal.NamespaceItem,
    current: entitlements_dal.PackagesItem | None,
    *,
    grants: list[entitlements_dal.PackageGrant],
    custom: dict[str, int],
    event_type: str,
    details: dict[str, Any],
    operator_id: str,
    reason: str | None,
    must_fit: bool = True,
) -> dict[str, Any]:
    """A namespace's new grants and custom limits, with its event and audit entry, in `uow`; returns the plan
    as it will be after the commit."""
    before = namespace_plan(item.namespace_id, current)
    written = entitlements.change_plan(uow, item.namespace_id, current, grants, custom, must_fit=must_fit)
    after = namespace_plan(item.namespace_id, written)
    event = new_event(
        "namespace",
        "updated",
        item.namespace_id,
        {**details, **after},
        namespace_id=item.namespace_id,
        workspace_id=item.workspace_id,
        event_type=event_type,
    )
    _audit(
        uow,
        event,
        target_type="namespace",
        target_id=item.namespace_id,
        operator_id=operator_id,
        reason=reason,
        before=before,
        after=after,
    )
    return after


def grant_package(
    operator_id: str, namespace_id: str, package_id: str, expires_at: datetime | None, reason: str | None
) -> dict[str, Any]:
    """Add a package's limits to a namespace's, until `expires_at` when given (the sweeper then removes it)."""
    item = _namespace(namespace_id)
    if package_id not in catalogue():
        message = f"Unknown package '{package_id}'. Packages: {', '.join(catalogue())}."
        raise errors.InvalidRequest(message, details={"package_id": [message]})
    if expires_at is not None and expires_at <= utcnow():
        raise errors.InvalidRequest("expires_at must be in the future.", details={"expires_at": ["In the past."]})
    current = entitlements_dal.get_packages(namespace_id)
    grants = current.packages if current else []
    if any(g.package_id == package_id for g in grants):
        raise errors.Conflict(f"The namespace already has {package_id}.", details={"package_id": ["Already assigned."]})
    lapses = isoformat(expires_at) if expires_at else None
    with UnitOfWork() as uow:
        if lapses:
            uow.put(
                entitlements_dal.GrantExpiryItem(
                    *entitlements_dal.grant_expiry_key(lapses, namespace_id, package_id),
                    namespace_id=namespace_id,
                    package_id=package_id,
                )
            )
        return _change_namespace(
            uow,
            item,
            current,
            grants=[*grants, entitlements_dal.PackageGrant(package_id=package_id, expires_at=lapses)],
            custom=entitlements.custom_of(current),
            event_type="namespace.package_granted",
            details={"package_id": package_id, "expires_at": lapses},
            operator_id=operator_id,
            reason=reason,
        )


def revoke_package(operator_id: str, namespace_id: str, package_id: str, reason: str | None) -> dict[str, Any]:
    """Remove a package; a 409 when the usage would no longer fit, or for the namespace's last package."""
    item = _namespace(namespace_id)
    current = entitlements_dal.get_packages(namespace_id)
    grants = current.packages if current else []
    grant = next((g for g in grants if g.package_id == package_id), None)
    if grant is None:
        raise errors.NotFound("The namespace has no such package.")
    remaining = [g for g in grants if g is not grant]
    if not remaining:
        raise errors.Conflict("A namespace keeps at least one package; assign another one first.")
    with UnitOfWork() as uow:
        if grant.expires_at:
            key = entitlements_dal.grant_expiry_key(grant.expires_at, namespace_id, package_id)
            uow.delete(entitlements_dal.GrantExpiryItem(*key))
        return _change_namespace(
            uow,
            item,
            current,
            grants=remaining,
            custom=entitlements.custom_of(current),
            event_type="namespace.package_revoked",
            details={"package_id": package_id},
            operator_id=operator_id,
            reason=reason,
        )


def set_namespace_limits(
    operator_id: str, namespace_id: str, limits: dict[str, int] | None, reason: str | None
) -> dict[str, Any]:
    """Custom limits (enterprise): each named feature's limit replaces what the packages sum to; None clears."""
    item = _namespace(namespace_id)
    unknown = sorted(set(limits or {}) - set(FEATURES))
    if unknown:
        message = f"Unknown feature(s) {', '.join(unknown)}. Features: {', '.join(FEATURES)}."
        raise errors.InvalidRequest(message, details={"limits": [message]})
    current = entitlements_dal.get_packages(namespace_id)
    custom = dict(limits or {})
    if custom == entitlements.custom_of(current):
        return namespace_plan(namespace_id, current)
    with UnitOfWork() as uow:
        return _change_namespace(
            uow,
            item,
            current,
            grants=current.packages if current else [],
            custom=custom,
            event_type="namespace.limits_changed",
            details={},
            operator_id=operator_id,
            reason=reason,
        )


def expire_lapsed_grants(limit: int = EXPIRY_BATCH) -> int:
    """Remove the grants whose `expires_at` has passed (the sweeper, every minute): each in its own
    transaction with its event and audit entry. Usage above the lowered limit stays (nothing more is
    consumed until it fits again). Returns how many grants lapsed; a crash leaves the rest for the next run."""
    lapsed = 0
    for marker in entitlements_dal.lapsed_grants(now_iso(), limit):
        try:
            lapsed += _expire(marker)
        except errors.Conflict:
            continue  # an operator changed the namespace meanwhile: the next sweep sees the new grants
    return lapsed


def _expire(marker: entitlements_dal.GrantExpiryItem) -> int:
    current = entitlements_dal.get_packages(marker.namespace_id)
    expires_at = marker.SK.split("#", 1)[0]
    grants = current.packages if current else []
    grant = next((g for g in grants if g.package_id == marker.package_id and g.expires_at == expires_at), None)
    namespace = namespaces_dal.get_namespace(marker.namespace_id, consistent=True)
    with UnitOfWork() as uow:
        uow.delete(marker)
        if grant is None or namespace is None:
            return 0  # revoked or deleted meanwhile: only the marker is left to remove
        _change_namespace(
            uow,
            namespace,
            current,
            grants=[g for g in grants if g is not grant],
            custom=entitlements.custom_of(current),
            event_type="namespace.package_expired",
            details={"package_id": marker.package_id},
            operator_id=SYSTEM,
            reason=f"grant expired at {expires_at}",
            must_fit=False,
        )
    return 1
