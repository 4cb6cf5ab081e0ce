"""GENERATED from sdks/routes.json by sdks/python/generate.py: do not edit, run `make sdks`."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from core_php_sdk._async import AsyncBaseClient, AsyncListIterator
from core_php_sdk._base import NOT_GIVEN, NotGiven
from core_php_sdk._core import Route, body_of, query_of

from .models import (
    ApiKeyCreated,
    ApiKeyOut,
    AuditEntryOut,
    BatchOperation,
    BatchResult,
    DeadLettersOut,
    DeliveriesRecovered,
    DeliveryDetail,
    DeliveryOut,
    EntitlementCheckResult,
    Entitlements,
    Health,
    InvitationOut,
    ListLinks,
    ListMeta,
    MemberOut,
    NamespaceDetail,
    NamespaceOut,
    NamespacePackage,
    NamespacePlanOut,
    ProfileUpdate,
    RateLimitsIn,
    RedriveOut,
    RegisterResponse,
    ResourceOut,
    SettingsIn,
    SparseApiKey,
    SparseDelivery,
    SparseInvitation,
    SparseMember,
    SparseNamespace,
    SparseOperatorKey,
    SparsePackage,
    SparseResource,
    SparseWebhook,
    SparseWorkspace,
    SparseWorkspaceUser,
    TokenResponse,
    UsageOut,
    UserOut,
    UserPlanOut,
    WebhookCreated,
    WebhookOut,
    WebhookSecretRotated,
    WebhookTestResult,
    WorkspaceOut,
    WorkspacePlanOut,
)

__all__ = ["AsyncClientGroups"]


class AsyncResource:
    def __init__(self, client: AsyncBaseClient) -> None:
        self._client = client


_R_listAuditEntries = Route("listAuditEntries", "GET", "/v1/admin/audit", replayable=False, auth=True, tenant=())
_R_getNamespacePlan = Route(
    "getNamespacePlan", "GET", "/v1/admin/namespaces/{namespace_id}", replayable=False, auth=True, tenant=()
)
_R_updateNamespaceLimits = Route(
    "updateNamespaceLimits", "PATCH", "/v1/admin/namespaces/{namespace_id}", replayable=True, auth=True, tenant=()
)
_R_grantNamespacePackage = Route(
    "grantNamespacePackage",
    "POST",
    "/v1/admin/namespaces/{namespace_id}/packages",
    replayable=True,
    auth=True,
    tenant=(),
)
_R_revokeNamespacePackage = Route(
    "revokeNamespacePackage",
    "DELETE",
    "/v1/admin/namespaces/{namespace_id}/packages/{package_id}",
    replayable=True,
    auth=True,
    tenant=(),
)
_R_listOperatorKeys = Route(
    "listOperatorKeys", "GET", "/v1/admin/operator-keys", replayable=False, auth=True, tenant=()
)
_R_revokeOperatorKey = Route(
    "revokeOperatorKey", "DELETE", "/v1/admin/operator-keys/{key_id}", replayable=True, auth=True, tenant=()
)
_R_getUserPlan = Route("getUserPlan", "GET", "/v1/admin/users/{user_id}", replayable=False, auth=True, tenant=())
_R_updateUserPlan = Route("updateUserPlan", "PATCH", "/v1/admin/users/{user_id}", replayable=True, auth=True, tenant=())
_R_getWebhookDeadLetters = Route(
    "getWebhookDeadLetters", "GET", "/v1/admin/webhooks/dead-letters", replayable=False, auth=True, tenant=()
)
_R_redriveWebhookDeadLetters = Route(
    "redriveWebhookDeadLetters",
    "POST",
    "/v1/admin/webhooks/dead-letters/redrive",
    replayable=True,
    auth=True,
    tenant=(),
)
_R_updateWorkspaceTier = Route(
    "updateWorkspaceTier", "PATCH", "/v1/admin/workspaces/{workspace_id}", replayable=True, auth=True, tenant=()
)
_R_createApiKey = Route("createApiKey", "POST", "/v1/api-keys", replayable=True, auth=True, tenant=())
_R_getApiKey = Route("getApiKey", "GET", "/v1/api-keys/{key_id}", replayable=False, auth=True, tenant=())
_R_listApiKeys = Route("listApiKeys", "GET", "/v1/api-keys", replayable=False, auth=True, tenant=())
_R_revokeApiKey = Route("revokeApiKey", "DELETE", "/v1/api-keys/{key_id}", replayable=True, auth=True, tenant=())
_R_login = Route("login", "POST", "/v1/auth/login", replayable=False, auth=False, tenant=())
_R_logout = Route("logout", "POST", "/v1/auth/logout", replayable=False, auth=True, tenant=())
_R_refreshToken = Route("refreshToken", "POST", "/v1/auth/refresh", replayable=False, auth=False, tenant=())
_R_register = Route("register", "POST", "/v1/auth/register", replayable=True, auth=False, tenant=())
_R_getOpenApiDocument = Route("getOpenApiDocument", "GET", "/v1/openapi.json", replayable=False, auth=False, tenant=())
_R_getHealth = Route("getHealth", "GET", "/v1/health", replayable=False, auth=False, tenant=())
_R_acceptInvitation = Route(
    "acceptInvitation",
    "POST",
    "/v1/invitations/{invitation_id}/accept",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_declineInvitation = Route(
    "declineInvitation",
    "DELETE",
    "/v1/invitations/{invitation_id}",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_listInvitations = Route(
    "listInvitations", "GET", "/v1/invitations", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_createNamespace = Route(
    "createNamespace", "POST", "/v1/namespaces", replayable=True, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_deleteNamespace = Route(
    "deleteNamespace", "DELETE", "/v1/namespaces/{namespace_id}", replayable=True, auth=True, tenant=("workspace_id",)
)
_R_getNamespace = Route(
    "getNamespace", "GET", "/v1/namespaces/{namespace_id}", replayable=False, auth=True, tenant=("workspace_id",)
)
_R_listNamespaces = Route(
    "listNamespaces", "GET", "/v1/namespaces", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_updateNamespace = Route(
    "updateNamespace", "PATCH", "/v1/namespaces/{namespace_id}", replayable=True, auth=True, tenant=("workspace_id",)
)
_R_checkNamespaceEntitlement = Route(
    "checkNamespaceEntitlement",
    "POST",
    "/v1/namespaces/{namespace_id}/entitlements/check",
    replayable=True,
    auth=True,
    tenant=("workspace_id",),
)
_R_getNamespaceEntitlements = Route(
    "getNamespaceEntitlements",
    "GET",
    "/v1/namespaces/{namespace_id}/entitlements",
    replayable=False,
    auth=True,
    tenant=("workspace_id",),
)
_R_assignNamespacePackage = Route(
    "assignNamespacePackage",
    "POST",
    "/v1/namespaces/{namespace_id}/packages",
    replayable=True,
    auth=True,
    tenant=("workspace_id",),
)
_R_listNamespacePackages = Route(
    "listNamespacePackages",
    "GET",
    "/v1/namespaces/{namespace_id}/packages",
    replayable=False,
    auth=True,
    tenant=("workspace_id",),
)
_R_removeNamespacePackage = Route(
    "removeNamespacePackage",
    "DELETE",
    "/v1/namespaces/{namespace_id}/packages/{package_id}",
    replayable=True,
    auth=True,
    tenant=("workspace_id",),
)
_R_createOrganization = Route(
    "createOrganization",
    "POST",
    "/v1/organizations",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_deleteOrganization = Route(
    "deleteOrganization",
    "DELETE",
    "/v1/organizations/{workspace_id}",
    replayable=True,
    auth=True,
    tenant=("namespace_id",),
)
_R_getOrganization = Route(
    "getOrganization", "GET", "/v1/organizations/{workspace_id}", replayable=False, auth=True, tenant=("namespace_id",)
)
_R_listOrganizations = Route(
    "listOrganizations",
    "GET",
    "/v1/organizations",
    replayable=False,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_updateOrganization = Route(
    "updateOrganization",
    "PATCH",
    "/v1/organizations/{workspace_id}",
    replayable=True,
    auth=True,
    tenant=("namespace_id",),
)
_R_inviteOrganizationMember = Route(
    "inviteOrganizationMember",
    "POST",
    "/v1/organizations/{workspace_id}/members",
    replayable=True,
    auth=True,
    tenant=("namespace_id",),
)
_R_listOrganizationMembers = Route(
    "listOrganizationMembers",
    "GET",
    "/v1/organizations/{workspace_id}/members",
    replayable=False,
    auth=True,
    tenant=("namespace_id",),
)
_R_removeOrganizationMember = Route(
    "removeOrganizationMember",
    "DELETE",
    "/v1/organizations/{workspace_id}/members/{user_id}",
    replayable=True,
    auth=True,
    tenant=("namespace_id",),
)
_R_updateOrganizationMember = Route(
    "updateOrganizationMember",
    "PATCH",
    "/v1/organizations/{workspace_id}/members/{user_id}",
    replayable=True,
    auth=True,
    tenant=("namespace_id",),
)
_R_listPackages = Route(
    "listPackages", "GET", "/v1/packages", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_batchResources = Route(
    "batchResources", "POST", "/v1/resources/batch", replayable=True, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_createResource = Route(
    "createResource", "POST", "/v1/resources", replayable=True, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_deleteResource = Route(
    "deleteResource",
    "DELETE",
    "/v1/resources/{resource_id}",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_getResource = Route(
    "getResource",
    "GET",
    "/v1/resources/{resource_id}",
    replayable=False,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_listResources = Route(
    "listResources", "GET", "/v1/resources", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_updateResource = Route(
    "updateResource",
    "PATCH",
    "/v1/resources/{resource_id}",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_getUsage = Route(
    "getUsage", "GET", "/v1/usage", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_confirmEmail = Route("confirmEmail", "POST", "/v1/users/me/email/confirm", replayable=True, auth=True, tenant=())
_R_getUser = Route(
    "getUser", "GET", "/v1/users/{user_id}", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_getAuthenticatedUser = Route("getAuthenticatedUser", "GET", "/v1/user", replayable=False, auth=True, tenant=())
_R_listUsers = Route(
    "listUsers", "GET", "/v1/users", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_getCurrentUser = Route("getCurrentUser", "GET", "/v1/users/me", replayable=False, auth=True, tenant=())
_R_updateUser = Route(
    "updateUser", "PATCH", "/v1/users/{user_id}", replayable=True, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_updateCurrentUser = Route("updateCurrentUser", "PATCH", "/v1/users/me", replayable=True, auth=True, tenant=())
_R_createWebhook = Route(
    "createWebhook", "POST", "/v1/webhooks", replayable=True, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_deleteWebhook = Route(
    "deleteWebhook",
    "DELETE",
    "/v1/webhooks/{webhook_id}",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_getWebhook = Route(
    "getWebhook",
    "GET",
    "/v1/webhooks/{webhook_id}",
    replayable=False,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_listWebhooks = Route(
    "listWebhooks", "GET", "/v1/webhooks", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_recoverWebhookDeliveries = Route(
    "recoverWebhookDeliveries",
    "POST",
    "/v1/webhooks/{webhook_id}/recover",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_rotateWebhookSecret = Route(
    "rotateWebhookSecret",
    "POST",
    "/v1/webhooks/{webhook_id}/rotate-secret",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_testWebhook = Route(
    "testWebhook",
    "POST",
    "/v1/webhooks/{webhook_id}/test",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_updateWebhook = Route(
    "updateWebhook",
    "PATCH",
    "/v1/webhooks/{webhook_id}",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_getWebhookDelivery = Route(
    "getWebhookDelivery",
    "GET",
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}",
    replayable=False,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_listWebhookDeliveries = Route(
    "listWebhookDeliveries",
    "GET",
    "/v1/webhooks/{webhook_id}/deliveries",
    replayable=False,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_retryWebhookDelivery = Route(
    "retryWebhookDelivery",
    "POST",
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    replayable=True,
    auth=True,
    tenant=("workspace_id", "namespace_id"),
)
_R_createWorkspace = Route(
    "createWorkspace", "POST", "/v1/workspaces", replayable=True, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_deleteWorkspace = Route(
    "deleteWorkspace", "DELETE", "/v1/workspaces/{workspace_id}", replayable=True, auth=True, tenant=("namespace_id",)
)
_R_getWorkspace = Route(
    "getWorkspace", "GET", "/v1/workspaces/{workspace_id}", replayable=False, auth=True, tenant=("namespace_id",)
)
_R_listWorkspaces = Route(
    "listWorkspaces", "GET", "/v1/workspaces", replayable=False, auth=True, tenant=("workspace_id", "namespace_id")
)
_R_updateWorkspace = Route(
    "updateWorkspace", "PATCH", "/v1/workspaces/{workspace_id}", replayable=True, auth=True, tenant=("namespace_id",)
)
_R_inviteWorkspaceMember = Route(
    "inviteWorkspaceMember",
    "POST",
    "/v1/workspaces/{workspace_id}/members",
    replayable=True,
    auth=True,
    tenant=("namespace_id",),
)
_R_listWorkspaceMembers = Route(
    "listWorkspaceMembers",
    "GET",
    "/v1/workspaces/{workspace_id}/members",
    replayable=False,
    auth=True,
    tenant=("namespace_id",),
)
_R_removeWorkspaceMember = Route(
    "removeWorkspaceMember",
    "DELETE",
    "/v1/workspaces/{workspace_id}/members/{user_id}",
    replayable=True,
    auth=True,
    tenant=("namespace_id",),
)
_R_updateWorkspaceMember = Route(
    "updateWorkspaceMember",
    "PATCH",
    "/v1/workspaces/{workspace_id}/members/{user_id}",
    replayable=True,
    auth=True,
    tenant=("namespace_id",),
)


class AsyncAdminNamespacesPackagesResource(AsyncResource):
    """async_client.admin.namespaces.packages"""

    async def grant(
        self,
        namespace_id: str,
        *,
        package_id: str,
        expires_at: str | datetime | NotGiven | None = NOT_GIVEN,
        reason: str | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> NamespacePlanOut:
        """Grant a package to a namespace, optionally until expires_at (its limits grow by the package's)

        POST /v1/admin/namespaces/{namespace_id}/packages

        Args:
            expires_at: When the grant lapses (removed within a minute of it); absent: never.
            reason: Why: kept in the audit trail (e.g. a ticket or invoice).
        """
        return await self._client._request(
            _R_grantNamespacePackage,
            (namespace_id,),
            model=NamespacePlanOut,
            unwrap=True,
            body=body_of({"expires_at": expires_at, "package_id": package_id, "reason": reason}),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def revoke(
        self,
        namespace_id: str,
        package_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Remove a package from a namespace (409 when its usage would no longer fit)

        DELETE /v1/admin/namespaces/{namespace_id}/packages/{package_id}
        """
        await self._client._request(
            _R_revokeNamespacePackage,
            (
                namespace_id,
                package_id,
            ),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncAdminWebhooksDeadLettersResource(AsyncResource):
    """async_client.admin.webhooks.dead_letters"""

    async def get(
        self, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> DeadLettersOut:
        """Count what waits in the webhook pipeline's dead-letter queues

        GET /v1/admin/webhooks/dead-letters
        """
        return await self._client._request(
            _R_getWebhookDeadLetters,
            (),
            model=DeadLettersOut,
            unwrap=True,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def redrive(
        self,
        *,
        max_messages: int | NotGiven = NOT_GIVEN,
        queues: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> RedriveOut:
        """Move dead webhook messages back to their queues, at most max_messages per call

        POST /v1/admin/webhooks/dead-letters/redrive

        Args:
            max_messages: At most this many messages per call.
            queues: Which DLQs, in this order; default: delivery, then fanout.
        """
        return await self._client._request(
            _R_redriveWebhookDeadLetters,
            (),
            model=RedriveOut,
            unwrap=True,
            body=body_of({"max_messages": max_messages, "queues": queues}),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncAdminAuditResource(AsyncResource):
    """async_client.admin.audit"""

    def list(
        self, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> AsyncListIterator[AuditEntryOut]:
        """The operator audit trail, newest first (filter target_id: one user, workspace or namespace)

        GET /v1/admin/audit (`async for` follows meta.next_cursor through every page; `await` gives the first page)
        """
        return self._client._list(
            _R_listAuditEntries,
            (),
            model=AuditEntryOut,
            meta_model=ListMeta,
            links_model=ListLinks,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncAdminNamespacesResource(AsyncResource):
    """async_client.admin.namespaces"""

    def __init__(self, client: AsyncBaseClient) -> None:
        super().__init__(client)
        self.packages = AsyncAdminNamespacesPackagesResource(client)

    async def get(
        self, namespace_id: str, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> NamespacePlanOut:
        """A namespace's plan: package grants, custom limits and the limits in force

        GET /v1/admin/namespaces/{namespace_id}
        """
        return await self._client._request(
            _R_getNamespacePlan,
            (namespace_id,),
            model=NamespacePlanOut,
            unwrap=True,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update(
        self,
        namespace_id: str,
        *,
        limits: dict[str, int] | None,
        reason: str | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> NamespacePlanOut:
        """Set a namespace's custom entitlement limits (enterprise)

        PATCH /v1/admin/namespaces/{namespace_id}

        Args:
            limits: feature -> limit; `null` or `{}` clears every custom limit.
            reason: Why: kept in the audit trail (e.g. a ticket or invoice).
        """
        return await self._client._request(
            _R_updateNamespaceLimits,
            (namespace_id,),
            model=NamespacePlanOut,
            unwrap=True,
            body=body_of({"limits": limits, "reason": reason}),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncAdminOperatorKeysResource(AsyncResource):
    """async_client.admin.operator_keys"""

    def list(
        self, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> AsyncListIterator[SparseOperatorKey]:
        """List the live operator keys (never their secrets)

        GET /v1/admin/operator-keys (`async for` follows meta.next_cursor through every page; `await` gives the
        first page)
        """
        return self._client._list(
            _R_listOperatorKeys,
            (),
            model=SparseOperatorKey,
            meta_model=ListMeta,
            links_model=ListLinks,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def revoke(
        self,
        key_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Revoke an operator key (it stops working at once)

        DELETE /v1/admin/operator-keys/{key_id}
        """
        await self._client._request(
            _R_revokeOperatorKey,
            (key_id,),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncAdminUsersResource(AsyncResource):
    """async_client.admin.users"""

    async def get(
        self, user_id: str, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> UserPlanOut:
        """A user's plan: tier, custom rate limits and the limits in force

        GET /v1/admin/users/{user_id}
        """
        return await self._client._request(
            _R_getUserPlan, (user_id,), model=UserPlanOut, unwrap=True, extra_headers=extra_headers, timeout=timeout
        )

    async def update(
        self,
        user_id: str,
        *,
        rate_limits: RateLimitsIn | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        reason: str | NotGiven | None = NOT_GIVEN,
        tier: str | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> UserPlanOut:
        """Set a user's tier and/or custom rate limits (effective on their next request)

        PATCH /v1/admin/users/{user_id}

        Args:
            rate_limits: Custom rate limits; `null` returns to the tier's. Absent: unchanged.
            reason: Why: kept in the audit trail (e.g. a ticket or invoice).
            tier: The account's tier; its personal namespace's package follows.
        """
        return await self._client._request(
            _R_updateUserPlan,
            (user_id,),
            model=UserPlanOut,
            unwrap=True,
            body=body_of({"rate_limits": rate_limits, "reason": reason, "tier": tier}),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncAdminWebhooksResource(AsyncResource):
    """async_client.admin.webhooks"""

    def __init__(self, client: AsyncBaseClient) -> None:
        super().__init__(client)
        self.dead_letters = AsyncAdminWebhooksDeadLettersResource(client)


class AsyncAdminWorkspacesResource(AsyncResource):
    """async_client.admin.workspaces"""

    async def update(
        self,
        workspace_id: str,
        *,
        tier: str,
        reason: str | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WorkspacePlanOut:
        """Set a workspace's tier (its default namespace's package follows)

        PATCH /v1/admin/workspaces/{workspace_id}

        Args:
            reason: Why: kept in the audit trail (e.g. a ticket or invoice).
            tier: The workspace's tier; its default namespace's package follows.
        """
        return await self._client._request(
            _R_updateWorkspaceTier,
            (workspace_id,),
            model=WorkspacePlanOut,
            unwrap=True,
            body=body_of({"reason": reason, "tier": tier}),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncNamespacesEntitlementsResource(AsyncResource):
    """async_client.namespaces.entitlements"""

    async def check(
        self,
        namespace_id: str,
        *,
        feature: str,
        quantity: int | NotGiven = NOT_GIVEN,
        workspace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> EntitlementCheckResult:
        """Would consuming this quantity of a feature be allowed?

        POST /v1/namespaces/{namespace_id}/entitlements/check

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_checkNamespaceEntitlement,
            (namespace_id,),
            model=EntitlementCheckResult,
            body=body_of({"feature": feature, "quantity": quantity}),
            tenant={"workspace_id": workspace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get(
        self,
        namespace_id: str,
        *,
        workspace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Entitlements:
        """Entitlements: used and limit

        GET /v1/namespaces/{namespace_id}/entitlements

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getNamespaceEntitlements,
            (namespace_id,),
            model=Entitlements,
            unwrap=True,
            tenant={"workspace_id": workspace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncNamespacesPackagesResource(AsyncResource):
    """async_client.namespaces.packages"""

    async def assign(
        self,
        namespace_id: str,
        *,
        package_id: str,
        workspace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Assign a package: operators only (POST /v1/admin/namespaces/{namespace_id}/packages)

        POST /v1/namespaces/{namespace_id}/packages

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        await self._client._request(
            _R_assignNamespacePackage,
            (namespace_id,),
            body=body_of({"package_id": package_id}),
            tenant={"workspace_id": workspace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def list(
        self,
        namespace_id: str,
        *,
        workspace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> builtins.list[NamespacePackage]:
        """A namespace's packages

        GET /v1/namespaces/{namespace_id}/packages

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_listNamespacePackages,
            (namespace_id,),
            model=NamespacePackage,
            unwrap=True,
            tenant={"workspace_id": workspace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def remove(
        self,
        namespace_id: str,
        package_id: str,
        *,
        workspace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Remove a package: operators only (DELETE /v1/admin/namespaces/{namespace_id}/packages/{package_id})

        DELETE /v1/namespaces/{namespace_id}/packages/{package_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        await self._client._request(
            _R_removeNamespacePackage,
            (
                namespace_id,
                package_id,
            ),
            tenant={"workspace_id": workspace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncOrganizationsMembersResource(AsyncResource):
    """async_client.organizations.members"""

    async def invite(
        self,
        workspace_id: str,
        *,
        user_id: str,
        role: str | NotGiven = NOT_GIVEN,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> InvitationOut:
        """Invite a user to join (owner or admin; the user accepts)

        POST /v1/organizations/{workspace_id}/members

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_inviteOrganizationMember,
            (workspace_id,),
            model=InvitationOut,
            unwrap=True,
            body=body_of({"role": role, "user_id": user_id}),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        workspace_id: str,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        role: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseMember]:
        """List a workspace's members

        GET /v1/organizations/{workspace_id}/members (`async for` follows meta.next_cursor through every page;
        `await` gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, role, user_id, id. Default
        `created_at`.
            fields: Sparse fieldset (`id` is always returned).
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            role: Filter by role (same as `filter[role]`).
        """
        return self._client._list(
            _R_listOrganizationMembers,
            (workspace_id,),
            model=SparseMember,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "role": role,
                }
            ),
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def remove(
        self,
        workspace_id: str,
        user_id: str,
        *,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Remove a member or cancel their invitation, or leave

        DELETE /v1/organizations/{workspace_id}/members/{user_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        await self._client._request(
            _R_removeOrganizationMember,
            (
                workspace_id,
                user_id,
            ),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update(
        self,
        workspace_id: str,
        user_id: str,
        *,
        role: str,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> MemberOut:
        """Change a member's role

        PATCH /v1/organizations/{workspace_id}/members/{user_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_updateOrganizationMember,
            (
                workspace_id,
                user_id,
            ),
            model=MemberOut,
            unwrap=True,
            body=body_of({"role": role}),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncWebhooksDeliveriesResource(AsyncResource):
    """async_client.webhooks.deliveries"""

    async def get(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> DeliveryDetail:
        """One delivery with its attempts and payload

        GET /v1/webhooks/{webhook_id}/deliveries/{delivery_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getWebhookDelivery,
            (
                webhook_id,
                delivery_id,
            ),
            model=DeliveryDetail,
            unwrap=True,
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        webhook_id: str,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        status: str | None = None,
        event_type: str | None = None,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseDelivery]:
        """Delivery history (30 days)

        GET /v1/webhooks/{webhook_id}/deliveries (`async for` follows meta.next_cursor through every page; `await`
        gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, updated_at, attempts, id. Default
        `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            status: Filter by status (same as `filter[status]`).
            event_type: Filter by event_type (same as `filter[event_type]`).
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return self._client._list(
            _R_listWebhookDeliveries,
            (webhook_id,),
            model=SparseDelivery,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "status": status,
                    "event_type": event_type,
                }
            ),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def retry(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> DeliveryOut:
        """Retry a delivery that did not succeed

        POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_retryWebhookDelivery,
            (
                webhook_id,
                delivery_id,
            ),
            model=DeliveryOut,
            unwrap=True,
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncWorkspacesMembersResource(AsyncResource):
    """async_client.workspaces.members"""

    async def invite(
        self,
        workspace_id: str,
        *,
        user_id: str,
        role: str | NotGiven = NOT_GIVEN,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> InvitationOut:
        """Invite a user to join (owner or admin; the user accepts)

        POST /v1/workspaces/{workspace_id}/members

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_inviteWorkspaceMember,
            (workspace_id,),
            model=InvitationOut,
            unwrap=True,
            body=body_of({"role": role, "user_id": user_id}),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        workspace_id: str,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        role: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseMember]:
        """List a workspace's members

        GET /v1/workspaces/{workspace_id}/members (`async for` follows meta.next_cursor through every page; `await`
        gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, role, user_id, id. Default
        `created_at`.
            fields: Sparse fieldset (`id` is always returned).
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            role: Filter by role (same as `filter[role]`).
        """
        return self._client._list(
            _R_listWorkspaceMembers,
            (workspace_id,),
            model=SparseMember,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "role": role,
                }
            ),
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def remove(
        self,
        workspace_id: str,
        user_id: str,
        *,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Remove a member or cancel their invitation, or leave

        DELETE /v1/workspaces/{workspace_id}/members/{user_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        await self._client._request(
            _R_removeWorkspaceMember,
            (
                workspace_id,
                user_id,
            ),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update(
        self,
        workspace_id: str,
        user_id: str,
        *,
        role: str,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> MemberOut:
        """Change a member's role

        PATCH /v1/workspaces/{workspace_id}/members/{user_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_updateWorkspaceMember,
            (
                workspace_id,
                user_id,
            ),
            model=MemberOut,
            unwrap=True,
            body=body_of({"role": role}),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncAdminResource(AsyncResource):
    """async_client.admin"""

    def __init__(self, client: AsyncBaseClient) -> None:
        super().__init__(client)
        self.audit = AsyncAdminAuditResource(client)
        self.namespaces = AsyncAdminNamespacesResource(client)
        self.operator_keys = AsyncAdminOperatorKeysResource(client)
        self.users = AsyncAdminUsersResource(client)
        self.webhooks = AsyncAdminWebhooksResource(client)
        self.workspaces = AsyncAdminWorkspacesResource(client)


class AsyncApiKeysResource(AsyncResource):
    """async_client.api_keys"""

    async def create(
        self,
        *,
        name: str,
        expires_at: str | datetime | NotGiven | None = NOT_GIVEN,
        rate_limit_tier: str | NotGiven | None = NOT_GIVEN,
        scopes: builtins.list[str] | NotGiven = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> ApiKeyCreated:
        """Create an API key (the secret is returned once)

        POST /v1/api-keys
        """
        return await self._client._request(
            _R_createApiKey,
            (),
            model=ApiKeyCreated,
            unwrap=True,
            body=body_of(
                {"expires_at": expires_at, "name": name, "rate_limit_tier": rate_limit_tier, "scopes": scopes}
            ),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get(
        self, key_id: str, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> ApiKeyOut:
        """Get an API key

        GET /v1/api-keys/{key_id}
        """
        return await self._client._request(
            _R_getApiKey, (key_id,), model=ApiKeyOut, unwrap=True, extra_headers=extra_headers, timeout=timeout
        )

    def list(
        self,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        rate_limit_tier: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseApiKey]:
        """List API keys (never their secrets)

        GET /v1/api-keys (`async for` follows meta.next_cursor through every page; `await` gives the first page)

        Args:
            workspace_id: Tenant context, as a query parameter.
            namespace_id: Tenant context, as a query parameter.
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, name, last_used_at, id. Default
        `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
            search: Case-insensitive match on name.
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            rate_limit_tier: Filter by rate_limit_tier (same as `filter[rate_limit_tier]`).
        """
        return self._client._list(
            _R_listApiKeys,
            (),
            model=SparseApiKey,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "workspace_id": workspace_id,
                    "namespace_id": namespace_id,
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "search": search,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "rate_limit_tier": rate_limit_tier,
                }
            ),
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def revoke(
        self,
        key_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Revoke an API key (it stops working at once)

        DELETE /v1/api-keys/{key_id}
        """
        await self._client._request(
            _R_revokeApiKey, (key_id,), idempotency_key=idempotency_key, extra_headers=extra_headers, timeout=timeout
        )


class AsyncAuthResource(AsyncResource):
    """async_client.auth"""

    async def login(
        self, *, email: str, password: str, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> TokenResponse:
        """Exchange email and password for tokens

        POST /v1/auth/login
        """
        return await self._client._request(
            _R_login,
            (),
            model=TokenResponse,
            body=body_of({"email": email, "password": password}),
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def logout(self, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None) -> None:
        """End the session: its tokens stop working at once

        POST /v1/auth/logout
        """
        await self._client._request(_R_logout, (), extra_headers=extra_headers, timeout=timeout)

    async def refresh(
        self, *, refresh_token: str, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> TokenResponse:
        """Rotate the refresh token and get a new access token

        POST /v1/auth/refresh
        """
        return await self._client._request(
            _R_refreshToken,
            (),
            model=TokenResponse,
            body=body_of({"refresh_token": refresh_token}),
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def register(
        self,
        *,
        email: str,
        password: str,
        username: str,
        name: str | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> RegisterResponse:
        """Register a user (and their personal namespace)

        POST /v1/auth/register
        """
        return await self._client._request(
            _R_register,
            (),
            model=RegisterResponse,
            body=body_of({"email": email, "name": name, "password": password, "username": username}),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncDocsResource(AsyncResource):
    """async_client.docs"""

    async def openapi(self, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None) -> Any:
        """The OpenAPI 3.1 document of the whole API

        GET /v1/openapi.json
        """
        return await self._client._request(_R_getOpenApiDocument, (), extra_headers=extra_headers, timeout=timeout)


class AsyncHealthResource(AsyncResource):
    """async_client.health"""

    async def get(self, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None) -> Health:
        """Service health

        GET /v1/health
        """
        return await self._client._request(_R_getHealth, (), model=Health, extra_headers=extra_headers, timeout=timeout)


class AsyncInvitationsResource(AsyncResource):
    """async_client.invitations"""

    async def accept(
        self,
        invitation_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> MemberOut:
        """Accept an invitation: join

        POST /v1/invitations/{invitation_id}/accept

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_acceptInvitation,
            (invitation_id,),
            model=MemberOut,
            unwrap=True,
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def decline(
        self,
        invitation_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Decline an invitation

        DELETE /v1/invitations/{invitation_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        await self._client._request(
            _R_declineInvitation,
            (invitation_id,),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseInvitation]:
        """Your pending invitations to join workspaces

        GET /v1/invitations (`async for` follows meta.next_cursor through every page; `await` gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, id. Default `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
        """
        return self._client._list(
            _R_listInvitations,
            (),
            model=SparseInvitation,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of({"page": page, "per_page": per_page, "cursor": cursor, "sort": sort, "fields": fields}),
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncNamespacesResource(AsyncResource):
    """async_client.namespaces"""

    def __init__(self, client: AsyncBaseClient) -> None:
        super().__init__(client)
        self.entitlements = AsyncNamespacesEntitlementsResource(client)
        self.packages = AsyncNamespacesPackagesResource(client)

    async def create(
        self,
        *,
        name: str,
        slug: str,
        description: str | NotGiven | None = NOT_GIVEN,
        workspace_id: str | NotGiven | None = NOT_GIVEN,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> NamespaceOut:
        """Create a namespace (personal, or in a workspace)

        POST /v1/namespaces

        Args:
            slug: Unique among the owner's namespaces.
            workspace_id: Create it in this workspace (admin or owner); X-Workspace-ID does the same. Else personal.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_createNamespace,
            (),
            model=NamespaceOut,
            unwrap=True,
            body=body_of({"description": description, "name": name, "slug": slug, "workspace_id": workspace_id}),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def delete(
        self,
        namespace_id: str,
        *,
        workspace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Delete a namespace (refused while it owns data)

        DELETE /v1/namespaces/{namespace_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        await self._client._request(
            _R_deleteNamespace,
            (namespace_id,),
            tenant={"workspace_id": workspace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get(
        self,
        namespace_id: str,
        *,
        workspace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> NamespaceDetail:
        """Get a namespace with packages and live usage

        GET /v1/namespaces/{namespace_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getNamespace,
            (namespace_id,),
            model=NamespaceDetail,
            unwrap=True,
            tenant={"workspace_id": workspace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        owner_type: str | None = None,
        is_active: bool | None = None,
        is_default: bool | None = None,
        namespace_id: str | None = None,
        workspace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseNamespace]:
        """List the namespaces you can see

        GET /v1/namespaces (`async for` follows meta.next_cursor through every page; `await` gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, updated_at, name, slug, id. Default
        `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
            search: Case-insensitive match on name, slug.
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            owner_type: Filter by owner_type (same as `filter[owner_type]`).
            is_active: Filter by is_active (same as `filter[is_active]`).
            is_default: Filter by is_default (same as `filter[is_default]`).
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        return self._client._list(
            _R_listNamespaces,
            (),
            model=SparseNamespace,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "search": search,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "owner_type": owner_type,
                    "is_active": is_active,
                    "is_default": is_default,
                }
            ),
            tenant={"namespace_id": namespace_id, "workspace_id": workspace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update(
        self,
        namespace_id: str,
        *,
        description: str | NotGiven | None = NOT_GIVEN,
        is_active: bool | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        slug: str | NotGiven | None = NOT_GIVEN,
        workspace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> NamespaceOut:
        """Update a namespace

        PATCH /v1/namespaces/{namespace_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_updateNamespace,
            (namespace_id,),
            model=NamespaceOut,
            unwrap=True,
            body=body_of({"description": description, "is_active": is_active, "name": name, "slug": slug}),
            tenant={"workspace_id": workspace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncOrganizationsResource(AsyncResource):
    """async_client.organizations"""

    def __init__(self, client: AsyncBaseClient) -> None:
        super().__init__(client)
        self.members = AsyncOrganizationsMembersResource(client)

    async def create(
        self,
        *,
        name: str,
        settings: SettingsIn | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        slug: str | NotGiven | None = NOT_GIVEN,
        tier: str | NotGiven = NOT_GIVEN,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WorkspaceOut:
        """Create a workspace; you become its owner

        POST /v1/organizations

        Args:
            slug: Unique; derived from the name when omitted.
            tier: At most the creator's own tier.
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_createOrganization,
            (),
            model=WorkspaceOut,
            unwrap=True,
            body=body_of({"name": name, "settings": settings, "slug": slug, "tier": tier}),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def delete(
        self,
        workspace_id: str,
        *,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Delete a workspace (owner; refused while it owns data)

        DELETE /v1/organizations/{workspace_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        await self._client._request(
            _R_deleteOrganization,
            (workspace_id,),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get(
        self,
        workspace_id: str,
        *,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WorkspaceOut:
        """Get a workspace

        GET /v1/organizations/{workspace_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getOrganization,
            (workspace_id,),
            model=WorkspaceOut,
            unwrap=True,
            tenant={"namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        tier: str | None = None,
        role: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseWorkspace]:
        """List the workspaces (organizations) you belong to

        GET /v1/organizations (`async for` follows meta.next_cursor through every page; `await` gives the first
        page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, updated_at, name, slug, id. Default
        `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
            search: Case-insensitive match on name, slug.
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            tier: Filter by tier (same as `filter[tier]`).
            role: Filter by role (same as `filter[role]`).
        """
        return self._client._list(
            _R_listOrganizations,
            (),
            model=SparseWorkspace,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "search": search,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "tier": tier,
                    "role": role,
                }
            ),
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update(
        self,
        workspace_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        settings: SettingsIn | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        slug: str | NotGiven | None = NOT_GIVEN,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WorkspaceOut:
        """Update a workspace (admin; the slug: owner)

        PATCH /v1/organizations/{workspace_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_updateOrganization,
            (workspace_id,),
            model=WorkspaceOut,
            unwrap=True,
            body=body_of({"name": name, "settings": settings, "slug": slug}),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncPackagesResource(AsyncResource):
    """async_client.packages"""

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparsePackage]:
        """The package catalogue

        GET /v1/packages (`async for` follows meta.next_cursor through every page; `await` gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: id, name, id. Default `id`.
            fields: Sparse fieldset (`id` is always returned).
        """
        return self._client._list(
            _R_listPackages,
            (),
            model=SparsePackage,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of({"page": page, "per_page": per_page, "cursor": cursor, "sort": sort, "fields": fields}),
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncResourcesResource(AsyncResource):
    """async_client.resources"""

    async def batch(
        self,
        *,
        operations: builtins.list[BatchOperation | dict[str, Any]],
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> builtins.list[BatchResult]:
        """Create, update and delete resources atomically

        POST /v1/resources/batch

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_batchResources,
            (),
            model=BatchResult,
            unwrap=True,
            body=body_of({"operations": operations}),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def create(
        self,
        *,
        name: str,
        description: str | NotGiven | None = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        status: str | NotGiven = NOT_GIVEN,
        tags: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        type: str | NotGiven = NOT_GIVEN,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> ResourceOut:
        """Create a resource

        POST /v1/resources

        Args:
            type: A token such as `standard`.
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_createResource,
            (),
            model=ResourceOut,
            unwrap=True,
            body=body_of(
                {
                    "description": description,
                    "metadata": metadata,
                    "name": name,
                    "status": status,
                    "tags": tags,
                    "type": type,
                }
            ),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def delete(
        self,
        resource_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Delete a resource

        DELETE /v1/resources/{resource_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        await self._client._request(
            _R_deleteResource,
            (resource_id,),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get(
        self,
        resource_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> SparseResource:
        """Get a resource

        GET /v1/resources/{resource_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getResource,
            (resource_id,),
            model=SparseResource,
            unwrap=True,
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        include: str | Sequence[str] | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        status: str | None = None,
        type: str | None = None,
        tags: str | None = None,
        owner: str | None = None,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseResource]:
        """List resources

        GET /v1/resources (`async for` follows meta.next_cursor through every page; `await` gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, updated_at, name, type, status, id.
        Default `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
            include: Related data to embed.
            search: Case-insensitive match on name, description, tags.
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            status: Filter by status (same as `filter[status]`).
            type: Filter by type (same as `filter[type]`).
            tags: Filter by tags (same as `filter[tags]`).
            owner: Filter by owner (same as `filter[owner]`).
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return self._client._list(
            _R_listResources,
            (),
            model=SparseResource,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "include": include,
                    "search": search,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "status": status,
                    "type": type,
                    "tags": tags,
                    "owner": owner,
                }
            ),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update(
        self,
        resource_id: str,
        *,
        description: str | NotGiven | None = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        status: str | NotGiven | None = NOT_GIVEN,
        tags: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        type: str | NotGiven | None = NOT_GIVEN,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> ResourceOut:
        """Update a resource

        PATCH /v1/resources/{resource_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_updateResource,
            (resource_id,),
            model=ResourceOut,
            unwrap=True,
            body=body_of(
                {
                    "description": description,
                    "metadata": metadata,
                    "name": name,
                    "status": status,
                    "tags": tags,
                    "type": type,
                }
            ),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncUsageResource(AsyncResource):
    """async_client.usage"""

    async def get(
        self,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> UsageOut:
        """Your rate-limit windows, API calls this month and entitlement usage

        GET /v1/usage

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getUsage,
            (),
            model=UsageOut,
            unwrap=True,
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncUsersResource(AsyncResource):
    """async_client.users"""

    async def confirm_email(
        self,
        *,
        token: str,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> UserOut:
        """Confirm the current email with the token from its confirmation link

        POST /v1/users/me/email/confirm
        """
        return await self._client._request(
            _R_confirmEmail,
            (),
            model=UserOut,
            unwrap=True,
            body=body_of({"token": token}),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get(
        self,
        user_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> UserOut:
        """A user: yourself, or a member of a shared workspace

        GET /v1/users/{user_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getUser,
            (user_id,),
            model=UserOut,
            unwrap=True,
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get_authenticated(
        self, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> UserOut:
        """The current user (document 004's path)

        GET /v1/user
        """
        return await self._client._request(
            _R_getAuthenticatedUser, (), model=UserOut, unwrap=True, extra_headers=extra_headers, timeout=timeout
        )

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        role: str | None = None,
        tier: str | None = None,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseWorkspaceUser]:
        """Users of the tenant in context: the workspace's members, or yourself in your personal namespace

        GET /v1/users (`async for` follows meta.next_cursor through every page; `await` gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, name, email, username, id. Default
        `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
            search: Case-insensitive match on name, email, username.
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            role: Filter by role (same as `filter[role]`).
            tier: Filter by tier (same as `filter[tier]`).
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return self._client._list(
            _R_listUsers,
            (),
            model=SparseWorkspaceUser,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "search": search,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "role": role,
                    "tier": tier,
                }
            ),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def me(self, *, extra_headers: Mapping[str, str] | None = None, timeout: float | None = None) -> UserOut:
        """The current user

        GET /v1/users/me
        """
        return await self._client._request(
            _R_getCurrentUser, (), model=UserOut, unwrap=True, extra_headers=extra_headers, timeout=timeout
        )

    async def update(
        self,
        user_id: str,
        *,
        current_password: str | NotGiven | None = NOT_GIVEN,
        email: str | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        password: str | NotGiven | None = NOT_GIVEN,
        profile: ProfileUpdate | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        username: str | NotGiven | None = NOT_GIVEN,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> UserOut:
        """Update a user you may manage

        PATCH /v1/users/{user_id}

        Args:
            current_password: Required to change `email` or `password`; never stored or returned.
            password: A new password.
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_updateUser,
            (user_id,),
            model=UserOut,
            unwrap=True,
            body=body_of(
                {
                    "current_password": current_password,
                    "email": email,
                    "name": name,
                    "password": password,
                    "profile": profile,
                    "username": username,
                }
            ),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update_me(
        self,
        *,
        current_password: str | NotGiven | None = NOT_GIVEN,
        email: str | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        password: str | NotGiven | None = NOT_GIVEN,
        profile: ProfileUpdate | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        username: str | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> UserOut:
        """Update the current user

        PATCH /v1/users/me

        Args:
            current_password: Required to change `email` or `password`; never stored or returned.
            password: A new password.
        """
        return await self._client._request(
            _R_updateCurrentUser,
            (),
            model=UserOut,
            unwrap=True,
            body=body_of(
                {
                    "current_password": current_password,
                    "email": email,
                    "name": name,
                    "password": password,
                    "profile": profile,
                    "username": username,
                }
            ),
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncWebhooksResource(AsyncResource):
    """async_client.webhooks"""

    def __init__(self, client: AsyncBaseClient) -> None:
        super().__init__(client)
        self.deliveries = AsyncWebhooksDeliveriesResource(client)

    async def create(
        self,
        *,
        events: builtins.list[str],
        url: str,
        description: str | NotGiven | None = NOT_GIVEN,
        is_active: bool | NotGiven = NOT_GIVEN,
        secret: str | NotGiven | None = NOT_GIVEN,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WebhookCreated:
        """Create a webhook (the secret is returned once)

        POST /v1/webhooks

        Args:
            secret: Your signing secret; generated (`whsec_...`) when omitted. Returned only now.
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_createWebhook,
            (),
            model=WebhookCreated,
            unwrap=True,
            body=body_of(
                {"description": description, "events": events, "is_active": is_active, "secret": secret, "url": url}
            ),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def delete(
        self,
        webhook_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Delete a webhook

        DELETE /v1/webhooks/{webhook_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        await self._client._request(
            _R_deleteWebhook,
            (webhook_id,),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get(
        self,
        webhook_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WebhookOut:
        """Get a webhook

        GET /v1/webhooks/{webhook_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getWebhook,
            (webhook_id,),
            model=WebhookOut,
            unwrap=True,
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        is_active: bool | None = None,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseWebhook]:
        """List webhooks (never their secrets)

        GET /v1/webhooks (`async for` follows meta.next_cursor through every page; `await` gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, updated_at, url, id. Default
        `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
            search: Case-insensitive match on url, description.
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            is_active: Filter by is_active (same as `filter[is_active]`).
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return self._client._list(
            _R_listWebhooks,
            (),
            model=SparseWebhook,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "search": search,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "is_active": is_active,
                }
            ),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def recover(
        self,
        webhook_id: str,
        *,
        since: str | datetime,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> DeliveriesRecovered:
        """Re-send the failed deliveries since a time

        POST /v1/webhooks/{webhook_id}/recover

        Args:
            since: Re-send every failed delivery created at or after this time (ISO 8601 with a zone), e.g. the
        webhook's `disabled_at` before enabling it again.
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_recoverWebhookDeliveries,
            (webhook_id,),
            model=DeliveriesRecovered,
            unwrap=True,
            body=body_of({"since": since}),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def rotate_secret(
        self,
        webhook_id: str,
        *,
        grace_period_seconds: int | NotGiven = NOT_GIVEN,
        secret: str | NotGiven | None = NOT_GIVEN,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WebhookSecretRotated:
        """Rotate the signing secret (the old one keeps signing for a grace period)

        POST /v1/webhooks/{webhook_id}/rotate-secret

        Args:
            grace_period_seconds: How long the previous secret keeps signing.
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_rotateWebhookSecret,
            (webhook_id,),
            model=WebhookSecretRotated,
            unwrap=True,
            body=body_of({"grace_period_seconds": grace_period_seconds, "secret": secret}),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def test(
        self,
        webhook_id: str,
        *,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WebhookTestResult:
        """Send a signed test event now

        POST /v1/webhooks/{webhook_id}/test

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_testWebhook,
            (webhook_id,),
            model=WebhookTestResult,
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update(
        self,
        webhook_id: str,
        *,
        description: str | NotGiven | None = NOT_GIVEN,
        events: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        is_active: bool | NotGiven | None = NOT_GIVEN,
        url: str | NotGiven | None = NOT_GIVEN,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WebhookOut:
        """Update a webhook

        PATCH /v1/webhooks/{webhook_id}

        Args:
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_updateWebhook,
            (webhook_id,),
            model=WebhookOut,
            unwrap=True,
            body=body_of({"description": description, "events": events, "is_active": is_active, "url": url}),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncWorkspacesResource(AsyncResource):
    """async_client.workspaces"""

    def __init__(self, client: AsyncBaseClient) -> None:
        super().__init__(client)
        self.members = AsyncWorkspacesMembersResource(client)

    async def create(
        self,
        *,
        name: str,
        settings: SettingsIn | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        slug: str | NotGiven | None = NOT_GIVEN,
        tier: str | NotGiven = NOT_GIVEN,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WorkspaceOut:
        """Create a workspace; you become its owner

        POST /v1/workspaces

        Args:
            slug: Unique; derived from the name when omitted.
            tier: At most the creator's own tier.
            workspace_id: Tenant context for this call (X-Workspace-ID header); the client's default else.
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_createWorkspace,
            (),
            model=WorkspaceOut,
            unwrap=True,
            body=body_of({"name": name, "settings": settings, "slug": slug, "tier": tier}),
            tenant={"workspace_id": workspace_id, "namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def delete(
        self,
        workspace_id: str,
        *,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """Delete a workspace (owner; refused while it owns data)

        DELETE /v1/workspaces/{workspace_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        await self._client._request(
            _R_deleteWorkspace,
            (workspace_id,),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def get(
        self,
        workspace_id: str,
        *,
        namespace_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WorkspaceOut:
        """Get a workspace

        GET /v1/workspaces/{workspace_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_getWorkspace,
            (workspace_id,),
            model=WorkspaceOut,
            unwrap=True,
            tenant={"namespace_id": namespace_id},
            extra_headers=extra_headers,
            timeout=timeout,
        )

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
        sort: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        updated_before: str | datetime | None = None,
        tier: str | None = None,
        role: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncListIterator[SparseWorkspace]:
        """List the workspaces (organizations) you belong to

        GET /v1/workspaces (`async for` follows meta.next_cursor through every page; `await` gives the first page)

        Args:
            page: Page number (1-based); absent: the first page.
            per_page: Items per page (max 100).
            cursor: Opaque cursor from `meta.next_cursor` (not with `page`).
            sort: Comma-separated fields, `-` for descending, of: created_at, updated_at, name, slug, id. Default
        `-created_at`.
            fields: Sparse fieldset (`id` is always returned).
            search: Case-insensitive match on name, slug.
            created_after: ISO 8601.
            created_before: ISO 8601.
            updated_after: ISO 8601.
            updated_before: ISO 8601.
            tier: Filter by tier (same as `filter[tier]`).
            role: Filter by role (same as `filter[role]`).
        """
        return self._client._list(
            _R_listWorkspaces,
            (),
            model=SparseWorkspace,
            meta_model=ListMeta,
            links_model=ListLinks,
            query=query_of(
                {
                    "page": page,
                    "per_page": per_page,
                    "cursor": cursor,
                    "sort": sort,
                    "fields": fields,
                    "search": search,
                    "created_after": created_after,
                    "created_before": created_before,
                    "updated_after": updated_after,
                    "updated_before": updated_before,
                    "tier": tier,
                    "role": role,
                }
            ),
            extra_headers=extra_headers,
            timeout=timeout,
        )

    async def update(
        self,
        workspace_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        settings: SettingsIn | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        slug: str | NotGiven | None = NOT_GIVEN,
        namespace_id: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> WorkspaceOut:
        """Update a workspace (admin; the slug: owner)

        PATCH /v1/workspaces/{workspace_id}

        Args:
            namespace_id: Tenant context for this call (X-Namespace-ID header); the client's default else.
        """
        return await self._client._request(
            _R_updateWorkspace,
            (workspace_id,),
            model=WorkspaceOut,
            unwrap=True,
            body=body_of({"name": name, "settings": settings, "slug": slug}),
            tenant={"namespace_id": namespace_id},
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
            timeout=timeout,
        )


class AsyncClientGroups:
    """The endpoint groups of the API, one attribute each (mixed into AsyncClient)."""

    admin: AsyncAdminResource
    api_keys: AsyncApiKeysResource
    auth: AsyncAuthResource
    docs: AsyncDocsResource
    health: AsyncHealthResource
    invitations: AsyncInvitationsResource
    namespaces: AsyncNamespacesResource
    organizations: AsyncOrganizationsResource
    packages: AsyncPackagesResource
    resources: AsyncResourcesResource
    usage: AsyncUsageResource
    users: AsyncUsersResource
    webhooks: AsyncWebhooksResource
    workspaces: AsyncWorkspacesResource

    def _init_groups(self, client: AsyncBaseClient) -> None:
        self.admin = AsyncAdminResource(client)
        self.api_keys = AsyncApiKeysResource(client)
        self.auth = AsyncAuthResource(client)
        self.docs = AsyncDocsResource(client)
        self.health = AsyncHealthResource(client)
        self.invitations = AsyncInvitationsResource(client)
        self.namespaces = AsyncNamespacesResource(client)
        self.organizations = AsyncOrganizationsResource(client)
        self.packages = AsyncPackagesResource(client)
        self.resources = AsyncResourcesResource(client)
        self.usage = AsyncUsageResource(client)
        self.users = AsyncUsersResource(client)
        self.webhooks = AsyncWebhooksResource(client)
        self.workspaces = AsyncWorkspacesResource(client)
