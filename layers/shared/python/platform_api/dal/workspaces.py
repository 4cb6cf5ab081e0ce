"""Workspaces (= organizations), their slugs and their members.

    PK=WS#<wks>          SK=WORKSPACE     name, slug, tier, settings, default_namespace_id, owners (count)
    PK=WSSLUG#<slug>     SK=UNIQUE        claims a slug for one workspace (saved with attribute_not_exists)
    PK=WS#<wks>          SK=MEMBER#<usr>  role; GSI1 USER#<usr> / MEMBER#<wks> lists a user's workspaces;
                                          GSI2 WSM#<wks> / <created_at>#<usr> lists the members by joining time
    PK=INVITE#<inv>      SK=INVITATION    a pending invitation; GSI1 USER#<usr> / INVITE#<inv> lists a user's,
                                          in the order they were sent (invitation ids are ULIDs)
    PK=WS#<wks>          SK=INVITE#<usr>  claims "one pending invitation per user and workspace" (holds <inv>)

Both invitation items have a `ttl`: DynamoDB removes an invitation nobody accepted within INVITATION_DAYS.

`owners` on the workspace item counts its owners, so "the last owner cannot leave or be demoted" is a
condition (`owners > 1`) in the same transaction as the change, not a read-then-write race.

Lists read one page (docs/data-model.md): `member_pages` (a workspace's members by joining time, GSI2, or by
user id, the table), `membership_pages` (a user's workspaces by workspace id, GSI1) and `invitation_pages` (a
user's invitations by invitation id, GSI1), each a Query from a cursor's key with the Limit the caller asks for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from platform_api.dal import keyset
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
    GSI2PK = UnicodeAttribute(null=True)  # joining order (member_index), written with the membership
    GSI2SK = UnicodeAttribute(null=True)
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


def member_index(workspace_id: str, user_id: str, created_at: str) -> tuple[str, str]:
    """(GSI2PK, GSI2SK) of a membership: the workspace's members in the order they joined."""
    return f"WSM#{workspace_id}", f"{created_at}#{user_id}"


def new_member(workspace_id: str, user_id: str, role: str, now: str) -> MemberItem:
    by_join = member_index(workspace_id, user_id, now)
    return MemberItem(
        *member_key(workspace_id, user_id),
        GSI1PK=f"USER#{user_id}",
        GSI1SK=f"{MEMBER_PREFIX}{workspace_id}",
        GSI2PK=by_join[0],
        GSI2SK=by_join[1],
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


def invitation_index(invitation_id: str) -> str:
    """GSI1SK of an invitation (GSI1PK USER#<invited user>): a user's invitations in the order they were sent."""
    return f"{INVITE_PREFIX}{invitation_id}"


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
        GSI1SK=invitation_index(invitation_id),
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


def member_pages(
    workspace_id: str,
    *,
    join_order: bool,
    newest_first: bool,
    after: tuple[str, str] | None,
    joined_after: datetime | None = None,
    joined_before: datetime | None = None,
    demand: keyset.Demand,
) -> Iterator[list[MemberItem]]:
    """A workspace's members, one Query page at a time, strictly after `after` (joined_at, user id).

    `join_order`: by joining time (GSI2 `<created_at>#<usr>`, bounded by `joined_after` / `joined_before`);
    otherwise by user id (the table's `MEMBER#<usr>`; `after` only needs the user id).
    """
    home = f"WS#{workspace_id}"
    if join_order:
        partition, _ = member_index(workspace_id, "", "")
        low, high = keyset.time_bounds(joined_after, joined_before)
        range_ = keyset.Range("GSI2", "GSI2PK", partition, "GSI2SK", low, high)
        start = None
        if after:
            start = {
                "GSI2PK": partition,
                "GSI2SK": member_index(workspace_id, after[1], after[0])[1],
                "PK": home,
                "SK": f"{MEMBER_PREFIX}{after[1]}",
            }
    else:
        range_ = keyset.prefix(keyset.Range(None, "PK", home, "SK"), MEMBER_PREFIX)
        start = {"PK": home, "SK": f"{MEMBER_PREFIX}{after[1]}"} if after else None
    for raw in keyset.query_pages(range_, forward=not newest_first, start=start, demand=demand):
        yield [MemberItem.from_raw_data(r) for r in raw]


def membership_pages(
    user_id: str, *, newest_first: bool, after_workspace_id: str | None, demand: keyset.Demand
) -> Iterator[list[MemberItem]]:
    """The workspaces a user belongs to (their memberships), by workspace id: GSI1 `USER#<usr>` / `MEMBER#<wks>`."""
    after = (
        (f"{MEMBER_PREFIX}{after_workspace_id}", member_key(after_workspace_id, user_id))
        if after_workspace_id
        else None
    )
    for raw in keyset.gsi1_pages(
        f"USER#{user_id}", MEMBER_PREFIX, newest_first=newest_first, after=after, demand=demand
    ):
        yield [MemberItem.from_raw_data(r) for r in raw]


def invitation_pages(
    user_id: str, *, newest_first: bool, after_invitation_id: str | None, demand: keyset.Demand
) -> Iterator[list[InvitationItem]]:
    """A user's invitations (expired ones too, until TTL removes them), by invitation id: GSI1 `INVITE#<inv>`."""
    after = (
        (invitation_index(after_invitation_id), invitation_key(after_invitation_id)) if after_invitation_id else None
    )
    for raw in keyset.gsi1_pages(
        f"USER#{user_id}", INVITE_PREFIX, newest_first=newest_first, after=after, demand=demand
    ):
        yield [InvitationItem.from_raw_data(r) for r in raw]
