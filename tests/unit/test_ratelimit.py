"""Rate limiting and its cost: one DynamoDB call per authenticated request, one small item, exact counts."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from platform_api import errors, state, tiers
from platform_api.dal import ratelimit
from platform_api.domain import auth
from tests.helpers import api_event, call
from tests.identity_support import create_api_key, register_user

KEY_ATTRIBUTE_BUDGET = 1024


@pytest.fixture
def alice(aws):
    return register_user()


def _authenticate(token: str):
    state.begin("req_test")
    return auth.authenticate_request(APIGatewayProxyEvent(api_event("GET", "/v1/users/me", token=token)))


def _freeze(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(ratelimit, "utcnow", lambda: moment)


def _item_size(item: dict) -> int:
    """DynamoDB's item size: attribute names plus values (numbers counted generously as their digits)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        ((kind, raw),) = value.items()
        if kind in ("S", "N"):
            size += len(str(raw).encode())
        elif kind == "L":
            size += 3 + sum(len(v.get("S", "")) + 1 for v in raw)
        elif kind == "SS":
            size += sum(len(v) for v in raw)
        else:
            size += len(json.dumps(raw))
    return size


def _key_item(key_id: str) -> dict:
    return ratelimit.get_raw({"PK": {"S": f"KEY#{key_id}"}, "SK": {"S": "KEY"}})


# ---------------------------------------------------------------------------------------------- cost
def test_a_session_request_costs_one_update_item(alice, dynamodb_calls):
    _authenticate(alice["access_token"])  # warm-up: nothing to do for sessions, but keep symmetric
    dynamodb_calls.clear()
    principal = _authenticate(alice["access_token"])
    assert principal.kind == "session"
    assert dynamodb_calls == ["UpdateItem"]


def test_an_api_key_request_costs_two_update_items_its_own_and_its_owners(alice, dynamodb_calls):
    key = create_api_key(alice["access_token"], scopes=["read:all"])
    _authenticate(key["key"])  # the first request of the hour starts the key's window
    dynamodb_calls.clear()
    principal = _authenticate(key["key"])
    assert principal.kind == "api_key"
    assert principal.key_id == key["id"]
    assert dynamodb_calls == ["UpdateItem", "UpdateItem"]


def test_the_owners_tier_holds_across_all_of_their_keys(alice, monkeypatch):
    """Issue 19, F5: twelve keys used to be twelve full buckets (~840 requests a minute for a 60/min user)."""
    _freeze(monkeypatch, datetime(2026, 3, 1, 9, 0, 5, tzinfo=UTC))  # one 10-second slot, whatever the clock says
    limit = tiers.limits("free")["burst"]  # the tightest window within ten seconds
    keys = [create_api_key(alice["access_token"], scopes=["read:all"])["key"] for _ in range(12)]
    credentials = [alice["access_token"], *keys]
    outcomes = []
    for index in range(limit):
        try:
            _authenticate(credentials[index % len(credentials)])
            outcomes.append("ok")
        except errors.RateLimitExceeded:
            outcomes.append("429")
    # the twelve POST /v1/api-keys above were requests of the same user in the same slot
    assert outcomes.count("ok") == limit - 12
    assert outcomes[-12:] == ["429"] * 12


def test_a_user_has_at_most_the_documented_number_of_live_keys(alice):
    from platform_api.domain.api_keys import MAX_KEYS_PER_USER

    made = [create_api_key(alice["access_token"])["id"] for _ in range(MAX_KEYS_PER_USER)]
    refused = call("POST", "/v1/api-keys", body={"name": "one too many"}, token=alice["access_token"])
    assert refused.status == 409
    assert call("DELETE", f"/v1/api-keys/{made[0]}", token=alice["access_token"]).status == 204
    again = call("POST", "/v1/api-keys", body={"name": "room again"}, token=alice["access_token"])
    assert again.status == 201


def test_the_key_item_is_in_no_index_and_stays_small(alice, monkeypatch):
    """An item in a GSI (projection ALL) would double every request's write; stale minutes must not pile up."""
    key = create_api_key(alice["access_token"], scopes=["read:all", "write:all"], name="k" * 200)
    start = datetime(2026, 3, 1, 9, 0, 30, tzinfo=UTC)
    for minute in range(0, 150, 1):  # every minute of two and a half hours
        _freeze(monkeypatch, start + timedelta(minutes=minute))
        ratelimit.count_api_key(key["id"], auth._sha256(key["key"]))
    item = _key_item(key["id"])
    assert not {"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"} & set(item)
    minutes = [name for name in item if name.startswith("m") and name[1:].isdigit()]
    assert len(minutes) == 30  # only the current hour's minutes (9:00 + 150 min = 11:30)
    assert item["hc"]["N"] == "30"
    assert _item_size(item) < KEY_ATTRIBUTE_BUDGET


def test_a_new_hour_starts_fresh_counts_for_a_key(alice, monkeypatch):
    key = create_api_key(alice["access_token"])
    secret_hash = auth._sha256(key["key"])
    _freeze(monkeypatch, datetime(2026, 3, 1, 9, 59, 50, tzinfo=UTC))
    for _ in range(3):
        ratelimit.count_api_key(key["id"], secret_hash)
    _freeze(monkeypatch, datetime(2026, 3, 1, 10, 0, 5, tzinfo=UTC))
    _, windows = ratelimit.count_api_key(key["id"], secret_hash)
    assert (windows.minute_used, windows.hour_used) == (1, 1)
    assert "m59" not in _key_item(key["id"])


# ---------------------------------------------------------------------------------------------- exactness
def test_two_hundred_concurrent_key_requests_against_sixty_per_minute(alice, monkeypatch):
    key = create_api_key(alice["access_token"])  # free tier: 60 per minute
    secret_hash = auth._sha256(key["key"])
    _freeze(monkeypatch, datetime(2026, 3, 1, 9, 30, 1, tzinfo=UTC))

    def request(_: int) -> bool:
        try:
            ratelimit.count_api_key(key["id"], secret_hash)
        except ratelimit.ConditionFailed:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(request, range(200)))
    assert outcomes.count(True) == 60
    item = _key_item(key["id"])
    assert item["hc"]["N"] == "60"
    assert item["m30"]["N"] == "60"


def test_the_hour_window_holds_across_minutes(aws, monkeypatch):
    user_id, session_id = "usr_hourly", "ses_hourly"
    start = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
    allowed = 0
    for minute in range(4):
        _freeze(monkeypatch, start + timedelta(minutes=minute))
        for _ in range(4):
            try:
                ratelimit.count_session(user_id, session_id, {"burst": 3, "minute": 3, "hour": 10})
                allowed += 1
            except ratelimit.ConditionFailed:
                pass
    assert allowed == 10  # 3 + 3 + 3 + 1: the hour's 10 are spent in the fourth minute


# ---------------------------------------------------------------------------------------------- over HTTP
def test_429_carries_retry_after_and_the_headers(alice, monkeypatch):
    monkeypatch.setattr(tiers, "limits", lambda tier, custom=None: {"burst": 2, "minute": 2, "hour": 1000})
    token = alice["access_token"]
    assert call("GET", "/v1/users/me", token=token).status == 200
    assert call("GET", "/v1/users/me", token=token).status == 200
    refused = call("GET", "/v1/users/me", token=token)
    assert refused.status == 429
    assert refused.json["error"]["code"] == "rate_limit_exceeded"
    retry_after = refused.json["error"]["retry_after"]
    assert 1 <= retry_after <= 60
    assert refused.headers["retry-after"] == str(retry_after)
    assert refused.headers["x-ratelimit-limit"] == "2"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert int(refused.headers["x-ratelimit-reset"]) - int(time.time()) <= 60


def test_headers_on_success_and_client_errors_for_keys(alice, monkeypatch):
    _freeze(monkeypatch, datetime.now(UTC))  # the three requests in one 10-second slot
    key = create_api_key(alice["access_token"], scopes=["read:resources"])
    ok = call("GET", "/v1/resources", token=key["key"])
    forbidden = call("GET", "/v1/api-keys", token=key["key"])
    assert (ok.status, forbidden.status) == (200, 403)
    # the owner's burst window is the closest to exhaustion: creating the key was its first request
    assert ok.headers["x-ratelimit-remaining"] == "48"
    assert forbidden.headers["x-ratelimit-remaining"] == "47"
    assert forbidden.headers["x-ratelimit-limit"] == "50"


def test_the_window_closest_to_exhaustion_is_reported():
    now = 3600 * 100 + 30
    nearly_spent_hour = ratelimit.Windows(minute_used=1, minute_limit=60, hour_used=995, hour_limit=1000, now=now)
    assert nearly_spent_hour.closest() == (1000, 5, 3600 * 101)
    fresh = ratelimit.Windows(minute_used=1, minute_limit=60, hour_used=1, hour_limit=1000, now=now)
    assert fresh.closest() == (60, 59, 3600 * 100 + 60)
    assert ratelimit.Windows(60, 60, 60, 1000, now).exhausted_retry_after() == 30


def test_tiers_are_configuration(monkeypatch):
    assert [tiers.limits(t)["minute"] for t in tiers.ORDER] == [60, 600, 3000, 6000]
    assert [tiers.limits(t)["hour"] for t in tiers.ORDER[:3]] == [1000, 10000, 50000]
    monkeypatch.setenv("RATE_LIMITS_JSON", json.dumps({"enterprise": {"burst": 6000, "minute": 6000, "hour": 250000}}))
    tiers.table.cache_clear()
    try:
        assert tiers.limits("enterprise")["hour"] == 250000
        assert tiers.limits("free")["minute"] == 60
    finally:
        monkeypatch.delenv("RATE_LIMITS_JSON")
        tiers.table.cache_clear()


def test_login_is_throttled_per_email(alice, monkeypatch):
    monkeypatch.setattr(auth, "LOGIN_LIMIT_PER_MINUTE", 3)
    for _ in range(3):
        assert (
            call("POST", "/v1/auth/login", body={"email": alice["email"], "password": "wrong-password"}).status == 401
        )
    refused = call("POST", "/v1/auth/login", body={"email": alice["email"], "password": alice["password"]})
    assert refused.status == 429
    assert int(refused.headers["retry-after"]) >= 1


def test_registration_is_throttled_per_source_ip(aws, monkeypatch):
    monkeypatch.setattr(auth, "REGISTER_LIMIT_PER_HOUR", 2)
    register_user(source_ip="192.0.2.7")
    register_user(source_ip="192.0.2.7")
    with pytest.raises(errors.RateLimitExceeded):
        auth.register("third@example.com", "third_user", "long enough password", None, "192.0.2.7")


# ---------------------------------------------------------------------------------------------- anonymous callers
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/health", None),
        ("POST", "/v1/auth/register", {"email": "x"}),
        ("POST", "/v1/auth/login", {"email": "nobody@example.com", "password": "wrong password here"}),
        ("POST", "/v1/auth/refresh", {"refresh_token": "not-a-token"}),
        ("GET", "/v1/openapi.json", None),
        ("GET", "/v1/resources", None),  # no credential: 401
    ],
)
def test_every_response_without_a_credential_carries_its_addresss_window(aws, method, path, body):
    # the address is API Gateway's sourceIp: an X-Forwarded-For the caller writes moves nothing
    first = call(method, path, body=body, headers={"X-Forwarded-For": "198.51.100.7"})
    second = call(method, path, body=body)
    for reply in (first, second):
        assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(reply.headers), reply
    assert int(second.headers["x-ratelimit-remaining"]) == int(first.headers["x-ratelimit-remaining"]) - 1
    assert int(first.headers["x-ratelimit-reset"]) > time.time()


def test_a_refused_token_carries_the_window_too(aws):
    reply = call("GET", "/v1/users/me", token="eyJ.not.a-token")
    assert reply.status == 401
    assert int(reply.headers["x-ratelimit-remaining"]) >= 0


def test_an_address_over_its_anonymous_window_is_429_naming_it(aws, monkeypatch):
    from platform_api.domain import anonymous

    monkeypatch.setattr(anonymous, "LIMITS", {"burst": 3, "minute": 3, "hour": 1000})
    replies = [call("GET", "/v1/health") for _ in range(4)]
    assert [r.status for r in replies] == [200, 200, 200, 429]
    refused = replies[-1]
    assert refused.json["error"]["code"] == "rate_limit_exceeded"
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert int(refused.headers["retry-after"]) >= 1
