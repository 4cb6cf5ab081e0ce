"""Resources: CRUD, the list query language and all-or-nothing batches (routes only; rules in the domain)."""

from aws_lambda_powertools.event_handler import Response, content_types

from platform_api.domain import resources as domain
from platform_api.http import create_app, current_actor, lambda_handler, tenant_route
from platform_api.models.envelopes import Envelope, ListEnvelope, answers, no_content
from platform_api.models.resources import (
    BatchRequest,
    BatchResult,
    ResourceCreate,
    ResourceOut,
    ResourceUpdate,
    SparseResource,
)
from platform_api.query import list_response, parse_item_query, parse_list_query, request_base_url

app = create_app()


def _one(obj: dict, fields: tuple[str, ...] | None, includes: frozenset[str]) -> dict:
    wanted = [name for name in domain.INCLUDES if name in includes]
    owners = domain.owners_of([obj["owner"]]) if "owner" in includes else {}
    shaped = domain.shape(obj, summary=False, includes=wanted, owners=owners)
    if fields is not None:
        shaped = {k: v for k, v in shaped.items() if k in fields or k in includes}
    return {"data": shaped}


def _location(resource_id: str) -> str:
    base = request_base_url(app.current_event).rstrip("/")
    return f"{base}/{resource_id}"


@app.get(
    "/v1/resources",
    summary="List resources",
    tags=["resources"],
    operation_id="listResources",
    responses=answers(ListEnvelope[SparseResource]),
)
@tenant_route("read:resources")
def list_resources() -> dict:
    actor = current_actor()
    query = parse_list_query(app.current_event, domain.LIST_SPEC, scope=actor.namespace_id)
    return list_response(app.current_event, query, domain.list_resources(actor, query))


@app.post(
    "/v1/resources",
    summary="Create a resource",
    tags=["resources"],
    operation_id="createResource",
    responses=answers(Envelope[ResourceOut], 201),
)
@tenant_route("write:resources")
def create_resource(body: ResourceCreate) -> Response[dict]:
    actor = current_actor()
    obj = domain.create_resource(actor, body)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body={"data": obj},
        headers={"Location": _location(obj["id"])},
    )


@app.post(
    "/v1/resources/batch",
    summary="Create, update and delete resources atomically",
    tags=["resources"],
    operation_id="batchResources",
    responses=answers(Envelope[list[BatchResult]]),
)
@tenant_route("write:resources")
def batch_resources(body: BatchRequest) -> dict:
    actor = current_actor()
    return {"data": domain.run_batch(actor, body.operations)}


@app.get(
    "/v1/resources/<resource_id>",
    summary="Get a resource",
    tags=["resources"],
    operation_id="getResource",
    responses=answers(Envelope[SparseResource]),
)
@tenant_route("read:resources")
def get_resource(resource_id: str) -> dict:
    actor = current_actor()
    fields, includes = parse_item_query(app.current_event, domain.LIST_SPEC)
    return _one(domain.get_resource(actor, resource_id), fields, includes)


@app.patch(
    "/v1/resources/<resource_id>",
    summary="Update a resource",
    tags=["resources"],
    operation_id="updateResource",
    responses=answers(Envelope[ResourceOut]),
)
@tenant_route("write:resources")
def update_resource(resource_id: str, body: ResourceUpdate) -> dict:
    actor = current_actor()
    return {"data": domain.update_resource(actor, resource_id, body)}


@app.delete(
    "/v1/resources/<resource_id>",
    summary="Delete a resource",
    tags=["resources"],
    operation_id="deleteResource",
    responses=no_content(),
)
@tenant_route("write:resources")
def delete_resource(resource_id: str):
    actor = current_actor()
    domain.delete_resource(actor, resource_id)
    return Response(status_code=204, content_type=None, body="")


handler = lambda_handler(app)
