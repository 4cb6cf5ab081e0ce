"""OWASP API5 (function level authorization), by declaration: every route of template.yaml states its policy where
it is registered (`http.requires` or `http.tenant_route`), or is one of the few public routes.

The policy table is built from the functions themselves, so a new route without a declared scope fails here
before anyone calls it; a write route with a read scope fails too.
"""

from __future__ import annotations

import pytest

from tests.helpers import call, function_module, template_routes

PUBLIC = {
    ("GET", "/v1/health"),
    ("GET", "/v1/openapi.json"),
    ("GET", "/v1/docs"),
    ("POST", "/v1/auth/register"),
    ("POST", "/v1/auth/login"),
    ("POST", "/v1/auth/refresh"),
}
ANY_CREDENTIAL = {("POST", "/v1/auth/logout")}


def _template_policies(aws) -> dict[tuple[str, str], dict | None]:
    by_function: dict[str, list] = {}
    for method, path, function in template_routes():
        by_function.setdefault(function, []).append((method, path))
    table: dict[tuple[str, str], dict | None] = {}
    for function, routes in by_function.items():
        app = function_module(function).app
        for method, path in routes:
            event_path = path.replace("{", "").replace("}", "")  # any concrete value matches the route regex
            route = next(
                (
                    r
                    for r in list(app._static_routes) + list(app._dynamic_routes)
                    if r.method == method and r.rule.match(event_path)
                ),
                None,
            )
            assert route is not None, (method, path, function)
            table[(method, path)] = getattr(route.func, "policy", None)
    return table


def test_every_route_declares_its_policy_or_is_public(aws):
    table = _template_policies(aws)
    undeclared = sorted(k for k, policy in table.items() if policy is None and k not in PUBLIC)
    assert not undeclared, f"routes without requires/tenant_route: {undeclared}"
    declared_public = sorted(k for k in PUBLIC if table.get(k) is not None)
    assert not declared_public, declared_public


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_need_a_write_or_admin_scope(aws, method):
    table = _template_policies(aws)
    weak = sorted(
        (m, path, policy["scope"])
        for (m, path), policy in table.items()
        if m == method
        and policy is not None
        and (m, path) not in ANY_CREDENTIAL
        and not policy["scope"].startswith(("write:", "admin:"))
        and not path.endswith("/entitlements/check")  # a read: it answers a question and writes nothing
    )
    assert not weak, weak


def test_reads_need_a_read_scope(aws):
    table = _template_policies(aws)
    weak = sorted(
        (path, policy["scope"])
        for (m, path), policy in table.items()
        if m == "GET"
        and policy is not None
        and not policy["scope"].startswith("read:")
        and not policy.get("operator")  # the operator plane has one scope for all (below)
    )
    assert not weak, weak


# ---------------------------------------------------------------------------------------------- the operator plane
ADMIN_PREFIX = "/v1/admin/"


def _admin_routes() -> list[tuple[str, str]]:
    return sorted((m, p) for m, p, _ in template_routes() if p.startswith(ADMIN_PREFIX))


def _concrete(path: str) -> str:
    """A path with every parameter filled with a well-formed id nobody owns."""
    fillers = {
        "key_id": "opk_01JD0000000000000000000000",
        "webhook_id": "wh_01JD0000000000000000000000",
        "namespace_id": "ns_01JD0000000000000000000000",
        "package_id": "pkg_free",
    }
    for part in path.split("/"):
        if part.startswith("{"):
            name = part.strip("{}")
            prefix = name.removesuffix("_id")[:3]
            path = path.replace(part, fillers.get(name, f"{prefix}_01JD0000000000000000000000"))
    return path


def test_the_operator_plane_is_exactly_the_admin_routes(aws):
    """Every /v1/admin route declares the operator policy, and no route elsewhere does: the planes stay apart."""
    table = _template_policies(aws)
    assert _admin_routes(), "no /v1/admin route in template.yaml"
    not_operator = sorted(
        k for k, policy in table.items() if k[1].startswith(ADMIN_PREFIX) and not (policy or {}).get("operator")
    )
    assert not not_operator, not_operator
    stray = sorted(
        k for k, policy in table.items() if (policy or {}).get("operator") and not k[1].startswith(ADMIN_PREFIX)
    )
    assert not stray, stray
    assert {policy["scope"] for k, policy in table.items() if k[1].startswith(ADMIN_PREFIX)} == {"admin:platform"}


@pytest.fixture
def generous_limits(monkeypatch):
    """The matrix makes more calls per user than a free tier's minute allows; the limits are not under test."""
    from platform_api import tiers

    monkeypatch.setenv("RATE_LIMITS_JSON", '{"free": {"burst": 100000, "minute": 100000, "hour": 100000}}')
    tiers.table.cache_clear()
    yield
    tiers.table.cache_clear()


def test_every_admin_route_refuses_every_tenant_credential(aws, generous_limits):
    """BFLA across planes, from template.yaml: no credentials or a bad one is 401; a session and tenant API keys of
    every scope (one each, and one with all of them) are 403 insufficient_permissions; an operator key passes."""
    from platform_api.domain import operators
    from platform_api.domain.auth import SCOPES
    from tests.identity_support import create_api_key, register_user

    owner = register_user()
    session = owner["access_token"]
    keys = {scope: create_api_key(session, scopes=[scope])["key"] for scope in sorted(SCOPES)}
    keys["every tenant scope"] = create_api_key(session, scopes=sorted(SCOPES))["key"]
    operator_key = operators.create_key("matrix", created_by="tests")["key"]
    wrong = []
    for method, resource in _admin_routes():
        path = _concrete(resource)
        for label, token in (("none", None), ("garbage", "opk_test_nothing_here"), ("garbage key", "sk_test_x_y")):
            reply = call(method, path, token=token)
            if reply.status != 401 or reply.json["error"]["code"] != "authentication_required":
                wrong.append((method, resource, label, reply.status))
        for label, token in (("session", session), *keys.items()):
            reply = call(method, path, token=token, body={} if method == "POST" else None)
            if reply.status != 403 or reply.json["error"]["code"] != "insufficient_permissions":
                wrong.append((method, resource, label, reply.status))
        reply = call(method, path, token=operator_key, body={} if method == "POST" else None)
        if reply.status in (401, 403):
            wrong.append((method, resource, "operator key", reply.status))
    assert not wrong, wrong


def test_an_operator_key_is_refused_on_every_tenant_route(aws):
    """The other direction: an operator key holds `admin:platform` only, so every non-public tenant route is a 403,
    before its body is validated (a body-less write is refused the same way), and nothing is written."""
    from platform_api.domain import operators

    operator_key = operators.create_key("matrix", created_by="tests")["key"]
    wrong = []
    for method, resource, _ in template_routes():
        if resource.startswith(ADMIN_PREFIX) or (method, resource) in PUBLIC:
            continue
        reply = call(method, _concrete(resource), token=operator_key, body={} if method in ("POST", "PATCH") else None)
        if reply.status != 403 or reply.json["error"]["code"] != "insufficient_permissions":
            wrong.append((method, resource, reply.status))
    assert not wrong, wrong
