"""API-call metering (issue 14, point 5): every authenticated tenant request counts against a namespace's month,
with no second write on the request path; the stream consumer adds each call exactly once, to a namespace
the caller may act in; the month's `used` is what the API shows, and at the limit the answer is a 429."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from platform_api.dal import metering as metering_dal
from platform_api.dal import ratelimit
from platform_api.db import client, table_name
from platform_api.domain import entitlements, metering
from platform_api.timeutil import utcnow
from tests.helpers import FakeContext, call, drain_stream, function_module
from tests.identity_support import create_api_key, register_user

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@pytest.fixture(autouse=True)
def fresh_cache():
    metering._seen.clear()  # each container caches a namespace's month for CACHE_SECONDS
    yield
    metering._seen.clear()


@pytest.fixture
def alice(aws):
    return register_user()


@pytest.fixture
def bob(aws):
    return register_user()


def _drain(keep: list | None = None) -> int:
    return drain_stream("MeteringFunction", keep=keep)


def _used(namespace_id: str, month: int | None = None) -> int:
    return metering_dal.used_and_limit(namespace_id, month or metering_dal.month_of(utcnow()))[0]


def _workspace(owner: dict, member: dict | None = None) -> dict:
    slug = f"team-{uuid.uuid4().hex[:8]}"
    reply = call("POST", "/v1/workspaces", body={"name": "Team", "slug": slug}, token=owner["access_token"])
    assert reply.status == 201, reply
    workspace = reply.json["data"]
    if member:
        base = f"/v1/workspaces/{workspace['id']}/members"
        invited = call("POST", base, body={"user_id": member["user_id"]}, token=owner["access_token"])
        accepted = call("POST", f"/v1/invitations/{invited.json['data']['id']}/accept", token=member["access_token"])
        assert accepted.status in (200, 201), accepted
    return workspace


def _limit_calls(namespace_id: str, limit: int) -> None:
    """Give the namespace an `api_calls` limit of `limit` (what an operator's package or custom limit does)."""
    client().update_item(
        TableName=table_name(),
        Key={"PK": {"S": f"NS#{namespace_id}"}, "SK": {"S": "ENTITLEMENT#api_calls"}},
        UpdateExpression="SET used = :zero, remaining = :limit",
        ExpressionAttributeValues={":zero": {"N": "0"}, ":limit": {"N": str(limit)}},
    )


def _check_calls(namespace_id: str, token: str) -> dict:
    path = f"/v1/namespaces/{namespace_id}/entitlements/check"
    reply = call("POST", path, body={"feature": "api_calls", "quantity": 1}, token=token)
    assert reply.status == 200, reply
    return reply.json


# ---------------------------------------------------------------------------------------------- measured
def test_after_n_calls_the_namespace_shows_n_once_the_consumer_ran(alice):
    namespace, token = alice["namespace_id"], alice["access_token"]
    _drain()  # registration is not an authenticated request: nothing to count
    assert _used(namespace) == 0
    for _ in range(7):
        assert call("GET", "/v1/resources", token=token).status == 200
    assert _used(namespace) == 0  # nothing on the request path writes the month
    _drain()
    detail = call("GET", f"/v1/namespaces/{namespace}", token=token).json["data"]
    api_calls = detail["entitlements"]["api_calls"]
    assert api_calls["used"] == 7
    assert api_calls["limit"] == 10_000  # the free package's, unchanged
    assert api_calls["reset_at"] == metering_dal.month_end(metering_dal.month_of(utcnow())).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    _drain()  # the GET above named the namespace in its path: it counts too
    checked = _check_calls(namespace, token)
    assert (checked["current_usage"], checked["limit"], checked["available"]) == (8, 10_000, 9_992)
    _drain()
    usage = call("GET", "/v1/usage", token=token).json["data"]
    assert usage["namespaces"][0]["entitlements"]["api_calls"]["used"] == 9


def test_sessions_and_api_keys_both_count(alice):
    namespace, token = alice["namespace_id"], alice["access_token"]
    key = create_api_key(token, scopes=["read:all"])["key"]
    _drain()
    before = _used(namespace)
    for _ in range(3):
        assert call("GET", "/v1/resources", token=token).status == 200
    for _ in range(4):
        assert call("GET", "/v1/resources", token=key).status == 200
    _drain()
    assert _used(namespace) == before + 7


def test_a_replayed_or_regrouped_stream_batch_adds_nothing_twice(alice):
    namespace, token = alice["namespace_id"], alice["access_token"]
    _drain()
    for _ in range(5):
        call("GET", "/v1/resources", token=token)
    batches: list[dict] = []
    _drain(keep=batches)
    assert _used(namespace) == 5
    consumer = function_module("MeteringFunction")
    records = [record for batch in batches for record in batch["Records"]]
    assert len(records) >= 5  # one per request (the local backend may add a keys-only insert)
    for batch in batches:  # the same batch delivered again
        assert consumer.handler(batch, FakeContext()) == {"batchItemFailures": []}
    assert _used(namespace) == 5
    # a retry that starts mid-way, and one that goes further than the first delivery
    consumer.handler({"Records": records[2:4]}, FakeContext())
    call("GET", "/v1/resources", token=token)
    more: list[dict] = []
    _drain(keep=more)  # counts the 6th call
    assert _used(namespace) == 6
    consumer.handler({"Records": records + more[0]["Records"]}, FakeContext())
    assert _used(namespace) == 6


def test_a_partial_first_delivery_then_the_whole_batch_counts_each_call_once(alice):
    namespace, token = alice["namespace_id"], alice["access_token"]
    _drain()
    for _ in range(4):
        call("GET", "/v1/resources", token=token)
    batches: list[dict] = []
    # read the records without handing them over, then hand them over as a failed and retried delivery would
    consumer = function_module("MeteringFunction")
    original = consumer.handler
    try:
        consumer.handler = lambda event, context: (batches.append(event), {})[1]
        _drain()
    finally:
        consumer.handler = original
    records = [r for r in batches[0]["Records"] if "hc" in (r["dynamodb"].get("NewImage") or {})]
    assert len(records) == 4
    original({"Records": records[:1]}, FakeContext())
    assert _used(namespace) == 1
    original({"Records": records}, FakeContext())
    assert _used(namespace) == 4


# ---------------------------------------------------------------------------------------------- attribution
def test_naming_a_foreign_namespace_or_workspace_counts_against_the_callers_own(alice, bob):
    victim, attacker = alice["namespace_id"], bob["namespace_id"]
    workspace = _workspace(alice)
    _drain()
    victim_before = _used(victim)
    victim_workspace_before = _used(workspace["default_namespace_id"])
    attacker_before = _used(attacker)
    token = bob["access_token"]
    replies = [
        call("GET", "/v1/resources", headers={"X-Namespace-ID": victim}, token=token),
        call("GET", "/v1/resources", query={"namespace_id": victim}, token=token),
        call("GET", "/v1/resources", headers={"X-Workspace-ID": workspace["id"]}, token=token),
        call("GET", f"/v1/namespaces/{victim}", token=token),
        call("GET", f"/v1/workspaces/{workspace['id']}", token=token),
        call("GET", "/v1/resources", headers={"X-Namespace-ID": "ns_not-an-id"}, token=token),
        call("GET", "/v1/resources", headers={"X-Namespace-ID": "n#" + victim}, token=token),
    ]
    assert [r.status for r in replies[:5]] == [404] * 5
    _drain()
    assert _used(victim) == victim_before
    assert _used(workspace["default_namespace_id"]) == victim_workspace_before
    assert _used(attacker) == attacker_before + len(replies)


def test_a_member_naming_the_workspace_counts_in_its_namespace(alice, bob):
    workspace = _workspace(alice, member=bob)
    namespace = workspace["default_namespace_id"]
    _drain()
    before, own_before = _used(namespace), _used(bob["namespace_id"])
    for headers in ({"X-Workspace-ID": workspace["id"]}, {"X-Namespace-ID": namespace}):
        assert call("GET", "/v1/resources", headers=headers, token=bob["access_token"]).status == 200
    _drain()
    assert _used(namespace) == before + 2
    assert _used(bob["namespace_id"]) == own_before


def test_the_hint_is_a_well_formed_id_or_none():
    ulid = "01JD3X0000000000000000000Z"
    assert metering.hint({"headers": {"X-Namespace-ID": f"ns_{ulid}"}}) == f"ns_{ulid}"
    assert metering.hint({"headers": {"x-workspace-id": f"wks_{ulid}"}}) == f"wks_{ulid}"
    assert metering.hint({"queryStringParameters": {"namespace_id": f"ns_{ulid}"}}) == f"ns_{ulid}"
    assert metering.hint({"path": f"/v1/namespaces/ns_{ulid}/entitlements"}) == f"ns_{ulid}"
    assert metering.hint({"path": f"/v1/workspaces/wks_{ulid}/members"}) == f"wks_{ulid}"
    assert metering.hint({"path": "/v1/resources"}) is None
    for hostile in (f"ns_{ulid}x", f"usr_{ulid}", "ns_../../x", f"ns_{ulid.lower()}", "x" * 500):
        assert metering.hint({"headers": {"X-Namespace-ID": hostile}}) is None


ROOMY = {"burst": 10_000, "minute": 10_000, "hour": 10_000}


def test_made_up_ids_cannot_grow_the_hour_item_without_bound(alice):
    """A caller naming ever new (well-formed) ids: past MAX_NAMED_PER_HOUR the request counts in their own
    namespace, so the hour item (read and written by every request) stays small."""
    from ulid import ULID

    user_id, own = alice["user_id"], alice["namespace_id"]
    made_up = [f"ns_{ULID()}" for _ in range(ratelimit.MAX_NAMED_PER_HOUR + 8)]
    for named in made_up:
        ratelimit.count_session(user_id, "ses_x", ROOMY, own, named)
    ratelimit.count_session(user_id, "ses_x", ROOMY, own, made_up[0])  # a tenant already named: by name
    item = ratelimit.get_raw(ratelimit.session_key(user_id, int(utcnow().timestamp()) // 3600))
    named = {name for name in item if name.startswith("n#") and name != f"n#{own}"}
    assert len(named) == ratelimit.MAX_NAMED_PER_HOUR
    assert len(item["nh"]["SS"]) == ratelimit.MAX_NAMED_PER_HOUR
    assert item[f"n#{made_up[0]}"] == {"N": "2"}
    assert item[f"n#{own}"] == {"N": "8"}
    assert item["hc"] == {"N": str(len(made_up) + 1)}
    # a full window is still a full window, the cap notwithstanding
    with pytest.raises(ratelimit.ConditionFailed):
        ratelimit.count_session(user_id, "ses_x", {**ROOMY, "hour": len(made_up) + 1}, own, f"ns_{ULID()}")


# ---------------------------------------------------------------------------------------------- cost
def test_the_request_path_makes_exactly_one_write(alice, dynamodb_calls):
    token = alice["access_token"]
    key = create_api_key(token, scopes=["read:all"])["key"]
    call("GET", "/v1/resources", token=key)  # the key's first request of the hour starts its window
    metering._seen.clear()
    dynamodb_calls.clear()
    call("GET", "/v1/resources", headers={"X-Namespace-ID": alice["namespace_id"]}, token=token)
    first = list(dynamodb_calls)
    assert [op for op in first if op in WRITES] == ["UpdateItem"]
    dynamodb_calls.clear()
    call("GET", "/v1/resources", headers={"X-Namespace-ID": alice["namespace_id"]}, token=token)
    # the namespace's month is cached in the container: the second request reads it no more
    assert len(dynamodb_calls) == len(first) - 1
    assert [op for op in dynamodb_calls if op in WRITES] == ["UpdateItem"]
    dynamodb_calls.clear()
    call("GET", "/v1/resources", token=key)
    assert [op for op in dynamodb_calls if op in WRITES] == ["UpdateItem", "UpdateItem"]  # as before metering
    hour_item = ratelimit.get_raw(ratelimit.session_key(alice["user_id"], int(utcnow().timestamp()) // 3600))
    assert hour_item[f"n#{alice['namespace_id']}"] == {"N": "5"}  # the key's creation and four reads


# ---------------------------------------------------------------------------------------------- over the limit
def test_over_the_monthly_limit_tenant_requests_are_429_until_the_month_resets(alice):
    namespace, token = alice["namespace_id"], alice["access_token"]
    _limit_calls(namespace, 3)
    _drain()
    for _ in range(3):
        assert call("GET", "/v1/resources", token=token).status == 200
    _drain()
    metering._seen.clear()  # as after CACHE_SECONDS
    refused = call("GET", "/v1/resources", token=token)
    assert refused.status == 429, refused
    error = refused.json["error"]
    assert error["code"] == "limit_exceeded"
    assert error["details"] == {"api_calls": ["Monthly limit reached."]}
    reset = metering_dal.month_end(metering_dal.month_of(utcnow()))
    retry_after = int(refused.headers["retry-after"])
    assert 0 < retry_after <= int(reset.timestamp() - utcnow().timestamp()) + 1
    assert error["retry_after"] == retry_after
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(refused.headers)
    assert call("POST", "/v1/resources", body={"name": "x"}, token=token).status == 429
    # the namespace stays readable through its own routes, which say why
    detail = call("GET", f"/v1/namespaces/{namespace}", token=token)
    assert detail.status == 200
    assert detail.json["data"]["entitlements"]["api_calls"]["used"] >= 3
    checked = _check_calls(namespace, token)
    assert checked["allowed"] is False
    # another namespace of the same caller is not affected
    other = _workspace(alice)
    assert call("GET", "/v1/resources", headers={"X-Workspace-ID": other["id"]}, token=token).status == 200


def test_the_month_boundary_starts_a_new_count(alice, monkeypatch):
    namespace, token = alice["namespace_id"], alice["access_token"]
    _limit_calls(namespace, 2)
    _drain()
    november = datetime(2026, 11, 30, 23, 59, 30, tzinfo=UTC)
    december = datetime(2026, 12, 1, 0, 0, 30, tzinfo=UTC)
    for module in (ratelimit, metering, entitlements):
        monkeypatch.setattr(module, "utcnow", lambda: november)
    for _ in range(2):
        assert call("GET", "/v1/resources", token=token).status == 200
    _drain()
    metering._seen.clear()
    assert call("GET", "/v1/resources", token=token).status == 429
    for module in (ratelimit, metering, entitlements):
        monkeypatch.setattr(module, "utcnow", lambda: december)
    assert call("GET", "/v1/resources", token=token).status == 200  # a new month: nothing measured yet
    _drain()
    assert _used(namespace, 202611) == 3  # a refused request is an authenticated request too: it counts
    assert _used(namespace, 202612) == 1
    api_calls = call("GET", f"/v1/namespaces/{namespace}", token=token).json["data"]["entitlements"]["api_calls"]
    assert (api_calls["used"], api_calls["reset_at"]) == (1, "2027-01-01T00:00:00Z")


def test_usage_and_the_namespace_show_one_number_metered_once(alice):
    """Issue 21: `GET /v1/usage` reported 41 calls while the namespace's `api_calls.used` said 0. Both now come from
    the one count each request makes on the user's hour item: for a user acting only in their personal namespace,
    the caller's calls this month and the namespace's measured calls agree (but for the usage request itself,
    counted before it reads, which the consumer has not seen yet)."""
    namespace, token = alice["namespace_id"], alice["access_token"]
    for _ in range(5):
        assert call("GET", "/v1/resources", token=token).status == 200
    key = create_api_key(token, scopes=["read:all"])["key"]
    for _ in range(3):
        assert call("GET", "/v1/resources", token=key).status == 200
    _drain()
    usage = call("GET", "/v1/usage", token=token).json["data"]
    [personal] = [n for n in usage["namespaces"] if n["id"] == namespace]
    assert usage["api_calls"]["this_month"] == 5 + 1 + 3 + 1  # + the key's creation, + this request
    assert personal["entitlements"]["api_calls"]["used"] == usage["api_calls"]["this_month"] - 1
