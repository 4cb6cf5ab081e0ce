"""Users: `PK=USER#<usr>`, `SK=PROFILE`; uniqueness items `EMAIL#<email>` / `USERNAME#<name>`, `SK=UNIQUE`."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from platform_api.db import TableItem, number_map

PROFILE = "PROFILE"
UNIQUE = "UNIQUE"


class Profile(MapAttribute):
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    avatar_url = UnicodeAttribute(null=True)


class UserItem(TableItem):
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    username = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    profile = Profile(default=dict)
    tier = UnicodeAttribute(default="free")
    # Set by an operator only (domain.plans): window -> limit, replacing the tier's (burst, minute, hour).
    custom_limits: MapAttribute = MapAttribute(null=True)
    plan_version = NumberAttribute(null=True)  # optimistic lock of operator plan changes
    email_verified_at = UnicodeAttribute(null=True)
    # A pending email confirmation: the SHA-256 of (token, email) and when it lapses (epoch seconds).
    email_confirmation_hash = UnicodeAttribute(null=True)
    email_confirmation_expires = NumberAttribute(null=True)
    password_hash = UnicodeAttribute()
    default_namespace_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class UniqueItem(TableItem):
    """Claims an email or username for one user; saved with `attribute_not_exists(PK)`."""

    user_id = UnicodeAttribute()


def profile_key(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", PROFILE


def email_key(email: str) -> str:
    return f"EMAIL#{email.strip().lower()}"


def username_key(username: str) -> str:
    return f"USERNAME#{username.strip().lower()}"


def custom_limits_of(user: UserItem) -> dict[str, int] | None:
    return number_map(user.custom_limits) or None


def get_item(user_id: str) -> UserItem | None:
    try:
        return UserItem.get(*profile_key(user_id))
    except UserItem.DoesNotExist:
        return None


def find_by_email(email: str) -> UserItem | None:
    try:
        claim = UniqueItem.get(email_key(email), UNIQUE)
    except UniqueItem.DoesNotExist:
        return None
    return get_item(claim.user_id)


def summary(item: UserItem) -> dict[str, Any]:
    return {"id": item.user_id, "username": item.username, "name": item.name, "email": item.email}


def get_user(user_id: str) -> dict[str, Any] | None:
    item = get_item(user_id)
    return summary(item) if item else None


def get_items(ids: list[str]) -> list[UserItem]:
    """The users that exist among `ids`: one BatchGetItem per 100."""
    keys = [profile_key(i) for i in dict.fromkeys(ids)]
    return list(UserItem.batch_get(keys)) if keys else []


def get_users(ids: list[str] | set[str]) -> dict[str, dict[str, Any]]:
    """One BatchGetItem for up to 100 users: id -> summary (id, username, name, email)."""
    keys = [profile_key(i) for i in dict.fromkeys(ids)]
    return {item.user_id: summary(item) for item in UserItem.batch_get(keys)} if keys else {}
