"""The operator plane (docs/operators.md): operator keys.

Every route needs an operator key (`admin:platform`); sessions and tenant API keys are refused, whatever
their scopes. Operator keys are created by the bootstrap (`python -m local.operator create`), never here.
"""

from aws_lambda_powertools.event_handler import Response

from platform_api.domain import operators
from platform_api.domain.auth import OPERATOR_SCOPE
from platform_api.http import create_app, current_principal, lambda_handler, operator_route
from platform_api.models.admin import SparseOperatorKey
from platform_api.models.envelopes import ListEnvelope, answers, no_content
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


handler = lambda_handler(app)
