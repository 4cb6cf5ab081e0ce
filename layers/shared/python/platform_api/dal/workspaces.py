"""Workspaces (= organizations), their slugs and their members.

    PK=WS#<wks>          SK=WORKSPACE     name, slug, tier, settings, default_namespace_id, owners (count)
    PK=WSSLUG#<slug>     SK=UNIQUE        claims a slug for one workspace (saved with attribute_not_exists)
    PK=WS#<wks>          SK=MEMBER#<usr>  role; GSI1 USER#<usr> / MEMBER#<wks> lists a user's workspaces
    PK=INVITE#<inv>      SK=INVITATION    a pending invitation; GSI1 USER#<usr> / INVITE#<wks> lists a user's
    PK=WS#<wks>          SK=INVITE#<usr>  claims "one pending invitation per user and workspace" (holds <inv>)

Both invitation items have a `ttl`: DynamoDB removes an invitation nobody accepted within INVITATION_DAYS.

`owners` on the workspace item counts its owners, so "the last owner cannot leave or be demoted" is a
condition (`owners > 1`) in the same transaction as the change, not a read-then-write race.
"""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from platform_api.db import Gsi1Item, TableItem, TtlMixin

WORKSPACE_SK = "WORKSPACE"
MEMBER_PREFIX = "MEMBER#"
INVITE_PREFIX = "INVITE#"
INVITATION_SK = "INVITATION"


class Settings(MapAttribute):
    timezone = UnicodeAttribute(default="UTC")
    locale = UnicodeAttribute(default="en_GB")


class WorkspaceItem(TableItem):
    workspace_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    tier = UnicodeAttribute(default="free")
    settings = Settings(default=dict)
    default_namespace_id = UnicodeAttribute(null=True)
    owners = NumberAttribute(default=1)
    created_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class SlugItem(TableItem):
    workspace_id = UnicodeAttribute()


class MemberItem(Gsi1Item):
    user_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)


class InvitationItem(Gsi1Item, TtlMixin):
    invitation_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    invited_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()


class InvitationClaimItem(TableItem, TtlMixin):
    invitation_id = UnicodeAttribute()


def workspace_key(workspace_id: str) -> tuple[str, str]:
    return f"WS#{workspace_id}", WORKSPACE_SK


def slug_key(slug: str) -> tuple[str, str]:
    return f"WSSLUG#{slug.lower()}", "UNIQUE"


def member_key(workspace_id: str, user_id: str) -> tuple[str, str]:
    return f"WS#{workspace_id}", f"{MEMBER_PREFIX}{user_id}"


def new_member(workspace_id: str, user_id: str, role: str, now: str) -> MemberItem:
    return MemberItem(
        *member_key(workspace_id, user_id),
        GSI1PK=f"USER#{user_id}",
        GSI1SK=f"{MEMBER_PREFIX}{workspace_id}",
        user_id=user_id,
        workspace_id=workspace_id,
        role=role,
        created_at=now,
        updated_at=now,
    )


def get(workspace_id: str, *, consistent: bool = False) -> WorkspaceItem | None:
    try:
        return WorkspaceItem.get(*workspace_key(workspace_id), consistent_read=consistent)
    except WorkspaceItem.DoesNotExist:
        return None


def get_many(workspace_ids: list[str]) -> list[WorkspaceItem]:
    """One BatchGetItem per 100 workspaces (missing ones are skipped)."""
    keys = [workspace_key(w) for w in dict.fromkeys(workspace_ids)]
    return list(WorkspaceItem.batch_get(keys)) if keys else []


def get_member(workspace_id: str, user_id: str) -> MemberItem | None:
    try:
        return MemberItem.get(*member_key(workspace_id, user_id))
    except MemberItem.DoesNotExist:
        return None


def list_members(workspace_id: str) -> list[MemberItem]:
    """Every member of a workspace: one Query on the workspace's partition."""
    return list(MemberItem.query(f"WS#{workspace_id}", MemberItem.SK.startswith(MEMBER_PREFIX)))


def memberships(user_id: str) -> list[MemberItem]:
    """The workspaces a user belongs to: one Query on GSI1."""
    return list(MemberItem.gsi1.query(f"USER#{user_id}", MemberItem.GSI1SK.startswith(MEMBER_PREFIX)))


def invitation_key(invitation_id: str) -> tuple[str, str]:
    return f"INVITE#{invitation_id}", INVITATION_SK


def invitation_claim_key(workspace_id: str, user_id: str) -> tuple[str, str]:
    return f"WS#{workspace_id}", f"{INVITE_PREFIX}{user_id}"


def new_invitation(
    invitation_id: str, workspace_id: str, user_id: str, role: str, invited_by: str, now: str, expires: int
) -> tuple[InvitationItem, InvitationClaimItem]:
    from datetime import UTC, datetime

    expires_at = datetime.fromtimestamp(expires, UTC).isoformat().replace("+00:00", "Z")
    invitation = InvitationItem(
        *invitation_key(invitation_id),
        GSI1PK=f"USER#{user_id}",
        GSI1SK=f"{INVITE_PREFIX}{workspace_id}",
        invitation_id=invitation_id,
        workspace_id=workspace_id,
        user_id=user_id,
        role=role,
        invited_by=invited_by,
        created_at=now,
        expires_at=expires_at,
        ttl=expires,
    )
    claim = InvitationClaimItem(*invitation_claim_key(workspace_id, user_id), invitation_id=invitation_id, ttl=expires)
    return invitation, claim


def get_invitation(invitation_id: str) -> InvitationItem | None:
    try:
        return InvitationItem.get(*invitation_key(invitation_id), consistent_read=True)
    except InvitationItem.DoesNotExist:
        return None


def get_invitation_claim(workspace_id: str, user_id: str) -> InvitationClaimItem | None:
    try:
        return InvitationClaimItem.get(*invitation_claim_key(workspace_id, user_id), consistent_read=True)
    except InvitationClaimItem.DoesNotExist:
        return None


def invitations_of(user_id: str, limit: int = 100) -> list[InvitationItem]:
    """A user's pending invitations: one Query on GSI1, newest workspace ids first, at most `limit`."""
    query = InvitationItem.gsi1.query(
        f"USER#{user_id}", InvitationItem.GSI1SK.startswith(INVITE_PREFIX), limit=limit, scan_index_forward=False
    )
    return list(query)
