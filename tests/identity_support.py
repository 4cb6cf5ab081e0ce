"""Identity helpers other groups' tests use: register a user and get tokens, in process or over HTTP.

In process (inside a test that uses the `aws` fixture):

    from tests.identity_support import register_user, create_api_key
    alice = register_user()                       # {"user", "access_token", "refresh_token", "email", "password", ...}
    call("GET", "/v1/users/me", token=alice["access_token"])
    key = create_api_key(alice["access_token"], scopes=["read:all"])   # {"id", "key", ...}

Over HTTP (e2e, with the `base_url` fixture):

    from tests.identity_support import register_user_http
    bob = register_user_http(base_url)
"""

from __future__ import annotations

import uuid
from typing import Any

DEFAULT_PASSWORD = "correct horse battery staple"


def _identity(email: str | None, username: str | None) -> tuple[str, str]:
    tag = uuid.uuid4().hex[:12]
    return email or f"user-{tag}@example.com", username or f"user_{tag}"


def _result(body: dict[str, Any], email: str, password: str) -> dict[str, Any]:
    return {
        "user": body["data"],
        "user_id": body["data"]["id"],
        "access_token": body["access_token"],
        "refresh_token": body["refresh_token"],
        "email": email,
        "password": password,
        # The personal default namespace (also in the access token's `ns` claim).
        "namespace_id": body["data"].get("default_namespace_id"),
    }


def register_user(
    email: str | None = None,
    password: str | None = None,
    *,
    username: str | None = None,
    name: str | None = None,
    source_ip: str | None = None,
) -> dict[str, Any]:
    """Register a fresh user through the auth function in process; returns user and tokens.

    Needs the `aws` fixture. Each call uses a distinct source IP unless one is given, so that many
    registrations in one test never meet the per-IP registration limit.
    """
    from tests.helpers import FakeContext, Reply, api_event, function_for, function_module

    email, username = _identity(email, username)
    password = password or DEFAULT_PASSWORD
    payload: dict[str, Any] = {"email": email, "username": username, "password": password}
    if name:
        payload["name"] = name
    event = api_event("POST", "/v1/auth/register", body=payload)
    event["requestContext"]["identity"]["sourceIp"] = source_ip or f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    logical_id, _, _ = function_for("POST", "/v1/auth/register")
    reply = Reply(function_module(logical_id).handler(event, FakeContext()))
    assert reply.status == 201, reply
    return _result(reply.json, email, password)


def login(email: str, password: str = DEFAULT_PASSWORD) -> dict[str, Any]:
    """Log in in process; returns the token object (access_token, refresh_token, ...)."""
    from tests.helpers import call

    reply = call("POST", "/v1/auth/login", body={"email": email, "password": password})
    assert reply.status == 200, reply
    return reply.json


def create_api_key(access_token: str, **fields: Any) -> dict[str, Any]:
    """Create an API key in process for the token's user; returns the created key (with its secret `key`)."""
    from tests.helpers import call

    body = {"name": fields.pop("name", "test key"), **fields}
    reply = call("POST", "/v1/api-keys", body=body, token=access_token)
    assert reply.status == 201, reply
    return reply.json["data"]


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------------------------------------- over HTTP
def register_user_http(
    base_url: str,
    email: str | None = None,
    password: str | None = None,
    *,
    username: str | None = None,
    session: Any = None,
) -> dict[str, Any]:
    """Register a fresh user against a running stack (the e2e `base_url` fixture)."""
    import requests

    email, username = _identity(email, username)
    password = password or DEFAULT_PASSWORD
    http = session or requests
    response = http.post(
        f"{base_url}/v1/auth/register",
        json={"email": email, "username": username, "password": password},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return _result(response.json(), email, password)


def create_api_key_http(base_url: str, access_token: str, *, session: Any = None, **fields: Any) -> dict[str, Any]:
    import requests

    http = session or requests
    body = {"name": fields.pop("name", "test key"), **fields}
    response = http.post(f"{base_url}/v1/api-keys", json=body, headers=auth_headers(access_token), timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["data"]
