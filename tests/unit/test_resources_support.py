"""Hermetic stand-ins for the identity and tenancy interfaces the resources group calls.

The resources unit tests replace `platform_api.domain.auth`, `.tenancy`, `.entitlements` and
`platform_api.dal.users` with these small fakes that follow docs/conventions.md's interfaces, so they
test the resources code alone. Integration with the real modules is covered over HTTP (tests/e2e).

Token format of the fake authentication: `Bearer test|<user_id>|<namespace_id>|<scope,scope>|<key_id>`.
"""

from __future__ import annotations

import importlib
import sys
import types
from dataclasses import dataclass

import pytest
from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import TransactWriteError

from platform_api import errors
from platform_api.db import TableItem
from platform_api.principal import Principal

LIMITS: dict[str, int] = {"resources": 1000, "storage": 10**9}
USERS: dict[str, dict] = {}
ALL_SCOPES = "read:all,write:all"


def token(
    user_id: str = "usr_alice", namespace_id: str = "ns_alice", scopes: str = ALL_SCOPES, key_id: str = ""
) -> str:
    return f"test|{user_id}|{namespace_id}|{scopes}|{key_id}"


# ---------------------------------------------------------------------------------------------- auth
def authenticate_request(event) -> Principal:
    header = event.headers.get("authorization") or ""
    if not header.startswith("Bearer test|"):
        raise errors.AuthenticationRequired()
    _, user_id, namespace_id, scopes, key_id = header.removeprefix("Bearer ").split("|")
    return Principal(
        user_id=user_id,
        kind="api_key" if key_id else "session",
        scopes=frozenset(s for s in scopes.split(",") if s),
        key_id=key_id or None,
        default_namespace_id=namespace_id,
    )


def require_scope(principal: Principal, scope: str) -> None:
    action, family = scope.split(":", 1)
    granted = principal.scopes
    ok = (
        scope in granted
        or f"{action}:all" in granted
        or (action == "read" and ({f"write:{family}", "write:all"} & granted))
    )
    if not ok:
        raise errors.InsufficientPermissions(f"This credential lacks the '{scope}' scope.")


# ---------------------------------------------------------------------------------------------- tenancy
@dataclass(frozen=True)
class TenantContext:
    workspace_id: str | None
    namespace_id: str
    role: str
    is_active: bool = True


def require_writable(ctx: TenantContext) -> None:
    if not ctx.is_active:
        raise errors.Conflict("The namespace is inactive.")


SHARED_NAMESPACES: dict[str, set[str]] = {}  # namespace -> users who may use it besides its owner


def resolve_context(event, principal: Principal) -> TenantContext:
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    query = event.query_string_parameters or {}
    wanted = headers.get("x-namespace-id") or query.get("namespace_id")
    if not wanted or wanted == principal.default_namespace_id:
        return TenantContext(None, principal.default_namespace_id, "owner")
    if principal.user_id in SHARED_NAMESPACES.get(wanted, set()):
        return TenantContext("wks_shared", wanted, "member")
    raise errors.NotFound("Namespace not found.")


# ---------------------------------------------------------------------------------------------- entitlements
class Usage(TableItem):
    used = NumberAttribute(default=0)


def _usage_key(namespace_id: str, feature: str) -> tuple[str, str]:
    return f"NS#{namespace_id}", f"USAGE#{feature}"


def consume(tx, namespace_id: str, feature: str, quantity: int = 1) -> None:
    pk, sk = _usage_key(namespace_id, feature)
    item = Usage(PK=pk, SK=sk)
    limit = LIMITS.get(feature, 10**12)
    condition = Usage.used <= limit - quantity
    if quantity <= limit:
        condition = Usage.used.does_not_exist() | condition
    tx.update(item, actions=[Usage.used.add(quantity)], condition=condition)


def release(tx, namespace_id: str, feature: str, quantity: int = 1) -> None:
    pk, sk = _usage_key(namespace_id, feature)
    tx.update(Usage(PK=pk, SK=sk), actions=[Usage.used.add(-quantity)])


def usage(namespace_id: str, feature: str) -> int:
    try:
        return int(Usage.get(*_usage_key(namespace_id, feature), consistent_read=True).used)
    except Usage.DoesNotExist:
        return 0


def limit_error(tx, exc: TransactWriteError) -> errors.LimitExceeded | None:
    from platform_api.db import failed_keys

    exceeded = [key.split("|USAGE#", 1)[1] for key in failed_keys(tx, exc) if "|USAGE#" in key]
    if not exceeded:
        return None
    name = exceeded[0]
    return errors.LimitExceeded(f"The namespace's {name} limit would be exceeded.", details={name: ["Limit exceeded."]})


# ---------------------------------------------------------------------------------------------- users
def get_users(ids):
    return {i: USERS[i] for i in ids if i in USERS}


def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


@pytest.fixture
def fakes(monkeypatch):
    """Install the fakes for one test (over the real modules, if they already exist)."""

    modules = {
        "platform_api.domain.auth": _module(
            "auth", authenticate_request=authenticate_request, require_scope=require_scope
        ),
        "platform_api.domain.tenancy": _module(
            "tenancy", resolve_context=resolve_context, TenantContext=TenantContext, require_writable=require_writable
        ),
        "platform_api.domain.entitlements": _module(
            "entitlements", consume=consume, release=release, usage=usage, limit_error=limit_error
        ),
        "platform_api.dal.users": _module("users", get_users=get_users),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
        package, _, attr = name.rpartition(".")
        monkeypatch.setattr(importlib.import_module(package), attr, module, raising=False)
    monkeypatch.setattr(sys.modules[__name__], "LIMITS", dict(LIMITS))
    USERS.clear()
    SHARED_NAMESPACES.clear()
    return sys.modules[__name__]
