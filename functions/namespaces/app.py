"""Namespaces, their packages and entitlements, and the package catalogue (routes only)."""

from aws_lambda_powertools.event_handler import Response, content_types

from platform_api.domain import listing
from platform_api.domain import namespaces as domain
from platform_api.http import create_app, current_principal, lambda_handler, named_tenant, requires
from platform_api.models.envelopes import Envelope, ListEnvelope, answers, no_content, refused
from platform_api.models.namespaces import (
    EntitlementCheck,
    EntitlementCheckResult,
    Entitlements,
    NamespaceCreate,
    NamespaceDetail,
    NamespaceOut,
    NamespacePackage,
    NamespaceUpdate,
    PackageAssign,
    SparseNamespace,
    SparsePackage,
)
from platform_api.query import ListSpec, apply_in_memory, list_response, parse_list_query

app = create_app()
LIST_SPEC = ListSpec(
    name="namespaces",
    filters={"owner_type": ("User", "Workspace"), "workspace_id": str, "is_active": bool, "is_default": bool},
    sorts=("created_at", "updated_at", "name", "slug"),
    fields=(
        "id",
        "uuid",
        "name",
        "slug",
        "description",
        "owner_type",
        "owner_id",
        "workspace_id",
        "is_default",
        "is_active",
        "created_at",
        "updated_at",
    ),
    search=("name", "slug"),
    extra_params=("namespace_id",),
)
PACKAGE_SPEC = ListSpec(name="packages", sorts=("id", "name"), default_sort="id", timestamps=False, extra_params=())


def _context_workspace(principal) -> str | None:
    """The workspace named by X-Workspace-ID / X-Namespace-ID (or the query), checked by shared tenancy code."""
    from platform_api.domain.tenancy import resolve_actor

    named = named_tenant(app.current_event.raw_event)
    if named == (None, None):
        return None
    return resolve_actor(principal, *named).workspace_id  # a foreign one is a 404


@app.get(
    "/v1/namespaces",
    summary="List the namespaces you can see",
    tags=["namespaces"],
    operation_id="listNamespaces",
    responses=answers(ListEnvelope[SparseNamespace]),
)
@requires("read:workspaces")
def list_namespaces() -> dict:
    principal = current_principal()
    query = parse_list_query(app.current_event, LIST_SPEC, scope=principal.user_id)
    page = domain.list_page(principal, _context_workspace(principal), query)
    return listing.response(app.current_event, query, page)


@app.post(
    "/v1/namespaces",
    summary="Create a namespace (personal, or in a workspace)",
    tags=["namespaces"],
    operation_id="createNamespace",
    responses=answers(Envelope[NamespaceOut], 201),
)
@requires("write:workspaces")
def create_namespace(body: NamespaceCreate) -> Response[dict]:
    principal = current_principal()
    created = domain.create(principal, body, _context_workspace(principal))
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body={"data": created})


@app.get(
    "/v1/namespaces/<namespace_id>",
    summary="Get a namespace with packages and live usage",
    tags=["namespaces"],
    operation_id="getNamespace",
    responses=answers(Envelope[NamespaceDetail]),
)
@requires("read:workspaces")
def get_namespace(namespace_id: str) -> dict:
    return {"data": domain.detail(current_principal(), namespace_id)}


@app.patch(
    "/v1/namespaces/<namespace_id>",
    summary="Update a namespace",
    tags=["namespaces"],
    operation_id="updateNamespace",
    responses=answers(Envelope[NamespaceOut]),
)
@requires("write:workspaces")
def update_namespace(namespace_id: str, body: NamespaceUpdate) -> dict:
    return {"data": domain.update(current_principal(), namespace_id, body)}


@app.delete(
    "/v1/namespaces/<namespace_id>",
    summary="Delete a namespace (refused while it owns data)",
    tags=["namespaces"],
    operation_id="deleteNamespace",
    responses=no_content(),
)
@requires("write:workspaces")
def delete_namespace(namespace_id: str):
    domain.delete(current_principal(), namespace_id)
    return Response(status_code=204, content_type=None, body="")


@app.get(
    "/v1/namespaces/<namespace_id>/entitlements",
    summary="Entitlements: used and limit",
    tags=["namespaces"],
    operation_id="getNamespaceEntitlements",
    responses=answers(Envelope[Entitlements]),
)
@requires("read:workspaces")
def get_entitlements(namespace_id: str) -> dict:
    return {"data": domain.usage_of(current_principal(), namespace_id)}


@app.post(
    "/v1/namespaces/<namespace_id>/entitlements/check",
    summary="Would consuming this quantity of a feature be allowed?",
    tags=["namespaces"],
    operation_id="checkNamespaceEntitlement",
    responses=answers(EntitlementCheckResult),
)
@requires("read:workspaces")
def check_entitlement(namespace_id: str, body: EntitlementCheck) -> dict:
    return domain.check(current_principal(), namespace_id, body.feature, body.quantity)


@app.get(
    "/v1/namespaces/<namespace_id>/packages",
    summary="A namespace's packages",
    tags=["namespaces"],
    operation_id="listNamespacePackages",
    responses=answers(Envelope[list[NamespacePackage]]),
)
@requires("read:workspaces")
def list_packages(namespace_id: str) -> dict:
    return {"data": domain.list_packages(current_principal(), namespace_id)}


# Every tenant credential is refused these two (403 insufficient_permissions; a foreign namespace stays a 404):
# packages are granted by operators, at POST/DELETE /v1/admin/namespaces/{namespace_id}/packages (issue 14).
REFUSED = refused(
    "Always, for every session and API key: packages are granted by the platform's operators "
    "(`POST /v1/admin/namespaces/{namespace_id}/packages`)."
)


@app.post(
    "/v1/namespaces/<namespace_id>/packages",
    summary="Assign a package: operators only (POST /v1/admin/namespaces/{namespace_id}/packages)",
    tags=["namespaces"],
    operation_id="assignNamespacePackage",
    responses=REFUSED,
    deprecated=True,
)
@requires("write:workspaces")
def assign_package(namespace_id: str, body: PackageAssign) -> None:
    domain.refuse_package_change(current_principal(), namespace_id)


@app.delete(
    "/v1/namespaces/<namespace_id>/packages/<package_id>",
    summary="Remove a package: operators only (DELETE /v1/admin/namespaces/{namespace_id}/packages/{package_id})",
    tags=["namespaces"],
    operation_id="removeNamespacePackage",
    responses=REFUSED,
    deprecated=True,
)
@requires("write:workspaces")
def remove_package(namespace_id: str, package_id: str) -> None:
    domain.refuse_package_change(current_principal(), namespace_id)


@app.get(
    "/v1/packages",
    summary="The package catalogue",
    tags=["namespaces"],
    operation_id="listPackages",
    responses=answers(ListEnvelope[SparsePackage]),
)
@requires("read:workspaces")
def list_catalogue() -> dict:
    query = parse_list_query(app.current_event, PACKAGE_SPEC, scope="catalogue")
    return list_response(app.current_event, query, apply_in_memory(domain.list_catalogue(), query))


handler = lambda_handler(app)
