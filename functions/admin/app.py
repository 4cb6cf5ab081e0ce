"""The operator plane (docs/operators.md): operator keys, namespaces' packages and the webhook pipeline's dead
letters.

Every route needs an operator key (`admin:platform`); sessions and tenant API keys are refused, whatever
their scopes. Operator keys are created by the bootstrap (`python -m local.operator create`), never here.
"""

from aws_lambda_powertools.event_handler import Response, content_types

from platform_api.domain import dead_letters, operators
from platform_api.domain import namespaces as namespaces_domain
from platform_api.domain.auth import OPERATOR_SCOPE
from platform_api.http import create_app, current_principal, lambda_handler, operator_route
from platform_api.models.admin import DeadLettersOut, RedriveOut, RedriveRequest, SparseOperatorKey
from platform_api.models.envelopes import Envelope, ListEnvelope, answers, no_content
from platform_api.models.namespaces import NamespacePackage, PackageAssign
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


@app.post(
    "/v1/admin/namespaces/<namespace_id>/packages",
    summary="Grant a package to a namespace (its limits grow by the package's)",
    tags=["admin"],
    operation_id="grantNamespacePackage",
    responses=answers(Envelope[list[NamespacePackage]], 201, "Created: the namespace's packages, the new one included"),
)
@operator_route()
def grant_package(namespace_id: str, body: PackageAssign) -> Response[dict]:
    operator = current_principal(OPERATOR_SCOPE)
    packages = namespaces_domain.grant_package(namespace_id, body.package_id)
    logger.info(
        "package granted", extra={"operator": operator.key_id, "namespace_id": namespace_id, "package": body.package_id}
    )
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body={"data": packages})


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
    namespaces_domain.revoke_package(namespace_id, package_id)
    logger.info(
        "package removed", extra={"operator": operator.key_id, "namespace_id": namespace_id, "package": package_id}
    )
    return Response(status_code=204, content_type=None, body="")


handler = lambda_handler(app)
