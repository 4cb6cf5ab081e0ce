"""The operator plane (issue 14): operator keys exist only through the bootstrap, are stored hashed, and stop
working once revoked or expired; no tenant credential reaches them.

OWASP API5 (function level authorization) across planes; the route-by-route matrix, built from template.yaml, is
in tests/unit/test_route_policies.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import timedelta

import boto3
import pytest

from tests.helpers import call
from tests.identity_support import create_api_key, register_user

KEYS = "/v1/admin/operator-keys"


def _bootstrap(name: str = "jane (on-call)", **kwargs) -> dict:
    from platform_api.domain import operators

    return operators.create_key(name, created_by="tests", **kwargs)


def _scan(aws) -> list[dict]:
    return boto3.client("dynamodb", region_name="us-east-1").scan(TableName=aws["Table"]["Ref"])["Items"]


def _stored(aws) -> list[dict]:
    return [item for item in _scan(aws) if not item["PK"]["S"].startswith("RATE#")]


def test_a_bootstrapped_key_is_shown_once_and_stored_as_a_hash_only(aws):
    created = _bootstrap()
    secret = created["key"]
    assert secret.startswith("opk_test_")
    assert created["id"].startswith("opk_")
    listed = call("GET", KEYS, token=secret)
    assert listed.status == 200, listed
    [entry] = listed.json["data"]
    assert (entry["id"], entry["scopes"]) == (created["id"], ["admin:platform"])
    assert entry["last_used_at"]  # this very request
    assert "key" not in entry
    assert secret not in json.dumps(listed.json)
    stored = json.dumps(_scan(aws))
    assert secret not in stored
    assert hashlib.sha256(secret.encode()).hexdigest() in stored


@pytest.mark.parametrize(
    "scopes", [["admin:platform"], ["read:all", "admin:platform"], ["write:all", "admin:workspace", "admin:platform"]]
)
def test_no_tenant_route_mints_an_operator_key(aws, scopes):
    owner = register_user()
    token = owner["access_token"]
    before = _stored(aws)
    reply = call("POST", "/v1/api-keys", body={"name": "escalate", "scopes": scopes}, token=token)
    assert reply.status == 403, reply
    assert reply.json["error"]["code"] == "insufficient_permissions"
    assert "scopes" in reply.json["error"]["details"]
    assert _stored(aws) == before  # nothing written but the request's rate count: no key, counter or event
    assert call("GET", "/v1/api-keys", token=token).json["data"] == []


def test_a_session_and_an_all_powerful_api_key_still_cannot_list_operator_keys(aws):
    _bootstrap()
    owner = register_user()
    key = create_api_key(owner["access_token"], scopes=["write:all", "admin:workspace"])["key"]
    for token in (owner["access_token"], key):
        reply = call("GET", KEYS, token=token)
        assert (reply.status, reply.json["error"]["code"]) == (403, "insufficient_permissions")
        assert "opk_" not in json.dumps(reply.json)


def test_a_revoked_operator_key_is_refused_at_once(aws):
    jane, bob = _bootstrap("jane"), _bootstrap("bob")
    assert call("GET", KEYS, token=bob["key"]).status == 200
    assert call("DELETE", f"{KEYS}/{bob['id']}", token=jane["key"]).status == 204
    refused = call("GET", KEYS, token=bob["key"])
    assert (refused.status, refused.json["error"]["code"]) == (401, "authentication_required")
    assert call("POST", "/v1/admin/webhooks/dead-letters/redrive", token=bob["key"]).status == 401
    assert [k["id"] for k in call("GET", KEYS, token=jane["key"]).json["data"]] == [jane["id"]]
    again = call("DELETE", f"{KEYS}/{bob['id']}", token=jane["key"])
    assert again.status == 404
    # an operator may revoke their own key (the bootstrap makes a new one); it is refused from then on
    assert call("DELETE", f"{KEYS}/{jane['id']}", token=jane["key"]).status == 204
    assert call("GET", KEYS, token=jane["key"]).status == 401


def test_a_tenant_api_key_id_cannot_be_revoked_through_the_operator_plane(aws):
    operator = _bootstrap()
    owner = register_user()
    tenant_key = create_api_key(owner["access_token"], scopes=["read:all"])
    reply = call("DELETE", f"{KEYS}/{tenant_key['id']}", token=operator["key"])
    assert reply.status == 404
    assert call("GET", "/v1/users/me", token=tenant_key["key"]).status == 200  # still works


def test_an_expired_or_forged_operator_key_is_refused(aws, monkeypatch):
    from platform_api import timeutil
    from platform_api.domain import operators

    created = _bootstrap(expires_at=timeutil.utcnow() + timedelta(hours=1))
    assert call("GET", KEYS, token=created["key"]).status == 200
    forged = created["key"][:-4] + ("AAAA" if not created["key"].endswith("AAAA") else "BBBB")
    assert call("GET", KEYS, token=forged).status == 401
    later = timeutil.utcnow() + timedelta(hours=2)
    monkeypatch.setattr(operators, "utcnow", lambda: later)
    monkeypatch.setattr("platform_api.dal.ratelimit.utcnow", lambda: later)
    assert call("GET", KEYS, token=created["key"]).status == 401


def test_the_bootstrap_command_works_against_a_running_backend(moto_server, tmp_path):
    """`python -m local.operator`, in its own process as an operator runs it, against a running local backend
    found through the backend.json the local stack writes."""
    from local import operator
    from local.template import ROOT

    url, physical = moto_server
    operator.write_backend(tmp_path, url, physical)

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "local.operator", "--data-dir", str(tmp_path), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    printed = run("create", "--name", "first operator").splitlines()
    secret = printed[-1]
    assert secret.startswith("opk_test_")
    assert "not shown again" in printed[0]
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=url)
    stored = json.dumps(client.scan(TableName=physical["Table"]["Ref"])["Items"])
    assert secret not in stored
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    key_id = "opk_" + secret.removeprefix("opk_test_").split("_")[0]
    assert [k["id"] for k in json.loads(run("list"))] == [key_id]
    assert secret not in run("list")
    assert "Revoked" in run("revoke", key_id)
    assert json.loads(run("list")) == []
    assert json.loads(run("dead-letters"))["waiting"] == 0


def test_no_tenant_credential_grants_or_removes_a_package(aws):
    """Issue 14, point 3: what a namespace may consume is the operators' to grant. The owner's session and a key
    with every tenant scope are refused on their own namespace (403), a foreign one stays a 404, nothing changes;
    an operator key grants and removes."""
    from platform_api.domain.auth import SCOPES

    owner = register_user()
    session, namespace = owner["access_token"], owner["namespace_id"]
    everything = create_api_key(session, scopes=sorted(SCOPES))["key"]
    stranger = register_user()["access_token"]
    packages = f"/v1/namespaces/{namespace}/packages"

    def granted() -> list[str]:
        return [p["id"] for p in call("GET", packages, token=session).json["data"]]

    for token in (session, everything):
        for method, path, body in (
            ("POST", packages, {"package_id": "pkg_business"}),
            ("DELETE", f"{packages}/pkg_free", None),
        ):
            reply = call(method, path, body=body, token=token)
            assert (reply.status, reply.json["error"]["code"]) == (403, "insufficient_permissions"), reply
            assert "/v1/admin/namespaces" in reply.json["error"]["message"]
    assert call("POST", packages, body={"package_id": "pkg_business"}, token=stranger).status == 404
    assert granted() == ["pkg_free"]

    operator = _bootstrap()["key"]
    admin = f"/v1/admin/namespaces/{namespace}/packages"
    for token in (session, everything):
        assert call("POST", admin, body={"package_id": "pkg_business"}, token=token).status == 403
    assert call("POST", admin, body={"package_id": "pkg_business"}, token=operator).status == 201
    assert granted() == ["pkg_free", "pkg_business"]
    assert call("DELETE", f"{admin}/pkg_business", token=operator).status == 204
    assert granted() == ["pkg_free"]
