"""OWASP API5 (function level authorization), by declaration: every route of template.yaml states its policy where
it is registered (`http.requires` or `http.tenant_route`), or is one of the few public routes.

The policy table is built from the functions themselves, so a new route without a declared scope fails here
before anyone calls it; a write route with a read scope fails too.
"""

from __future__ import annotations

import pytest

from tests.helpers import function_module, template_routes

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
        if m == "GET" and policy is not None and not policy["scope"].startswith("read:")
    )
    assert not weak, weak
