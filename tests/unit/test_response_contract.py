"""Every route's real 2xx bodies validate against the OpenAPI document's schema for that status, strictly.

One scenario (in process, on moto) makes a representative call of every route in template.yaml, and the
variants whose bodies differ (`fields=`, `include=`, a cursor page, an API key's windows, a failed delivery,
an entitlement check that is refused). Each 2xx body is validated against the generated document with
unknown properties refused (`additionalProperties: false` added to every object schema that lists its
properties), so the document must describe every field a route returns, with its type, and every field it
marks required must be there. A route the scenario does not call, or a status the document does not list,
fails too. The last step breaks the document on purpose and checks that a real body then fails.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from local import openapi
from local.webhook_receiver import WebhookReceiver
from tests.helpers import Reply, call, function_for, function_module, template_routes
from tests.identity_support import DEFAULT_PASSWORD, register_user

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
NOT_JSON_API = {("GET", "/v1/docs"), ("GET", "/v1/openapi.json")}  # the HTML page and the document itself
# Routes every tenant credential is refused (packages are the operators' to grant): their 403 is checked instead.
NEVER_2XX = {
    ("POST", "/v1/namespaces/{namespace_id}/packages"),
    ("DELETE", "/v1/namespaces/{namespace_id}/packages/{package_id}"),
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")  # platform_api.timeutil.isoformat


@cache
def document() -> dict[str, Any]:
    return openapi.generate()


def strict(node: Any) -> Any:
    """A copy of a schema in which every object that lists its properties refuses any other property."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value) for key, value in node.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _format_checker() -> FormatChecker:
    checker = FormatChecker(())
    checker.checks("date-time")(lambda value: not isinstance(value, str) or bool(TIMESTAMP.match(value)))
    return checker


def violations(doc: dict[str, Any], method: str, resource: str, status: int, body: Any) -> list[str]:
    """What is wrong with `body` as the answer `status` of METHOD resource, per `doc` (strictly)."""
    operation = doc["paths"].get(resource, {}).get(method.lower())
    if operation is None:
        return [f"{method} {resource} is not in the document"]
    response = operation["responses"].get(str(status))
    if response is None:
        return [f"status {status} is not documented (documented: {sorted(operation['responses'])})"]
    if status == 204:
        return [] if body is None else [f"204 with a body: {body!r}"]
    schema = (response.get("content") or {}).get("application/json", {}).get("schema")
    if schema is None:
        return [f"no JSON schema for {status}"]
    root = {**strict(schema), "components": {"schemas": strict(doc["components"]["schemas"])}}
    validator = Draft202012Validator(root, format_checker=_format_checker())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message}"
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    ]


class Recorder:
    """`tests.helpers.call` that keeps (METHOD, template path, status, body) of every answer."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int, Any]] = []

    def __call__(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        reply: Reply = call(method, path, **kwargs)
        assert reply.status == expect, (method, path, reply)
        _, resource, _ = function_for(method, path)
        self.calls.append((method, resource, reply.status, reply.json))
        return reply.json


def run_scenario(api: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    """A representative call of every route, and the variants whose bodies differ."""
    from platform_api.domain import users as users_domain

    confirmations: dict[str, str] = {}
    monkeypatch.setattr(
        users_domain, "announce_confirmation", lambda _uid, email, token: confirmations.update({email: token})
    )

    # health, docs, auth
    api("GET", "/v1/health", 200)
    api("GET", "/v1/openapi.json", 200)
    email = f"contract-{uuid.uuid4().hex[:10]}@example.com"
    registered = api(
        "POST",
        "/v1/auth/register",
        201,
        body={"email": email, "username": f"c_{uuid.uuid4().hex[:10]}", "password": DEFAULT_PASSWORD},
    )
    me = registered["data"]
    tokens = api("POST", "/v1/auth/login", 200, body={"email": email, "password": DEFAULT_PASSWORD})
    tokens = api("POST", "/v1/auth/refresh", 200, body={"refresh_token": tokens["refresh_token"]})
    token = tokens["access_token"]
    auth = {"token": token}

    # users
    api("GET", "/v1/users/me", 200, **auth)
    api("GET", "/v1/user", 200, **auth)
    api(
        "PATCH",
        "/v1/users/me",
        200,
        body={"profile": {"first_name": "Ada", "avatar_url": "https://example.com/a.png"}},
        **auth,
    )
    api("POST", "/v1/users/me/email/confirm", 200, body={"token": confirmations[email]}, **auth)
    api("GET", f"/v1/users/{me['id']}", 200, **auth)
    api("PATCH", f"/v1/users/{me['id']}", 200, body={"name": "Ada Lovelace"}, **auth)

    # workspaces (both names), members, invitations
    bob, carol = register_user(), register_user()
    workspace = api(
        "POST", "/v1/workspaces", 201, body={"name": "Contract", "settings": {"timezone": "Europe/London"}}, **auth
    )["data"]
    organization = api("POST", "/v1/organizations", 201, body={"name": "Contract Org"}, **auth)["data"]
    for collection, item in (("/v1/workspaces", workspace), ("/v1/organizations", organization)):
        api("GET", collection, 200, **auth)
        api("GET", collection, 200, query={"fields": "name,role", "per_page": "1"}, **auth)
        api("GET", f"{collection}/{item['id']}", 200, **auth)
        api("PATCH", f"{collection}/{item['id']}", 200, body={"name": "Renamed"}, **auth)
    members = f"/v1/workspaces/{workspace['id']}/members"
    invitation = api("POST", members, 201, body={"user_id": bob["user_id"], "role": "member"}, **auth)["data"]
    api("GET", "/v1/invitations", 200, token=bob["access_token"])
    api("POST", f"/v1/invitations/{invitation['id']}/accept", 201, token=bob["access_token"])
    api("GET", members, 200, **auth)
    api("GET", f"/v1/organizations/{workspace['id']}/members", 200, query={"fields": "role,user"}, **auth)
    api("PATCH", f"{members}/{bob['user_id']}", 200, body={"role": "admin"}, **auth)
    api("PATCH", f"/v1/organizations/{workspace['id']}/members/{bob['user_id']}", 200, body={"role": "member"}, **auth)
    in_workspace = {"headers": {"X-Workspace-ID": workspace["id"]}}
    api("GET", "/v1/users", 200, **in_workspace, **auth)
    api("GET", "/v1/users", 200, **auth)  # the personal namespace: the caller alone
    api("GET", "/v1/users", 200, query={"fields": "role,email"}, **in_workspace, **auth)
    api("GET", f"/v1/users/{bob['user_id']}", 200, **in_workspace, **auth)
    api("DELETE", f"/v1/organizations/{workspace['id']}/members/{bob['user_id']}", 204, **auth)
    declined = api(
        "POST", f"/v1/organizations/{workspace['id']}/members", 201, body={"user_id": carol["user_id"]}, **auth
    )
    api("DELETE", f"/v1/invitations/{declined['data']['id']}", 204, token=carol["access_token"])
    api("POST", members, 201, body={"user_id": carol["user_id"]}, **auth)
    api("DELETE", f"{members}/{carol['user_id']}", 204, **auth)  # cancels the pending invitation

    # namespaces, packages, entitlements
    api("GET", "/v1/namespaces", 200, **auth)
    api("GET", "/v1/namespaces", 200, query={"fields": "slug,is_default"}, **auth)
    namespace = api("POST", "/v1/namespaces", 201, body={"name": "Side", "slug": "side", "description": "x"}, **auth)[
        "data"
    ]
    ns = f"/v1/namespaces/{namespace['id']}"
    api("GET", ns, 200, **auth)
    api("PATCH", ns, 200, body={"description": None}, **auth)
    api("GET", f"{ns}/entitlements", 200, **auth)
    api("POST", f"{ns}/entitlements/check", 200, body={"feature": "storage", "quantity": 1}, **auth)
    refused = api("POST", f"{ns}/entitlements/check", 200, body={"feature": "members", "quantity": 10**9}, **auth)
    assert refused["reason"] == "LIMIT_EXCEEDED"
    api("GET", f"{ns}/packages", 200, **auth)
    api("POST", f"{ns}/packages", 403, body={"package_id": "pkg_starter"}, **auth)  # operators grant packages
    api("DELETE", f"{ns}/packages/pkg_free", 403, **auth)
    from platform_api.domain import operators

    support = {"token": operators.create_key("support", created_by="tests")["key"]}
    api("POST", f"/v1/admin/namespaces/{namespace['id']}/packages", 201, body={"package_id": "pkg_starter"}, **support)
    api("DELETE", f"/v1/admin/namespaces/{namespace['id']}/packages/pkg_starter", 204, **support)
    api("GET", f"/v1/admin/namespaces/{namespace['id']}", 200, **support)
    api("PATCH", f"/v1/admin/namespaces/{namespace['id']}", 200, body={"limits": {"members": 50}}, **support)
    api("GET", f"/v1/admin/users/{bob['user_id']}", 200, **support)
    api("PATCH", f"/v1/admin/users/{bob['user_id']}", 200, body={"tier": "pro", "reason": "INV-7"}, **support)
    api("PATCH", f"/v1/admin/workspaces/{workspace['id']}", 200, body={"tier": "pro"}, **support)
    api("GET", "/v1/admin/audit", 200, query={"per_page": "2"}, **support)
    api("GET", "/v1/packages", 200, **auth)
    api("GET", "/v1/packages", 200, query={"fields": "name"}, **auth)
    api("DELETE", ns, 204, **auth)

    # resources: every shape (summary, include, fields, cursor page, full object, batch)
    first = api(
        "POST", "/v1/resources", 201, body={"name": "One", "metadata": {"k": [1, {"v": None}]}, "tags": ["a"]}, **auth
    )["data"]
    api("POST", "/v1/resources", 201, body={"name": "Two", "description": "second"}, **auth)
    api("GET", "/v1/resources", 200, **auth)
    page = api("GET", "/v1/resources", 200, query={"per_page": "1", "include": "owner,tags,metadata"}, **auth)
    api("GET", "/v1/resources", 200, query={"per_page": "1", "cursor": page["meta"]["next_cursor"]}, **auth)
    api("GET", "/v1/resources", 200, query={"fields": "name,owner", "include": "owner", "sort": "name"}, **auth)
    api("GET", "/v1/resources", 200, query={"filter[status]": "active", "search": "one"}, **auth)
    res = f"/v1/resources/{first['id']}"
    api("GET", res, 200, **auth)
    api("GET", res, 200, query={"fields": "name", "include": "owner"}, **auth)
    api("PATCH", res, 200, body={"status": "archived", "description": "changed"}, **auth)
    batch = api(
        "POST",
        "/v1/resources/batch",
        200,
        body={
            "operations": [
                {"action": "create", "data": {"name": "Three"}},
                {"action": "update", "id": first["id"], "data": {"name": "One again"}},
            ]
        },
        **auth,
    )["data"]
    api("POST", "/v1/resources/batch", 200, body={"operations": [{"action": "delete", "id": batch[0]["id"]}]}, **auth)
    api("DELETE", res, 204, **auth)

    # API keys (the key is used once, so that `last_used_at` and the key's own windows are answered)
    key = api("POST", "/v1/api-keys", 201, body={"name": "contract", "scopes": ["read:all"]}, **auth)["data"]
    api("GET", "/v1/usage", 200, token=key["key"])
    api("GET", "/v1/api-keys", 200, **auth)
    api("GET", "/v1/api-keys", 200, query={"fields": "last_used_at"}, **auth)
    api("GET", f"/v1/api-keys/{key['id']}", 200, **auth)
    api("DELETE", f"/v1/api-keys/{key['id']}", 204, **auth)

    # webhooks: a succeeding and a failing receiver, deliveries, a retry, secret rotation
    with WebhookReceiver(status=204) as ok, WebhookReceiver(status=500) as failing:
        hook = api("POST", "/v1/webhooks", 201, body={"url": ok.url, "events": ["resource.*"]}, **auth)["data"]
        broken = api("POST", "/v1/webhooks", 201, body={"url": failing.url, "events": ["*"]}, **auth)["data"]
        wh = f"/v1/webhooks/{hook['id']}"
        api("GET", "/v1/webhooks", 200, **auth)
        api("GET", "/v1/webhooks", 200, query={"fields": "url"}, **auth)
        api("GET", wh, 200, **auth)
        api("PATCH", wh, 200, body={"description": "contract"}, **auth)
        assert api("POST", f"{wh}/test", 200, **auth)["success"] is True
        assert api("POST", f"/v1/webhooks/{broken['id']}/test", 200, **auth)["success"] is False
        for target in (hook, broken):
            deliveries = api("GET", f"/v1/webhooks/{target['id']}/deliveries", 200, **auth)["data"]
            api("GET", f"/v1/webhooks/{target['id']}/deliveries/{deliveries[0]['id']}", 200, **auth)
        api("GET", f"/v1/webhooks/{broken['id']}/deliveries", 200, query={"fields": "status"}, **auth)
        api("POST", f"/v1/webhooks/{broken['id']}/deliveries/{deliveries[0]['id']}/retry", 202, **auth)
        recovery = {"since": "2020-01-01T00:00:00Z"}
        assert api("POST", f"/v1/webhooks/{broken['id']}/recover", 202, body=recovery, **auth)["data"]["recovered"]
        api("POST", f"{wh}/rotate-secret", 200, **auth)
        api("POST", f"{wh}/rotate-secret", 200, body={"grace_period_seconds": 0}, **auth)
        api("DELETE", wh, 204, **auth)

    # the operator plane: keys from the bootstrap, a dead delivery counted and moved back, a key revoked
    import boto3

    from platform_api.domain import operators
    from platform_api.settings import get_settings

    operator = {"token": operators.create_key("contract", created_by="tests")["key"]}
    spare = operators.create_key("spare", created_by="tests", expires_at=datetime.now(UTC) + timedelta(days=1))
    api("GET", "/v1/admin/operator-keys", 200, **operator)
    api("GET", "/v1/admin/operator-keys", 200, query={"fields": "name,expires_at"}, **operator)
    dead = {"delivery_id": "del_x", "webhook_id": "wh_x", "namespace_id": "ns_x", "event_id": "e", "event_type": "t"}
    boto3.client("sqs", region_name="us-east-1").send_message(
        QueueUrl=get_settings().webhook_delivery_dlq_url, MessageBody=json.dumps(dead)
    )
    assert api("GET", "/v1/admin/webhooks/dead-letters", 200, **operator)["data"]["waiting"] == 1
    assert api("POST", "/v1/admin/webhooks/dead-letters/redrive", 200, **operator)["data"]["moved"] == 1
    api(
        "POST",
        "/v1/admin/webhooks/dead-letters/redrive",
        200,
        body={"max_messages": 1, "queues": ["fanout"]},
        **operator,
    )
    api("DELETE", f"/v1/admin/operator-keys/{spare['id']}", 204, **operator)

    # usage with a session, then the workspaces go, then the session ends
    api("GET", "/v1/usage", 200, **auth)
    api("DELETE", f"/v1/workspaces/{workspace['id']}", 204, **auth)
    api("DELETE", f"/v1/organizations/{organization['id']}", 204, **auth)
    api("POST", "/v1/auth/logout", 204, **auth)


@pytest.fixture
def roomy_rate_limits(monkeypatch):
    """The scenario makes more requests in a minute than the free tier allows (60)."""
    from platform_api import tiers

    monkeypatch.setenv("RATE_LIMITS_JSON", json.dumps({"free": {"burst": 1000, "minute": 1000, "hour": 10_000}}))
    tiers.table.cache_clear()
    yield
    monkeypatch.delenv("RATE_LIMITS_JSON")
    tiers.table.cache_clear()


def test_every_route_answers_what_the_document_says(aws, roomy_rate_limits, monkeypatch):
    api = Recorder()
    run_scenario(api, monkeypatch)
    doc = document()

    problems = []
    for method, resource, status, body in api.calls:
        if (method, resource) in NOT_JSON_API:
            continue
        problems.extend(f"{method} {resource} {status}: {v}" for v in violations(doc, method, resource, status, body))
    assert not problems, "\n".join(problems)

    answered = {(method, resource) for method, resource, status, _ in api.calls if 200 <= status < 300}
    routes = {(method, path) for method, path, _ in template_routes()} - NOT_JSON_API - NEVER_2XX
    assert routes - answered == set(), "routes the scenario never called: add a representative call"
    refused = {(method, resource) for method, resource, status, _ in api.calls if status == 403}
    assert refused >= NEVER_2XX

    # The check bites: drop one field the route returns from the document and the same real body fails.
    created = next(body for m, r, s, body in api.calls if (m, r, s) == ("POST", "/v1/resources", 201))
    assert violations(doc, "POST", "/v1/resources", 201, created) == []
    broken = copy.deepcopy(doc)
    del broken["components"]["schemas"]["ResourceOut"]["properties"]["tags"]
    assert any("tags" in v for v in violations(broken, "POST", "/v1/resources", 201, created))


class KeyedRecorder(Recorder):
    """Every mutating call with an Idempotency-Key, then once more: the route works with its writes held for
    the key's record (platform_api.idempotency), and the second call is the first answer, replayed."""

    def __call__(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        logical_id, resource, _ = function_for(method, path)
        if method == "GET" or (method, resource) in function_module(logical_id).app.never_replayed:
            return super().__call__(method, path, expect, **kwargs)
        kwargs["headers"] = {**kwargs.get("headers", {}), "Idempotency-Key": f"contract-{uuid.uuid4()}"}
        first = super().__call__(method, path, expect, **kwargs)
        again = call(method, path, **kwargs)
        assert (again.status, again.json) == (expect, first), (method, path, again)
        assert again.headers["idempotent-replayed"] == "true", (method, path, again)
        return first


def test_every_route_answers_the_same_with_an_idempotency_key(aws, roomy_rate_limits, monkeypatch):
    api = KeyedRecorder()
    run_scenario(api, monkeypatch)
    doc = document()
    problems = []
    for method, resource, status, body in api.calls:
        if (method, resource) not in NOT_JSON_API:
            problems.extend(
                f"{method} {resource} {status}: {v}" for v in violations(doc, method, resource, status, body)
            )
    assert not problems, "\n".join(problems)


def test_the_strict_check_refuses_unknown_missing_and_mistyped_fields():
    doc = document()
    good = {
        "data": {
            "id": "res_01JD8X3B5Q7ZJ6W0N4M2K8R1TA",
            "name": "n",
            "description": None,
            "type": "standard",
            "status": "active",
            "metadata": {},
            "tags": [],
            "owner": "usr_01JD8X3B5Q7ZJ6W0N4M2K8R1TA",
            "created_at": "2025-01-15T10:00:00Z",
            "updated_at": "2025-01-15T10:00:00Z",
        }
    }
    assert violations(doc, "POST", "/v1/resources", 201, good) == []
    extra = copy.deepcopy(good)
    extra["data"]["surprise"] = 1
    missing = copy.deepcopy(good)
    del missing["data"]["owner"]
    mistyped = copy.deepcopy(good)
    mistyped["data"]["tags"] = "a"
    stamp = copy.deepcopy(good)
    stamp["data"]["created_at"] = "yesterday"
    for bad in (extra, missing, mistyped, stamp):
        assert violations(doc, "POST", "/v1/resources", 201, bad), bad
    assert violations(doc, "POST", "/v1/resources", 200, good)  # an undocumented status
    # A sparse list item may leave out anything but `id`, never add a field.
    sparse = {"id": "res_01JD8X3B5Q7ZJ6W0N4M2K8R1TA", "name": "n"}
    listed = {"data": [sparse], "meta": {}, "links": {}}
    assert any("meta" in v for v in violations(doc, "GET", "/v1/resources", 200, listed))
    assert violations(doc, "GET", "/v1/resources/{resource_id}", 200, {"data": sparse}) == []
    assert violations(doc, "GET", "/v1/resources/{resource_id}", 200, {"data": {"name": "n"}})
