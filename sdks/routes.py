"""The SDKs' route table: every operation of the OpenAPI document (functions/docs/openapi.json), named the way
the three clients expose it (document 004: `client.workspaces.create(...)`, `client.resources.list(...)`).

    python -m sdks.routes            # print the table
    python -m sdks.routes --write    # write sdks/routes.json, which every SDK's generator reads

One entry per operation:
    operation_id   the document's operationId (camelCase, stable)
    group          the client attribute path, e.g. ["workspaces", "members"] -> client.workspaces.members
    method         snake_case method name on that group ("list", "create", "rotate_secret"); each SDK renders it
                   in its own case (JS/PHP camelCase)
    http_method, path
    path_params    in path order; positional arguments in every SDK
    query_params   [{name, required, schema, description}] (keyword arguments / an options object)
    headers        the optional tenant headers the route accepts (X-Workspace-ID, X-Namespace-ID)
    body           null or {schema, required, properties: [{name, required, schema, description}]}
    response       {status, schema (component name or null for 204), kind: "object" | "list" | "none"}
                   "list": the body is {data: [...], meta, links}; `meta.next_cursor` continues it
    mutating       POST/PUT/PATCH/DELETE: the SDKs send an Idempotency-Key (reused across their retries),
                   except where `replayable` is false (session routes, docs/idempotency.md)
    auth           "none" for public routes (no credentials needed), else "bearer"

The names come from rules (the verb of the operationId; the path's static segments after an id become nested
groups; a trailing action segment is the method) with the few exceptions listed in METHOD_NAMES. A route the
rules cannot name fails loudly, so a new route is named on purpose.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "functions" / "docs" / "openapi.json"
TABLE = ROOT / "sdks" / "routes.json"

# Routes that are not an API call an integrator makes: the HTML page of the interactive docs.
EXCLUDED = {"getSwaggerUi": "an HTML page for browsers"}
# Session routes ignore Idempotency-Key (docs/idempotency.md).
NOT_REPLAYABLE = {"login", "refreshToken", "logout"}
# Where the verb of the operationId is not the method name.
METHOD_NAMES = {
    "getCurrentUser": "me",
    "updateCurrentUser": "update_me",
    "getAuthenticatedUser": "get_authenticated",
    "confirmEmail": "confirm_email",
    "rotateWebhookSecret": "rotate_secret",
    "refreshToken": "refresh",
    "getOpenApiDocument": "openapi",
}
GROUP_NAMES = {"api-keys": "api_keys", "user": "users", "openapi.json": "docs", "docs": "docs"}
ACTION_SEGMENTS = {"batch", "accept", "check", "retry", "test", "rotate-secret", "confirm", "login", "logout"}
ACTION_SEGMENTS |= {"refresh", "register"}
TENANT_HEADERS = {"X-Workspace-ID", "X-Namespace-ID"}


def snake(text: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", text).lower().replace("-", "_")


def _ref_name(schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    ref = schema.get("$ref") or ""
    return ref.rsplit("/", 1)[-1] or None


def _group_and_action(path: str, verb: str) -> tuple[list[str], str | None]:
    """['webhooks', 'deliveries'], 'retry' for /v1/webhooks/{id}/deliveries/{id}/retry (retryWebhookDelivery).

    A trailing static segment is an action, not a group, when it is a known action or the operation's verb
    (POST /v1/webhooks/{id}/recover, recoverWebhook -> webhooks.recover)."""
    segments = [s for s in path.split("/")[2:] if s]  # after /v1
    group = [GROUP_NAMES.get(segments[0], snake(segments[0]))]
    statics = [s for s in segments[1:] if not s.startswith("{")]
    action = None
    if statics and (statics[-1] in ACTION_SEGMENTS or snake(statics[-1]) == verb):
        action = snake(statics.pop())
    if group == ["users"] and statics[:1] == ["me"]:
        statics = [s for s in statics if s not in ("me", "email")]
    group += [snake(s) for s in statics]
    return group, action


def _verb(operation_id: str) -> str:
    return snake(re.match(r"[a-z]+", operation_id).group(0))  # type: ignore[union-attr]


def _body(operation: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    request = operation.get("requestBody")
    if not request:
        return None
    schema = request["content"]["application/json"]["schema"]
    # An optional body is documented as anyOf [model, null]: the model is what the SDKs take.
    variants = [v for v in schema.get("anyOf", []) if v.get("type") != "null"]
    if len(variants) == 1:
        schema = variants[0]
    name = _ref_name(schema)
    component = schemas.get(name or "", schema)
    required = set(component.get("required", []))
    return {
        "schema": name,
        "required": bool(request.get("required")),
        "properties": [
            {"name": prop, "required": prop in required, "schema": spec, "description": spec.get("description", "")}
            for prop, spec in (component.get("properties") or {}).items()
        ],
    }


def _response(operation: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    successes = [int(code) for code in operation["responses"] if code.startswith("2")]
    if not successes:  # a route kept only to refuse (e.g. a self-grant, now the operator's): it answers no body
        return {"status": None, "schema": None, "kind": "none"}
    status = min(successes)
    content = operation["responses"][str(status)].get("content") or {}
    schema = (content.get("application/json") or {}).get("schema")
    name = _ref_name(schema)
    if status == 204 or schema is None:
        return {"status": status, "schema": None, "kind": "none"}
    properties = (schemas.get(name or "") or {}).get("properties") or {}
    kind = "list" if {"data", "meta", "links"} <= set(properties) else "object"
    return {"status": status, "schema": name, "kind": kind}


def build(document: dict[str, Any]) -> list[dict[str, Any]]:
    schemas = document["components"]["schemas"]
    routes: list[dict[str, Any]] = []
    for path, operations in document["paths"].items():
        for http_method, operation in operations.items():
            if http_method not in ("get", "post", "put", "patch", "delete"):
                continue
            operation_id = operation["operationId"]
            if operation_id in EXCLUDED:
                continue
            group, action = _group_and_action(path, _verb(operation_id))
            method = METHOD_NAMES.get(operation_id) or action or _verb(operation_id)
            parameters = operation.get("parameters") or []
            routes.append(
                {
                    "operation_id": operation_id,
                    "group": group,
                    "method": method,
                    "http_method": http_method.upper(),
                    "path": path,
                    "path_params": [p["name"] for p in parameters if p["in"] == "path"],
                    "query_params": [
                        {
                            "name": p["name"],
                            "required": bool(p.get("required")),
                            "schema": p.get("schema", {}),
                            "description": p.get("description", ""),
                        }
                        for p in parameters
                        if p["in"] == "query"
                    ],
                    "headers": [p["name"] for p in parameters if p["in"] == "header" and p["name"] in TENANT_HEADERS],
                    "body": _body(operation, schemas),
                    "response": _response(operation, schemas),
                    "mutating": http_method != "get",
                    "replayable": http_method != "get" and operation_id not in NOT_REPLAYABLE,
                    "auth": "none" if operation.get("security") == [] else "bearer",
                    "summary": operation.get("summary", ""),
                }
            )
    names: dict[tuple[str, ...], str] = {}
    for route in routes:
        key = (*route["group"], route["method"])
        if key in names:
            raise SystemExit(f"{route['operation_id']} and {names[key]} would both be {'.'.join(key)}: name one")
        names[key] = route["operation_id"]
    return sorted(routes, key=lambda r: (r["group"], r["method"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {TABLE.relative_to(ROOT)}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the written table is out of date")
    args = parser.parse_args()
    text = json.dumps(build(json.loads(DOCUMENT.read_text())), indent=2, sort_keys=True) + "\n"
    if args.write:
        TABLE.write_text(text)
    elif args.check:
        if not TABLE.exists() or TABLE.read_text() != text:
            print(f"{TABLE.relative_to(ROOT)} is out of date: run make sdks", file=sys.stderr)
            return 1
    else:
        for route in json.loads(text):
            print(f"{route['http_method']:6} {route['path']:60} {'.'.join(route['group'])}.{route['method']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
