"""What is sold is granted by the operator (issue 14): tiers, custom limits, package grants that lapse, and the
audit trail; each change is one transaction with its event, and reaches live credentials on their next request.

The route-by-route refusal of tenant credentials on /v1/admin is tests/unit/test_route_policies.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from platform_api import errors, tiers
from platform_api.dal import ratelimit
from platform_api.ids import new_id
from tests.helpers import FakeContext, call, function_module
from tests.identity_support import create_api_key, register_user


def _sweep() -> int:
    """One run of the minute's sweeper, through its handler (functions/plan_expiry) as the schedule invokes it."""
    event = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
    return function_module("PlanExpiryFunction").handler(event, FakeContext())["lapsed"]


@pytest.fixture
def operator(aws) -> str:
    from platform_api.domain import operators

    return operators.create_key("billing", created_by="tests")["key"]


def _events(aws, event_type: str) -> list[dict]:
    items = boto3.client("dynamodb", region_name="us-east-1").scan(TableName=aws["Table"]["Ref"])["Items"]
    return [
        json.loads(item["payload"]["S"])
        for item in items
        if item["PK"]["S"].startswith("EVENT#") and item["event_type"]["S"] == event_type
    ]


def _limits(namespace_id: str, token: str) -> dict[str, int]:
    reply = call("GET", f"/v1/namespaces/{namespace_id}", token=token)
    assert reply.status == 200, reply.json
    return {feature: entry["limit"] for feature, entry in reply.json["data"]["entitlements"].items()}


def test_a_tier_change_moves_the_limits_of_a_token_minted_before_it(aws, operator):
    user = register_user()
    token, user_id = user["access_token"], user["user"]["id"]
    before = call("GET", "/v1/users/me", token=token)
    assert before.headers["x-ratelimit-limit"] == str(tiers.limits("free")["burst"])
    namespace_id = call("GET", "/v1/usage", token=token).json["data"]["namespaces"][0]["id"]
    free_limits = _limits(namespace_id, token)

    changed = call("PATCH", f"/v1/admin/users/{user_id}", token=operator, body={"tier": "pro", "reason": "INV-1"})
    assert changed.status == 200, changed.json
    assert changed.json["data"]["tier"] == "pro"
    assert changed.json["data"]["rate_limits"] == tiers.limits("pro")

    # the same access token, minted while the user was free, now counts with pro's limits
    after = call("GET", "/v1/usage", token=token)
    assert after.status == 200
    assert after.headers["x-ratelimit-limit"] == str(tiers.limits("pro")["burst"])
    assert after.json["data"]["rate_limit"]["tier"] == "pro"
    assert after.json["data"]["rate_limit"]["minute"]["limit"] == tiers.limits("pro")["minute"]
    # the personal namespace's tier package followed: pkg_free became pkg_pro
    pro_limits = _limits(namespace_id, token)
    assert pro_limits["resources"] > free_limits["resources"]
    [event] = _events(aws, "user.tier_changed")
    assert event["data"]["object"]["attributes"]["tier"] == "pro"
    assert event["data"]["object"]["attributes"]["previous_tier"] == "free"

    # and back down: the next request is free again
    assert call("PATCH", f"/v1/admin/users/{user_id}", token=operator, body={"tier": "free"}).status == 200
    again = call("GET", "/v1/users/me", token=token)
    assert int(again.headers["x-ratelimit-limit"]) == tiers.limits("free")["burst"]
    assert _limits(namespace_id, token) == free_limits


def test_an_api_key_follows_its_owners_tier_and_comes_down_with_it(aws, operator):
    user = register_user()
    user_id = user["user"]["id"]
    assert call("PATCH", f"/v1/admin/users/{user_id}", token=operator, body={"tier": "business"}).status == 200
    relogged = call(
        "POST", "/v1/auth/refresh", body={"refresh_token": user["refresh_token"]}
    ).json  # a new token carries the new tier
    token = relogged.get("access_token") or relogged["data"]["access_token"]
    key = create_api_key(token, scopes=["read:all"], rate_limit_tier="business")
    assert call("GET", "/v1/resources", token=key["key"]).headers["x-ratelimit-limit"] == str(
        tiers.limits("business")["burst"]
    )
    assert call("PATCH", f"/v1/admin/users/{user_id}", token=operator, body={"tier": "free"}).status == 200
    reply = call("GET", "/v1/resources", token=key["key"])
    assert reply.headers["x-ratelimit-limit"] == str(tiers.limits("free")["burst"])
    listed = call("GET", "/v1/api-keys", token=token).json["data"]
    assert [k["rate_limit_tier"] for k in listed] == ["free"]  # a key is never above its owner


def test_custom_rate_limits_replace_the_tiers_window_by_window(aws, operator, monkeypatch):
    monkeypatch.setattr(ratelimit, "utcnow", lambda: datetime(2026, 3, 1, 9, 0, 1, tzinfo=UTC))
    user = register_user()
    token, user_id = user["access_token"], user["user"]["id"]
    body = {"rate_limits": {"burst": 3}, "reason": "abuse review"}
    changed = call("PATCH", f"/v1/admin/users/{user_id}", token=operator, body=body)
    assert changed.status == 200, changed.json
    assert changed.json["data"]["custom_rate_limits"] == {"burst": 3}
    assert changed.json["data"]["rate_limits"] == {**tiers.limits("free"), "burst": 3}
    statuses = [call("GET", "/v1/users/me", token=token).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    cleared = call("PATCH", f"/v1/admin/users/{user_id}", token=operator, body={"rate_limits": None})
    assert cleared.json["data"]["custom_rate_limits"] is None
    assert _events(aws, "user.limits_changed")


def test_the_burst_items_stay_small(aws, monkeypatch):
    """Each request removes the five slots before its own: a user busy all hour keeps about a minute of them."""
    user_id, session_id = new_id("usr"), new_id("ses")
    start = datetime(2026, 1, 15, 10, 0, 0, tzinfo=UTC)
    big = {"burst": 10**6, "minute": 10**6, "hour": 10**7}
    for second in range(0, 3600, 7):
        monkeypatch.setattr(ratelimit, "utcnow", lambda s=second: start + timedelta(seconds=s))
        ratelimit.count_session(user_id, session_id, big)
    item = ratelimit.get_raw(ratelimit.session_key(user_id, int(start.timestamp()) // 3600))
    slots = [name for name in item if name.startswith("b")]
    assert len(slots) <= 6, slots


def test_a_grant_with_expires_at_counts_until_the_sweeper_lapses_it(aws, operator, monkeypatch):

    user = register_user()
    token = user["access_token"]
    namespace_id = call("GET", "/v1/usage", token=token).json["data"]["namespaces"][0]["id"]
    base = _limits(namespace_id, token)
    expires = datetime.now(UTC) + timedelta(hours=1)
    body = {"package_id": "pkg_starter", "expires_at": expires.isoformat(), "reason": "trial"}
    granted = call("POST", f"/v1/admin/namespaces/{namespace_id}/packages", token=operator, body=body)
    assert granted.status == 201, granted.json
    assert [p["id"] for p in granted.json["data"]["packages"]] == ["pkg_free", "pkg_starter"]
    assert _limits(namespace_id, token)["resources"] == base["resources"] + 10_000
    assert _sweep() == 0  # not yet

    for index in range(3):
        assert call("POST", "/v1/resources", token=token, body={"name": f"r{index}"}).status == 201

    import platform_api.domain.plans as plans_module

    later = (expires + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setattr(plans_module, "now_iso", lambda: later)
    assert _sweep() == 1
    assert _sweep() == 0  # a grant lapses once
    limits = _limits(namespace_id, token)
    assert limits == base
    detail = call("GET", f"/v1/namespaces/{namespace_id}", token=token).json["data"]
    assert detail["entitlements"]["resources"]["used"] == 3
    [event] = _events(aws, "namespace.package_expired")
    assert event["data"]["object"]["attributes"]["package_id"] == "pkg_starter"
    trail = call("GET", "/v1/admin/audit", token=operator, query={"target_id": namespace_id}).json["data"]
    assert [entry["action"] for entry in trail] == ["namespace.package_expired", "namespace.package_granted"]
    assert trail[0]["operator_id"] == "system"
    assert trail[1]["reason"] == "trial"


def test_an_expired_grant_leaves_usage_above_the_limit_refusing_more(aws, operator, monkeypatch):

    user = register_user()
    token = user["access_token"]
    namespace_id = call("GET", "/v1/usage", token=token).json["data"]["namespaces"][0]["id"]
    custom = {"limits": {"webhooks": 1}}
    assert call("PATCH", f"/v1/admin/namespaces/{namespace_id}", token=operator, body=custom).status == 200
    expires = datetime.now(UTC) + timedelta(minutes=5)
    body = {"package_id": "pkg_starter", "expires_at": expires.isoformat()}
    assert call("POST", f"/v1/admin/namespaces/{namespace_id}/packages", token=operator, body=body).status == 201
    # the custom limit holds whatever the packages add
    assert _limits(namespace_id, token)["webhooks"] == 1
    cleared = call("PATCH", f"/v1/admin/namespaces/{namespace_id}", token=operator, body={"limits": None})
    assert cleared.json["data"]["custom_limits"] is None
    assert _limits(namespace_id, token)["webhooks"] == 5 + 10
    for index in range(7):
        hook = {"url": f"https://example.com/h{index}", "events": ["resource.created"]}
        assert call("POST", "/v1/webhooks", token=token, body=hook).status == 201
    import platform_api.domain.plans as plans_module

    later = (expires + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setattr(plans_module, "now_iso", lambda: later)
    assert _sweep() == 1
    webhooks = call("GET", f"/v1/namespaces/{namespace_id}", token=token).json["data"]["entitlements"]["webhooks"]
    assert (webhooks["used"], webhooks["limit"]) == (7, 5)  # nothing deleted; nothing more allowed
    refused = call("POST", "/v1/webhooks", token=token, body={"url": "https://example.com/x", "events": ["*"]})
    assert refused.status in (403, 429)
    assert refused.json["error"]["code"] == "limit_exceeded"


def test_a_workspace_tier_change_swaps_its_package_and_refuses_a_downgrade_that_does_not_fit(aws, operator):
    owner = register_user()
    token = owner["access_token"]
    created = call("POST", "/v1/workspaces", token=token, body={"name": "Acme"})
    assert created.status == 201, created.json
    workspace = created.json["data"]
    up = call("PATCH", f"/v1/admin/workspaces/{workspace['id']}", token=operator, body={"tier": "business"})
    assert up.status == 200, up.json
    assert [p["id"] for p in up.json["data"]["packages"]] == ["pkg_business"]
    assert call("GET", f"/v1/workspaces/{workspace['id']}", token=token).json["data"]["tier"] == "business"
    [event] = _events(aws, "workspace.tier_changed")
    assert event["data"]["object"]["attributes"]["previous_tier"] == "free"
    # fill beyond what free allows (5 webhooks), then a downgrade must not silently over-commit
    for index in range(6):
        hook = {"url": f"https://example.com/w{index}", "events": ["*"]}
        reply = call("POST", "/v1/webhooks", token=token, body=hook, headers={"X-Workspace-ID": workspace["id"]})
        assert reply.status == 201, reply.json
    down = call("PATCH", f"/v1/admin/workspaces/{workspace['id']}", token=operator, body={"tier": "free"})
    assert down.status == 409, down.json
    assert "webhooks" in down.json["error"]["details"]
    assert call("GET", f"/v1/workspaces/{workspace['id']}", token=token).json["data"]["tier"] == "business"


def test_the_audit_trail_pages_newest_first_by_cursor(aws, operator):
    users = [register_user()["user"]["id"] for _ in range(3)]
    for user_id in users:
        assert call("PATCH", f"/v1/admin/users/{user_id}", token=operator, body={"tier": "pro"}).status == 200
    first = call("GET", "/v1/admin/audit", token=operator, query={"per_page": "2"})
    assert first.status == 200, first.json
    assert [e["target_id"] for e in first.json["data"]] == users[::-1][:2]
    assert first.json["data"][0]["before"]["tier"] == "free"
    assert first.json["data"][0]["after"]["tier"] == "pro"
    cursor = first.json["meta"]["next_cursor"]
    second = call("GET", "/v1/admin/audit", token=operator, query={"per_page": "2", "cursor": cursor})
    assert [e["target_id"] for e in second.json["data"]] == [users[0]]
    assert second.json["meta"]["next_cursor"] is None
    one = call("GET", "/v1/admin/audit", token=operator, query={"target_id": users[1]}).json["data"]
    assert [e["action"] for e in one] == ["user.tier_changed"]


def test_plan_changes_validate_and_a_foreign_id_is_404(aws, operator):
    user_id = register_user()["user"]["id"]
    bad = [
        ("PATCH", f"/v1/admin/users/{user_id}", {"tier": "platinum"}),
        ("PATCH", f"/v1/admin/users/{user_id}", {"rate_limits": {"burst": 0}}),
        ("PATCH", f"/v1/admin/users/{user_id}", {"tier": "pro", "extra": 1}),
        ("PATCH", "/v1/admin/namespaces/ns_01JD8X3B5Q7ZJ6W0N4M2K8R1TA", {"limits": {"gold": 1}}),
    ]
    for method, path, body in bad:
        reply = call(method, path, token=operator, body=body)
        assert reply.status in (400, 404, 422), (path, body, reply.status)
    for path in (
        "/v1/admin/users/usr_01JD8X3B5Q7ZJ6W0N4M2K8R1TA",
        "/v1/admin/workspaces/wks_01JD8X3B5Q7ZJ6W0N4M2K8R1TA",
    ):
        assert call("PATCH", path, token=operator, body={"tier": "pro"}).status == 404
    past = {"package_id": "pkg_pro", "expires_at": "2020-01-01T00:00:00Z"}
    token = register_user()["access_token"]
    namespace_id = call("GET", "/v1/usage", token=token).json["data"]["namespaces"][0]["id"]
    reply = call("POST", f"/v1/admin/namespaces/{namespace_id}/packages", token=operator, body=past)
    assert reply.status == 400, reply.json


def test_a_tenant_cannot_change_its_own_plan_and_writes_nothing(aws):
    user = register_user()
    token = user["access_token"]
    key = create_api_key(token, scopes=["write:all", "admin:workspace"])["key"]
    for credential in (token, key):
        reply = call("PATCH", f"/v1/admin/users/{user['user']['id']}", token=credential, body={"tier": "enterprise"})
        assert reply.status == 403
        assert reply.json["error"]["code"] == "insufficient_permissions"
    assert call("GET", "/v1/usage", token=token).json["data"]["rate_limit"]["tier"] == "free"
    assert not _events(aws, "user.tier_changed")
    from platform_api.domain import plans

    with pytest.raises(errors.NotFound):
        plans.get_user_plan("usr_01JD8X3B5Q7ZJ6W0N4M2K8R1TA")


def test_the_local_stack_runs_the_templates_schedules(aws, monkeypatch):
    """EventBridge's rate(...) rules, locally: the sweeper is invoked once per period with a scheduled event."""
    from local import event_sources

    assert event_sources.schedule_seconds("rate(1 minute)") == 60
    assert event_sources.schedule_seconds("rate(2 hours)") == 7200
    with pytest.raises(ValueError, match="rate"):
        event_sources.schedule_seconds("cron(0 12 * * ? *)")
    monkeypatch.setenv("LOCAL_SCHEDULE_SECONDS", "0")

    class Stack:
        invoked: list[dict] = []

        def invoke(self, function: str, event: dict) -> dict:
            self.invoked.append({"function": function, **event})
            return {"result": {"lapsed": 0}}

    stack = Stack()
    poller = event_sources.SchedulePoller(stack, "PlanExpiryFunction", "EveryMinute", "rate(1 minute)")
    assert poller.poll()
    [event] = stack.invoked
    assert (event["function"], event["detail-type"], event["source"]) == (
        "PlanExpiryFunction",
        "Scheduled Event",
        "aws.events",
    )
