"""Identity end to end in process: register, login, me, refresh rotation and reuse, logout, tokens, API keys."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.helpers import call
from tests.identity_support import create_api_key, login, register_user


@pytest.fixture
def alice(aws):
    return register_user()


def test_full_session_flow(alice):
    me = call("GET", "/v1/users/me", token=alice["access_token"])
    assert me.status == 200
    assert me.json["data"]["email"] == alice["email"]
    assert call("GET", "/v1/user", token=alice["access_token"]).json["data"]["id"] == alice["user_id"]

    tokens = login(alice["email"], alice["password"])
    assert (tokens["token_type"], tokens["expires_in"]) == ("Bearer", 3600)
    refreshed = call("POST", "/v1/auth/refresh", body={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status == 200
    assert refreshed.json["refresh_token"] != tokens["refresh_token"]
    access = refreshed.json["access_token"]

    assert call("POST", "/v1/auth/logout", token=access).status == 204
    after = call("POST", "/v1/auth/refresh", body={"refresh_token": refreshed.json["refresh_token"]})
    assert after.status == 401
    assert call("GET", "/v1/users/me", token=access).status == 401  # the access token stops at once
    assert call("GET", "/v1/users/me", token=tokens["access_token"]).status == 401  # same session, older token
    assert call("GET", "/v1/users/me", token=alice["access_token"]).status == 200  # another session lives on


def test_refresh_token_reuse_revokes_the_family(alice):
    first = login(alice["email"], alice["password"])
    second = call("POST", "/v1/auth/refresh", body={"refresh_token": first["refresh_token"]}).json
    reused = call("POST", "/v1/auth/refresh", body={"refresh_token": first["refresh_token"]})
    assert reused.status == 401
    assert call("POST", "/v1/auth/refresh", body={"refresh_token": second["refresh_token"]}).status == 401
    assert call("GET", "/v1/users/me", token=second["access_token"]).status == 401


def test_login_failures_say_nothing_specific(alice):
    wrong_password = call("POST", "/v1/auth/login", body={"email": alice["email"], "password": "nope-nope-nope"})
    no_user = call("POST", "/v1/auth/login", body={"email": "ghost@example.com", "password": "nope-nope-nope"})
    assert wrong_password.status == no_user.status == 401
    assert wrong_password.json["error"]["message"] == no_user.json["error"]["message"]


def test_duplicate_email_or_username_is_409(alice):
    again = call(
        "POST",
        "/v1/auth/register",
        body={"email": alice["email"].upper(), "username": "someone_else", "password": "long enough pw"},
    )
    assert again.status == 409
    assert "email" in again.json["error"]["details"]


def test_password_policy_is_length_only(aws):
    short = call(
        "POST", "/v1/auth/register", body={"email": "s@example.com", "username": "shorty", "password": "short"}
    )
    assert short.status == 400
    assert "password" in short.json["error"]["details"]
    assert register_user(password="alllowercaseletters")["access_token"]


def _forge(claims: dict, key: str = "wrong", algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def test_forged_expired_none_and_wrong_audience_tokens_are_401(alice):
    good = jwt.decode(alice["access_token"], options={"verify_signature": False})
    from platform_api.keys import signing_key

    key = signing_key("jwt")
    cases = [
        _forge(good),  # wrong key
        jwt.encode(good, None, algorithm="none"),
        jwt.encode({**good, "aud": "someone-else"}, key, algorithm="HS256"),
        jwt.encode({**good, "exp": int(time.time()) - 10}, key, algorithm="HS256"),
        alice["access_token"][:-2] + "xx",
        "not-a-token",
    ]
    for token in cases:
        reply = call("GET", "/v1/users/me", token=token)
        assert reply.status == 401, token
        assert reply.json["error"]["code"] == "authentication_required"
        assert reply.headers["www-authenticate"].startswith("Bearer")
    assert call("GET", "/v1/users/me").status == 401


def test_api_key_shown_once_scoped_and_revocable(alice):
    key = create_api_key(alice["access_token"], scopes=["read:resources"])
    assert key["key"].startswith("sk_test_")
    listed = call("GET", "/v1/api-keys", token=alice["access_token"]).json["data"]
    assert [k["id"] for k in listed] == [key["id"]]
    assert "key" not in listed[0]
    assert "secret_hash" not in listed[0]

    assert call("GET", "/v1/resources", token=key["key"]).status == 200
    denied = call("POST", "/v1/resources", token=key["key"], body={"name": "x"})
    assert denied.status == 403
    assert denied.json["error"]["code"] == "insufficient_permissions"
    assert call("GET", "/v1/users/me", token=key["key"]).status == 403

    assert call("DELETE", f"/v1/api-keys/{key['id']}", token=alice["access_token"]).status == 204
    assert call("GET", "/v1/resources", token=key["key"]).status == 401
    assert call("GET", "/v1/resources", token=key["key"][:-3] + "abc").status == 401


def test_api_key_tier_never_above_the_owner(alice):
    reply = call("POST", "/v1/api-keys", token=alice["access_token"], body={"name": "k", "rate_limit_tier": "pro"})
    assert reply.status == 403


def test_expired_key_stops_working(alice):
    import boto3

    key = create_api_key(alice["access_token"], expires_at="2099-01-01T00:00:00Z")
    assert call("GET", "/v1/resources", token=key["key"]).status == 200
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName="local-Table",
        Key={"PK": {"S": f"KEY#{key['id']}"}, "SK": {"S": "KEY"}},
        UpdateExpression="SET expires_epoch = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    assert call("GET", "/v1/resources", token=key["key"]).status == 401


def test_rate_limit_headers_on_success_and_error(alice):
    ok = call("GET", "/v1/users/me", token=alice["access_token"])
    missing = call("GET", "/v1/resources/res_missing", token=alice["access_token"])
    assert missing.status == 404
    for reply in (ok, missing):
        assert reply.headers["x-ratelimit-limit"] == "50"  # the free tier's 10-second burst is the tightest
        assert 0 <= int(reply.headers["x-ratelimit-remaining"]) < 50
        assert int(reply.headers["x-ratelimit-reset"]) > time.time()
    # the second request counted too (unless a new 10-second slot began between them)
    assert int(missing.headers["x-ratelimit-remaining"]) <= int(ok.headers["x-ratelimit-remaining"])


def test_a_refused_request_names_the_exhausted_window(alice, monkeypatch):
    from platform_api import tiers

    monkeypatch.setenv("RATE_LIMITS_JSON", '{"free": {"burst": 2, "minute": 2, "hour": 1000}}')
    tiers.table.cache_clear()
    try:
        replies = [call("GET", "/v1/users/me", token=alice["access_token"]) for _ in range(3)]
    finally:
        tiers.table.cache_clear()
    assert [r.status for r in replies] == [200, 200, 429]
    refused = replies[-1]
    assert refused.headers["x-ratelimit-limit"] == "2"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert int(refused.headers["x-ratelimit-reset"]) > time.time()


def test_writable_user_fields_are_an_allowlist(alice):
    token = alice["access_token"]
    assert call("PATCH", "/v1/users/me", token=token, body={"tier": "enterprise"}).status == 400
    updated = call("PATCH", "/v1/users/me", token=token, body={"profile": {"first_name": "Jane", "last_name": "Smith"}})
    assert updated.status == 200
    assert updated.json["data"]["profile"]["first_name"] == "Jane"
    assert updated.json["data"]["tier"] == "free"


def test_another_users_id_is_404(alice):
    bob = register_user()
    assert call("GET", f"/v1/users/{bob['user_id']}", token=alice["access_token"]).status == 404
    assert call("PATCH", f"/v1/users/{bob['user_id']}", token=alice["access_token"], body={"name": "x"}).status == 404


def test_register_creates_the_personal_namespace_used_by_default(alice):
    created = call("POST", "/v1/resources", token=alice["access_token"], body={"name": "mine"})
    assert created.status == 201, created
    bob = register_user()
    assert call("GET", f"/v1/resources/{created.json['data']['id']}", token=bob["access_token"]).status == 404
    foreign = call("GET", "/v1/resources", token=bob["access_token"], headers={"X-Namespace-ID": alice["namespace_id"]})
    assert foreign.status == 404
