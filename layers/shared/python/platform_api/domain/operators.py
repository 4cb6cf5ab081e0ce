"""The operator plane's credential: operator keys (docs/operators.md).

An operator key reads `opk_live_<ULID>_<secret>` (`opk_test_` outside prod) and holds exactly one scope,
`admin:platform`, which no tenant credential can hold: a session or a tenant API key is refused on every
`/v1/admin` route, and an operator key on every tenant route (`domain.auth.require_scope`). No route creates
one: the bootstrap (`python -m local.operator create`) writes it with the deployer's AWS credentials, so
minting one needs access to the table, not to the API. Only the SHA-256 of the key is stored, as for API keys.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from platform_api import errors, tiers
from platform_api.dal import operators as dal
from platform_api.dal import ratelimit
from platform_api.domain.auth import OPERATOR_SCOPE
from platform_api.ids import has_prefix, new_id
from platform_api.principal import Principal
from platform_api.settings import get_settings
from platform_api.timeutil import isoformat, now_iso, utcnow

# Operator traffic is a person at a terminal or a runbook: the `pro` windows are plenty, and bound what a
# leaked key can do before it is revoked.
OPERATOR_TIER = "pro"
MAX_CREDENTIAL_LENGTH = 200


def key_prefix() -> str:
    return "opk_live_" if get_settings().environment == "prod" else "opk_test_"


def _hash(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()


def to_api(entry: dal.OperatorKeyEntry, last_used_at: str | None) -> dict[str, Any]:
    return {
        "id": entry.key_id,
        "name": entry.name,
        "prefix": entry.prefix,
        "scopes": [OPERATOR_SCOPE],
        "created_by": entry.created_by,
        "last_used_at": last_used_at,
        "expires_at": entry.expires_at,
        "created_at": entry.created_at,
    }


def create_key(name: str, created_by: str, expires_at: datetime | None = None) -> dict[str, Any]:
    """A new operator key: the API object with its plaintext `key`, which is shown this once only."""
    name = name.strip()
    if not name or len(name) > 200:
        raise errors.InvalidRequest("name must be 1 to 200 characters.", details={"name": ["1 to 200 characters."]})
    if expires_at is not None and expires_at <= utcnow():
        raise errors.InvalidRequest("expires_at must be in the future.", details={"expires_at": ["In the past."]})
    key_id = new_id("opk")
    credential = f"{key_prefix()}{key_id.removeprefix('opk_')}_{secrets.token_urlsafe(32)}"
    entry = store(key_id, credential, name=name, created_by=created_by, expires_at=expires_at)
    return {**to_api(entry, None), "key": credential}


def store(
    key_id: str, credential: str, *, name: str, created_by: str, expires_at: datetime | None = None
) -> dal.OperatorKeyEntry:
    """Save a key whose secret is already chosen (create_key, and local/seed.py's demo key)."""
    limits = tiers.limits(OPERATOR_TIER)
    prefix = "opk_live_" if credential.startswith("opk_live_") else "opk_test_"
    entry = dal.OperatorKeyEntry(
        *dal.entry_key(key_id),
        key_id=key_id,
        name=name,
        prefix=prefix,
        created_at=now_iso(),
        created_by=created_by,
        expires_at=isoformat(expires_at) if expires_at else None,
    )
    dal.put(
        dal.OperatorKeyItem(
            *dal.key(key_id),
            key_id=key_id,
            secret_hash=_hash(credential),
            rl_minute=limits["minute"],
            rl_hour=limits["hour"],
            expires_epoch=int(expires_at.timestamp()) if expires_at else None,
        ),
        entry,
    )
    return entry


def list_keys() -> list[dict[str, Any]]:
    entries = dal.list_entries()
    used = dal.last_used([e.key_id for e in entries])
    return [to_api(entry, used.get(entry.key_id)) for entry in entries]


def revoke_key(key_id: str, revoked_by: str) -> None:
    """The key stops working at its next request (authentication checks `revoked_at` in its one update)."""
    if not has_prefix(key_id, "opk") or len(key_id) > 64 or dal.get_entry(key_id) is None:
        raise errors.NotFound("Operator key not found.")
    ttl = int(utcnow().timestamp()) + dal.REVOKED_RETENTION_SECONDS
    if not dal.revoke(key_id, now_iso(), revoked_by, ttl):
        raise errors.NotFound("Operator key not found.")


def is_operator_credential(credential: str) -> bool:
    return credential.startswith(("opk_live_", "opk_test_"))


def authenticate(credential: str) -> Principal:
    """Prove an operator key (hash, not revoked, not expired) and count the request: one UpdateItem."""
    invalid = errors.AuthenticationRequired("The operator key is invalid, revoked or expired.")
    body = credential.removeprefix("opk_live_").removeprefix("opk_test_")
    ulid, _, secret = body.partition("_")
    if not ulid or not secret or len(credential) > MAX_CREDENTIAL_LENGTH:
        raise invalid
    key_id, secret_hash = f"opk_{ulid}", _hash(credential)
    try:
        item, windows = ratelimit.count_api_key(key_id, secret_hash)
    except ratelimit.ConditionFailed as failed:
        old = failed.old_item
        if not ratelimit.key_usable(old, secret_hash) or old.get("kind", {}).get("S") != dal.KIND:
            raise invalid from None
        windows = ratelimit.key_windows(old)
        raise errors.RateLimitExceeded(windows.exhausted_retry_after(), window=windows.closest()) from None
    if item.get("kind", {}).get("S") != dal.KIND or not hmac.compare_digest(item["secret_hash"]["S"], secret_hash):
        raise invalid
    return Principal(
        user_id=key_id,  # no user stands behind an operator key: its id is what logs and idempotency name
        kind="operator",
        scopes=frozenset({OPERATOR_SCOPE}),
        tier=OPERATOR_TIER,
        key_id=key_id,
        rate_limit=windows.closest(),
    )
