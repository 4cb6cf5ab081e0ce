"""GENERATED from the OpenAPI components by sdks/python/generate.py: do not edit, run `make sdks`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_php_sdk._base import ApiModel

__all__ = [
    "ApiCalls",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "AuditEntryOut",
    "BatchOperation",
    "BatchRequest",
    "BatchResult",
    "DeadLetterQueueOut",
    "DeadLettersOut",
    "DeliveriesRecovered",
    "DeliveryAttempt",
    "DeliveryDetail",
    "DeliveryOut",
    "DeliveryRecovery",
    "EmailConfirmation",
    "EntitlementCheck",
    "EntitlementCheckResult",
    "EntitlementUsage",
    "Entitlements",
    "EventData",
    "EventObject",
    "Health",
    "InvitationOut",
    "InvitationWorkspace",
    "KeyCalls",
    "ListLinks",
    "ListMeta",
    "LoginRequest",
    "MemberAdd",
    "MemberOut",
    "MemberUpdate",
    "MemberUser",
    "NamespaceCreate",
    "NamespaceDetail",
    "NamespaceLimitsUpdate",
    "NamespaceOut",
    "NamespacePackage",
    "NamespacePlanOut",
    "NamespaceUpdate",
    "NamespaceUsage",
    "PackageAssign",
    "PackageGrantRequest",
    "PackageLimits",
    "Period",
    "ProfileOut",
    "ProfileUpdate",
    "RateLimitStatus",
    "RateLimitWindow",
    "RateLimitsIn",
    "RateLimitsOut",
    "RedriveOut",
    "RedriveQueueOut",
    "RedriveRequest",
    "RefreshRequest",
    "RegisterRequest",
    "RegisterResponse",
    "ResourceCreate",
    "ResourceOut",
    "ResourceOwner",
    "ResourceUpdate",
    "SecretRotation",
    "SettingsIn",
    "SettingsOut",
    "SparseApiKey",
    "SparseDelivery",
    "SparseInvitation",
    "SparseMember",
    "SparseNamespace",
    "SparseOperatorKey",
    "SparsePackage",
    "SparseResource",
    "SparseWebhook",
    "SparseWorkspace",
    "SparseWorkspaceUser",
    "TokenResponse",
    "UsageOut",
    "UserOut",
    "UserPlanOut",
    "UserPlanUpdate",
    "UserUpdate",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookEvent",
    "WebhookOut",
    "WebhookSecretRotated",
    "WebhookTestResult",
    "WebhookUpdate",
    "WorkspaceCreate",
    "WorkspaceOut",
    "WorkspacePlanOut",
    "WorkspaceTierUpdate",
    "WorkspaceUpdate",
]


class ApiCalls(ApiModel):
    """ApiCalls"""

    api_keys: list[KeyCalls]
    sessions: int
    this_month: int


class ApiKeyCreate(ApiModel):
    """ApiKeyCreate"""

    expires_at: datetime | None = None
    name: str
    rate_limit_tier: str | None = None
    scopes: list[str] | None = None


class ApiKeyCreated(ApiModel):
    """`POST /v1/api-keys`: the key with its secret, returned this once only."""

    created_at: datetime
    expires_at: datetime | None = None
    id: str
    key: str
    last_used_at: datetime | None = None
    name: str
    prefix: str
    rate_limit_tier: str
    scopes: list[str]


class ApiKeyOut(ApiModel):
    """An API key, never its secret."""

    created_at: datetime
    expires_at: datetime | None = None
    id: str
    last_used_at: datetime | None = None
    name: str
    prefix: str
    rate_limit_tier: str
    scopes: list[str]


class AuditEntryOut(ApiModel):
    """One operator change, as the transaction that made it wrote it."""

    action: str
    after: dict[str, Any]
    before: dict[str, Any]
    created_at: datetime
    event_id: str | None = None
    id: str
    operator_id: str
    reason: str | None = None
    target_id: str
    target_type: str


class BatchOperation(ApiModel):
    """One operation; `data` is validated exactly as its single-route twin (ResourceCreate / ResourceUpdate)."""

    action: str
    data: dict[str, Any] | None = None
    id: str | None = None


class BatchRequest(ApiModel):
    """BatchRequest"""

    operations: list[BatchOperation]


class BatchResult(ApiModel):
    """The result of one operation of a batch, in the order sent."""

    action: str
    data: ResourceOut | None = None
    id: str
    index: int
    status: int


class DeadLetterQueueOut(ApiModel):
    """DeadLetterQueueOut"""

    in_flight: int
    queue: str
    waiting: int


class DeadLettersOut(ApiModel):
    """What waits in the webhook pipeline's dead-letter queues."""

    queues: list[DeadLetterQueueOut]
    waiting: int


class DeliveriesRecovered(ApiModel):
    """`POST /v1/webhooks/{id}/recover`: how many failed deliveries were queued again."""

    has_more: bool
    recovered: int
    since: datetime


class DeliveryAttempt(ApiModel):
    """DeliveryAttempt"""

    at: datetime
    attempt: int
    error: str | None = None
    manual: bool
    response_time_ms: int | None = None
    status_code: int | None = None


class DeliveryDetail(ApiModel):
    """`GET .../deliveries/{id}`: the delivery with the payload sent and every attempt."""

    attempts: int
    created_at: datetime
    delivered_at: datetime | None = None
    error: str | None = None
    event_id: str
    event_type: str
    history: list[DeliveryAttempt]
    id: str
    next_attempt_at: datetime | None = None
    payload: WebhookEvent
    response_excerpt: str | None = None
    response_time_ms: int | None = None
    status: str
    status_code: int | None = None
    updated_at: datetime
    webhook_id: str


class DeliveryOut(ApiModel):
    """One event's delivery to one webhook: its latest outcome."""

    attempts: int
    created_at: datetime
    delivered_at: datetime | None = None
    error: str | None = None
    event_id: str
    event_type: str
    id: str
    next_attempt_at: datetime | None = None
    response_time_ms: int | None = None
    status: str
    status_code: int | None = None
    updated_at: datetime
    webhook_id: str


class DeliveryRecovery(ApiModel):
    """DeliveryRecovery"""

    since: datetime


class EmailConfirmation(ApiModel):
    """`POST /v1/users/me/email/confirm`: the token from the confirmation link."""

    token: str


class EntitlementCheck(ApiModel):
    """EntitlementCheck"""

    feature: str
    quantity: int | None = None


class EntitlementCheckResult(ApiModel):
    """Document 004's answer to an entitlement check, at the top level of the body."""

    allowed: bool
    available: int
    current_usage: int
    limit: int
    message: str
    reason: str | None = None


class EntitlementUsage(ApiModel):
    """One feature's live usage: `used` of `limit` (the sum of the namespace's packages' limits)."""

    limit: int
    reset_at: datetime | None = None
    unit: str | None = None
    used: int


class Entitlements(ApiModel):
    """Every feature a package grants, by name (platform_api.packages.FEATURES)."""

    api_calls: EntitlementUsage
    members: EntitlementUsage
    namespaces: EntitlementUsage
    resources: EntitlementUsage
    storage: EntitlementUsage
    webhooks: EntitlementUsage


class EventData(ApiModel):
    """EventData"""

    object: EventObject


class EventObject(ApiModel):
    """EventObject"""

    attributes: dict[str, Any]
    id: str
    type: str


class Health(ApiModel):
    """Health"""

    environment: str
    stage: str
    status: str
    version: str


class InvitationOut(ApiModel):
    """An invitation to join a workspace; the invited user accepts (`POST /v1/invitations/{id}/accept`)."""

    created_at: datetime
    expires_at: datetime
    id: str
    invited_by: str
    object: str
    role: str
    status: str
    user_id: str
    workspace: InvitationWorkspace | None = None
    workspace_id: str


class InvitationWorkspace(ApiModel):
    """InvitationWorkspace"""

    id: str
    name: str
    slug: str


class KeyCalls(ApiModel):
    """KeyCalls"""

    calls: int
    id: str


class ListLinks(ApiModel):
    """Absolute links that keep the request's other query parameters."""

    first: str
    last: str | None = None
    next: str | None = None
    prev: str | None = None


class ListMeta(ApiModel):
    """Both reference documents' pagination keys (`page` = `current_page`, `total_pages` = `last_page`)."""

    current_page: int | None = None
    last_page: int | None = None
    next_cursor: str | None = None
    page: int | None = None
    per_page: int
    total: int | None = None
    total_pages: int | None = None


class LoginRequest(ApiModel):
    """LoginRequest"""

    email: str
    password: str


class MemberAdd(ApiModel):
    """MemberAdd"""

    role: str | None = None
    user_id: str


class MemberOut(ApiModel):
    """A membership, addressed by its user: `/members/{user_id}`."""

    created_at: datetime
    id: str
    role: str
    updated_at: datetime
    user: MemberUser | None = None
    user_id: str
    workspace_id: str


class MemberUpdate(ApiModel):
    """MemberUpdate"""

    role: str


class MemberUser(ApiModel):
    """The member's user account, summarized."""

    email: str
    id: str
    name: str | None = None
    username: str


class NamespaceCreate(ApiModel):
    """NamespaceCreate"""

    description: str | None = None
    name: str
    slug: str
    workspace_id: str | None = None


class NamespaceDetail(ApiModel):
    """`GET /v1/namespaces/{id}` (document 004): the namespace with its packages and live entitlement usage."""

    created_at: datetime
    description: str | None = None
    entitlements: Entitlements
    id: str
    is_active: bool
    is_default: bool
    name: str
    owner_id: str
    owner_type: str
    packages: list[NamespacePackage]
    slug: str
    updated_at: datetime
    uuid: str
    workspace_id: str | None = None


class NamespaceLimitsUpdate(ApiModel):
    """Custom entitlement limits (enterprise): each feature named replaces what the packages sum to."""

    limits: dict[str, int] | None = None
    reason: str | None = None


class NamespaceOut(ApiModel):
    """A namespace: the tenant unit that owns resources, webhooks and entitlements."""

    created_at: datetime
    description: str | None = None
    id: str
    is_active: bool
    is_default: bool
    name: str
    owner_id: str
    owner_type: str
    slug: str
    updated_at: datetime
    uuid: str
    workspace_id: str | None = None


class NamespacePackage(ApiModel):
    """A package granted to a namespace."""

    expires_at: datetime | None = None
    id: str
    name: str


class NamespacePlanOut(ApiModel):
    """A namespace's plan: its package grants, the operator's custom limits and the limits in force."""

    custom_limits: dict[str, int] | None = None
    id: str
    limits: dict[str, int]
    packages: list[NamespacePackage]


class NamespaceUpdate(ApiModel):
    """NamespaceUpdate"""

    description: str | None = None
    is_active: bool | None = None
    name: str | None = None
    slug: str | None = None


class NamespaceUsage(ApiModel):
    """NamespaceUsage"""

    entitlements: Entitlements
    id: str
    name: str
    owner_type: str
    workspace_id: str | None = None


class PackageAssign(ApiModel):
    """PackageAssign"""

    package_id: str


class PackageGrantRequest(ApiModel):
    """PackageGrantRequest"""

    expires_at: datetime | None = None
    package_id: str
    reason: str | None = None


class PackageLimits(ApiModel):
    """PackageLimits"""

    api_calls: int
    members: int
    namespaces: int
    resources: int
    storage: int
    webhooks: int


class Period(ApiModel):
    """Period"""

    end: datetime
    start: datetime


class ProfileOut(ApiModel):
    """ProfileOut"""

    avatar_url: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class ProfileUpdate(ApiModel):
    """ProfileUpdate"""

    avatar_url: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class RateLimitStatus(ApiModel):
    """The caller's windows: the API key's when called with one, else the user's."""

    burst: RateLimitWindow | None = None
    hour: RateLimitWindow
    minute: RateLimitWindow
    subject: str
    tier: str


class RateLimitWindow(ApiModel):
    """RateLimitWindow"""

    limit: int
    remaining: int
    reset: int
    used: int


class RateLimitsIn(ApiModel):
    """Custom rate limits (enterprise): each window given replaces the tier's."""

    burst: int | None = None
    hour: int | None = None
    minute: int | None = None


class RateLimitsOut(ApiModel):
    """RateLimitsOut"""

    burst: int
    hour: int
    minute: int


class RedriveOut(ApiModel):
    """One bounded redrive: call again while `has_more` is true."""

    failed: int
    has_more: bool
    kept: int
    moved: int
    queues: list[RedriveQueueOut]


class RedriveQueueOut(ApiModel):
    """RedriveQueueOut"""

    failed: int
    kept: int
    moved: int
    queue: str
    remaining: int


class RedriveRequest(ApiModel):
    """RedriveRequest"""

    max_messages: int | None = None
    queues: list[str] | None = None


class RefreshRequest(ApiModel):
    """RefreshRequest"""

    refresh_token: str


class RegisterRequest(ApiModel):
    """RegisterRequest"""

    email: str
    name: str | None = None
    password: str
    username: str


class RegisterResponse(ApiModel):
    """`POST /auth/register`: the new user in `data`, and a session's tokens beside it."""

    access_token: str
    data: UserOut
    expires_in: int
    refresh_token: str
    token_type: str


class ResourceCreate(ApiModel):
    """ResourceCreate"""

    description: str | None = None
    metadata: dict[str, Any] | None = None
    name: str
    status: str | None = None
    tags: list[str] | None = None
    type: str | None = None


class ResourceOut(ApiModel):
    """A resource, every field (create, update, batch results)."""

    created_at: datetime
    description: str | None = None
    id: str
    metadata: dict[str, Any]
    name: str
    owner: str
    status: str
    tags: list[str]
    type: str
    updated_at: datetime


class ResourceOwner(ApiModel):
    """The creating user, embedded by `include=owner` (never the email)."""

    id: str
    name: str | None = None
    username: str | None = None


class ResourceUpdate(ApiModel):
    """PATCH: only the fields sent change; `description: null` clears it; `name`, `type`, `status` cannot be null."""

    description: str | None = None
    metadata: dict[str, Any] | None = None
    name: str | None = None
    status: str | None = None
    tags: list[str] | None = None
    type: str | None = None


class SecretRotation(ApiModel):
    """SecretRotation"""

    grace_period_seconds: int | None = None
    secret: str | None = None


class SettingsIn(ApiModel):
    """SettingsIn"""

    locale: str | None = None
    timezone: str | None = None


class SettingsOut(ApiModel):
    """SettingsOut"""

    locale: str
    timezone: str


class SparseApiKey(ApiModel):
    """An API key in a list (never its secret); `fields=` returns only `id` and the fields it names."""

    created_at: datetime | None = None
    expires_at: datetime | None = None
    id: str
    last_used_at: datetime | None = None
    name: str | None = None
    prefix: str | None = None
    rate_limit_tier: str | None = None
    scopes: list[str] | None = None


class SparseDelivery(ApiModel):
    """A delivery in the history; `fields=` returns only `id` and the fields it names."""

    attempts: int | None = None
    created_at: datetime | None = None
    delivered_at: datetime | None = None
    error: str | None = None
    event_id: str | None = None
    event_type: str | None = None
    id: str
    next_attempt_at: datetime | None = None
    response_time_ms: int | None = None
    status: str | None = None
    status_code: int | None = None
    updated_at: datetime | None = None
    webhook_id: str | None = None


class SparseInvitation(ApiModel):
    """A pending invitation in `GET /v1/invitations`; `fields=` returns only `id` and the fields it names."""

    created_at: datetime | None = None
    expires_at: datetime | None = None
    id: str
    invited_by: str | None = None
    object: str | None = None
    role: str | None = None
    status: str | None = None
    user_id: str | None = None
    workspace: InvitationWorkspace | None = None
    workspace_id: str | None = None


class SparseMember(ApiModel):
    """A member in a list; `fields=` returns only `id` and the fields it names."""

    created_at: datetime | None = None
    id: str
    role: str | None = None
    updated_at: datetime | None = None
    user: MemberUser | None = None
    user_id: str | None = None
    workspace_id: str | None = None


class SparseNamespace(ApiModel):
    """A namespace in a list; `fields=` returns only `id` and the fields it names."""

    created_at: datetime | None = None
    description: str | None = None
    id: str
    is_active: bool | None = None
    is_default: bool | None = None
    name: str | None = None
    owner_id: str | None = None
    owner_type: str | None = None
    slug: str | None = None
    updated_at: datetime | None = None
    uuid: str | None = None
    workspace_id: str | None = None


class SparseOperatorKey(ApiModel):
    """An operator key in a list; `fields=` returns only `id` and the fields it names."""

    created_at: datetime | None = None
    created_by: str | None = None
    expires_at: datetime | None = None
    id: str
    last_used_at: datetime | None = None
    name: str | None = None
    prefix: str | None = None
    scopes: list[str] | None = None


class SparsePackage(ApiModel):
    """A package of the catalogue; `fields=` returns only `id` and the fields it names."""

    id: str
    limits: PackageLimits | None = None
    name: str | None = None


class SparseResource(ApiModel):
    """A resource as `GET /v1/resources` lists it and `GET /v1/resources/{id}` answers it. A list item carries
    the summary fields (`id`, `name`, `type`, `status`, `created_at`, `updated_at`), `GET /{id}` every field;
    `include=owner,tags,metadata` adds those, and `fields=` returns only `id` and the fields it names.
    """

    created_at: datetime | None = None
    description: str | None = None
    id: str
    metadata: dict[str, Any] | None = None
    name: str | None = None
    owner: str | ResourceOwner | None = None
    status: str | None = None
    tags: list[str] | None = None
    type: str | None = None
    updated_at: datetime | None = None


class SparseWebhook(ApiModel):
    """A webhook in a list (never its secret); `fields=` returns only `id` and the fields it names."""

    created_at: datetime | None = None
    description: str | None = None
    disabled_at: datetime | None = None
    disabled_by_event_id: str | None = None
    disabled_reason: str | None = None
    events: list[str] | None = None
    failing_since: datetime | None = None
    id: str
    is_active: bool | None = None
    namespace_id: str | None = None
    updated_at: datetime | None = None
    url: str | None = None
    workspace_id: str | None = None


class SparseWorkspace(ApiModel):
    """A workspace in a list; `fields=` returns only `id` and the fields it names."""

    created_at: datetime | None = None
    default_namespace_id: str | None = None
    id: str
    name: str | None = None
    role: str | None = None
    settings: SettingsOut | None = None
    slug: str | None = None
    tier: str | None = None
    updated_at: datetime | None = None


class SparseWorkspaceUser(ApiModel):
    """A user of the workspace in context, with their role; `fields=` returns only `id` and the fields it names."""

    created_at: datetime | None = None
    default_namespace_id: str | None = None
    email: str | None = None
    email_verified_at: datetime | None = None
    id: str
    name: str | None = None
    profile: ProfileOut | None = None
    role: str | None = None
    tier: str | None = None
    updated_at: datetime | None = None
    username: str | None = None


class TokenResponse(ApiModel):
    """Document 000's token object (`POST /auth/login`, `/auth/refresh`), at the top level of the body."""

    access_token: str
    expires_in: int
    refresh_token: str
    token_type: str


class UsageOut(ApiModel):
    """The caller's usage; `namespaces` covers at most 50 visible namespaces (`GET /v1/namespaces/{id}` has each)."""

    api_calls: ApiCalls
    namespaces: list[NamespaceUsage]
    period: Period
    rate_limit: RateLimitStatus


class UserOut(ApiModel):
    """A user (`/users/me`, `/user`, `/users/{id}`, and `data` of `POST /auth/register`)."""

    created_at: datetime
    default_namespace_id: str | None = None
    email: str
    email_verified_at: datetime | None = None
    id: str
    name: str | None = None
    profile: ProfileOut
    tier: str
    updated_at: datetime
    username: str


class UserPlanOut(ApiModel):
    """A user's plan as the operator sees it."""

    custom_rate_limits: dict[str, int] | None = None
    default_namespace_id: str | None = None
    email: str
    id: str
    rate_limits: RateLimitsOut
    tier: str
    updated_at: datetime


class UserPlanUpdate(ApiModel):
    """Change what a user's account is sold: its tier, its custom rate limits (null clears them), or both."""

    rate_limits: RateLimitsIn | None = None
    reason: str | None = None
    tier: str | None = None


class UserUpdate(ApiModel):
    """The writable fields: an allowlist. tier, email_verified_at and roles are not among them."""

    current_password: str | None = None
    email: str | None = None
    name: str | None = None
    password: str | None = None
    profile: ProfileUpdate | None = None
    username: str | None = None


class WebhookCreate(ApiModel):
    """WebhookCreate"""

    description: str | None = None
    events: list[str]
    is_active: bool | None = None
    secret: str | None = None
    url: str


class WebhookCreated(ApiModel):
    """`POST /v1/webhooks`: the subscription with its signing secret, returned this once only."""

    created_at: datetime
    description: str | None = None
    disabled_at: datetime | None = None
    disabled_by_event_id: str | None = None
    disabled_reason: str | None = None
    events: list[str]
    failing_since: datetime | None = None
    id: str
    is_active: bool
    namespace_id: str
    secret: str
    updated_at: datetime
    url: str
    workspace_id: str | None = None


class WebhookEvent(ApiModel):
    """Document 004's webhook payload: the exact JSON body a subscriber receives."""

    created_at: datetime
    data: EventData
    id: str
    type: str


class WebhookOut(ApiModel):
    """A webhook subscription, never its secret."""

    created_at: datetime
    description: str | None = None
    disabled_at: datetime | None = None
    disabled_by_event_id: str | None = None
    disabled_reason: str | None = None
    events: list[str]
    failing_since: datetime | None = None
    id: str
    is_active: bool
    namespace_id: str
    updated_at: datetime
    url: str
    workspace_id: str | None = None


class WebhookSecretRotated(ApiModel):
    """`POST /v1/webhooks/{id}/rotate-secret`: the new secret, returned this once only."""

    created_at: datetime
    description: str | None = None
    disabled_at: datetime | None = None
    disabled_by_event_id: str | None = None
    disabled_reason: str | None = None
    events: list[str]
    failing_since: datetime | None = None
    id: str
    is_active: bool
    namespace_id: str
    previous_secret_expires_at: datetime
    secret: str
    updated_at: datetime
    url: str
    workspace_id: str | None = None


class WebhookTestResult(ApiModel):
    """Document 004's answer to a test send, at the top level of the body; the attempt is recorded as a delivery."""

    delivery_id: str
    error: str | None = None
    response_time_ms: int
    status_code: int | None = None
    success: bool


class WebhookUpdate(ApiModel):
    """WebhookUpdate"""

    description: str | None = None
    events: list[str] | None = None
    is_active: bool | None = None
    url: str | None = None


class WorkspaceCreate(ApiModel):
    """WorkspaceCreate"""

    name: str
    settings: SettingsIn | None = None
    slug: str | None = None
    tier: str | None = None


class WorkspaceOut(ApiModel):
    """A workspace (= organization), with the caller's role in it."""

    created_at: datetime
    default_namespace_id: str | None = None
    id: str
    name: str
    role: str
    settings: SettingsOut
    slug: str
    tier: str
    updated_at: datetime


class WorkspacePlanOut(ApiModel):
    """WorkspacePlanOut"""

    default_namespace_id: str | None = None
    id: str
    name: str
    packages: list[NamespacePackage]
    tier: str
    updated_at: datetime


class WorkspaceTierUpdate(ApiModel):
    """WorkspaceTierUpdate"""

    reason: str | None = None
    tier: str


class WorkspaceUpdate(ApiModel):
    """The writable fields (an allowlist): the tier is billing, not a PATCH."""

    name: str | None = None
    settings: SettingsIn | None = None
    slug: str | None = None


ApiCalls.model_rebuild()
ApiKeyCreate.model_rebuild()
ApiKeyCreated.model_rebuild()
ApiKeyOut.model_rebuild()
AuditEntryOut.model_rebuild()
BatchOperation.model_rebuild()
BatchRequest.model_rebuild()
BatchResult.model_rebuild()
DeadLetterQueueOut.model_rebuild()
DeadLettersOut.model_rebuild()
DeliveriesRecovered.model_rebuild()
DeliveryAttempt.model_rebuild()
DeliveryDetail.model_rebuild()
DeliveryOut.model_rebuild()
DeliveryRecovery.model_rebuild()
EmailConfirmation.model_rebuild()
EntitlementCheck.model_rebuild()
EntitlementCheckResult.model_rebuild()
EntitlementUsage.model_rebuild()
Entitlements.model_rebuild()
EventData.model_rebuild()
EventObject.model_rebuild()
Health.model_rebuild()
InvitationOut.model_rebuild()
InvitationWorkspace.model_rebuild()
KeyCalls.model_rebuild()
ListLinks.model_rebuild()
ListMeta.model_rebuild()
LoginRequest.model_rebuild()
MemberAdd.model_rebuild()
MemberOut.model_rebuild()
MemberUpdate.model_rebuild()
MemberUser.model_rebuild()
NamespaceCreate.model_rebuild()
NamespaceDetail.model_rebuild()
NamespaceLimitsUpdate.model_rebuild()
NamespaceOut.model_rebuild()
NamespacePackage.model_rebuild()
NamespacePlanOut.model_rebuild()
NamespaceUpdate.model_rebuild()
NamespaceUsage.model_rebuild()
PackageAssign.model_rebuild()
PackageGrantRequest.model_rebuild()
PackageLimits.model_rebuild()
Period.model_rebuild()
ProfileOut.model_rebuild()
ProfileUpdate.model_rebuild()
RateLimitStatus.model_rebuild()
RateLimitWindow.model_rebuild()
RateLimitsIn.model_rebuild()
RateLimitsOut.model_rebuild()
RedriveOut.model_rebuild()
RedriveQueueOut.model_rebuild()
RedriveRequest.model_rebuild()
RefreshRequest.model_rebuild()
RegisterRequest.model_rebuild()
RegisterResponse.model_rebuild()
ResourceCreate.model_rebuild()
ResourceOut.model_rebuild()
ResourceOwner.model_rebuild()
ResourceUpdate.model_rebuild()
SecretRotation.model_rebuild()
SettingsIn.model_rebuild()
SettingsOut.model_rebuild()
SparseApiKey.model_rebuild()
SparseDelivery.model_rebuild()
SparseInvitation.model_rebuild()
SparseMember.model_rebuild()
SparseNamespace.model_rebuild()
SparseOperatorKey.model_rebuild()
SparsePackage.model_rebuild()
SparseResource.model_rebuild()
SparseWebhook.model_rebuild()
SparseWorkspace.model_rebuild()
SparseWorkspaceUser.model_rebuild()
TokenResponse.model_rebuild()
UsageOut.model_rebuild()
UserOut.model_rebuild()
UserPlanOut.model_rebuild()
UserPlanUpdate.model_rebuild()
UserUpdate.model_rebuild()
WebhookCreate.model_rebuild()
WebhookCreated.model_rebuild()
WebhookEvent.model_rebuild()
WebhookOut.model_rebuild()
WebhookSecretRotated.model_rebuild()
WebhookTestResult.model_rebuild()
WebhookUpdate.model_rebuild()
WorkspaceCreate.model_rebuild()
WorkspaceOut.model_rebuild()
WorkspacePlanOut.model_rebuild()
WorkspaceTierUpdate.model_rebuild()
WorkspaceUpdate.model_rebuild()
