"""API keys: shown once at creation, stored as a SHA-256 only, revoked at once."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from platform_api import errors, tiers
from platform_api.dal import api_keys as dal
from platform_api.dal.users import get_item as get_user_item
from platform_api.domain.auth import SCOPES
from platform_api.ids import new_id
from platform_api.models.api_keys import ApiKeyCreate
from platform_api.principal import Principal
from platform_api.settings import get_settings
from platform_api.timeutil import isoformat, now_iso, utcnow


def to_api(item: dal.ApiKeyItem) -> dict[str, Any]:
    return {
        "id": item.key_id,
        "name": item.name,
        "prefix": item.prefix,
        "scopes": list(item.scopes),
        "rate_limit_tier": item.rate_limit_tier,
        "last_used_at": item.last_used_at,
        "expires_at": item.expires_at,
        "created_at": item.created_at,
    }


def create(principal: Principal, body: ApiKeyCreate) -> dict[str, Any]:
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
    expires_epoch = None
    if body.expires_at is not None:
        moment = body.expires_at if body.expires_at.tzinfo else body.expires_at.replace(tzinfo=utcnow().tzinfo)
        if moment <= utcnow():
            raise errors.InvalidRequest("expires_at must be in the future.", details={"expires_at": ["In the past."]})
        expires_epoch = int(moment.timestamp())
    key_id = new_id("key")
    prefix = get_settings().api_key_prefix
    secret = f"{prefix}{key_id.removeprefix('key_')}_{secrets.token_urlsafe(32)}"
    limits = tiers.limits(tier)
    item = dal.ApiKeyItem(
        *dal.key(key_id),
        GSI1PK=f"USER#{principal.user_id}",
        GSI1SK=f"KEY#{key_id}",
        key_id=key_id,
        user_id=principal.user_id,
        name=body.name,
        prefix=prefix,
        secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
        scopes=list(dict.fromkeys(body.scopes)),
        rate_limit_tier=tier,
        rl_minute=limits["minute"],
        rl_hour=limits["hour"],
        default_namespace_id=owner.default_namespace_id,
        expires_at=isoformat(body.expires_at) if body.expires_at else None,
        expires_epoch=expires_epoch,
        created_at=now_iso(),
    )
    item.save(condition=dal.ApiKeyItem.PK.does_not_exist())
    return {**to_api(item), "key": secret}


def _own(principal: Principal, key_id: str) -> dal.ApiKeyItem:
    item = dal.get(key_id) if key_id.startswith("key_") else None
    if item is None or item.user_id != principal.user_id or item.revoked_at is not None:
        raise errors.NotFound("API key not found.")
    return item


def get(principal: Principal, key_id: str) -> dict[str, Any]:
    return to_api(_own(principal, key_id))


def list_keys(principal: Principal) -> list[dict[str, Any]]:
    return [to_api(item) for item in dal.list_for(principal.user_id) if item.revoked_at is None]


def revoke(principal: Principal, key_id: str) -> None:
    item = _own(principal, key_id)
    item.update(actions=[dal.ApiKeyItem.revoked_at.set(now_iso())])
