"""Sessions (one per login: the refresh-token family) and refresh-token lookups, stored as hashes only.

PK=SESSION#<ses>      SK=SESSION  user_id, refresh_hash (the one current token), revoked_at, ttl
PK=REFRESH#<sha256>   SK=REFRESH  session_id, ttl  — kept after rotation, so a reused token is recognised
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from platform_api.db import TableItem, TtlMixin


class SessionItem(TableItem, TtlMixin):
    session_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    refresh_hash = UnicodeAttribute()
    revoked_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class RefreshItem(TableItem, TtlMixin):
    session_id = UnicodeAttribute()


def session_key(session_id: str) -> tuple[str, str]:
    return f"SESSION#{session_id}", "SESSION"


def refresh_key(token_hash: str) -> tuple[str, str]:
    return f"REFRESH#{token_hash}", "REFRESH"


def get_session(session_id: str) -> SessionItem | None:
    try:
        return SessionItem.get(*session_key(session_id), consistent_read=True)
    except SessionItem.DoesNotExist:
        return None


def get_refresh(token_hash: str) -> RefreshItem | None:
    try:
        return RefreshItem.get(*refresh_key(token_hash), consistent_read=True)
    except RefreshItem.DoesNotExist:
        return None
