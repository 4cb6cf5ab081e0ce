"""Workspaces = organizations (one collection under two names) and their members (routes only)."""

from aws_lambda_powertools.event_handler import Response, content_types

from platform_api.domain import listing
from platform_api.domain import workspaces as domain
from platform_api.http import create_app, current_principal, lambda_handler, requires
from platform_api.models.envelopes import Envelope, ListEnvelope, answers, no_content
from platform_api.models.workspaces import (
    InvitationOut,
    MemberAdd,
    MemberOut,
    MemberUpdate,
    SparseInvitation,
    SparseMember,
    SparseWorkspace,
    WorkspaceCreate,
    WorkspaceOut,
    WorkspaceUpdate,
)
from platform_api.query import ListSpec, parse_list_query

app = create_app()
# README: two names for one collection; each gets its own operation ids (`listWorkspaces`, `listOrganizations`).
COLLECTIONS = (("/v1/workspaces", "Workspace"), ("/v1/organizations", "Organization"))
TIERS = ("free", "pro", "business", "enterprise")
LIST_SPEC = ListSpec(
    name="workspaces",
    filters={"tier": TIERS, "role": ("owner", "admin", "member")},
    sorts=("created_at", "updated_at", "name", "slug"),
    fields=("id", "name", "slug", "tier", "settings", "role", "default_namespace_id", "created_at", "updated_at"),
    search=("name", "slug"),
    extra_params=(),
)
MEMBER_SPEC = ListSpec(
    name="members",
    filters={"role": ("owner", "admin", "member")},
    sorts=("created_at", "role", "user_id"),
    default_sort="created_at",
    fields=("id", "user_id", "workspace_id", "role", "user", "created_at", "updated_at"),
    extra_params=(),
)
INVITATION_SPEC = ListSpec(
    name="invitations",
    sorts=("created_at",),
    fields=(
        "id",
        "object",
        "status",
        "workspace_id",
        "workspace",
        "user_id",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
    ),
    timestamps=False,
    extra_params=(),
)


def _created(body: dict) -> Response[dict]:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body={"data": body})


def _no_content():
    return Response(status_code=204, content_type=None, body="")


def _both(method: str, suffix: str, summary: str, operation: str, responses: dict):
    """Register one handler under /v1/workspaces... and /v1/organizations...; `operation` names the operation
    with `{}` for the collection's noun (`list{}Members`: `listWorkspaceMembers`, `listOrganizationMembers`)."""

    def register(func):
        for collection, noun in COLLECTIONS:
            getattr(app, method)(
                f"{collection}{suffix}",
                summary=summary,
                tags=["workspaces"],
                operation_id=operation.format(noun),
                responses=responses,
            )(func)
        return func

    return register


@_both(
    "get", "", "List the workspaces (organizations) you belong to", "list{}s", answers(ListEnvelope[SparseWorkspace])
)
@requires("read:workspaces")
def list_workspaces() -> dict:
    principal = current_principal()
    query = parse_list_query(app.current_event, LIST_SPEC, scope=principal.user_id)
    return listing.response(app.current_event, query, domain.list_workspaces(principal, query))


@_both("post", "", "Create a workspace; you become its owner", "create{}", answers(Envelope[WorkspaceOut], 201))
@requires("write:workspaces")
def create_workspace(body: WorkspaceCreate) -> Response[dict]:
    return _created(domain.create_workspace(current_principal(), body))


@_both("get", "/<workspace_id>", "Get a workspace", "get{}", answers(Envelope[WorkspaceOut]))
@requires("read:workspaces")
def get_workspace(workspace_id: str) -> dict:
    return {"data": domain.get_workspace(current_principal(), workspace_id)}


@_both(
    "patch",
    "/<workspace_id>",
    "Update a workspace (admin; the slug: owner)",
    "update{}",
    answers(Envelope[WorkspaceOut]),
)
@requires("write:workspaces")
def update_workspace(workspace_id: str, body: WorkspaceUpdate) -> dict:
    return {"data": domain.update_workspace(current_principal(), workspace_id, body)}


@_both("delete", "/<workspace_id>", "Delete a workspace (owner; refused while it owns data)", "delete{}", no_content())
@requires("write:workspaces")
def delete_workspace(workspace_id: str):
    domain.delete_workspace(current_principal(), workspace_id)
    return _no_content()


@_both(
    "get", "/<workspace_id>/members", "List a workspace's members", "list{}Members", answers(ListEnvelope[SparseMember])
)
@requires("read:workspaces")
def list_members(workspace_id: str) -> dict:
    query = parse_list_query(app.current_event, MEMBER_SPEC, scope=workspace_id)
    return listing.response(app.current_event, query, domain.list_members(current_principal(), workspace_id, query))


@_both(
    "post",
    "/<workspace_id>/members",
    "Invite a user to join (owner or admin; the user accepts)",
    "invite{}Member",
    answers(Envelope[InvitationOut], 201, "Created: an invitation, which the user accepts"),
)
@requires("write:workspaces")
def invite_member(workspace_id: str, body: MemberAdd) -> Response[dict]:
    return _created(domain.invite_member(current_principal(), workspace_id, body))


@_both(
    "patch",
    "/<workspace_id>/members/<user_id>",
    "Change a member's role",
    "update{}Member",
    answers(Envelope[MemberOut]),
)
@requires("write:workspaces")
def update_member(workspace_id: str, user_id: str, body: MemberUpdate) -> dict:
    return {"data": domain.update_member(current_principal(), workspace_id, user_id, body)}


@_both(
    "delete",
    "/<workspace_id>/members/<user_id>",
    "Remove a member or cancel their invitation, or leave",
    "remove{}Member",
    no_content(),
)
@requires("write:workspaces")
def remove_member(workspace_id: str, user_id: str):
    domain.remove_member(current_principal(), workspace_id, user_id)
    return _no_content()


@app.get(
    "/v1/invitations",
    summary="Your pending invitations to join workspaces",
    tags=["workspaces"],
    operation_id="listInvitations",
    responses=answers(ListEnvelope[SparseInvitation]),
)
@requires("read:workspaces")
def list_invitations() -> dict:
    principal = current_principal()
    query = parse_list_query(app.current_event, INVITATION_SPEC, scope=principal.user_id)
    return listing.response(app.current_event, query, domain.list_invitations(principal, query))


@app.post(
    "/v1/invitations/<invitation_id>/accept",
    summary="Accept an invitation: join",
    tags=["workspaces"],
    operation_id="acceptInvitation",
    responses=answers(Envelope[MemberOut], 201, "Created: your membership"),
)
@requires("write:workspaces")
def accept_invitation(invitation_id: str) -> Response[dict]:
    return _created(domain.accept_invitation(current_principal(), invitation_id))


@app.delete(
    "/v1/invitations/<invitation_id>",
    summary="Decline an invitation",
    tags=["workspaces"],
    operation_id="declineInvitation",
    responses=no_content(),
)
@requires("write:workspaces")
def decline_invitation(invitation_id: str):
    domain.decline_invitation(current_principal(), invitation_id)
    return _no_content()


handler = lambda_handler(app)
