"""Namespaces: the tenant unit that owns resources, webhooks and entitlements."""

from __future__ import annotations

import uuid
from typing import Any

from platform_api.dal.namespaces import SK, NamespaceItem
from platform_api.domain import entitlements
from platform_api.events import new_event
from platform_api.ids import new_id
from platform_api.timeutil import now_iso


def to_api(item: NamespaceItem) -> dict[str, Any]:
    return {
        "id": item.namespace_id,
        "uuid": item.uuid,
        "name": item.name,
        "slug": item.slug,
        "owner_type": item.owner_type,
        "owner_id": item.owner_id,
        "workspace_id": item.workspace_id,
        "is_default": item.is_default,
        "is_active": item.is_active,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def personal_namespace_items(user_id: str) -> tuple[str, list[Any]]:
    """The items of a new user's personal default namespace, saved in the registration transaction:
    the namespace, its entitlement counters (the default package) and its outbox event."""
    namespace_id = new_id("ns")
    now = now_iso()
    namespace = NamespaceItem(
        PK=f"NS#{namespace_id}",
        SK=SK,
        GSI1PK=f"USER#{user_id}",
        GSI1SK=f"NS#{namespace_id}",
        namespace_id=namespace_id,
        uuid=str(uuid.uuid4()),
        name="Personal Namespace",
        slug="personal",
        owner_type="User",
        owner_id=user_id,
        workspace_id=None,
        is_default=True,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    event = new_event("namespace", "created", namespace_id, to_api(namespace), namespace_id=namespace_id)
    return namespace_id, [namespace, *entitlements.new_counters(namespace_id), event]
