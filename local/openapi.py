"""Generate the one OpenAPI document of the whole API: `python -m local.openapi --write | --check`.

Powertools' OpenAPIMerge combines every API function's resolver (routes and pydantic models, read from
template.yaml); this module adds what is common to every operation and that Powertools cannot infer:
the error envelope on every error status, both bearer schemes (JWT and API key), the rate-limit,
request-id and idempotency headers, the tenant headers and the list query language.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from local.template import ROOT, api_routes, load_template, resources_of_type

# One committed document, next to the function that serves it (a Lambda package holds only its CodeUri).
OUTPUTS = (ROOT / "functions" / "docs" / "openapi.json",)
PUBLIC = {
    ("get", "/v1/health"),
    ("post", "/v1/auth/register"),
    ("post", "/v1/auth/login"),
    ("post", "/v1/auth/refresh"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/docs"),
}
OPERATOR_PREFIX = "/v1/admin/"  # the operator plane (docs/operators.md): operator keys only
UNTENANTED_PREFIXES = (
    "/v1/health",
    "/v1/auth/",
    "/v1/openapi.json",
    "/v1/docs",
    "/v1/api-keys",
    "/v1/users/me",
    OPERATOR_PREFIX,
)
UNTENANTED_PATHS = ("/v1/user",)
MUTATING = ("post", "put", "patch", "delete")
# Success bodies Powertools cannot infer from a `Response[str]` annotation.
SUCCESS_CONTENT = {
    ("get", "/v1/docs"): {"text/html": {"schema": {"type": "string"}}},
    ("get", "/v1/openapi.json"): {"application/json": {"schema": {"type": "object"}}},
}
# Statuses public routes answer beyond the common ones (they have no credentials to reject).
PUBLIC_EXTRA_STATUSES = {
    ("post", "/v1/auth/register"): ["409", "429"],
    ("post", "/v1/auth/login"): ["401", "429"],
    ("post", "/v1/auth/refresh"): ["401"],
}
ERROR_STATUSES = {
    "400": "Invalid request: malformed JSON, a wrong type, an unknown field or query parameter (`invalid_request`)",
    "401": "Missing or invalid credentials (`authentication_required`)",
    "403": "A scope, role or entitlement does not allow it (`insufficient_permissions`, `limit_exceeded`)",
    "404": "Not found, or not visible to the caller's tenant (`resource_not_found`)",
    "409": "Conflict (`conflict`) or the same Idempotency-Key still in progress (`idempotency_key_in_use`)",
    "413": "Request body too large (`payload_too_large`)",
    "415": "Request body is not JSON (`unsupported_media_type`)",
    "422": "Idempotency-Key reused with a different request (`idempotency_key_mismatch`)",
    "429": "Rate limit exceeded (`rate_limit_exceeded`); see Retry-After",
    "500": "Internal error (`internal_server_error`)",
}
# The ListSpec each list route parses its query string with (an attribute of the route's app module): the
# document's list parameters are derived from it, so they say exactly what the server accepts.
LIST_SPECS: dict[str, str] = {
    "/v1/resources": "domain.LIST_SPEC",
    "/v1/users": "LIST_SPEC",
    "/v1/namespaces": "LIST_SPEC",
    "/v1/packages": "PACKAGE_SPEC",
    "/v1/api-keys": "LIST_SPEC",
    "/v1/workspaces": "LIST_SPEC",
    "/v1/organizations": "LIST_SPEC",
    "/v1/workspaces/{workspace_id}/members": "MEMBER_SPEC",
    "/v1/organizations/{workspace_id}/members": "MEMBER_SPEC",
    "/v1/invitations": "INVITATION_SPEC",
    "/v1/webhooks": "LIST_SPEC",
    "/v1/webhooks/{webhook_id}/deliveries": "DELIVERY_SPEC",
}
RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the window closest to exhaustion (without a credential: the address's).",
    "X-RateLimit-Remaining": "Requests left in that window.",
    "X-RateLimit-Reset": "When that window resets (epoch seconds).",
    "X-Request-Id": "The request id (`req_...`), also in every error body.",
}


def _prepare_environment() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_REGION", "us-east-1")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    shared = str(ROOT / "layers" / "shared" / "python")
    if shared not in sys.path:
        sys.path.insert(0, shared)


def function_files() -> list[Path]:
    """app.py of every function that serves Api routes in template.yaml and exists on disk."""
    template = load_template()
    with_routes = {logical_id for _, _, logical_id in api_routes(template)}
    files = []
    for logical_id, resource in sorted(resources_of_type(template, "AWS::Serverless::Function").items()):
        path = ROOT / resource["Properties"]["CodeUri"] / "app.py"
        if logical_id in with_routes and path.is_file():
            files.append(path)
    return files


def list_specs() -> dict[str, Any]:
    """path -> the ListSpec its GET route parses the query string with (LIST_SPECS), read from the app modules."""
    import importlib.util

    template = load_template()
    functions = resources_of_type(template, "AWS::Serverless::Function")
    specs: dict[str, Any] = {}
    modules: dict[str, Any] = {}
    for method, path, logical_id in api_routes(template):
        if method != "GET" or path not in LIST_SPECS:
            continue
        file = ROOT / functions[logical_id]["Properties"]["CodeUri"] / "app.py"
        if logical_id not in modules:
            loader = importlib.util.spec_from_file_location(f"_openapi_lists_{logical_id}", file)
            if loader is None or loader.loader is None:
                raise ImportError(f"cannot load {file}")
            module = importlib.util.module_from_spec(loader)
            loader.loader.exec_module(module)
            modules[logical_id] = module
        value: Any = modules[logical_id]
        for part in LIST_SPECS[path].split("."):
            value = getattr(value, part)
        specs[path] = value
    return specs


def _param(name: str, where: str, schema: dict[str, Any], description: str, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


def _names_pattern(names: Iterable[str], prefix: str = "") -> str:
    one = prefix + "(" + "|".join(re.escape(n) for n in names) + ")"
    return f"^{one}(,{one})*$"


def _filter_schema(kind: Any) -> dict[str, Any]:
    if isinstance(kind, tuple):  # several values, comma-separated, match any of them
        return {"type": "string", "pattern": _names_pattern(kind)}
    if kind is bool:
        return {"type": "boolean"}
    if kind is int:
        return {"type": "integer"}
    return {"type": "string", "maxLength": 255}


def list_parameters(spec: Any) -> list[dict[str, Any]]:
    """The query parameters `platform_api.query.parse_list_query` accepts for `spec`, and their limits."""
    from platform_api import query

    sorts = (*spec.sorts, "id")
    params = [
        # No default: an absent page is the first, and a client that always sent page=1 could never send a cursor.
        _param("page", "query", {"type": "integer", "minimum": 1}, "Page number (1-based); absent: the first page."),
        _param(
            "per_page",
            "query",
            {"type": "integer", "minimum": 1, "maximum": query.MAX_PER_PAGE, "default": query.DEFAULT_PER_PAGE},
            f"Items per page (max {query.MAX_PER_PAGE}).",
        ),
        _param("cursor", "query", {"type": "string"}, "Opaque cursor from `meta.next_cursor` (not with `page`)."),
        _param(
            "sort",
            "query",
            {"type": "string", "pattern": _names_pattern(sorts, "[-+]?")},
            f"Comma-separated fields, `-` for descending, of: {', '.join(sorts)}. Default `{spec.default_sort}`.",
        ),
    ]
    names = tuple(dict.fromkeys(("id", *spec.fields)))
    schema = {"type": "string", "pattern": _names_pattern(names)} if spec.fields else {"type": "string"}
    params.append(_param("fields", "query", schema, "Sparse fieldset (`id` is always returned)."))
    if spec.includes:
        schema = {"type": "string", "pattern": _names_pattern(spec.includes)}
        params.append(_param("include", "query", schema, "Related data to embed."))
    if spec.search:
        schema = {"type": "string", "maxLength": query.MAX_SEARCH_LENGTH}
        params.append(_param("search", "query", schema, f"Case-insensitive match on {', '.join(spec.search)}."))
    if spec.timestamps:
        for name in query.TIMESTAMP_FILTERS:
            params.append(_param(name, "query", {"type": "string", "format": "date-time"}, "ISO 8601."))
    for name, kind in spec.filters.items():
        schema = _filter_schema(kind)
        params.append(_param(f"filter[{name}]", "query", schema, f"Filter by {name} (also `{name}=`)."))
        params.append(_param(name, "query", schema, f"Filter by {name} (same as `filter[{name}]`)."))
    return params


def _decorate(operation: dict[str, Any], method: str, path: str, spec: Any = None) -> None:
    public = (method, path) in PUBLIC
    responses = operation.setdefault("responses", {})
    # Success statuses and bodies are the routes' own (`responses=` on the decorator, platform_api.models).
    if "204" in responses:
        responses["204"].pop("content", None)  # an empty body (Powertools adds an empty JSON media type)
    if (method, path) in SUCCESS_CONTENT:
        responses["200"]["content"] = SUCCESS_CONTENT[(method, path)]
    responses.pop("422", None)  # Powertools' validation body: ours is the 400 envelope
    statuses = (
        ["400", "404", "413", "415", "500", *PUBLIC_EXTRA_STATUSES.get((method, path), [])]
        if public
        else list(ERROR_STATUSES)
    )
    if method not in MUTATING:
        statuses = [s for s in statuses if s not in ("409", "413", "415", "422")]
    for status in statuses:
        responses.setdefault(
            status,
            {
                "description": ERROR_STATUSES[status],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
            },
        )
    for response in responses.values():
        response.setdefault("headers", {})
        for name, description in RATE_HEADERS.items():
            response["headers"][name] = {"schema": {"type": "string"}, "description": description}
    if "429" in responses:
        responses["429"]["headers"]["Retry-After"] = {
            "schema": {"type": "integer", "minimum": 1},
            "description": "Seconds to wait before retrying (a duration; X-RateLimit-Reset is a moment).",
        }
        if method in MUTATING and not public:
            response["headers"]["Idempotent-Replayed"] = {
                "schema": {"type": "string", "enum": ["true"]},
                "description": "Present when the response is a replay of an earlier request with the same key.",
            }
    parameters = operation.setdefault("parameters", [])
    names = {(p.get("name"), p.get("in")) for p in parameters}

    def add(param: dict[str, Any]) -> None:
        if (param["name"], param["in"]) not in names:
            parameters.append(param)
            names.add((param["name"], param["in"]))

    if public:
        operation["security"] = []
    elif path.startswith(OPERATOR_PREFIX):
        operation["security"] = [{"operatorKey": []}]
    else:
        operation["security"] = [{"bearerJwt": []}, {"apiKey": []}]
        if not path.startswith(UNTENANTED_PREFIXES) and path not in UNTENANTED_PATHS:
            add(_param("X-Workspace-ID", "header", {"type": "string"}, "Tenant context: workspace (`wks_...`)."))
            add(_param("X-Namespace-ID", "header", {"type": "string"}, "Tenant context: namespace (`ns_...`)."))
            if spec is None:
                add(_param("workspace_id", "query", {"type": "string"}, "Tenant context, as a query parameter."))
                add(_param("namespace_id", "query", {"type": "string"}, "Tenant context, as a query parameter."))
    for name in spec.extra_params if spec is not None else ():  # a list refuses what its spec does not name
        add(_param(name, "query", {"type": "string"}, "Tenant context, as a query parameter."))
    if method in MUTATING:
        add(
            _param(
                "Idempotency-Key",
                "header",
                {"type": "string", "minLength": 1, "maxLength": 255},
                "Replays the first response of the same request for 24 h (scoped to the caller).",
            )
        )
    if spec is not None:
        for param in list_parameters(spec):
            add(param)


ERROR_ENVELOPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details", "request_id"],
            "properties": {
                "code": {"type": "string", "examples": ["invalid_request"]},
                "message": {"type": "string"},
                "details": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Field name -> messages.",
                },
                "request_id": {"type": "string", "examples": ["req_abc123"]},
                "retry_after": {"type": "integer", "description": "Seconds to wait (429 only)."},
            },
        }
    },
    "example": {
        "error": {
            "code": "invalid_request",
            "message": "Request validation failed.",
            "details": {"email": ["This field is required."]},
            "request_id": "req_abc123",
        }
    },
}


def _rename_refs(node: Any, renamed: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: renamed.get(value, value) if key == "$ref" else _rename_refs(value, renamed)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(value, renamed) for value in node]
    return node


def _name_generic_components(document: dict[str, Any]) -> dict[str, Any]:
    """Pydantic keys a generic model's schema `Envelope_UserOut_`; its title is the name the model gives itself
    (`UserOutEnvelope`, platform_api.models.envelopes), which SDK generators turn into a readable type name."""
    schemas = document["components"]["schemas"]
    prefix = "#/components/schemas/"
    renamed: dict[str, str] = {}
    for key, schema in list(schemas.items()):
        title = schema.get("title")
        if title and title != key and re.fullmatch(r"[A-Za-z0-9]+", title):
            if title in schemas or title in renamed.values():
                raise ValueError(f"two schemas are named {title}")
            renamed[prefix + key] = prefix + title
    document = _rename_refs(document, renamed)
    schemas = document["components"]["schemas"]
    for old, new in renamed.items():
        schemas[new.removeprefix(prefix)] = schemas.pop(old.removeprefix(prefix))
    return document


def generate() -> dict[str, Any]:
    _prepare_environment()
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    merge = OpenAPIMerge(
        title="Platform API",
        version="1.0.0",
        description=(
            "Multi-tenant platform API: auth, users, workspaces (= organizations) and members, namespaces with "
            "packages and entitlements, API keys, resources with a query language, batch, idempotency, rate "
            "limits, usage and signed webhooks. Every route lives under `/v1`; the deployed stage `api` serves "
            '`/api/v1/...`. Errors use one envelope: `{"error": {code, message, details, request_id}}`.'
        ),
        on_conflict="error",
    )
    for path in function_files():
        merge.add_file(path, resolver_name="app")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a function that fails to import must fail the generation
        document = json.loads(merge.get_openapi_json_schema())
    document["servers"] = [
        {"url": "/", "description": "Custom domain with an empty base path, or the local stack"},
        {"url": "/api", "description": "The deployed stage `api` (default execute-api URL), or the local stack"},
    ]
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE
    components["securitySchemes"] = {
        "bearerJwt": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from POST /v1/auth/login (expires in 3600 s).",
        },
        "apiKey": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "sk_live_... / sk_test_...",
            "description": "An API key from POST /v1/api-keys, sent as a bearer token.",
        },
        "operatorKey": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "opk_live_... / opk_test_...",
            "description": "An operator key (scope `admin:platform`) from the bootstrap, `python -m local.operator"
            " create` (docs/operators.md); the `/v1/admin` routes accept nothing else.",
        },
    }
    specs = list_specs()
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                _decorate(operation, method, path, specs.get(path) if method == "get" else None)
    return _name_generic_components(document)


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.openapi", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write functions/docs/openapi.json")
    mode.add_argument("--check", action="store_true", help="exit 1 when the committed documents are stale")
    args = parser.parse_args(argv)
    text = render(generate())
    if args.write:
        for output in OUTPUTS:
            output.write_text(text)
            print(f"wrote {output.relative_to(ROOT)}")
        return 0
    stale = [str(o.relative_to(ROOT)) for o in OUTPUTS if not o.is_file() or o.read_text() != text]
    if stale:
        print(f"stale: {', '.join(stale)}; run `make openapi`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
