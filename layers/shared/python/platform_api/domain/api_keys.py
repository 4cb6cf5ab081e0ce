"""API keys: shown once at creation, stored as a SHA-256 only, revoked at once.

A key reads `<prefix><ULID of its id>_<random secret>` (`sk_test_01JD..._Zk3...`): the id inside lets
authentication address the key's item directly (one UpdateItem, dal/ratelimit.py), and the whole string's
SHA-256 must match the stored hash. 256 random bits make a fast hash the right choice (no Argon2 here).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from typing import Any

from platform_api import errors, tiers
from platform_api.dal import api_keys as dal
from platform_api.dal.users import UserItem
from platform_api.dal.users import get_item as get_user_item
from platform_api.domain.auth import OPERATOR_SCOPE, SCOPES
from platform_api.ids import new_id
from platform_api.models.api_keys import ApiKeyCreate
from platform_api.principal import Principal
from platform_api.settings import get_settings
from platform_api.timeutil import isoformat, now_iso, utcnow

MAX_KEYS_PER_USER = int(os.environ.get("API_KEYS_PER_USER", "25"))


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def to_api(entry: dal.ApiKeyEntry, last_used_at: str | None) -> dict[str, Any]:
    return {
        "id": entry.key_id,
        "name": entry.name,
        "prefix": entry.prefix,
        "scopes": list(entry.scopes),
        "rate_limit_tier": entry.rate_limit_tier,
        "last_used_at": last_used_at,
        "expires_at": entry.expires_at,
        "created_at": entry.created_at,
    }


def store(
    owner: UserItem,
    key_id: str,
    secret: str,
    *,
    name: str,
    scopes: list[str],
    tier: str,
    expires_at: datetime | None = None,
) -> dal.ApiKeyEntry:
    """Save a key whose secret is already chosen (create, and local/seed.py's demo key)."""
    limits = tiers.limits(tier)
    scopes = list(dict.fromkeys(scopes))
    prefix = get_settings().api_key_prefix
    entry = dal.ApiKeyEntry(
        *dal.entry_key(owner.user_id, key_id),
        key_id=key_id,
        name=name,
        prefix=prefix,
        scopes=scopes,
        rate_limit_tier=tier,
        expires_at=isoformat(expires_at) if expires_at else None,
        created_at=now_iso(),
    )
    credential = dal.ApiKeyItem(
        *dal.key(key_id),
        user_id=owner.user_id,
        secret_hash=secret_hash(secret),
        scopes=scopes,
        rate_limit_tier=tier,
        rl_minute=limits["minute"],
        rl_hour=limits["hour"],
        default_namespace_id=owner.default_namespace_id,
        expires_epoch=int(expires_at.timestamp()) if expires_at else None,
        owner_tier=owner.tier,
    )
    if not dal.put(credential, entry, max_live=MAX_KEYS_PER_USER):
        message = f"You have {MAX_KEYS_PER_USER} live API keys, the most allowed; revoke one first."
        raise errors.Conflict(message, details={"api_keys": [message]})
    return entry


def create(principal: Principal, body: ApiKeyCreate) -> dict[str, Any]:
    if OPERATOR_SCOPE in body.scopes:
        message = f"'{OPERATOR_SCOPE}' belongs to operator keys, which no API route creates (docs/operators.md)."
        raise errors.InsufficientPermissions(message, details={"scopes": [message]})
    unknown = [s for s in body.scopes if s not in SCOPES]
    if unknown:
        message = f"Unknown scope '{unknown[0]}'. Scopes: {', '.join(sorted(SCOPES))}."
        raise errors.InvalidRequest(message, details={"scopes": [message]})
    if principal.kind == "api_key":
        raise errors.InsufficientPermissions("API keys are created with a session, not with another API key.")
    owner = get_user_item(principal.user_id)
    if owner is None:
        raise errors.AuthenticationRequired()
    tier = body.rate_limit_tier or owner.tier
    if not tiers.at_most(tier, owner.tier):
        raise errors.InsufficientPermissions(
            f"rate_limit_tier '{tier}' is above your tier '{owner.tier}'.", details={"rate_limit_tier": ["Too high."]}
        )
    expires_at = None
    if body.expires_at is not None:
        expires_at = body.expires_at if body.expires_at.tzinfo else body.expires_at.replace(tzinfo=utcnow().tzinfo)
        if expires_at <= utcnow():
            raise errors.InvalidRequest("expires_at must be in the future.", details={"expires_at": ["In the past."]})
    key_id = new_id("key")
    secret = f"{get_settings().api_key_prefix}{key_id.removeprefix('key_')}_{secrets.token_urlsafe(32)}"
    entry = store(owner, key_id, secret, name=body.name, scopes=body.scopes, tier=tier, expires_at=expires_at)
    return {**to_api(entry, None), "key": secret}


def _entry(principal: Principal, key_id: str) -> dal.ApiKeyEntry:
    entry = dal.get_entry(principal.user_id, key_id) if key_id.startswith("key_") and len(key_id) < 64 else None
    if entry is None:
        raise errors.NotFound("API key not found.")
    return entry


def get(principal: Principal, key_id: str) -> dict[str, Any]:
    entry = _entry(principal, key_id)
    credential = dal.get(key_id)
    return to_api(entry, credential.last_used_at if credential else None)


def list_keys(principal: Principal) -> list[dict[str, Any]]:
    entries = dal.list_for(principal.user_id)
    used = dal.last_used([e.key_id for e in entries])
    return [to_api(entry, used.get(entry.key_id)) for entry in entries]


def revoke(principal: Principal, key_id: str) -> None:
    _entry(principal, key_id)
    ttl = int(utcnow().timestamp()) + dal.REVOKED_RETENTION_SECONDS
    if not dal.revoke(principal.user_id, key_id, now_iso(), ttl):
        raise errors.NotFound("API key not found.")
