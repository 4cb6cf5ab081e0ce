"""Operator keys: the platform operator's credentials (docs/operators.md), two items each like a tenant API key.

    PK=KEY#<opk>   SK=KEY          the credential: secret_hash (SHA-256), kind=operator, the rate-limit limits
                                   and windows, expires_epoch, revoked_at, last_used_at. The same shape and
                                   partition family as a tenant key's credential, so authentication is the same
                                   single UpdateItem (dal.ratelimit.count_api_key); the id's `opk_` prefix
                                   keeps the two apart (a tenant key's id is always `key_...`). In no index.
    PK=OPERATORS   SK=KEY#<opk>    the listing entry: name, prefix, created_at, created_by, expires_at.

No tenant route writes either item: they are created by the bootstrap (`python -m local.operator`) only.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from platform_api.db import TableItem, TtlMixin
from platform_api.unit_of_work import UnitOfWork

KIND = "operator"
LISTING_PARTITION = "OPERATORS"
REVOKED_RETENTION_SECONDS = 30 * 24 * 3600


class OperatorKeyItem(TableItem, TtlMixin):
    """The credential (PK=KEY#<opk>, SK=KEY). Rate-limit windows (w, hc, m<minute>) are written raw."""

    kind = UnicodeAttribute(default=KIND)
    key_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    rl_minute = NumberAttribute()
    rl_hour = NumberAttribute()
    expires_epoch = NumberAttribute(null=True)
    last_used_at = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)


class OperatorKeyEntry(TableItem):
    """The listing entry (PK=OPERATORS, SK=KEY#<opk>); gone once the key is revoked."""

    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    expires_at = UnicodeAttribute(null=True)


def key(key_id: str) -> tuple[str, str]:
    return f"KEY#{key_id}", "KEY"


def entry_key(key_id: str) -> tuple[str, str]:
    return LISTING_PARTITION, f"KEY#{key_id}"


class _NotLive(Exception):
    """No live operator key with this id."""


def put(credential: OperatorKeyItem, entry: OperatorKeyEntry) -> None:
    with UnitOfWork() as uow:
        collision = RuntimeError("an operator key with this id exists")  # of ULIDs: practically impossible
        uow.put(credential, condition=OperatorKeyItem.PK.does_not_exist(), on_conflict=collision)
        uow.put(entry)


def get(key_id: str) -> OperatorKeyItem | None:
    try:
        item = OperatorKeyItem.get(*key(key_id), consistent_read=True)
    except OperatorKeyItem.DoesNotExist:
        return None
    return item if item.kind == KIND else None


def get_entry(key_id: str) -> OperatorKeyEntry | None:
    try:
        return OperatorKeyEntry.get(*entry_key(key_id), consistent_read=True)
    except OperatorKeyEntry.DoesNotExist:
        return None


def list_entries() -> list[OperatorKeyEntry]:
    """Every live operator key: one Query on the OPERATORS partition (a handful of items)."""
    return list(OperatorKeyEntry.query(LISTING_PARTITION, OperatorKeyEntry.SK.startswith("KEY#")))


def last_used(key_ids: list[str]) -> dict[str, str | None]:
    keys = [key(k) for k in dict.fromkeys(key_ids)]
    if not keys:
        return {}
    return {item.key_id: item.last_used_at for item in OperatorKeyItem.batch_get(keys)}


def revoke(key_id: str, revoked_at: str, revoked_by: str, ttl: int) -> bool:
    """Mark the credential revoked and drop its listing entry in one transaction; False when no live key."""
    try:
        with UnitOfWork() as uow:
            uow.update(
                OperatorKeyItem(*key(key_id)),
                [
                    OperatorKeyItem.revoked_at.set(revoked_at),
                    OperatorKeyItem.revoked_by.set(revoked_by),
                    OperatorKeyItem.ttl.set(ttl),
                ],
                condition=OperatorKeyItem.PK.exists()
                & (OperatorKeyItem.kind == KIND)
                & OperatorKeyItem.revoked_at.does_not_exist(),
                on_conflict=_NotLive(),
            )
            uow.delete(OperatorKeyEntry(*entry_key(key_id)))
    except _NotLive:
        return False
    return True
