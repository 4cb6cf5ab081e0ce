"""API keys of the current user: the secret is shown once, at creation."""

from aws_lambda_powertools.event_handler import Response, content_types

from platform_api.domain import api_keys as domain
from platform_api.http import create_app, current_principal, lambda_handler, requires
from platform_api.models.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, SparseApiKey
from platform_api.models.envelopes import Envelope, ListEnvelope, answers, no_content
from platform_api.query import ListSpec, apply_in_memory, list_response, parse_list_query

app = create_app()
LIST_SPEC = ListSpec(
    name="api_keys",
    filters={"rate_limit_tier": ("free", "pro", "business", "enterprise")},
    sorts=("created_at", "name", "last_used_at"),
    fields=("id", "name", "prefix", "scopes", "rate_limit_tier", "last_used_at", "expires_at", "created_at"),
    search=("name",),
)


@app.get(
    "/v1/api-keys",
    summary="List API keys (never their secrets)",
    tags=["api-keys"],
    operation_id="listApiKeys",
    responses=answers(ListEnvelope[SparseApiKey]),
)
@requires("read:api_keys")
def list_keys() -> dict:
    principal = current_principal()
    query = parse_list_query(app.current_event, LIST_SPEC, scope=principal.user_id)
    return list_response(app.current_event, query, apply_in_memory(domain.list_keys(principal), query))


@app.post(
    "/v1/api-keys",
    summary="Create an API key (the secret is returned once)",
    tags=["api-keys"],
    operation_id="createApiKey",
    responses=answers(Envelope[ApiKeyCreated], 201),
)
@requires("write:api_keys")
def create_key(body: ApiKeyCreate) -> Response[dict]:
    created = domain.create(current_principal(), body)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body={"data": created})


@app.get(
    "/v1/api-keys/<key_id>",
    summary="Get an API key",
    tags=["api-keys"],
    operation_id="getApiKey",
    responses=answers(Envelope[ApiKeyOut]),
)
@requires("read:api_keys")
def get_key(key_id: str) -> dict:
    return {"data": domain.get(current_principal(), key_id)}


@app.delete(
    "/v1/api-keys/<key_id>",
    summary="Revoke an API key (it stops working at once)",
    tags=["api-keys"],
    operation_id="revokeApiKey",
    responses=no_content(),
)
@requires("write:api_keys")
def revoke_key(key_id: str):
    domain.revoke(current_principal(), key_id)
    return Response(status_code=204, content_type=None, body="")


handler = lambda_handler(app)
