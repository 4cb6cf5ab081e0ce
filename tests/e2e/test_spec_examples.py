"""Every example request of both reference documents, run as printed against the local stack (issue 21).

tests/e2e/spec_examples.json is extracted from ../shared/spec by `python -m local.spec_examples --write` (a unit
test fails when it is stale). Each request is sent as printed: its method, path and query, its headers (no
Content-Type where the document prints none; a browser's `fetch` sends a string body as text/plain) and its body,
with only the base URL, credentials and ids substituted: `YOUR_TOKEN`, `${apiKey}` and `eyJhbGc...` by real tokens,
`res_123`, `{id}`, `usr_789`, `123`, `456`, ... by objects of that kind created for the request. Where the
documents' example cannot succeed as printed, OUTCOMES says what it answers and why (docs/reference-examples.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from tests.identity_support import register_user_http

pytestmark = pytest.mark.e2e

EXAMPLES = json.loads((Path(__file__).with_name("spec_examples.json")).read_text())
PUBLIC = {"/v1/auth/login", "/v1/auth/register", "/v1/auth/refresh"}
# (document, line) -> (status, why), for the examples that cannot succeed as printed.
OUTCOMES = {
    ("000", 221): (400, "Update Organization prints no body: a PATCH must change something"),
    ("000", 314): (400, "Update Webhook prints no body: a PATCH must change something"),
    ("000", 250): (401, "logs in as user@example.com / 'password': no account can have that password (policy)"),
    ("004", 69): (400, "prints the Idempotency-Key header but no body: the resource's name is required"),
    ("004", 282): (400, "an email change must carry current_password (issue 19, I7)"),
    ("004", 307): (400, "its expires_at 2025-01-01 is in the past (the `pro` tier itself works once upgraded)"),
}
PLACEHOLDER_DATA = {"name": "Example Resource"}  # what 004's batch example prints as `{...}`
ROOT = Path(__file__).resolve().parents[2]
# Examples that ask for a paid tier: a free account cannot sell itself one (issue 14), so an operator upgrades the
# caller first, as a customer who bought `pro` would have been.
PAID = re.compile(r'"(rate_limit_)?tier":\s*"(pro|business|enterprise)"')


class Caller:
    """One registered user of the stack and the objects examples name, each made fresh for one request."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.user = register_user_http(base_url)
        self.auth = {"Authorization": f"Bearer {self.user['access_token']}"}

    def post(self, path: str, body: dict | None = None, token: str | None = None) -> dict:
        auth = {"Authorization": f"Bearer {token}"} if token else self.auth
        reply = requests.post(f"{self.base_url}{path}", json=body, headers=auth, timeout=30)
        assert reply.status_code in (200, 201), (path, reply.text)
        return reply.json()["data"]

    def resource(self) -> str:
        return self.post("/v1/resources", {"name": "Example Resource"})["id"]

    def workspace(self) -> str:
        return self.post("/v1/workspaces", {"name": "Example", "slug": f"example-{uuid.uuid4().hex[:10]}"})["id"]

    def member(self, workspace_id: str) -> str:
        other = register_user_http(self.base_url)
        invitation = self.post(f"/v1/workspaces/{workspace_id}/members", {"user_id": other["user_id"]})
        self.post(f"/v1/invitations/{invitation['id']}/accept", token=other["access_token"])
        return other["user_id"]

    def webhook(self) -> str:
        return self.post("/v1/webhooks", {"url": "https://your-app.com/webhooks", "events": ["resource.created"]})["id"]

    def fresh_login(self) -> dict:
        reply = requests.post(
            f"{self.base_url}/v1/auth/login",
            json={"email": self.user["email"], "password": self.user["password"]},
            timeout=30,
        )
        return reply.json()


def _substitute(example: dict, caller: Caller) -> tuple[str, str, dict, str | None]:
    """The request to send: the example with base URL, credentials and ids replaced, nothing else."""
    target = example["target"]
    target = re.sub(r"^https://api\.example\.com/v1", "/v1", target)
    if target.startswith("/") and not target.startswith(("/v1/", "/api/v1/")):
        target = "/v1" + target  # document 000's paths are relative to its base URL, https://api.example.com/v1
    body = example["body"]
    headers = dict(example["headers"])
    made: dict[str, str] = {}

    def workspace() -> str:
        if "workspace" not in made:
            made["workspace"] = caller.workspace()
        return made["workspace"]

    def namespace() -> str:
        if "namespace" not in made:
            reply = requests.get(f"{caller.base_url}/v1/workspaces/{workspace()}", headers=caller.auth, timeout=30)
            made["namespace"] = reply.json()["data"]["default_namespace_id"]
        return made["namespace"]

    def segment(match: re.Match) -> str:
        collection, value = match.group(1), match.group(2)
        if collection == "resources" and value != "batch":
            return f"/resources/{caller.resource()}"
        if collection in ("organizations", "workspaces"):
            return f"/{collection}/{workspace()}"
        if collection == "members":
            return f"/members/{caller.member(workspace())}"
        if collection == "webhooks":
            return f"/webhooks/{caller.webhook()}"
        if collection == "namespaces":
            return f"/namespaces/{caller.user['namespace_id']}"
        if collection == "api-keys":
            return f"/api-keys/{caller.post('/v1/api-keys', {'name': 'to revoke'})['id']}"
        if collection == "users" and value != "me":
            return f"/users/{caller.user['user_id']}"
        return match.group(0)

    path, _, query = target.partition("?")
    path = re.sub(
        r"/(resources|organizations|workspaces|members|webhooks|namespaces|api-keys|users)/([^/]+)", segment, path
    )
    if query:
        query = re.sub(r"workspace_id=123", lambda _: f"workspace_id={workspace()}", query)
        query = re.sub(r"namespace_id=456", lambda _: f"namespace_id={namespace()}", query)
    if headers.get("X-Workspace-ID") == "123":
        headers["X-Workspace-ID"] = workspace()
    if headers.get("X-Namespace-ID") == "456":
        headers["X-Namespace-ID"] = namespace()
    if headers.get("Idempotency-Key") == "crypto.randomUUID()":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    credential = caller.user["access_token"]
    if path.endswith("/auth/logout"):
        credential = caller.fresh_login()["access_token"]  # ending the caller's own session would end the run's
    if "Authorization" in headers or path.removeprefix("/api") not in PUBLIC:
        headers["Authorization"] = f"Bearer {credential}"
    if body is not None:
        body = body.replace('"eyJhbGc..."', json.dumps(caller.fresh_login()["refresh_token"]))
        body = body.replace('"usr_789"', json.dumps(register_user_http(caller.base_url)["user_id"]))
        body = body.replace('"res_123"', json.dumps(caller.resource()))
        body = body.replace("{...}", json.dumps(PLACEHOLDER_DATA))
        if example.get("client") == "fetch":
            body = json.dumps({"name": "New Resource", "type": "standard"})  # `data`, which 004 leaves undefined
            headers.setdefault("Content-Type", "text/plain;charset=UTF-8")  # what fetch sends for a string
    return example["method"], f"{caller.base_url}{path}{'?' + query if query else ''}", headers, body


@pytest.fixture
def caller(base_url):
    return Caller(base_url)  # one user per example: 62 examples would exceed one free user's 60 a minute


@pytest.fixture(scope="module")
def operator_key(base_url, local_data_dir) -> str:
    """An operator key from the documented bootstrap (docs/operators.md), against the running stack's data."""
    done = subprocess.run(
        [sys.executable, "-m", "local.operator", "--data-dir", str(local_data_dir), "create", "--name", "examples"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e['document']}:{e['line']}:{e['method']}")
def test_example_works_as_printed(caller, example, operator_key):
    if PAID.search(example["body"] or ""):
        upgraded = requests.patch(
            f"{caller.base_url}/v1/admin/users/{caller.user['user_id']}",
            json={"tier": "pro", "reason": "the example's customer bought pro"},
            headers={"Authorization": f"Bearer {operator_key}"},
            timeout=30,
        )
        assert upgraded.status_code == 200, upgraded.text
    method, url, headers, body = _substitute(example, caller)
    session = requests.Session()
    request = requests.Request(method, url, headers=headers, data=body.encode() if body is not None else None)
    prepared = session.prepare_request(request)
    if example.get("client") != "fetch" and "Content-Type" not in headers:
        prepared.headers.pop("Content-Type", None)  # as printed: the document names no type
    reply = session.send(prepared, timeout=30)
    expected, why = OUTCOMES.get((example["document"], example["line"]), (None, ""))
    if expected is None:
        assert 200 <= reply.status_code < 300, f"{method} {url}: {reply.status_code} {reply.text[:300]}"
    else:
        assert reply.status_code == expected, f"{why}: {reply.status_code} {reply.text[:300]}"
        assert set(reply.json()["error"]) >= {"code", "message", "details", "request_id"}
    assert "X-RateLimit-Remaining" in reply.headers
