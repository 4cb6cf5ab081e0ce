"""Namespaces (`PK=NS#<ns>`, `SK=NAMESPACE`) and the workspace memberships tenancy checks.

GSI1 lists a user's personal namespaces (`GSI1PK=USER#<usr>`, `GSI1SK=NS#<ns>`).
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from platform_api.db import Gsi1Mixin, TableItem

SK = "NAMESPACE"


class NamespaceItem(TableItem, Gsi1Mixin):
    namespace_id = UnicodeAttribute()
    uuid = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    owner_type = UnicodeAttribute()  # "User" | "Workspace"
    owner_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute(null=True)
    is_default = BooleanAttribute(default=False)
    is_active = BooleanAttribute(default=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class MemberItem(TableItem, Gsi1Mixin):
    """`PK=WS#<wks>`, `SK=MEMBER#<usr>`; GSI1 `USER#<usr>` / `MEMBER#<wks>` lists a user's workspaces."""

    user_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UnicodeAttribute()


class WorkspaceRef(TableItem):
    """The part of a workspace item (`PK=WS#<wks>`, `SK=WORKSPACE`) tenancy reads: its default namespace."""

    default_namespace_id = UnicodeAttribute(null=True)


def get_workspace_ref(workspace_id: str) -> WorkspaceRef | None:
    try:
        return WorkspaceRef.get(f"WS#{workspace_id}", "WORKSPACE")
    except WorkspaceRef.DoesNotExist:
        return None


def get_namespace(namespace_id: str) -> NamespaceItem | None:
    try:
        return NamespaceItem.get(f"NS#{namespace_id}", SK)
    except NamespaceItem.DoesNotExist:
        return None


def get_member(workspace_id: str, user_id: str) -> MemberItem | None:
    try:
        return MemberItem.get(f"WS#{workspace_id}", f"MEMBER#{user_id}")
    except MemberItem.DoesNotExist:
        return None


def list_members(workspace_id: str) -> list[MemberItem]:
    return list(MemberItem.query(f"WS#{workspace_id}", MemberItem.SK.startswith("MEMBER#")))
