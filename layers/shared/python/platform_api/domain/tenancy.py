"""The tenant context of a request, resolved once by shared code.

`X-Namespace-ID` / `namespace_id` or `X-Workspace-ID` / `workspace_id` name it; without either, the caller's
personal default namespace is the context (carried in the credential, so that costs no read). A namespace or
workspace the caller cannot see is a 404, exactly like one that does not exist (OWASP API1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from platform_api import errors
from platform_api.dal import namespaces as dal
from platform_api.dal import workspaces as workspaces_dal
from platform_api.ids import has_prefix
from platform_api.principal import Principal

ROLE_RANK = {"member": 1, "admin": 2, "owner": 3}


@dataclass(frozen=True)
class Actor:
    """Who acts and in which tenant: the one request context every tenant-scoped route hands its domain.

    Resolved once per request by the front door (`http.tenant_route`) from the credential and the tenant the
    request names; a namespace or workspace the caller cannot see is a 404 before the route runs.
    """

    principal: Principal
    namespace_id: str
    workspace_id: str | None
    role: str
    is_active: bool = True  # default namespaces are always active; another one may be deactivated

    @property
    def user_id(self) -> str:
        return self.principal.user_id


def membership(workspace_id: str | None, user_id: str) -> workspaces_dal.MemberItem | None:
    """A user's membership of a workspace: the one place every group asks "member, and in which role?".
    None when the id is not a workspace id, the workspace does not exist, or the user is not a member."""
    if not workspace_id or not has_prefix(workspace_id, "wks"):
        return None
    return workspaces_dal.get_member(workspace_id, user_id)


def require_membership(
    user_id: str, workspace_id: str | None, minimum: str = "member", *, not_found: str = "Workspace not found."
) -> workspaces_dal.MemberItem:
    """The membership, a 404 for a workspace the user does not belong to (exactly like a missing one), and a
    403 below `minimum`."""
    member = membership(workspace_id, user_id)
    if member is None:
        raise errors.NotFound(not_found)
    if ROLE_RANK.get(member.role, 0) < ROLE_RANK[minimum]:
        raise errors.InsufficientPermissions(f"This action needs the {minimum} role in the workspace.")
    return member


def named_tenant(event: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(namespace id, workspace id) a request event names: `X-Namespace-ID` / `X-Workspace-ID`, else the
    `namespace_id` / `workspace_id` query parameters; (None, None) for the caller's personal namespace."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    query = event.get("queryStringParameters") or {}
    namespace_id = headers.get("x-namespace-id") or query.get("namespace_id") or None
    workspace_id = headers.get("x-workspace-id") or query.get("workspace_id") or None
    return namespace_id, workspace_id


def resolve_actor(principal: Principal, namespace_id: str | None, workspace_id: str | None) -> Actor:
    """The tenant a request names (`http.named_tenant` reads it from headers or query), or the caller's
    personal namespace when it names none."""
    if not namespace_id and not workspace_id:
        if not principal.default_namespace_id:
            raise errors.NotFound("Namespace not found.")
        return Actor(principal, principal.default_namespace_id, None, "owner")
    if namespace_id:
        namespace = dal.get_namespace(namespace_id) if namespace_id.startswith("ns_") else None
        if namespace is None or (workspace_id and namespace.workspace_id != workspace_id):
            raise errors.NotFound("Namespace not found.")
        if namespace.owner_type == "User":
            if namespace.owner_id != principal.user_id:
                raise errors.NotFound("Namespace not found.")
            return Actor(principal, namespace_id, None, "owner", namespace.is_active is not False)
        role = require_membership(principal.user_id, namespace.workspace_id).role
        return Actor(principal, namespace_id, namespace.workspace_id, role, namespace.is_active is not False)
    assert workspace_id is not None  # neither named: returned above; a namespace: returned above
    role = require_membership(principal.user_id, workspace_id).role
    default = workspace_default_namespace(workspace_id)
    if default is None:
        raise errors.NotFound("Workspace not found.")
    return Actor(principal, default, workspace_id, role)


def workspace_default_namespace(workspace_id: str) -> str | None:
    workspace = workspaces_dal.get(workspace_id)
    return workspace.default_namespace_id if workspace else None


def require_writable(actor: Actor) -> None:
    """An inactive namespace keeps its data readable and refuses writes until it is activated again."""
    if not actor.is_active:
        message = "The namespace is inactive; activate it (PATCH /v1/namespaces/{id} is_active: true) to write."
        raise errors.Conflict(message, details={"namespace_id": [message]})


def require_role(actor: Actor, minimum: str) -> None:
    if ROLE_RANK.get(actor.role, 0) < ROLE_RANK[minimum]:
        raise errors.InsufficientPermissions(f"This action needs the {minimum} role in the workspace.")
