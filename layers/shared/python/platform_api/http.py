"""The one HTTP front door every API function goes through.

`create_app()` builds the Powertools resolver with the contract's error mapping and the idempotency
middleware; `lambda_handler(app)` wraps it with the request-level checks (body size, content type,
JSON), authentication + rate limiting for every non-public route, and the headers every response carries.
Every exception becomes the error envelope here and nowhere else.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from platform_api import errors, snapstart, state
from platform_api.observability import MetricName, count, log_metrics, logger, tracer
from platform_api.settings import get_settings

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BASE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


def request_id_from_event(event: dict[str, Any]) -> str:
    """`req_` + API Gateway's request id, so an error's request_id finds its log lines and access log."""
    raw = (event.get("requestContext") or {}).get("requestId") or ""
    return f"req_{raw}" if raw else ""


def error_response(exc: errors.ApiError) -> Response:
    if exc.status_code == 429:
        count(MetricName.RATE_LIMITED)
    body = errors.envelope(exc.code, exc.message, state.current().request_id, exc.details, exc.extra)
    return Response(
        status_code=exc.status_code,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body),
        headers=dict(exc.headers),
    )


def _allowed_methods(app: APIGatewayRestResolver, path: str) -> list[str]:
    # Powertools keeps its route table private; reading it is the only way to tell 405 from 404.
    routes = list(getattr(app, "_static_routes", [])) + list(getattr(app, "_dynamic_routes", []))
    return sorted({route.method for route in routes if route.rule.match(path)})


def create_app(
    *, public_routes: Iterable[tuple[str, str]] = (), never_replayed: Iterable[tuple[str, str]] = ()
) -> APIGatewayRestResolver:
    """A resolver for one function. `public_routes` are (METHOD, path) pairs that need no credentials;
    `never_replayed` are routes that ignore `Idempotency-Key` (they act on something the key's scope does not
    name, such as a session: docs/idempotency.md)."""
    app = APIGatewayRestResolver(enable_validation=True)
    public = frozenset((method.upper(), path) for method, path in public_routes)
    unreplayable = frozenset((method.upper(), path) for method, path in never_replayed)

    @app.exception_handler(errors.ApiError)
    def _api_error(exc: errors.ApiError) -> Response:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    def _validation_error(exc: RequestValidationError) -> Response:
        problems = list(exc.errors())
        if any(p.get("type") == "json_invalid" for p in problems):
            return error_response(errors.InvalidRequest("Request body is not valid JSON."))
        return error_response(errors.InvalidRequest(details=errors.validation_details(problems)))

    @app.exception_handler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        if exc.status_code == 404:
            return error_response(errors.NotFound())
        if exc.status_code == 401:
            return error_response(errors.AuthenticationRequired(str(exc.msg)))
        if exc.status_code == 403:
            return error_response(errors.InsufficientPermissions(str(exc.msg)))
        if exc.status_code < 500:
            return error_response(errors.InvalidRequest(str(exc.msg)))
        logger.error("Service error", extra={"status_code": exc.status_code})
        return error_response(errors.ApiError())

    @app.not_found
    def _not_found(_: NotFoundError) -> Response:
        path = app.current_event.path
        allowed = _allowed_methods(app, path)
        if allowed:
            return error_response(
                errors.MethodNotAllowed(
                    f"{app.current_event.http_method} is not allowed on {path}.",
                    headers={"Allow": ", ".join(allowed)},
                )
            )
        return error_response(errors.NotFound(f"No route matches {app.current_event.http_method} {path}."))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("Unhandled error")
        count(MetricName.UNHANDLED_ERRORS)
        return error_response(errors.ApiError())

    def idempotency(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        event = app.current_event
        if event.http_method.upper() not in MUTATING_METHODS or not event.headers.get("idempotency-key"):
            return next_middleware(app)
        if (event.http_method.upper(), event.resource) in unreplayable:
            return next_middleware(app)
        from platform_api.idempotency import run_idempotent

        return run_idempotent(app, next_middleware)

    app.use(middlewares=[idempotency])
    app.public_routes = public  # type: ignore[attr-defined]
    app.never_replayed = unreplayable  # type: ignore[attr-defined]
    return app


def _matched_route(app: APIGatewayRestResolver, event: dict[str, Any]) -> Any:
    method = (event.get("httpMethod") or "").upper()
    path = event.get("path") or ""
    routes = list(getattr(app, "_static_routes", [])) + list(getattr(app, "_dynamic_routes", []))
    return next((route for route in routes if route.method == method and route.rule.match(path)), None)


def _requires_credentials(app: APIGatewayRestResolver, route: Any) -> bool:
    """True when the request matches one of the app's routes that is not public.

    Checked before Powertools resolves the route, because its body validation runs ahead of every
    middleware: an anonymous caller must get 401, never a description of the request schema.
    Unknown routes need no credentials, so they answer 404/405.
    """
    public: frozenset[tuple[str, str]] = getattr(app, "public_routes", frozenset())
    return route is not None and (route.method, route.path) not in public


def _wrong_plane(route: Any) -> errors.ApiError | None:
    """An operator key on a tenant route, or a tenant credential on an operator route: a 403 before the body is
    validated, so neither plane learns the other's request schemas (the routes' own policies refuse it too)."""
    from platform_api.domain.auth import OPERATOR_SCOPE, require_scope

    operator_route = bool((getattr(route.func, "policy", None) or {}).get("operator"))
    try:
        require_scope(state.current().principal, OPERATOR_SCOPE if operator_route else None)
    except errors.ApiError as exc:
        return exc
    return None


def current_principal(scope: str | None = None) -> Any:
    """The authenticated caller of the current request (set by the authentication middleware); with `scope`,
    a 403 unless the credential holds it (docs/auth.md has the catalogue). Without one, any tenant credential:
    an operator key is a 403 (it holds `admin:platform` only; read it with `current_principal(OPERATOR_SCOPE)`)."""
    principal = state.current().principal
    if principal is None:
        raise errors.AuthenticationRequired()
    from platform_api.domain.auth import require_scope

    require_scope(principal, scope)
    return principal


def requires(scope: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A route's policy, declared where the route is registered (under `@app.<method>`): the credential must
    hold `scope` (None: any valid credential) before the route runs; the route reads `current_principal()`."""

    def declare(route: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(route)  # keeps the signature Powertools reads for validation and OpenAPI
        def guarded(*args: Any, **kwargs: Any) -> Any:
            current_principal(scope)
            return route(*args, **kwargs)

        guarded.policy = {"scope": scope, "tenant": False, "role": None}  # type: ignore[attr-defined]
        return guarded

    return declare


def operator_route() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An operator-plane route's policy (`/v1/admin/...`, docs/operators.md), declared under `@app.<method>`:
    only an operator key passes; every session and tenant API key is a 403, whatever its scopes. The route
    reads the operator with `current_principal(OPERATOR_SCOPE)`."""
    from platform_api.domain.auth import OPERATOR_SCOPE

    def declare(route: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(route)  # keeps the signature Powertools reads for validation and OpenAPI
        def guarded(*args: Any, **kwargs: Any) -> Any:
            current_principal(OPERATOR_SCOPE)
            return route(*args, **kwargs)

        guarded.policy = {"scope": OPERATOR_SCOPE, "tenant": False, "role": None, "operator": True}  # type: ignore[attr-defined]
        return guarded

    return declare


def tenant_route(scope: str, *, role: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A tenant-scoped route's policy, declared where the route is registered (under `@app.<method>`).

    Before the route runs: the credential must hold `scope`; the tenant the request names (or the caller's
    personal namespace) is resolved into one `Actor`, a foreign one being a 404; a `write:` scope needs an
    active namespace; `role` is the minimum workspace role. The route reads the result with `current_actor()`.
    """

    def declare(route: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(route)  # keeps the signature Powertools reads for validation and OpenAPI
        def guarded(*args: Any, **kwargs: Any) -> Any:
            from platform_api.domain import metering, tenancy

            request = state.current()
            actor = tenancy.resolve_actor(current_principal(scope), *named_tenant(request.event))
            metering.require_within_month(actor.namespace_id)  # 429 once the month's api_calls are used up
            if scope.startswith("write:"):
                tenancy.require_writable(actor)
            if role is not None:
                tenancy.require_role(actor, role)
            request.actor = actor
            return route(*args, **kwargs)

        guarded.policy = {"scope": scope, "tenant": True, "role": role}  # type: ignore[attr-defined]
        return guarded

    return declare


def named_tenant(event: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(namespace id, workspace id) the request names: `X-Namespace-ID` / `X-Workspace-ID`, else the
    `namespace_id` / `workspace_id` query parameters; (None, None) for the caller's personal namespace."""
    from platform_api.domain.tenancy import named_tenant as named

    return named(event)


def current_actor() -> Any:
    """The `Actor` of the current request (routes declared with `tenant_route`)."""
    actor = state.current().actor
    if actor is None:
        raise RuntimeError("current_actor() outside a tenant_route")
    return actor


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return value
    return None


MAX_JSON_DEPTH = 32  # deeper than any documented body; checked before parsing, iteratively
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> bool:
    """True when brackets nest deeper than MAX_JSON_DEPTH (strings skipped by one regex, never recursion)."""
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif mark in "]}":
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range.")
    return value


def _set_json_content_type(event: dict[str, Any]) -> None:
    """Handlers see one media type: a `+json` type or parameters accepted here never reach them as unsupported."""
    for key in ("headers", "multiValueHeaders"):
        headers = event.get(key) or {}
        for name in list(headers):
            if name.lower() == "content-type":
                headers[name] = "application/json" if key == "headers" else ["application/json"]


def _precheck(event: dict[str, Any]) -> errors.ApiError | None:
    """Reject what no route should ever see: oversized, mistyped, malformed, non-UTF-8, too deeply nested or
    non-standard JSON (NaN, Infinity, numbers out of range), each as a 4xx in the envelope."""
    body = event.get("body")
    if body in (None, ""):
        return None
    try:
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return errors.InvalidRequest("Request body is not valid JSON.")
    limit = get_settings().max_body_bytes
    if len(raw) > limit:
        return errors.PayloadTooLarge(f"The request body is {len(raw)} bytes; the limit is {limit} bytes.")
    header = _header(event, "content-type")
    content_type = (header or "").split(";")[0].strip().lower()
    # A body that parses as JSON is JSON whatever `text/plain` says: that is what `fetch(url, {body:
    # JSON.stringify(...)})` sends when no type is set (document 004's own example). Credentials are bearer
    # tokens only, never cookies, so a cross-site form or fetch carries none: accepting it opens no CSRF.
    plain = content_type == "text/plain"
    if header is not None and not plain and content_type != "application/json" and not content_type.endswith("+json"):
        return errors.UnsupportedMediaType()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return (
            errors.UnsupportedMediaType()
            if plain
            else errors.InvalidRequest("Request body must be JSON encoded as UTF-8.")
        )
    if _too_deep(text):
        return errors.InvalidRequest(f"Request body nests deeper than {MAX_JSON_DEPTH} levels.")
    try:
        json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        if plain:
            return errors.UnsupportedMediaType()
        return errors.InvalidRequest("Request body is not valid JSON (only standard JSON numbers are accepted).")
    event["body"], event["isBase64Encoded"] = text, False
    if header is not None:
        _set_json_content_type(event)
    return None


def _authenticate(event: dict[str, Any]) -> errors.ApiError | None:
    # Imported here so that public-only functions (health, docs) never load the identity code.
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

    from platform_api.domain.auth import authenticate_request

    try:
        principal = authenticate_request(APIGatewayProxyEvent(event))
    except errors.RateLimitExceeded as exc:
        if exc.window is not None:
            exc.headers.update(_rate_limit_headers(exc.window))
        return exc
    except errors.ApiError as exc:
        return exc
    request_state = state.current()
    request_state.principal = principal
    if principal.rate_limit is not None:
        request_state.response_headers.update(_rate_limit_headers(principal.rate_limit))
    return None


def _count_anonymous(event: dict[str, Any]) -> errors.ApiError | None:
    """The window of a request without a valid credential (public route or refused credential): its source
    address's, so that every response carries X-RateLimit-* (shared/spec/README.md, rate limits)."""
    from platform_api.domain import anonymous

    source_ip = ((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp") or ""
    try:
        window = anonymous.count(source_ip)
    except errors.RateLimitExceeded as exc:
        if exc.window is not None:
            exc.headers.update(_rate_limit_headers(exc.window))
        return exc
    state.current().response_headers.update(_rate_limit_headers(window))
    return None


def _rate_limit_headers(window: tuple[int, int, int]) -> dict[str, str]:
    limit, remaining, reset = window
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(reset)}


# What a page of an allowed origin may read beyond the CORS-safelisted headers.
CORS_EXPOSED = ", ".join(
    [
        "Location",
        "Retry-After",
        "X-Request-Id",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "Idempotent-Replayed",
    ]
)


def _cors_headers(event: dict[str, Any]) -> dict[str, str]:
    """Access-Control-Allow-Origin for an origin in AllowedOrigins only (none configured: no CORS at all)."""
    allowed = get_settings().allowed_origins
    origin = _header(event, "origin")
    if not origin or origin.rstrip("/") not in allowed:
        return {"Vary": "Origin"} if allowed else {}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": CORS_EXPOSED, "Vary": "Origin"}


def _finalise(response: dict[str, Any], request_state: state.RequestState) -> dict[str, Any]:
    extra = {**BASE_HEADERS, **request_state.response_headers, **_cors_headers(request_state.event or {})}
    if request_state.request_id:
        extra["X-Request-Id"] = request_state.request_id
    multi = response.setdefault("multiValueHeaders", {})
    for name, value in extra.items():
        if name not in multi and name not in response.get("headers", {}):
            multi[name] = [value]
    return response


def lambda_handler(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point for an API function: observability, prechecks, resolve, common headers."""
    snapstart.register()  # with SnapStart on (template parameter), the hooks that make a restore safe

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @tracer.capture_lambda_handler
    @log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        request_state = state.begin(request_id_from_event(event))
        request_state.event = event
        route = _matched_route(app, event)
        # Credentials first: an anonymous caller of a protected route learns nothing about its body rules.
        problem = (_authenticate(event) or _wrong_plane(route)) if _requires_credentials(app, route) else None
        if problem is None:
            problem = _precheck(event)
        if request_state.principal is None and (problem is None or isinstance(problem, errors.AuthenticationRequired)):
            problem = _count_anonymous(event) or problem
        if problem is not None:
            response = error_response(problem)
            resolved = {
                "statusCode": response.status_code,
                "body": response.body,
                "isBase64Encoded": False,
                "multiValueHeaders": {"Content-Type": [content_types.APPLICATION_JSON]}
                | {k: [v] for k, v in response.headers.items()},
            }
        else:
            resolved = app.resolve(event, context)
        # One line per request at DEBUG (LogLevel=DEBUG, dev): the route and its answer, never a header or body.
        logger.debug(
            "request answered",
            extra={
                "resource": event.get("resource"),
                "method": event.get("httpMethod"),
                "status": resolved.get("statusCode"),
            },
        )
        return _finalise(resolved, request_state)

    return handler
