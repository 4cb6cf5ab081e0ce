"""Register, login, token refresh (rotating) and logout."""

from aws_lambda_powertools.event_handler import Response, content_types

from platform_api.domain import auth
from platform_api.domain.users import to_api
from platform_api.http import create_app, current_principal, lambda_handler, requires
from platform_api.models.auth import LoginRequest, RefreshRequest, RegisterRequest, RegisterResponse, TokenResponse
from platform_api.models.envelopes import answers, no_content

app = create_app(
    public_routes=[("POST", "/v1/auth/register"), ("POST", "/v1/auth/login"), ("POST", "/v1/auth/refresh")],
    # A session is not in the idempotency scope (the caller): a stored answer would sign a second session out
    # in name only, or hand back tokens a rotation already replaced.
    never_replayed=[("POST", "/v1/auth/login"), ("POST", "/v1/auth/refresh"), ("POST", "/v1/auth/logout")],
)


def _source_ip() -> str:
    return app.current_event.request_context.identity.source_ip or "unknown"


@app.post(
    "/v1/auth/register",
    summary="Register a user (and their personal namespace)",
    tags=["auth"],
    operation_id="register",
    responses=answers(RegisterResponse, 201),
)
def register(body: RegisterRequest) -> Response[dict]:
    user, tokens = auth.register(body.email, body.username, body.password, body.name, _source_ip())
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body={"data": to_api(user), **tokens})


@app.post(
    "/v1/auth/login",
    summary="Exchange email and password for tokens",
    tags=["auth"],
    operation_id="login",
    responses=answers(TokenResponse),
)
def login(body: LoginRequest) -> TokenResponse:
    return TokenResponse(**auth.login(body.email, body.password, _source_ip()))


@app.post(
    "/v1/auth/refresh",
    summary="Rotate the refresh token and get a new access token",
    tags=["auth"],
    operation_id="refreshToken",
    responses=answers(TokenResponse),
)
def refresh(body: RefreshRequest) -> TokenResponse:
    return TokenResponse(**auth.refresh(body.refresh_token))


@app.post(
    "/v1/auth/logout",
    summary="End the session: its tokens stop working at once",
    tags=["auth"],
    operation_id="logout",
    responses=no_content(),
)
@requires(None)
def logout():
    auth.logout(current_principal())
    return Response(status_code=204, content_type=None, body="")


handler = lambda_handler(app)
