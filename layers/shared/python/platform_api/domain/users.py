"""Users: the current user, users visible in a workspace, and updates to a user the caller may manage."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterator
from typing import Any

from platform_api import errors
from platform_api.dal import users as dal
from platform_api.domain import listing
from platform_api.models.users import UserUpdate
from platform_api.principal import Principal
from platform_api.query import ListQuery, apply_in_memory
from platform_api.timeutil import now_iso
from platform_api.unit_of_work import UnitOfWork


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
    from platform_api.domain.tenancy import membership

    me = membership(workspace_id, principal.user_id)
    return bool(me and me.role in roles and membership(workspace_id, target_id))


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
    current_password = changes.pop("current_password", None)
    new_password = changes.pop("password", None)
    email_changes = bool(changes.get("email")) and dal.email_key(changes["email"]) != dal.email_key(item.email)
    if email_changes or new_password is not None:
        _require_current_password(item, current_password, "email" if email_changes else "password")
    # The new values, applied to the stored item by one update and to `item` here: the answer is built
    # before the commit, which a request with an Idempotency-Key holds until the answer is stored with it.
    assign: dict[str, Any] = {"updated_at": now_iso()}
    if new_password is not None:
        assign["password_hash"] = _new_password_hash(new_password)
    confirmation = None
    if email_changes:
        confirmation, token_attributes = confirmation_attributes(changes["email"].strip())
        assign.update(token_attributes, email_verified_at=None)
    if "name" in changes:
        assign["name"] = changes["name"]
    if "profile" in changes and changes["profile"] is not None:
        assign["profile"] = dal.Profile(**{**(item.profile.as_dict() if item.profile else {}), **changes["profile"]})
    swaps: list[tuple[str, str, str]] = []  # (field, old key, new key) for email / username changes
    for field, key_of in (("email", dal.email_key), ("username", dal.username_key)):
        new_value = changes.get(field)
        if new_value and key_of(new_value) != key_of(getattr(item, field)):
            swaps.append((field, key_of(getattr(item, field)), key_of(new_value)))
            assign[field] = new_value.strip()
        elif field in changes and changes[field] is None:
            raise errors.InvalidRequest(f"{field} cannot be null.", details={field: ["Cannot be null."]})
    actions = [
        getattr(dal.UserItem, name).set(value) if value is not None else getattr(dal.UserItem, name).remove()
        for name, value in assign.items()
    ]
    with UnitOfWork() as uow:
        for field, old_key, new_key in swaps:
            uow.put(
                dal.UniqueItem(new_key, dal.UNIQUE, user_id=user_id),
                condition=dal.UniqueItem.PK.does_not_exist(),
                on_conflict=errors.Conflict(
                    f"That {field} is already registered.", details={field: ["Already taken."]}
                ),
            )
            uow.delete(dal.UniqueItem(old_key, dal.UNIQUE))
        uow.update(item, actions, condition=dal.UserItem.PK.exists(), on_conflict=errors.NotFound("User not found."))
    for name, value in assign.items():
        setattr(item, name, value)
    if confirmation is not None:
        announce_confirmation(user_id, changes["email"].strip(), confirmation)
    return to_api(item)


# ---------------------------------------------------------------------------------------------- credentials
CONFIRMATION_SECONDS = 24 * 3600


def _require_current_password(item: dal.UserItem, current_password: str | None, what: str) -> None:
    """Changing the login identity proves the password again: a stolen access token alone cannot take it."""
    from platform_api import passwords

    if not current_password:
        message = f"Changing the {what} needs current_password."
        raise errors.InvalidRequest(message, details={"current_password": [message]})
    if not passwords.verify(item.password_hash, current_password):
        raise errors.InsufficientPermissions(
            "The current password is incorrect.", details={"current_password": ["Incorrect."]}
        )


def _new_password_hash(password: str) -> str:
    from platform_api import passwords

    problem = passwords.policy_problem(password)
    if problem:
        raise errors.InvalidRequest(problem, details={"password": [problem]})
    return passwords.hash_password(password)


def _confirmation_hash(token: str, email: str) -> str:
    return hashlib.sha256(f"{token}|{email.strip().lower()}".encode()).hexdigest()


def confirmation_attributes(email: str) -> tuple[str, dict[str, Any]]:
    """For a user item being created: (token, attributes) of its first email confirmation."""
    token = secrets.token_urlsafe(32)
    expires = int(time.time()) + CONFIRMATION_SECONDS
    return token, {"email_confirmation_hash": _confirmation_hash(token, email), "email_confirmation_expires": expires}


def announce_confirmation(user_id: str, email: str, token: str) -> None:
    """Hand the link to whoever delivers mail. No mail is sent by this product (docs/auth.md): on the local
    stack the link is written to the log, elsewhere only that a confirmation is pending (never the token)."""
    from platform_api.observability import logger
    from platform_api.settings import get_settings

    settings = get_settings()
    if settings.local_stack:
        base = (settings.public_base_url or "http://127.0.0.1:3000").rstrip("/")
        logger.info(
            f"Email confirmation for {email}: POST {base}/v1/users/me/email/confirm with token {token}",
            extra={"user_id": user_id},
        )
    else:
        logger.info("Email confirmation pending", extra={"user_id": user_id})


def confirm_email(principal: Principal, token: str) -> dict[str, Any]:
    item = _load(principal.user_id)
    expected = item.email_confirmation_hash or ""
    valid = hmac.compare_digest(expected, _confirmation_hash(token, item.email)) and expected != ""
    if not valid or (item.email_confirmation_expires or 0) < time.time():
        message = "The confirmation token is invalid or has expired; change the email again for a new one."
        raise errors.InvalidRequest(message, details={"token": [message]})
    changed = errors.Conflict("The email changed meanwhile; confirm the newest link.")
    now = now_iso()
    with UnitOfWork() as uow:
        uow.update(
            item,
            [
                dal.UserItem.email_verified_at.set(now),
                dal.UserItem.email_confirmation_hash.remove(),
                dal.UserItem.email_confirmation_expires.remove(),
                dal.UserItem.updated_at.set(now),
            ],
            condition=(dal.UserItem.email == item.email) & (dal.UserItem.email_confirmation_hash == expected),
            on_conflict=changed,
        )
    item.email_verified_at, item.updated_at = now, now
    item.email_confirmation_hash = item.email_confirmation_expires = None
    return to_api(item)


def list_personal_users(user_id: str, query: ListQuery) -> listing.Listing:
    """The users of a personal namespace: its owner, alone. Without a workspace the caller's personal namespace
    is the context (shared/spec/README.md, tenancy), so document 000's `GET /users` lists the caller."""
    page = apply_in_memory([{**to_api(_load(user_id)), "role": "owner"}], query)
    return listing.Listing(items=page.items, next_cursor=page.next_cursor, total=page.total)


def list_workspace_users(workspace_id: str, query: ListQuery) -> listing.Listing:
    """One page of the users of a workspace (the caller's membership was checked by the route's tenant).

    Members are read by user id (`MEMBER#<usr>`, the table), which is the users' creation order (ids are
    ULIDs minted with `created_at`), one Query page from the cursor; the page's users are one BatchGetItem.
    `role` filters on the memberships; `tier`, `search` and the ranges need the users, so each round trip then
    reads its users too (at most SCAN_CAP members a page); `name`, `email` and `username` sort in memory (a
    workspace holds at most its `members` entitlement, and more than SORT_CAP is a 400). `total` is the
    `members` counter when nothing filters."""
    from platform_api.dal import entitlements as entitlements_dal
    from platform_api.dal import workspaces as workspaces_dal

    in_key_order = listing.serves(query, *listing.id_orders())
    newest_first = listing.descending(query) if in_key_order else True
    needs_users = not in_key_order or bool(set(query.filters) - {"role"} or query.ranges or query.search)

    def stream(after: dict[str, Any] | None, demand: listing.Demand) -> Iterator[dict[str, Any]]:
        user_id = listing.position_id(after, "usr")
        pages = workspaces_dal.member_pages(
            workspace_id,
            join_order=False,
            newest_first=newest_first,
            after=("", user_id) if user_id else None,
            demand=demand,
        )
        for members in pages:
            if needs_users:
                yield from with_users([{"id": m.user_id, "role": m.role} for m in members])
            else:
                yield from ({"id": m.user_id, "role": m.role} for m in members)

    def with_users(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found = {item.user_id: item for item in dal.get_items([m["id"] for m in page])}
        return [{**to_api(found[m["id"]]), "role": m["role"]} for m in page if m["id"] in found]

    if not in_key_order:
        return listing.sorted_page(query, stream, served="created_at or id")
    total = None
    if not query.filters and not query.ranges and not query.search:
        workspace = workspaces_dal.get(workspace_id)
        counter = entitlements_dal.get_counter(workspace.default_namespace_id or "", "members") if workspace else None
        total = int(counter.used) if counter is not None else None
    exact = not query.filters and not query.ranges and not query.search
    return listing.ordered_page(query, stream, exact=exact, total=total, hydrate=None if needs_users else with_users)
