"""The operator plane (docs/operators.md): operator keys; what is sold (tiers, packages, custom limits) and its
audit trail; the webhook pipeline's dead letters.

Every route needs an operator key (`admin:platform`); sessions and tenant API keys are refused, whatever
their scopes. Operator keys are created by the bootstrap (`python -m local.operator create`), never here.
"""

from aws_lambda_powertools.event_handler import Response, content_types

from platform_api.domain import dead_letters, operators, plans
from platform_api.domain.auth import OPERATOR_SCOPE
from platform_api.http import create_app, current_principal, lambda_handler, operator_route
from platform_api.models.admin import (
    AuditEntryOut,
    DeadLettersOut,
    NamespaceLimitsUpdate,
    NamespacePlanOut,
    PackageGrantRequest,
    RedriveOut,
    RedriveRequest,
    SparseOperatorKey,
    UserPlanOut,
    UserPlanUpdate,
    WorkspacePlanOut,
    WorkspaceTierUpdate,
)
from platform_api.models.envelopes import Envelope, ListEnvelope, answers, no_content
from platform_api.observability import logger
from platform_api.query import ListSpec, apply_in_memory, list_response, parse_list_query

app = create_app()
LIST_SPEC = ListSpec(
    name="operator_keys",
    sorts=("created_at", "name", "last_used_at"),
    fields=("id", "name", "prefix", "scopes", "created_by", "last_used_at", "expires_at", "created_at"),
    search=("name",),
    extra_params=(),
)
AUDIT_SPEC = ListSpec(
    name="audit",
    filters={"target_id": str},
    sorts=("created_at",),
    default_sort="-created_at",
    fields=(
        "id",
        "action",
        "target_type",
        "target_id",
        "operator_id",
        "reason",
        "before",
        "after",
        "event_id",
        "created_at",
    ),
    timestamps=False,
    extra_params=(),
)


@app.get(
    "/v1/admin/operator-keys",
    summary="List the live operator keys (never their secrets)",
    tags=["admin"],
    operation_id="listOperatorKeys",
    responses=answers(ListEnvelope[SparseOperatorKey]),
)
@operator_route()
def list_operator_keys() -> dict:
    query = parse_list_query(app.current_event, LIST_SPEC, scope="operators")
    return list_response(app.current_event, query, apply_in_memory(operators.list_keys(), query))


@app.delete(
    "/v1/admin/operator-keys/<key_id>",
    summary="Revoke an operator key (it stops working at once)",
    tags=["admin"],
    operation_id="revokeOperatorKey",
    responses=no_content(),
)
@operator_route()
def revoke_operator_key(key_id: str):
    operator = current_principal(OPERATOR_SCOPE)
    operators.revoke_key(key_id, revoked_by=operator.key_id)
    logger.info("operator key revoked", extra={"operator": operator.key_id, "key_id": key_id})
    return Response(status_code=204, content_type=None, body="")


@app.get(
    "/v1/admin/webhooks/dead-letters",
    summary="Count what waits in the webhook pipeline's dead-letter queues",
    tags=["admin"],
    operation_id="getWebhookDeadLetters",
    responses=answers(Envelope[DeadLettersOut]),
)
@operator_route()
def get_dead_letters() -> dict:
    return {"data": dead_letters.status(dead_letters.configured())}


@app.post(
    "/v1/admin/webhooks/dead-letters/redrive",
    summary="Move dead webhook messages back to their queues, at most max_messages per call",
    tags=["admin"],
    operation_id="redriveWebhookDeadLetters",
    responses=answers(Envelope[RedriveOut]),
)
@operator_route()
def redrive_dead_letters(body: RedriveRequest | None = None) -> dict:
    operator = current_principal(OPERATOR_SCOPE)
    request = body or RedriveRequest()
    queues = dead_letters.select(dead_letters.configured(), request.queues)
    logger.info("dead letters redrive", extra={"operator": operator.key_id, "max_messages": request.max_messages})
    return {"data": dead_letters.redrive(queues, request.max_messages)}


@app.get(
    "/v1/admin/users/<user_id>",
    summary="A user's plan: tier, custom rate limits and the limits in force",
    tags=["admin"],
    operation_id="getUserPlan",
    responses=answers(Envelope[UserPlanOut]),
)
@operator_route()
def get_user_plan(user_id: str) -> dict:
    return {"data": plans.get_user_plan(user_id)}


@app.patch(
    "/v1/admin/users/<user_id>",
    summary="Set a user's tier and/or custom rate limits (effective on their next request)",
    tags=["admin"],
    operation_id="updateUserPlan",
    responses=answers(Envelope[UserPlanOut]),
)
@operator_route()
def update_user_plan(user_id: str, body: UserPlanUpdate) -> dict:
    operator = current_principal(OPERATOR_SCOPE)
    change_limits = "rate_limits" in body.model_fields_set
    limits = body.rate_limits.model_dump(exclude_none=True) if body.rate_limits else None
    plan = plans.change_user_plan(
        operator.user_id,
        user_id,
        tier=body.tier,
        rate_limits=limits or None,
        change_rate_limits=change_limits,
        reason=body.reason,
    )
    logger.info("user plan changed", extra={"operator": operator.key_id, "user_id": user_id, "tier": plan["tier"]})
    return {"data": plan}


@app.patch(
    "/v1/admin/workspaces/<workspace_id>",
    summary="Set a workspace's tier (its default namespace's package follows)",
    tags=["admin"],
    operation_id="updateWorkspaceTier",
    responses=answers(Envelope[WorkspacePlanOut]),
)
@operator_route()
def update_workspace_tier(workspace_id: str, body: WorkspaceTierUpdate) -> dict:
    operator = current_principal(OPERATOR_SCOPE)
    plan = plans.change_workspace_tier(operator.user_id, workspace_id, body.tier, body.reason)
    logger.info("workspace tier changed", extra={"operator": operator.key_id, "workspace_id": workspace_id})
    return {"data": plan}


@app.get(
    "/v1/admin/namespaces/<namespace_id>",
    summary="A namespace's plan: package grants, custom limits and the limits in force",
    tags=["admin"],
    operation_id="getNamespacePlan",
    responses=answers(Envelope[NamespacePlanOut]),
)
@operator_route()
def get_namespace_plan(namespace_id: str) -> dict:
    return {"data": plans.get_namespace_plan(namespace_id)}


@app.patch(
    "/v1/admin/namespaces/<namespace_id>",
    summary="Set a namespace's custom entitlement limits (enterprise)",
    tags=["admin"],
    operation_id="updateNamespaceLimits",
    responses=answers(Envelope[NamespacePlanOut]),
)
@operator_route()
def update_namespace_limits(namespace_id: str, body: NamespaceLimitsUpdate) -> dict:
    operator = current_principal(OPERATOR_SCOPE)
    limits = dict(body.limits) if body.limits else None
    plan = plans.set_namespace_limits(operator.user_id, namespace_id, limits, body.reason)
    logger.info("namespace limits changed", extra={"operator": operator.key_id, "namespace_id": namespace_id})
    return {"data": plan}


@app.post(
    "/v1/admin/namespaces/<namespace_id>/packages",
    summary="Grant a package to a namespace, optionally until expires_at (its limits grow by the package's)",
    tags=["admin"],
    operation_id="grantNamespacePackage",
    responses=answers(Envelope[NamespacePlanOut], 201, "Created: the namespace's plan, the new grant included"),
)
@operator_route()
def grant_package(namespace_id: str, body: PackageGrantRequest) -> Response[dict]:
    operator = current_principal(OPERATOR_SCOPE)
    plan = plans.grant_package(operator.user_id, namespace_id, body.package_id, body.expires_at, body.reason)
    logger.info(
        "package granted", extra={"operator": operator.key_id, "namespace_id": namespace_id, "package": body.package_id}
    )
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body={"data": plan})


@app.delete(
    "/v1/admin/namespaces/<namespace_id>/packages/<package_id>",
    summary="Remove a package from a namespace (409 when its usage would no longer fit)",
    tags=["admin"],
    operation_id="revokeNamespacePackage",
    responses=no_content(),
)
@operator_route()
def revoke_package(namespace_id: str, package_id: str):
    operator = current_principal(OPERATOR_SCOPE)
    plans.revoke_package(operator.user_id, namespace_id, package_id, None)
    logger.info(
        "package removed", extra={"operator": operator.key_id, "namespace_id": namespace_id, "package": package_id}
    )
    return Response(status_code=204, content_type=None, body="")


@app.get(
    "/v1/admin/audit",
    summary="The operator audit trail, newest first (filter target_id: one user, workspace or namespace)",
    tags=["admin"],
    operation_id="listAuditEntries",
    responses=answers(ListEnvelope[AuditEntryOut]),
)
@operator_route()
def list_audit_entries() -> dict:
    query = parse_list_query(app.current_event, AUDIT_SPEC, scope="operators")
    return list_response(app.current_event, query, plans.audit_page(query))


handler = lambda_handler(app)
