"""A stand-in identity for the in-process benchmarks while the identity/tenancy code is still being written.

Installed ONLY when `platform_api.domain.auth` (or `.tenancy`) cannot be imported, and reported in the
output: costs measured with it exclude authentication (the session read and the rate-limit write).
The bearer token is `bench:<user_id>:<namespace_id>`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
from dataclasses import dataclass
from typing import Any


def _missing(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        return exc.name == name
    return False


def _auth() -> types.ModuleType:
    from platform_api import errors
    from platform_api.principal import Principal

    auth = types.ModuleType("platform_api.domain.auth")

    def authenticate_request(event: Any) -> Principal:
        headers = {k.lower(): v for k, v in (getattr(event, "headers", None) or {}).items()}
        parts = headers.get("authorization", "").removeprefix("Bearer ").split(":")
        if len(parts) != 3 or parts[0] != "bench":
            raise errors.AuthenticationRequired()
        return Principal(
            user_id=parts[1],
            kind="session",
            scopes=frozenset({"read:all", "write:all"}),
            default_namespace_id=parts[2],
        )

    auth.authenticate_request = authenticate_request
    auth.require_scope = lambda principal, scope: None
    return auth


@dataclass(frozen=True)
class TenantContext:
    workspace_id: str | None
    namespace_id: str
    role: str = "owner"


def _tenancy() -> types.ModuleType:
    tenancy = types.ModuleType("platform_api.domain.tenancy")
    tenancy.TenantContext = TenantContext
    tenancy.resolve_context = lambda event, principal: TenantContext(None, principal.default_namespace_id)
    tenancy.require_role = lambda ctx, role: None
    return tenancy


def _entitlements() -> types.ModuleType:
    entitlements = types.ModuleType("platform_api.domain.entitlements")
    entitlements.consume = lambda tx, namespace_id, feature, quantity=1: None
    entitlements.release = lambda tx, namespace_id, feature, quantity=1: None
    entitlements.limit_error = lambda exc, *features: None
    return entitlements


def _users() -> types.ModuleType:
    users = types.ModuleType("platform_api.dal.users")
    users.get_users = lambda ids: {}
    users.get_user = lambda user_id: None
    return users


BUILDERS = {
    "platform_api.domain.auth": _auth,
    "platform_api.domain.tenancy": _tenancy,
    "platform_api.domain.entitlements": _entitlements,
    "platform_api.dal.users": _users,
}


def install() -> list[str]:
    """Stub what is missing now; returns the names of the stubbed modules."""
    stubbed = []
    for name, build in BUILDERS.items():
        if _missing(name):
            sys.modules[name] = build()
            stubbed.append(name)
    return stubbed


def missing() -> list[str]:
    return [name for name in BUILDERS if _missing(name)]


class _LastResortFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Appended to sys.meta_path: supplies a stub only when no real module of that name is found, and only
    at the moment the code first imports it (so a cold start pays for it where it would pay for the real one)."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname in BUILDERS:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        return BUILDERS[spec.name]()

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def install_lazy() -> None:
    sys.meta_path.append(_LastResortFinder())


def caller(tag: str = "") -> Any:
    from bench.tenant import Caller
    from platform_api.ids import new_id

    user_id, namespace_id = new_id("usr"), new_id("ns")
    return Caller(
        token=f"bench:{user_id}:{namespace_id}",
        user_id=user_id,
        namespace_id=namespace_id,
        email=f"stub-{tag}@example.com",
    )
