"""Every example of the two reference documents (../shared/spec/), run over HTTP against the local stack.

Each test names its document and section. Where ../shared/spec/README.md decides a difference, the
test says so in a `# README:` comment: ids are prefixed strings (not 004's integers), `meta` carries
both documents' keys, error codes are 000's table in lower case, every route also answers under /api.
docs/reference-examples.md lists each example and its test.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

pytestmark = pytest.mark.e2e

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PASSWORD = "correct horse battery staple"


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


class Api:
    """A logged-in client of the local stack (both base paths)."""

    def __init__(self, base_url: str, prefix: str = ""):
        self.base = f"{base_url}{prefix}"
        self.session = requests.Session()
        self.email = f"{_unique('user')}@example.com"
        self.username = _unique("user_")
        registered = self.session.post(
            f"{self.base}/v1/auth/register",
            json={"email": self.email, "username": self.username, "password": PASSWORD},
            timeout=30,
        )
        assert registered.status_code == 201, registered.text
        self.user = registered.json()["data"]
        tokens = self.login()
        self.session.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        self.tokens = tokens

    def login(self) -> dict:
        reply = self.session.post(
            f"{self.base}/v1/auth/login", json={"email": self.email, "password": PASSWORD}, timeout=30
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def __getattr__(self, method: str):
        def call(path: str, **kwargs):
            return self.session.request(method.upper(), f"{self.base}{path}", timeout=30, **kwargs)

        return call


@pytest.fixture
def api(base_url):
    return Api(base_url)


def _types(obj: dict, expected: dict[str, type | tuple[type, ...]]) -> None:
    for name, kind in expected.items():
        assert name in obj, f"missing field {name!r} in {obj}"
        assert isinstance(obj[name], kind), f"{name}={obj[name]!r} is not {kind}"


def _assert_error(reply: requests.Response, status: int, code: str) -> dict:
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert error["code"] == code
    _types(error, {"message": str, "details": dict, "request_id": str})
    assert error["request_id"].startswith("req_")
    return error


RESOURCE_SUMMARY = {"id": str, "name": str, "type": str, "status": str, "created_at": str, "updated_at": str}


# ------------------------------------------------------------------ document 000: Resources
def test_000_create_resource(api):
    reply = api.post("/v1/resources", json={"name": "New Resource", "type": "standard"})
    assert reply.status_code == 201, reply.text
    data = reply.json()["data"]
    _types(data, RESOURCE_SUMMARY)
    assert data["id"].startswith("res_")  # README: ids are prefixed strings
    assert (data["name"], data["type"], data["status"]) == ("New Resource", "standard", "active")
    assert ISO.match(data["created_at"])
    assert ISO.match(data["updated_at"])


def test_000_create_resource_full_body_and_get_resource(api):
    body = {
        "name": "New Resource",
        "description": "Resource description",
        "type": "standard",
        "metadata": {"key": "value"},
    }
    created = api.post("/v1/resources", json=body).json()["data"]
    reply = api.get(f"/v1/resources/{created['id']}")
    assert reply.status_code == 200
    data = reply.json()["data"]
    _types(data, {**RESOURCE_SUMMARY, "description": str, "metadata": dict})
    assert data["description"] == "Resource description"
    assert data["metadata"] == {"key": "value"}


def test_000_list_resources_with_pagination_and_sort(api):
    for index in range(3):
        api.post("/v1/resources", json={"name": f"Example Resource {index}", "type": "standard"})
    reply = api.get("/v1/resources?page=1&per_page=50&sort=-created_at")
    assert reply.status_code == 200
    body = reply.json()
    assert len(body["data"]) == 3
    for item in body["data"]:
        _types(item, RESOURCE_SUMMARY)
    created = [item["created_at"] for item in body["data"]]
    assert created == sorted(created, reverse=True)
    meta = body["meta"]
    assert (meta["page"], meta["per_page"], meta["total"], meta["total_pages"]) == (1, 50, 3, 1)


def test_000_pagination_page_2(api):
    for index in range(5):
        api.post("/v1/resources", json={"name": f"r{index}"})
    body = api.get("/v1/resources?page=2&per_page=2").json()
    assert len(body["data"]) == 2
    meta = body["meta"]
    assert (meta["page"], meta["per_page"], meta["total"], meta["total_pages"]) == (2, 2, 5, 3)


def test_000_update_resource(api):
    created = api.post("/v1/resources", json={"name": "Old"}).json()["data"]
    reply = api.patch(f"/v1/resources/{created['id']}", json={"name": "Updated Name"})
    assert reply.status_code == 200
    assert reply.json()["data"]["name"] == "Updated Name"
    reply = api.patch(
        f"/v1/resources/{created['id']}", json={"name": "Updated Name", "description": "Updated description"}
    )
    assert reply.json()["data"]["description"] == "Updated description"


def test_000_delete_resource(api):
    created = api.post("/v1/resources", json={"name": "Doomed"}).json()["data"]
    reply = api.delete(f"/v1/resources/{created['id']}")
    assert reply.status_code == 204
    assert reply.content == b""
    _assert_error(api.get(f"/v1/resources/{created['id']}"), 404, "resource_not_found")


def test_000_filter_by_status_and_type(api):
    api.post("/v1/resources", json={"name": "a", "type": "standard", "status": "active"})
    api.post("/v1/resources", json={"name": "b", "type": "premium", "status": "inactive"})
    by_status = api.get("/v1/resources?filter[status]=inactive").json()["data"]
    assert [r["name"] for r in by_status] == ["b"]
    by_type = api.get("/v1/resources?filter[type]=standard").json()["data"]
    assert [r["name"] for r in by_type] == ["a"]


# ------------------------------------------------------------------ document 000: Users
def test_000_get_current_user(api):
    reply = api.get("/v1/users/me")
    assert reply.status_code == 200
    data = reply.json()["data"]
    _types(data, {"id": str, "email": str, "username": str, "profile": dict, "created_at": str})
    assert data["id"].startswith("usr_")
    assert set(data["profile"]) >= {"first_name", "last_name", "avatar_url"}
    assert data["email"] == api.email


def test_000_list_users_without_a_tenant_context(api):
    # README (tenancy): without X-Workspace-ID the personal namespace is the context; its one user is the caller
    reply = api.get("/v1/users?page=1&per_page=20&search=user&role=owner")
    assert reply.status_code == 200, reply.text
    assert [(u["id"], u["role"]) for u in reply.json()["data"]] == [(api.user["id"], "owner")]


def test_000_update_user_profile(api):
    reply = api.patch("/v1/users/me", json={"profile": {"first_name": "Jane", "last_name": "Smith"}})
    assert reply.status_code == 200, reply.text
    profile = reply.json()["data"]["profile"]
    assert (profile["first_name"], profile["last_name"]) == ("Jane", "Smith")


# ------------------------------------------------------------------ document 000: Organizations
def test_000_organizations_crud_and_members(api, base_url):
    slug = _unique("my-org-")
    created = api.post("/v1/organizations", json={"name": "My Organization", "slug": slug})
    assert created.status_code == 201, created.text
    org = created.json()["data"]
    assert org["id"].startswith("wks_")  # README: organizations = workspaces
    assert api.get(f"/v1/organizations/{org['id']}").json()["data"]["slug"] == slug
    assert org["id"] in [o["id"] for o in api.get("/v1/organizations").json()["data"]]
    assert api.patch(f"/v1/organizations/{org['id']}", json={"name": "Renamed"}).json()["data"]["name"] == "Renamed"

    other = Api(base_url)
    added = api.post(f"/v1/organizations/{org['id']}/members", json={"user_id": other.user["id"], "role": "member"})
    assert added.status_code == 201, added.text
    # Joining takes the user's consent (docs/tenancy.md): document 000's request invites, the user accepts.
    assert added.json()["data"]["status"] == "pending"
    assert other.post(f"/v1/invitations/{added.json()['data']['id']}/accept").status_code == 201
    members = api.get(f"/v1/organizations/{org['id']}/members").json()["data"]
    assert {m["user_id"] for m in members} == {api.user["id"], other.user["id"]}
    assert api.delete(f"/v1/organizations/{org['id']}/members/{other.user['id']}").status_code == 204
    assert api.delete(f"/v1/organizations/{org['id']}").status_code == 204
    _assert_error(api.get(f"/v1/organizations/{org['id']}"), 404, "resource_not_found")


# ------------------------------------------------------------------ document 000: Authentication
def test_000_login_refresh_logout_register(base_url):
    client = Api(base_url)
    tokens = client.tokens
    _types(tokens, {"access_token": str, "refresh_token": str, "token_type": str, "expires_in": int})
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    refreshed = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] != tokens["refresh_token"]  # README: refresh rotates the token
    client.session.headers["Authorization"] = f"Bearer {refreshed.json()['access_token']}"
    assert client.post("/v1/auth/logout").status_code in (200, 204)
    _assert_error(client.get("/v1/users/me"), 401, "authentication_required")


# ------------------------------------------------------------------ document 000: Webhooks
def test_000_webhooks_crud_and_test(api):
    created = api.post(
        "/v1/webhooks",
        json={
            "url": "https://your-app.com/webhook",
            "events": ["resource.created", "resource.updated"],
            "secret": "your_secret",
        },
    )
    assert created.status_code == 201, created.text
    hook = created.json()["data"]
    assert hook["id"].startswith("wh_")
    assert hook["events"] == ["resource.created", "resource.updated"]
    assert hook["id"] in [h["id"] for h in api.get("/v1/webhooks").json()["data"]]
    assert "secret" not in api.get("/v1/webhooks").json()["data"][0]  # shown at creation only
    updated = api.patch(f"/v1/webhooks/{hook['id']}", json={"events": ["resource.deleted"]})
    assert updated.json()["data"]["events"] == ["resource.deleted"]
    assert api.delete(f"/v1/webhooks/{hook['id']}").status_code == 204


# ------------------------------------------------------------------ document 000: Rate limits, errors
def test_000_rate_limit_headers_on_every_response(api):
    for reply in (api.get("/v1/resources"), api.get("/v1/resources/res_missing")):
        limit, remaining, reset = (int(reply.headers[f"X-RateLimit-{n}"]) for n in ("Limit", "Remaining", "Reset"))
        assert limit in (50, 60, 1000)  # free: 50 per 10 s, 60/min (000) or 1,000/h (004): the closest to exhaustion
        assert 0 <= remaining < limit
        assert reset > 1_600_000_000


def test_000_rate_limit_headers_without_credentials_too(base_url):
    # README: on EVERY response; a caller without a credential is counted by address
    replies = [
        requests.get(f"{base_url}/v1/health", timeout=30),
        requests.post(f"{base_url}/v1/auth/login", json={"email": "no@example.com", "password": "x" * 12}, timeout=30),
        requests.post(f"{base_url}/v1/auth/refresh", json={"refresh_token": "nope"}, timeout=30),
        requests.post(f"{base_url}/v1/auth/register", json={"email": "not an email"}, timeout=30),
        requests.get(f"{base_url}/v1/resources", timeout=30),
        requests.get(f"{base_url}/v1/resources", headers={"Authorization": "Bearer sk_test_wrong"}, timeout=30),
    ]
    for reply in replies:
        assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(reply.headers), reply.url


def test_000_error_codes(api, base_url):
    _assert_error(api.post("/v1/resources", json={"type": "standard"}), 400, "invalid_request")
    _assert_error(requests.get(f"{base_url}/v1/resources", timeout=30), 401, "authentication_required")
    key = api.post("/v1/api-keys", json={"name": "read only", "scopes": ["read:all"]}).json()["data"]["key"]
    read_only = requests.post(
        f"{base_url}/v1/resources", json={"name": "x"}, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    _assert_error(read_only, 403, "insufficient_permissions")
    _assert_error(api.get("/v1/resources/res_123"), 404, "resource_not_found")


# ------------------------------------------------------------------ document 004: Common parameters
def test_004_pagination_meta_and_links(api):
    for index in range(5):
        api.post("/v1/resources", json={"name": f"r{index}"})
    body = api.get("/v1/resources?page=2&per_page=2").json()
    meta = body["meta"]
    assert (meta["current_page"], meta["per_page"], meta["total"], meta["last_page"]) == (2, 2, 5, 3)
    links = body["links"]
    for name, page in (("first", "1"), ("last", "3"), ("prev", "1"), ("next", "3")):
        url = urlsplit(links[name])
        assert url.scheme in ("http", "https")  # README: absolute links
        assert parse_qs(url.query)["page"] == [page]
        assert parse_qs(url.query)["per_page"] == ["2"]  # README: links keep the other parameters
        assert links[name].startswith(f"{api.base}/v1/resources?")  # the configured base URL: plain HTTP locally
    followed = api.get(links["next"].removeprefix(api.base))
    assert followed.status_code == 200
    assert followed.json()["meta"]["current_page"] == 3
    created = api.post("/v1/resources", json={"name": "located"}, headers={"Host": "evil.example"})
    assert created.headers["Location"] == f"{api.base}/v1/resources/{created.json()['data']['id']}"
    hostile = api.get("/v1/resources?per_page=2", headers={"Host": "evil.example", "X-Forwarded-Proto": "javascript"})
    assert hostile.json()["links"]["next"].startswith(f"{api.base}/v1/resources?")


def test_004_pagination_under_the_api_stage_path(base_url):
    client = Api(base_url, prefix="/api")  # README: the local server answers /api/v1/... too
    client.post("/v1/resources", json={"name": "x"})
    links = client.get("/v1/resources?per_page=1").json()["links"]
    assert urlsplit(links["first"]).path == "/api/v1/resources"


def test_004_filtering_status_and_created_after(api):
    api.post("/v1/resources", json={"name": "on", "status": "active"})
    api.post("/v1/resources", json={"name": "off", "status": "inactive"})
    data = api.get("/v1/resources?status=active&created_after=2024-01-01").json()["data"]
    assert [r["name"] for r in data] == ["on"]
    assert api.get("/v1/resources?status=active&created_after=2999-01-01").json()["data"] == []


def test_004_sorting_multiple_fields(api):
    for name in ("b", "a", "c"):
        api.post("/v1/resources", json={"name": name})
    data = api.get("/v1/resources?sort=name,-created_at").json()["data"]
    assert [r["name"] for r in data] == ["a", "b", "c"]


def test_004_field_selection(api):
    api.post("/v1/resources", json={"name": "x"})
    item = api.get("/v1/resources?fields=id,name,created_at").json()["data"][0]
    assert set(item) == {"id", "name", "created_at"}


def test_004_includes(api):
    api.post("/v1/resources", json={"name": "x", "tags": ["blue"], "metadata": {"k": "v"}})
    item = api.get("/v1/resources?include=owner,tags,metadata").json()["data"][0]
    assert item["owner"]["id"] == api.user["id"]
    assert item["tags"] == ["blue"]
    assert item["metadata"] == {"k": "v"}


def test_004_idempotency_key(api):
    headers = {"Idempotency-Key": "550e8400-e29b-41d4-a716-446655440000"}
    first = api.post("/v1/resources", json={"name": "once"}, headers=headers)
    second = api.post("/v1/resources", json={"name": "once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert api.get("/v1/resources").json()["meta"]["total"] == 1


def test_004_tenant_context_headers_and_query(api):
    workspace = api.post("/v1/workspaces", json={"name": "Tenant", "slug": _unique("tenant-")}).json()["data"]
    by_header = api.post("/v1/resources", json={"name": "in workspace"}, headers={"X-Workspace-ID": workspace["id"]})
    assert by_header.status_code == 201, by_header.text
    listed = api.get(f"/v1/resources?workspace_id={workspace['id']}").json()["data"]
    assert [r["name"] for r in listed] == ["in workspace"]
    assert api.get("/v1/resources").json()["data"] == []  # the personal namespace is another tenant


def test_004_validation_error_shape(base_url):
    reply = requests.post(f"{base_url}/v1/auth/register", json={"username": "x", "password": PASSWORD}, timeout=30)
    error = _assert_error(reply, 400, "invalid_request")  # README: 004's VALIDATION_ERROR is invalid_request
    assert "email" in error["details"]
    assert all(isinstance(m, str) for m in error["details"]["email"])


# ------------------------------------------------------------------ document 004: Workspaces
def test_004_workspaces(api):
    created = api.post(
        "/v1/workspaces", json={"name": "New Workspace", "slug": _unique("new-workspace-"), "tier": "free"}
    )
    assert created.status_code == 201, created.text
    workspace = created.json()["data"]
    _types(workspace, {"id": str, "name": str, "slug": str, "tier": str, "created_at": str, "updated_at": str})
    listed = api.get("/v1/workspaces").json()["data"]
    assert workspace["id"] in [w["id"] for w in listed]
    detail = api.get(f"/v1/workspaces/{workspace['id']}").json()["data"]
    _types(detail["settings"], {"timezone": str, "locale": str})
    updated = api.patch(
        f"/v1/workspaces/{workspace['id']}", json={"name": "Updated Name", "settings": {"timezone": "Europe/London"}}
    )
    assert updated.status_code == 200
    assert updated.json()["data"]["settings"]["timezone"] == "Europe/London"
    assert api.delete(f"/v1/workspaces/{workspace['id']}").status_code == 204


# ------------------------------------------------------------------ document 004: Namespaces
def test_004_namespaces_list_get_and_entitlement_check(api):
    listed = api.get("/v1/namespaces").json()["data"]
    personal = next(n for n in listed if n["owner_type"] == "User")
    _types(
        personal,
        {
            "id": str,
            "uuid": str,
            "name": str,
            "slug": str,
            "owner_type": str,
            "is_default": bool,
            "is_active": bool,
            "created_at": str,
        },
    )
    assert personal["id"].startswith("ns_")
    assert personal["workspace_id"] is None
    uuid.UUID(personal["uuid"])
    detail = api.get(f"/v1/namespaces/{personal['id']}").json()["data"]
    assert isinstance(detail["packages"], list)
    storage = detail["entitlements"]["storage"]
    _types(storage, {"used": int, "limit": int, "unit": str})
    _types(detail["entitlements"]["api_calls"], {"used": int, "limit": int, "reset_at": str})

    check = api.post(
        f"/v1/namespaces/{personal['id']}/entitlements/check",
        json={"feature": "storage", "quantity": storage["limit"] + 1},
    )
    assert check.status_code == 200, check.text
    body = check.json()
    assert body["allowed"] is False
    assert body["reason"] == "LIMIT_EXCEEDED"
    assert re.match(
        r"^Storage limit exceeded\. Used: \d+\.\d\d GB, Available: \d+\.\d\d GB, Requested: \d+\.\d\d GB$",
        body["message"],
    )
    _types(body, {"current_usage": int, "limit": int, "available": int})
    assert body["limit"] == storage["limit"]


# ------------------------------------------------------------------ document 004: Users
def test_004_users_in_a_workspace_and_current_user(api, base_url):
    workspace = api.post("/v1/workspaces", json={"name": "Team", "slug": _unique("team-")}).json()["data"]
    other = Api(base_url)
    invited = api.post(f"/v1/workspaces/{workspace['id']}/members", json={"user_id": other.user["id"]}).json()
    assert other.post(f"/v1/invitations/{invited['data']['id']}/accept").status_code == 201
    listed = api.get("/v1/users", headers={"X-Workspace-ID": workspace["id"]})
    assert listed.status_code == 200, listed.text
    users = listed.json()["data"]
    assert {u["id"] for u in users} == {api.user["id"], other.user["id"]}
    for user in users:
        _types(user, {"id": str, "name": (str, type(None)), "email": str, "tier": str, "created_at": str})
        assert "email_verified_at" in user
    assert api.get("/v1/user").json()["data"]["id"] == api.user["id"]
    example = {"name": "Jane Doe", "email": f"{_unique('jane')}@example.com"}  # document 004, as printed
    # docs/reference-examples.md: an email change proves the password again (issue 19, I7)
    asked = api.patch(f"/v1/users/{api.user['id']}", json=example)
    assert asked.status_code == 400
    assert "current_password" in asked.json()["error"]["details"]
    renamed = api.patch(f"/v1/users/{api.user['id']}", json={**example, "current_password": PASSWORD})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["data"]["name"] == "Jane Doe"
    assert renamed.json()["data"]["email_verified_at"] is None  # until the new address is confirmed


# ------------------------------------------------------------------ document 004: API keys
def test_004_api_keys(api, base_url):
    created = api.post(
        "/v1/api-keys",
        json={
            "name": "New API Key",
            "scopes": ["read:all"],
            "rate_limit_tier": "free",
            "expires_at": "2099-01-01T00:00:00Z",
        },
    )
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    _types(data, {"id": str, "name": str, "key": str, "scopes": list, "created_at": str})
    assert data["key"].startswith("sk_test_")  # README: sk_test_ on any stage but production
    listed = api.get("/v1/api-keys").json()["data"]
    entry = next(k for k in listed if k["id"] == data["id"])
    assert "key" not in entry  # the secret is shown once
    _types(entry, {"id": str, "name": str, "prefix": str, "scopes": list, "rate_limit_tier": str, "created_at": str})
    assert requests.get(f"{base_url}/v1/users/me", headers={"Authorization": f"Bearer {data['key']}"}, timeout=30).ok
    assert api.delete(f"/v1/api-keys/{data['id']}").status_code == 204
    revoked = requests.get(f"{base_url}/v1/users/me", headers={"Authorization": f"Bearer {data['key']}"}, timeout=30)
    _assert_error(revoked, 401, "authentication_required")


# ------------------------------------------------------------------ document 004: Webhooks
def test_004_webhook_test_and_deliveries(api):
    hook = api.post(
        "/v1/webhooks",
        json={"url": "https://your-app.com/webhooks", "events": ["resource.created"], "secret": "whsec_abc123"},
    ).json()["data"]
    listed = api.get("/v1/webhooks").json()["data"][0]
    _types(listed, {"id": str, "url": str, "events": list, "is_active": bool, "created_at": str})
    tested = api.post(f"/v1/webhooks/{hook['id']}/test")
    assert tested.status_code == 200, tested.text
    _types(tested.json(), {"success": bool, "response_time_ms": int})
    assert "status_code" in tested.json()
    deliveries = api.get(f"/v1/webhooks/{hook['id']}/deliveries")
    assert deliveries.status_code == 200
    for delivery in deliveries.json()["data"]:
        _types(delivery, {"id": str, "event_type": str, "status": str, "attempts": int})


# ------------------------------------------------------------------ document 004: Batch, usage
def test_004_batch_operations(api):
    existing = api.post("/v1/resources", json={"name": "before"}).json()["data"]
    reply = api.post(
        "/v1/resources/batch",
        json={
            "operations": [
                {"action": "create", "data": {"name": "made in batch"}},
                {"action": "update", "id": existing["id"], "data": {"name": "after"}},
            ]
        },
    )
    assert reply.status_code == 200, reply.text
    assert len(reply.json()["data"]) == 2
    assert api.get(f"/v1/resources/{existing['id']}").json()["data"]["name"] == "after"


def test_004_usage(api):
    reply = api.get("/v1/usage")
    assert reply.status_code == 200, reply.text
    assert isinstance(reply.json()["data"], dict)
