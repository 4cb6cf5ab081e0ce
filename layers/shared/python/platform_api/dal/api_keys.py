"""API keys: `PK=KEY#<key>`, `SK=KEY`; GSI1 `USER#<usr>` / `KEY#<key>` lists a user's keys.

The item also carries the key's rate-limit windows (see dal/ratelimit.py), so one conditional update
proves the key is valid and counts the request. Only a SHA-256 of the secret is stored.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from platform_api.db import Gsi1Mixin, TableItem


class ByOwner(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class ApiKeyItem(TableItem, Gsi1Mixin):
    key_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    scopes = ListAttribute(of=UnicodeAttribute, default=list)
    rate_limit_tier = UnicodeAttribute()
    rl_minute = NumberAttribute()
    rl_hour = NumberAttribute()
    default_namespace_id = UnicodeAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)
    expires_epoch = NumberAttribute(null=True)
    last_used_at = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()

    by_owner = ByOwner()


def key(key_id: str) -> tuple[str, str]:
    return f"KEY#{key_id}", "KEY"


def get(key_id: str) -> ApiKeyItem | None:
    try:
        return ApiKeyItem.get(*key(key_id), consistent_read=True)
    except ApiKeyItem.DoesNotExist:
        return None


def list_for(user_id: str) -> list[ApiKeyItem]:
    return list(ApiKeyItem.by_owner.query(f"USER#{user_id}", ApiKeyItem.GSI1SK.startswith("KEY#")))
