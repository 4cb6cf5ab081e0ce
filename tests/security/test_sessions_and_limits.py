"""Red-team findings F6, L1, L3, L5, L6, L7 (issue 19).

OWASP API2 (broken authentication): sessions are never answered from the idempotency store; wrong passwords
from elsewhere cannot lock a user out. API5 (function level): webhook management is an admin action; an
inactive namespace refuses writes. API8 (misconfiguration): the docs page is framed by nobody and keeps no token.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from platform_api import errors
from tests.identity_support import DEFAULT_PASSWORD, register_user_http

pytestmark = pytest.mark.e2e


def _auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def _login(base_url: str, email: str) -> dict:
    reply = requests.post(f"{base_url}/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_api2_logout_is_never_replayed_for_another_session(base_url):
    user = register_user_http(base_url)
    first, second = _login(base_url, user["email"]), _login(base_url, user["email"])
    key = {"Idempotency-Key": uuid.uuid4().hex}
    out = f"{base_url}/v1/auth/logout"
    assert requests.post(out, headers=_auth(first["access_token"], **key), timeout=30).status_code == 204
    again = requests.post(out, headers=_auth(second["access_token"], **key), timeout=30)
    assert again.status_code == 204
    assert "Idempotent-Replayed" not in again.headers
    me = requests.get(f"{base_url}/v1/users/me", headers=_auth(second["access_token"]), timeout=30)
    assert me.status_code == 401  # the second session really ended


def test_api2_a_refresh_is_never_replayed_after_its_family_rotated(base_url):
    user = register_user_http(base_url)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"refresh_token": user["refresh_token"]}
    first = requests.post(f"{base_url}/v1/auth/refresh", json=body, headers=key, timeout=30)
    assert first.status_code == 200
    replay = requests.post(f"{base_url}/v1/auth/refresh", json=body, headers=key, timeout=30)
    assert replay.status_code == 401  # reuse detected, not a stored 200 with a live token
    rotated = {"refresh_token": first.json()["refresh_token"]}
    assert requests.post(f"{base_url}/v1/auth/refresh", json=rotated, timeout=30).status_code == 401  # family gone


def test_api2_wrong_passwords_from_another_address_do_not_lock_the_user_out(aws):
    from platform_api.domain import auth
    from tests.identity_support import register_user

    victim = register_user()
    for _ in range(auth.LOGIN_LIMIT_PER_MINUTE):
        with pytest.raises(errors.AuthenticationRequired):
            auth.login(victim["email"], "not the password", "198.51.100.66")
    with pytest.raises(errors.RateLimitExceeded):
        auth.login(victim["email"], "not the password", "198.51.100.66")  # the attacker is slowed down
    tokens = auth.login(victim["email"], DEFAULT_PASSWORD, "203.0.113.7")  # the user is not
    assert tokens["access_token"]


def test_api5_an_inactive_namespace_refuses_writes_and_keeps_reads(base_url):
    user = register_user_http(base_url)
    auth = _auth(user["access_token"])
    namespace = requests.post(
        f"{base_url}/v1/namespaces",
        json={"name": "Archive", "slug": f"a-{uuid.uuid4().hex[:8]}"},
        headers=auth,
        timeout=30,
    ).json()["data"]
    in_it = _auth(user["access_token"], **{"X-Namespace-ID": namespace["id"]})
    created = requests.post(f"{base_url}/v1/resources", json={"name": "kept"}, headers=in_it, timeout=30)
    assert created.status_code == 201
    patched = requests.patch(
        f"{base_url}/v1/namespaces/{namespace['id']}", json={"is_active": False}, headers=auth, timeout=30
    )
    assert patched.status_code == 200, patched.text
    refused = requests.post(f"{base_url}/v1/resources", json={"name": "new"}, headers=in_it, timeout=30)
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["namespace_id"]
    resource_url = f"{base_url}/v1/resources/{created.json()['data']['id']}"
    assert requests.patch(resource_url, json={"name": "x"}, headers=in_it, timeout=30).status_code == 409
    assert requests.get(resource_url, headers=in_it, timeout=30).status_code == 200
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["resource.created"]}
    assert requests.post(f"{base_url}/v1/webhooks", json=hook, headers=in_it, timeout=30).status_code == 409


def test_api5_a_plain_member_cannot_repoint_or_rekey_the_workspaces_webhook(base_url):
    owner, member = register_user_http(base_url), register_user_http(base_url)
    owner_auth = _auth(owner["access_token"])
    workspace = requests.post(f"{base_url}/v1/workspaces", json={"name": "W"}, headers=owner_auth, timeout=30).json()[
        "data"
    ]
    in_workspace = {"X-Workspace-ID": workspace["id"]}
    hook = requests.post(
        f"{base_url}/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["resource.created"]},
        headers={**owner_auth, **in_workspace},
        timeout=30,
    ).json()["data"]
    members = f"{base_url}/v1/workspaces/{workspace['id']}/members"
    invited = requests.post(members, json={"user_id": member["user_id"]}, headers=owner_auth, timeout=30).json()["data"]
    accept = f"{base_url}/v1/invitations/{invited['id']}/accept"
    assert requests.post(accept, headers=_auth(member["access_token"]), timeout=30).status_code == 201

    as_member = _auth(member["access_token"], **in_workspace)
    hook_url = f"{base_url}/v1/webhooks/{hook['id']}"
    assert requests.get(hook_url, headers=as_member, timeout=30).status_code == 200  # members read
    repoint = requests.patch(hook_url, json={"url": "http://127.0.0.1:10/evil"}, headers=as_member, timeout=30)
    assert repoint.status_code == 403
    rekey = requests.post(f"{hook_url}/rotate-secret", headers=as_member, timeout=30)
    assert rekey.status_code == 403
    assert requests.delete(hook_url, headers=as_member, timeout=30).status_code == 403


def test_api8_the_docs_page_cannot_be_framed_and_keeps_no_token(base_url):
    page = requests.get(f"{base_url}/v1/docs", timeout=30)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "persistAuthorization: false" in page.text
