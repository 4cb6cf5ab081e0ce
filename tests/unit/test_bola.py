"""OWASP API1 (BOLA): every tenant-scoped route, called with another tenant's ids, answers 404.

The matrix is built from template.yaml, so a route added later joins it automatically; a route with an
id in its path that this file cannot fill fails the completeness test instead of being skipped silently.
"""

from __future__ import annotations

import uuid

import pytest

from tests.helpers import call, template_routes
from tests.identity_support import create_api_key, register_user

# A valid body for each write route, so that the answer is about ownership, not about validation.
BODIES: dict[tuple[str, str], dict] = {
    ("PATCH", "/v1/workspaces/{workspace_id}"): {"name": "stolen"},
    ("PATCH", "/v1/organizations/{workspace_id}"): {"name": "stolen"},
    ("POST", "/v1/workspaces/{workspace_id}/members"): {"user_id": "usr_01JD0000000000000000000000"},
    ("POST", "/v1/organizations/{workspace_id}/members"): {"user_id": "usr_01JD0000000000000000000000"},
    ("PATCH", "/v1/workspaces/{workspace_id}/members/{user_id}"): {"role": "member"},
    ("PATCH", "/v1/organizations/{workspace_id}/members/{user_id}"): {"role": "member"},
    ("PATCH", "/v1/namespaces/{namespace_id}"): {"name": "stolen"},
    ("POST", "/v1/namespaces/{namespace_id}/entitlements/check"): {"feature": "storage", "quantity": 1},
    ("POST", "/v1/namespaces/{namespace_id}/packages"): {"package_id": "pkg_starter"},
    ("PATCH", "/v1/resources/{resource_id}"): {"name": "stolen"},
    ("PATCH", "/v1/users/{user_id}"): {"name": "stolen"},
    ("PATCH", "/v1/webhooks/{webhook_id}"): {"is_active": False},
    ("POST", "/v1/webhooks/{webhook_id}/test"): None,
    ("POST", "/v1/webhooks/{webhook_id}/rotate-secret"): None,
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): None,
    ("POST", "/v1/webhooks/{webhook_id}/recover"): {"since": "2020-01-01T00:00:00Z"},
}
# Routes whose collection is the caller's own (no foreign id can appear): the header matrix covers them.
CONTEXT_ROUTES = [
    ("GET", "/v1/resources", None),
    ("POST", "/v1/resources", {"name": "x"}),
    ("POST", "/v1/resources/batch", {"operations": [{"action": "create", "data": {"name": "x"}}]}),
    ("GET", "/v1/users", None),
    ("GET", "/v1/webhooks", None),
    ("POST", "/v1/webhooks", {"url": "https://example.com/hook", "events": ["*"]}),
    ("POST", "/v1/namespaces", {"name": "x", "slug": "stolen"}),
    ("GET", "/v1/namespaces", None),
]


@pytest.fixture
def victim(aws):
    """Alice's world: a workspace, a resource, an API key, and a webhook with a delivery where built."""
    alice = register_user()
    token = alice["access_token"]
    workspace = call(
        "POST", "/v1/workspaces", body={"name": "Victim", "slug": f"victim-{uuid.uuid4().hex[:8]}"}, token=token
    ).json["data"]
    resource = call("POST", "/v1/resources", body={"name": "secret"}, token=token).json["data"]
    key = create_api_key(token, scopes=["read:all"])
    inviter = register_user()
    elsewhere = call("POST", "/v1/workspaces", body={"name": "Inviting"}, token=inviter["access_token"]).json["data"]
    invitation = call(
        "POST",
        f"/v1/workspaces/{elsewhere['id']}/members",
        body={"user_id": alice["user_id"]},
        token=inviter["access_token"],
    ).json["data"]
    ids = {
        "invitation_id": invitation["id"],
        "workspace_id": workspace["id"],
        "user_id": alice["user_id"],
        "namespace_id": alice["namespace_id"],
        "package_id": "pkg_free",
        "resource_id": resource["id"],
        "key_id": key["id"],
    }
    if any("/v1/webhooks" in path for _, path, _ in template_routes()):
        hook = call("POST", "/v1/webhooks", body={"url": "https://example.com/h", "events": ["*"]}, token=token)
        ids["webhook_id"] = hook.json["data"]["id"]
        call("POST", f"/v1/webhooks/{ids['webhook_id']}/test", token=token)
        deliveries = call("GET", f"/v1/webhooks/{ids['webhook_id']}/deliveries", token=token).json["data"]
        ids["delivery_id"] = deliveries[0]["id"] if deliveries else "del_01JD0000000000000000000000"
    return alice, ids


def _id_routes() -> list[tuple[str, str]]:
    """Tenant routes with an id; the operator plane (/v1/admin) refuses every tenant credential before any id is
    read, which tests/unit/test_route_policies.py checks route by route."""
    return sorted({(m, p) for m, p, _ in template_routes() if "{" in p and not p.startswith("/v1/admin/")})


def test_every_route_with_an_id_answers_404_to_another_tenant(victim):
    alice, ids = victim
    mallory = register_user()
    leaks = []
    for method, resource in _id_routes():
        path = resource.format(**ids)
        body = BODIES.get((method, resource))
        reply = call(method, path, body=body, token=mallory["access_token"])
        if reply.status != 404:
            leaks.append((method, resource, reply.status, reply.json))
    assert not leaks, leaks
    # and nothing changed: alice still sees her workspace and resource as they were
    token = alice["access_token"]
    assert call("GET", f"/v1/workspaces/{ids['workspace_id']}", token=token).json["data"]["name"] == "Victim"
    assert call("GET", f"/v1/resources/{ids['resource_id']}", token=token).json["data"]["name"] == "secret"
    assert [i["id"] for i in call("GET", "/v1/invitations", token=token).json["data"]] == [ids["invitation_id"]]


@pytest.mark.parametrize("header", ["X-Workspace-ID", "X-Namespace-ID"])
def test_another_tenants_context_header_answers_404(victim, header):
    _, ids = victim
    mallory = register_user()
    value = ids["workspace_id"] if header == "X-Workspace-ID" else ids["namespace_id"]
    routes = [(m, p, b) for m, p, b in CONTEXT_ROUTES if any(m == rm and p == rp for rm, rp, _ in template_routes())]
    for method, path, body in routes:
        reply = call(method, path, body=body, headers={header: value}, token=mallory["access_token"])
        assert reply.status == 404, (method, path, header, reply)
        query_name = header[2:].lower().replace("-", "_")
        reply = call(method, path, body=body, query={query_name: value}, token=mallory["access_token"])
        assert reply.status == 404, (method, path, query_name, reply)


def test_the_matrix_covers_every_path_parameter():
    names = {part.strip("{}") for _, path in _id_routes() for part in path.split("/") if part.startswith("{")}
    known = {"workspace_id", "user_id", "namespace_id", "package_id", "resource_id", "key_id", "webhook_id"}
    known |= {"delivery_id", "invitation_id"}
    assert names <= known, names - known
