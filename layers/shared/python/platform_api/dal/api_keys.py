"""API keys, stored as two items so that authenticating with a key stays one write of one small item.

    PK=KEY#<key>   SK=KEY        the credential: secret_hash (SHA-256), user_id, scopes, tier and limits,
                                 default namespace, expires_epoch, revoked_at, last_used_at and the
                                 rate-limit windows (dal/ratelimit.py). In NO index: the table's GSIs
                                 project ALL, so a key item in GSI1 would turn every authenticated request
                                 into two writes (table + index). Kept small (< 1 KB with every window).
    PK=USER#<usr>  SK=KEY#<key>  the owner's listing entry: name, prefix, scopes, tier, expires_at,
                                 created_at. Never written by authentication.

Listing is a Query on the owner's partition plus one BatchGetItem for `last_used_at`; revocation marks
the credential and deletes the listing entry in one transaction. Only a hash of the secret is stored.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from platform_api.db import TableItem, TtlMixin
from platform_api.unit_of_work import UnitOfWork

REVOKED_RETENTION_SECONDS = 30 * 24 * 3600


class ApiKeyItem(TableItem, TtlMixin):
    """The credential (PK=KEY#<key>, SK=KEY). Rate-limit attributes (w, hc, m<minute>) are written raw."""

    user_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    scopes = ListAttribute(of=UnicodeAttribute, default=list)
    rate_limit_tier = UnicodeAttribute()
    rl_minute = NumberAttribute()
    rl_hour = NumberAttribute()
    default_namespace_id = UnicodeAttribute(null=True)
    expires_epoch = NumberAttribute(null=True)
    last_used_at = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    owner_tier = UnicodeAttribute(null=True)  # the owner's tier: their windows hold across all their keys
    owner_limits: MapAttribute = MapAttribute(null=True)  # the owner's custom limits, when an operator set some


class ApiKeyEntry(TableItem):
    """The owner's listing entry (PK=USER#<usr>, SK=KEY#<key>)."""

    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    scopes = ListAttribute(of=UnicodeAttribute, default=list)
    rate_limit_tier = UnicodeAttribute()
    expires_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


def key(key_id: str) -> tuple[str, str]:
    return f"KEY#{key_id}", "KEY"


def entry_key(user_id: str, key_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", f"KEY#{key_id}"


class KeyCountItem(TableItem):
    """How many live keys a user has (PK=USER#<usr>, SK=KEYCOUNT), moved in the same transaction as a key."""

    live = NumberAttribute(default=0)


class _Recount(Exception):
    """The key count changed between reading and writing it."""


class _NotLive(Exception):
    """No live key of this owner (never was, someone else's, or already revoked)."""


def count_key(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", "KEYCOUNT"


def _counter(user_id: str) -> KeyCountItem | None:
    try:
        return KeyCountItem.get(*count_key(user_id), consistent_read=True)
    except KeyCountItem.DoesNotExist:
        return None


def put(credential: ApiKeyItem, entry: ApiKeyEntry, *, max_live: int) -> bool:
    """Create both items and count the key, in one transaction; False when the owner has `max_live` keys.

    A user without a counter (keys made before it existed) gets one started from a count of their entries;
    concurrent creates race on the counter's value and all but one retry, so the cap holds exactly.
    """
    user_id = credential.user_id
    for _ in range(5):
        counter = _counter(user_id)
        live = int(counter.live) if counter is not None else len(list_for(user_id))
        if live >= max_live:
            return False
        try:
            with UnitOfWork() as uow:
                uow.put(credential, condition=ApiKeyItem.PK.does_not_exist(), on_conflict=_Recount())
                uow.put(entry)
                condition = (
                    KeyCountItem.PK.does_not_exist() if counter is None else KeyCountItem.live == int(counter.live)
                )
                uow.put(KeyCountItem(*count_key(user_id), live=live + 1), condition=condition, on_conflict=_Recount())
        except _Recount:
            continue  # another key was created or revoked meanwhile: count again
        return True
    raise RuntimeError("the key counter kept changing; giving up")


def get(key_id: str) -> ApiKeyItem | None:
    try:
        return ApiKeyItem.get(*key(key_id), consistent_read=True)
    except ApiKeyItem.DoesNotExist:
        return None


def get_entry(user_id: str, key_id: str) -> ApiKeyEntry | None:
    try:
        return ApiKeyEntry.get(*entry_key(user_id, key_id), consistent_read=True)
    except ApiKeyEntry.DoesNotExist:
        return None


def list_for(user_id: str) -> list[ApiKeyEntry]:
    """The owner's live keys: one Query on the owner's partition (revoked keys have no entry)."""
    return list(ApiKeyEntry.query(f"USER#{user_id}", ApiKeyEntry.SK.startswith("KEY#")))


def last_used(key_ids: list[str]) -> dict[str, str | None]:
    """key id -> last_used_at, one BatchGetItem per 100 keys."""
    keys = [key(k) for k in dict.fromkeys(key_ids)]
    if not keys:
        return {}
    return {item.PK.removeprefix("KEY#"): item.last_used_at for item in ApiKeyItem.batch_get(keys)}


def revoke(user_id: str, key_id: str, revoked_at: str, ttl: int) -> bool:
    """Mark the credential revoked and drop the listing entry; False when no live key of this owner exists."""
    credential = ApiKeyItem(*key(key_id))
    try:
        with UnitOfWork() as uow:
            uow.update(
                credential,
                [ApiKeyItem.revoked_at.set(revoked_at), ApiKeyItem.ttl.set(ttl)],
                condition=ApiKeyItem.PK.exists()
                & (ApiKeyItem.user_id == user_id)
                & ApiKeyItem.revoked_at.does_not_exist(),
                on_conflict=_NotLive(),
            )
            uow.delete(ApiKeyEntry(*entry_key(user_id, key_id)))
            if _counter(user_id) is not None:
                uow.update(
                    KeyCountItem(*count_key(user_id)),
                    [KeyCountItem.live.add(-1)],
                    condition=KeyCountItem.live > 0,
                    on_conflict=_NotLive(),
                )
    except _NotLive:
        return False
    return True


def raw_credentials(key_ids: list[str]) -> dict[str, dict]:
    """key id -> the credential's counters (w, hc, mo, mon) as stored: one BatchGetItem per 100 keys."""
    from platform_api.db import client, table_name

    out: dict[str, dict] = {}
    ids = list(dict.fromkeys(key_ids))
    for start in range(0, len(ids), 100):
        request = {
            table_name(): {
                "Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in (key(k) for k in ids[start : start + 100])],
                "ProjectionExpression": "PK, w, hc, mo, mon",
            }
        }
        while request:
            reply = client().batch_get_item(RequestItems=request)
            for item in reply.get("Responses", {}).get(table_name(), []):
                out[item["PK"]["S"].removeprefix("KEY#")] = item
            request = reply.get("UnprocessedKeys") or {}
    return out
