"""The operator audit trail: one item per operator change, written in the change's own transaction.

    PK=AUDIT              SK=<aud ULID>   every change, oldest first (ULIDs sort by time)
    PK=AUDIT#<target id>  SK=<aud ULID>   the same entry on its target's trail (a user, workspace or namespace)

Listing reads one page of one partition by its key condition, newest first, from a cursor (`SK < :after`).
Operator changes are rare (a person or a billing system), so one partition for all of them stays far below
DynamoDB's per-partition limits.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from platform_api.db import TableItem

ALL = "AUDIT"


class AuditItem(TableItem):
    audit_id = UnicodeAttribute()
    action = UnicodeAttribute()  # the outbox event type of the change, e.g. user.tier_changed
    target_type = UnicodeAttribute()  # user | workspace | namespace
    target_id = UnicodeAttribute()
    operator_id = UnicodeAttribute()  # the operator key (opk_...) or the platform itself (`system`)
    reason = UnicodeAttribute(null=True)
    before = UnicodeAttribute()  # JSON
    after = UnicodeAttribute()  # JSON
    event_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


def trail_keys(audit_id: str, target_id: str) -> list[tuple[str, str]]:
    return [(ALL, audit_id), (f"{ALL}#{target_id}", audit_id)]


def page(target_id: str | None, after: str | None, limit: int) -> list[AuditItem]:
    """Up to `limit` entries, newest first, older than the entry `after` (a cursor) when given."""
    partition = f"{ALL}#{target_id}" if target_id else ALL
    condition = after > AuditItem.SK if after else None
    return list(AuditItem.query(partition, condition, scan_index_forward=False, limit=limit))
