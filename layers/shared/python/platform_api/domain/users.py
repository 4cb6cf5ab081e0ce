"""Users: the current user, users visible in a workspace, and updates to a user the caller may manage."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError

from platform_api import errors
from platform_api.dal import users as dal
from platform_api.db import transaction
from platform_api.models.users import UserUpdate
from platform_api.principal import Principal
from platform_api.timeutil import now_iso


def to_api(item: dal.UserItem) -> dict[str, Any]:
    profile = item.profile
    return {
        "id": item.user_id,
        "email": item.email,
        "username": item.username,
        "name": item.name,
        "profile": {
            "first_name": getattr(profile, "first_name", None),
            "last_name": getattr(profile, "last_name", None),
            "avatar_url": getattr(profile, "avatar_url", None),
        },
        "tier": item.tier,
        "email_verified_at": item.email_verified_at,
        "default_namespace_id": item.default_namespace_id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def _load(user_id: str) -> dal.UserItem:
    item = dal.get_item(user_id)
    if item is None:
        raise errors.NotFound("User not found.")
    return item


def get_me(principal: Principal) -> dict[str, Any]:
    return to_api(_load(principal.user_id))


def _shares_workspace_as(principal: Principal, target_id: str, roles: set[str], workspace_id: str | None) -> bool:
    if not workspace_id:
        return False
    from platform_api.dal.workspaces import get_member

    me, them = get_member(workspace_id, principal.user_id), get_member(workspace_id, target_id)
    return bool(me and them and me.role in roles)


def get_user(principal: Principal, user_id: str, workspace_id: str | None) -> dict[str, Any]:
    if user_id != principal.user_id and not _shares_workspace_as(
        principal, user_id, {"owner", "admin", "member"}, workspace_id
    ):
        raise errors.NotFound("User not found.")
    return to_api(_load(user_id))


def update_user(principal: Principal, user_id: str, body: UserUpdate, workspace_id: str | None) -> dict[str, Any]:
    """Only the user edits their account. Every user field (email, username, name, profile) belongs to the
    account, not to a workspace, so a workspace owner or admin edits none of them: another user one can see
    through a shared workspace is a 403, anyone else a 404 (docs/security.md)."""
    if user_id != principal.user_id:
        if _shares_workspace_as(principal, user_id, {"owner", "admin", "member"}, workspace_id):
            raise errors.InsufficientPermissions("Only the user may change their account.")
        raise errors.NotFound("User not found.")
    item = _load(user_id)
    changes = body.model_dump(exclude_unset=True)
    actions = [dal.UserItem.updated_at.set(now_iso())]
    for field in ("name",):
        if field in changes:
            actions.append(getattr(dal.UserItem, field).set(changes[field]))
    if "profile" in changes and changes["profile"] is not None:
        merged = {**(item.profile.as_dict() if item.profile else {}), **changes["profile"]}
        actions.append(dal.UserItem.profile.set(dal.Profile(**merged)))
    swaps: list[tuple[str, str, str]] = []  # (field, old key, new key) for email / username changes
    for field, key_of in (("email", dal.email_key), ("username", dal.username_key)):
        new_value = changes.get(field)
        if new_value and key_of(new_value) != key_of(getattr(item, field)):
            swaps.append((field, key_of(getattr(item, field)), key_of(new_value)))
            actions.append(getattr(dal.UserItem, field).set(new_value.strip()))
            if field == "email":
                actions.append(dal.UserItem.email_verified_at.remove())
        elif field in changes and changes[field] is None:
            raise errors.InvalidRequest(f"{field} cannot be null.", details={field: ["Cannot be null."]})
    try:
        with transaction() as tx:
            for _, old_key, new_key in swaps:
                tx.save(
                    dal.UniqueItem(new_key, dal.UNIQUE, user_id=user_id), condition=dal.UniqueItem.PK.does_not_exist()
                )
                tx.delete(dal.UniqueItem(old_key, dal.UNIQUE))
            tx.update(item, actions=actions, condition=dal.UserItem.PK.exists())
    except TransactWriteError as exc:
        if swaps:
            fields = [field for field, _, _ in swaps]
            raise errors.Conflict(
                f"That {fields[0]} is already registered.", details={f: ["Already taken."] for f in fields}
            ) from exc
        raise
    return to_api(_load(user_id))


def list_workspace_users(workspace_id: str) -> list[dict[str, Any]]:
    from platform_api.dal.workspaces import list_members

    members = {m.user_id: m.role for m in list_members(workspace_id)}
    keys = [(f"USER#{user_id}", dal.PROFILE) for user_id in members]
    users = [to_api(item) for item in dal.UserItem.batch_get(keys)] if keys else []
    for user in users:
        user["role"] = members[user["id"]]
    return users
