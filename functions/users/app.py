"""The current user (`/users/me` = `/user`), users of a workspace, and updates to a user one may manage."""

from platform_api.domain import listing
from platform_api.domain import users as domain
from platform_api.http import create_app, current_actor, current_principal, lambda_handler, requires, tenant_route
from platform_api.models.envelopes import Envelope, ListEnvelope, answers
from platform_api.models.users import EmailConfirmation, SparseWorkspaceUser, UserOut, UserUpdate
from platform_api.query import ListSpec, parse_list_query

app = create_app()
LIST_SPEC = ListSpec(
    name="users",
    filters={"role": ("owner", "admin", "member"), "tier": ("free", "pro", "business", "enterprise")},
    sorts=("created_at", "name", "email", "username"),
    fields=(
        "id",
        "email",
        "username",
        "name",
        "profile",
        "tier",
        "role",
        "email_verified_at",
        "created_at",
        "updated_at",
    ),
    search=("name", "email", "username"),
)


def _workspace_id() -> str | None:
    event = app.current_event
    return event.headers.get("x-workspace-id") or (event.query_string_parameters or {}).get("workspace_id")


@app.get(
    "/v1/users/me",
    summary="The current user",
    tags=["users"],
    operation_id="getCurrentUser",
    responses=answers(Envelope[UserOut]),
)
@requires("read:users")
def get_me() -> dict:
    return {"data": domain.get_me(current_principal())}


@app.get(
    "/v1/user",
    summary="The current user (document 004's path)",
    tags=["users"],
    operation_id="getAuthenticatedUser",
    responses=answers(Envelope[UserOut]),
)
@requires("read:users")
def get_user_alias() -> dict:
    return {"data": domain.get_me(current_principal())}


@app.patch(
    "/v1/users/me",
    summary="Update the current user",
    tags=["users"],
    operation_id="updateCurrentUser",
    responses=answers(Envelope[UserOut]),
)
@requires("write:users")
def update_me(body: UserUpdate) -> dict:
    principal = current_principal()
    return {"data": domain.update_user(principal, principal.user_id, body, None)}


@app.post(
    "/v1/users/me/email/confirm",
    summary="Confirm the current email with the token from its confirmation link",
    tags=["users"],
    operation_id="confirmEmail",
    responses=answers(Envelope[UserOut]),
)
@requires("write:users")
def confirm_email(body: EmailConfirmation) -> dict:
    return {"data": domain.confirm_email(current_principal(), body.token)}


@app.get(
    "/v1/users",
    summary="Users of the tenant in context: the workspace's members, or yourself in your personal namespace",
    tags=["users"],
    operation_id="listUsers",
    responses=answers(ListEnvelope[SparseWorkspaceUser]),
)
@tenant_route("read:users")
def list_users() -> dict:
    actor = current_actor()
    if not actor.workspace_id:
        query = parse_list_query(app.current_event, LIST_SPEC, scope=actor.namespace_id)
        return listing.response(app.current_event, query, domain.list_personal_users(actor.user_id, query))
    query = parse_list_query(app.current_event, LIST_SPEC, scope=actor.workspace_id)
    return listing.response(app.current_event, query, domain.list_workspace_users(actor.workspace_id, query))


@app.get(
    "/v1/users/<user_id>",
    summary="A user: yourself, or a member of a shared workspace",
    tags=["users"],
    operation_id="getUser",
    responses=answers(Envelope[UserOut]),
)
@requires("read:users")
def get_user(user_id: str) -> dict:
    return {"data": domain.get_user(current_principal(), user_id, _workspace_id())}


@app.patch(
    "/v1/users/<user_id>",
    summary="Update a user you may manage",
    tags=["users"],
    operation_id="updateUser",
    responses=answers(Envelope[UserOut]),
)
@requires("write:users")
def update_user(user_id: str, body: UserUpdate) -> dict:
    return {"data": domain.update_user(current_principal(), user_id, body, _workspace_id())}


handler = lambda_handler(app)
