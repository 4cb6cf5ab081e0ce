"""Lists that read one page, whatever the collection holds (issue 11): webhook deliveries, workspace members and
users, workspaces, namespaces, invitations. Each collection is grown (BatchWriteItem clones written by the same
dal functions as the real writes) and the items DynamoDB returns per request are counted: within
2 x per_page + 5 and the same at both sizes. Cursor walks return every item once, in order; a cursor is bound to
its webhook / workspace / caller; a foreign id stays a 404.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.client
import pytest
from ulid import ULID

from tests.helpers import call
from tests.identity_support import register_user

PER_PAGE = 10
BUDGET = 2 * PER_PAGE + 5
STATUSES = ("success", "failed", "pending")
EVENT_TYPES = ("resource.created", "resource.updated", "resource.deleted", "webhook.test")


@pytest.fixture(autouse=True)
def roomy_rate_limits(monkeypatch):
    """Cursor walks make more requests in a minute than the free tier allows (60)."""
    from platform_api import tiers

    monkeypatch.setenv(
        "RATE_LIMITS_JSON", json.dumps({"free": {"burst": 100_000, "minute": 100_000, "hour": 1_000_000}})
    )
    tiers.table.cache_clear()
    yield
    monkeypatch.delenv("RATE_LIMITS_JSON")
    tiers.table.cache_clear()


class Meter:
    """Items DynamoDB returned to reads (Query: ScannedCount, BatchGetItem: items, GetItem: 0 or 1)."""

    def __init__(self) -> None:
        self.items = 0
        self.calls: list[str] = []

    def reset(self) -> None:
        self.items = 0
        self.calls = []


@pytest.fixture
def meter(monkeypatch):
    found = Meter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        reply = original(self, operation, params)
        if self.meta.service_model.service_name == "dynamodb":
            found.calls.append(operation)
            if operation in ("Query", "Scan"):
                found.items += int(reply.get("ScannedCount", reply.get("Count", 0)))
            elif operation == "BatchGetItem":
                found.items += sum(len(items) for items in reply.get("Responses", {}).values())
            elif operation == "GetItem":
                found.items += 1 if reply.get("Item") else 0
            elif operation == "TransactGetItems":
                found.items += sum(1 for r in reply.get("Responses", []) if r.get("Item"))
        return reply

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    # A tenant route reads its namespace's month (api_calls metering) once per container and CACHE_SECONDS, not
    # per page: kept warm for the whole test, so what is measured is the listing's own reads.
    from platform_api.domain import metering

    monkeypatch.setattr(metering, "CACHE_SECONDS", float("inf"))
    return found


def _measured(meter: Meter, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    meter.reset()
    reply = call(*args, **kwargs)
    assert "Scan" not in meter.calls
    return reply, meter.items


def _batch_write(items: list[Any]) -> None:
    from platform_api.db import client, table_name

    for start in range(0, len(items), 25):
        request = {table_name(): [{"PutRequest": {"Item": i.serialize()}} for i in items[start : start + 25]]}
        while request:
            request = client().batch_write_item(RequestItems=request).get("UnprocessedItems") or {}


def _walk(path: str, token: str, query: dict[str, str], headers: dict[str, str] | None = None) -> list[dict]:
    """Every item of a list, by cursor; asserts each page holds at most per_page items."""
    seen: list[dict] = []
    params = {**query, "per_page": str(PER_PAGE)}
    for _ in range(1000):
        reply = call("GET", path, token=token, query=params, headers=headers)
        assert reply.status == 200, reply.json
        page = reply.json
        assert len(page["data"]) <= PER_PAGE
        seen.extend(page["data"])
        cursor = page["meta"]["next_cursor"]
        if not cursor:
            return seen
        params = {**query, "per_page": str(PER_PAGE), "cursor": cursor}
    raise AssertionError("the cursor walk did not end")


# ---------------------------------------------------------------------------------------------- deliveries
BASE_TIME = datetime(2025, 3, 1, tzinfo=UTC)


def _grow_deliveries(webhook: dict, namespace_id: str, start: int, count: int) -> list[dict]:
    """Deliveries `start` .. `start + count - 1`, three per second (ties broken by id), statuses and event types
    in rotation; written exactly as save_delivery indexes them. Returns their (id, created_at, status, type)."""
    from platform_api.dal import webhooks as dal
    from platform_api.timeutil import isoformat

    items: list[Any] = []
    made = []
    for index in range(start, start + count):
        created = isoformat(BASE_TIME + timedelta(seconds=index // 3))
        delivery_id = f"del_{ULID()}"
        status, event_type = STATUSES[index % 3], EVENT_TYPES[index % 4]
        item = dal.DeliveryItem(
            *dal.delivery_key(webhook["id"], delivery_id),
            delivery_id=delivery_id,
            webhook_id=webhook["id"],
            namespace_id=namespace_id,
            event_id=f"evt_{ULID()}",
            event_type=event_type,
            status=status,
            attempts=1 + index % 5,
            payload="{}",
            created_at=created,
            updated_at=created,
            ttl=2_000_000_000,
        )
        dal.index_delivery(item)
        items += [item, dal.type_entry(item)]
        made.append({"id": delivery_id, "created_at": created, "status": status, "event_type": event_type})
    _batch_write(items)
    return made


def _newest_first(rows: list[dict]) -> list[str]:
    return [r["id"] for r in sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)]


@pytest.fixture
def hooked(aws):
    alice = register_user()
    reply = call(
        "POST",
        "/v1/webhooks",
        body={"url": "https://hooks.example.com/in", "events": ["resource.*"]},
        token=alice["access_token"],
    )
    assert reply.status == 201
    return alice, reply.json["data"]


DELIVERY_QUERIES = {
    "newest first": {},
    "oldest first": {"sort": "created_at"},
    "by id": {"sort": "-id"},
    "status=failed": {"status": "failed"},
    "status=failed,pending": {"status": "failed,pending"},
    "event_type": {"event_type": "resource.updated"},
    "created range": {"created_after": "2025-03-01T00:00:05Z", "created_before": "2025-03-01T00:10:00Z"},
    "status + created range": {"status": "success", "created_after": "2025-03-01T00:00:05Z"},
}


def test_deliveries_read_one_page_whatever_the_history_holds(hooked, meter):
    alice, hook = hooked
    token, path = alice["access_token"], f"/v1/webhooks/{hook['id']}/deliveries"
    rows = _grow_deliveries(hook, alice["namespace_id"], 0, 60)
    small: dict[str, int] = {}
    for name, query in DELIVERY_QUERIES.items():
        reply, read = _measured(meter, "GET", path, token=token, query={**query, "per_page": str(PER_PAGE)})
        assert reply.status == 200, (name, reply.json)
        assert len(reply.json["data"]) == PER_PAGE, name
        small[name] = read
    rows += _grow_deliveries(hook, alice["namespace_id"], 60, 540)
    report = []
    for name, query in DELIVERY_QUERIES.items():
        reply, read = _measured(meter, "GET", path, token=token, query={**query, "per_page": str(PER_PAGE)})
        assert reply.status == 200, (name, reply.json)
        assert reply.json["meta"]["next_cursor"], name
        assert reply.json["meta"]["total"] is None, name  # not countable without a full read
        cursor = reply.json["meta"]["next_cursor"]
        deeper, deep_read = _measured(
            meter, "GET", path, token=token, query={**query, "per_page": str(PER_PAGE), "cursor": cursor}
        )
        assert deeper.status == 200
        report.append((name, small[name], read, deep_read))
        assert read <= BUDGET, (name, read)
        assert deep_read <= BUDGET, (name, deep_read)
        assert read == small[name], (name, small[name], read)  # does not grow with the history
    print("\nitems read per request, per_page=10 (60 deliveries, 600, cursor page 2 at 600):")
    for name, at_30, at_600, deep in report:
        print(f"  {name:<24} {at_30:>4} {at_600:>4} {deep:>4}")


def test_delivery_cursor_walks_return_each_delivery_once_in_order(hooked):
    alice, hook = hooked
    token, path = alice["access_token"], f"/v1/webhooks/{hook['id']}/deliveries"
    rows = _grow_deliveries(hook, alice["namespace_id"], 0, 90)
    newest = _newest_first(rows)
    assert [d["id"] for d in _walk(path, token, {})] == newest
    assert [d["id"] for d in _walk(path, token, {"sort": "created_at"})] == newest[::-1]
    assert [d["id"] for d in _walk(path, token, {"sort": "id"})] == sorted(newest)
    failed = [r for r in rows if r["status"] == "failed"]
    assert [d["id"] for d in _walk(path, token, {"status": "failed"})] == _newest_first(failed)
    two = [r for r in rows if r["status"] in ("failed", "pending")]
    assert [d["id"] for d in _walk(path, token, {"status": "pending,failed"})] == _newest_first(two)
    updated = [r for r in rows if r["event_type"] == "resource.updated"]
    assert [d["id"] for d in _walk(path, token, {"event_type": "resource.updated"})] == _newest_first(updated)
    both = [r for r in updated if r["status"] == "success"]
    walked = _walk(path, token, {"event_type": "resource.updated", "status": "success"})
    assert [d["id"] for d in walked] == _newest_first(both)
    window = [r for r in rows if "2025-03-01T00:00:05Z" < r["created_at"] < "2025-03-01T00:00:25Z"]
    ranged = _walk(path, token, {"created_after": "2025-03-01T00:00:05Z", "created_before": "2025-03-01T00:00:25Z"})
    assert [d["id"] for d in ranged] == _newest_first(window)
    fraction = [
        r for r in rows if r["created_at"] > "2025-03-01T00:00:05Z" and r["created_at"] < "2025-03-01T00:00:16Z"
    ]
    between = _walk(
        path, token, {"created_after": "2025-03-01T00:00:05.5Z", "created_before": "2025-03-01T00:00:15.5Z"}
    )
    assert [d["id"] for d in between] == _newest_first(fraction)


def test_delivery_cursor_is_bound_to_its_webhook_and_foreign_hooks_are_404(hooked, meter):
    alice, hook = hooked
    token = alice["access_token"]
    other = call("POST", "/v1/webhooks", body={"url": "https://b.example.com/in", "events": ["*"]}, token=token).json[
        "data"
    ]
    _grow_deliveries(hook, alice["namespace_id"], 0, 25)
    first = call("GET", f"/v1/webhooks/{hook['id']}/deliveries", token=token, query={"per_page": "5"}).json
    cursor = first["meta"]["next_cursor"]
    elsewhere = call("GET", f"/v1/webhooks/{other['id']}/deliveries", token=token, query={"cursor": cursor})
    assert elsewhere.status == 400
    assert "cursor" in elsewhere.json["error"]["details"]
    refiltered = call(
        "GET", f"/v1/webhooks/{hook['id']}/deliveries", token=token, query={"cursor": cursor, "status": "failed"}
    )
    assert refiltered.status == 400
    bob = register_user()
    assert call("GET", f"/v1/webhooks/{hook['id']}/deliveries", token=bob["access_token"]).status == 404
    stolen = call("GET", f"/v1/webhooks/{hook['id']}/deliveries", token=bob["access_token"], query={"cursor": cursor})
    assert stolen.status in (400, 404)


def test_delivery_orders_no_index_serves_are_sorted_in_memory_up_to_a_cap(hooked, monkeypatch):
    from platform_api.domain import listing

    alice, hook = hooked
    token, path = alice["access_token"], f"/v1/webhooks/{hook['id']}/deliveries"
    rows = _grow_deliveries(hook, alice["namespace_id"], 0, 40)
    by_attempts = _walk(path, token, {"sort": "-attempts"})
    assert len(by_attempts) == 40
    assert [d["attempts"] for d in by_attempts] == sorted((d["attempts"] for d in by_attempts), reverse=True)
    assert {d["id"] for d in by_attempts} == {r["id"] for r in rows}
    monkeypatch.setattr(listing, "SORT_CAP", 30)
    refused = call("GET", path, token=token, query={"sort": "-attempts"})
    assert refused.status == 400
    assert "sort" in refused.json["error"]["details"]
    narrowed = call("GET", path, token=token, query={"sort": "-attempts", "status": "failed"})
    assert narrowed.status == 200  # 13 failed deliveries: under the cap
    assert narrowed.json["meta"]["total"] == len([r for r in rows if r["status"] == "failed"])


def test_a_sparse_filter_stops_at_the_scan_cap_and_continues_by_cursor(hooked, monkeypatch):
    from platform_api.domain import listing

    alice, hook = hooked
    token, path = alice["access_token"], f"/v1/webhooks/{hook['id']}/deliveries"
    rows = _grow_deliveries(hook, alice["namespace_id"], 0, 60)
    monkeypatch.setattr(listing, "SCAN_CAP", 12)
    query = {"status": "failed", "event_type": "resource.created"}  # failed: every 3rd; created: every 4th
    expected = _newest_first([r for r in rows if r["status"] == "failed" and r["event_type"] == "resource.created"])
    first = call("GET", path, token=token, query={**query, "per_page": "10"})
    assert first.status == 200
    assert len(first.json["data"]) < 10  # cut short by the cap ...
    assert first.json["meta"]["next_cursor"]  # ... with a way on
    assert "cursor=" in first.json["links"]["next"]
    assert [d["id"] for d in _walk(path, token, query)] == expected


def test_a_delivery_changing_status_moves_between_status_lists(hooked):
    from platform_api.dal import webhooks as dal

    alice, hook = hooked
    token, path = alice["access_token"], f"/v1/webhooks/{hook['id']}/deliveries"
    row = _grow_deliveries(hook, alice["namespace_id"], 2, 1)[0]  # pending
    assert [d["id"] for d in call("GET", path, token=token, query={"status": "pending"}).json["data"]] == [row["id"]]
    current = dal.get_delivery(hook["id"], row["id"])
    assert current is not None
    stale = dal.get_delivery(hook["id"], row["id"])
    assert stale is not None
    stale.attempts = 1  # what a concurrent copy read before another attempt was recorded
    current.status, current.attempts = "success", 4
    assert dal.save_delivery(current, previous=stale) is False
    previous = dal.get_delivery(hook["id"], row["id"])
    assert dal.save_delivery(current, previous=previous) is True
    assert call("GET", path, token=token, query={"status": "pending"}).json["data"] == []
    assert [d["id"] for d in call("GET", path, token=token, query={"status": "success"}).json["data"]] == [row["id"]]
    typed = call("GET", path, token=token, query={"event_type": row["event_type"]}).json["data"]
    assert [(d["id"], d["status"]) for d in typed] == [(row["id"], "success")]


# ---------------------------------------------------------------------------------------------- tenancy
ROLES = ("member", "admin", "member")


def _workspace(owner: dict, name: str = "Team") -> dict:
    reply = call("POST", "/v1/workspaces", body={"name": name}, token=owner["access_token"])
    assert reply.status == 201, reply.json
    return reply.json["data"]


def _users(start: int, count: int) -> list[Any]:
    """User items (the profile only: nobody signs in as them), ids minted in creation order."""
    from platform_api.dal import users as users_dal
    from platform_api.timeutil import isoformat

    made = []
    for index in range(start, start + count):
        user_id = f"usr_{ULID()}"
        created = isoformat(BASE_TIME + timedelta(seconds=index))
        made.append(
            users_dal.UserItem(
                *users_dal.profile_key(user_id),
                user_id=user_id,
                email=f"clone{index}@example.com",
                username=f"clone{index}",
                name=f"Clone {index:04d}",
                password_hash="-",
                created_at=created,
                updated_at=created,
            )
        )
    return made


def _grow_members(workspace_id: str, start: int, count: int) -> list[dict]:
    """`count` users joining the workspace, two per second of joining time, roles in rotation; the workspace's
    `members` counter moves as accepting an invitation moves it."""
    from platform_api.dal import entitlements
    from platform_api.dal import workspaces as dal
    from platform_api.timeutil import isoformat

    workspace = dal.get(workspace_id)
    assert workspace is not None
    counter = entitlements.CounterItem(*entitlements.counter_key(workspace.default_namespace_id or "", "members"))
    counter.update(actions=[entitlements.CounterItem.used.add(count)])

    users = _users(start, count)
    members = [
        dal.new_member(
            workspace_id, u.user_id, ROLES[(start + i) % 3], isoformat(BASE_TIME + timedelta(seconds=(start + i) // 2))
        )
        for i, u in enumerate(users)
    ]
    _batch_write(users + members)
    return [{"id": m.user_id, "created_at": m.created_at, "role": m.role} for m in members]


MEMBER_QUERIES = {
    "joined first": {},
    "joined last": {"sort": "-created_at"},
    "by user id": {"sort": "user_id"},
    "joined after": {"created_after": "2025-03-01T00:00:05Z"},
    "role=admin": {"role": "admin"},
}
USER_QUERIES = {
    "newest first": {},
    "oldest first": {"sort": "created_at"},
    "role=member": {"role": "member"},
}


def test_members_and_users_of_a_workspace_read_one_page(aws, meter):
    alice = register_user()
    token = alice["access_token"]
    workspace = _workspace(alice)
    members_path, headers = f"/v1/workspaces/{workspace['id']}/members", {"X-Workspace-ID": workspace["id"]}
    rows = _grow_members(workspace["id"], 0, 60)
    call("GET", "/v1/users", token=token, headers=headers)  # warms the workspace namespace's month (see `meter`)

    def measure(queries: dict, path: str, extra: dict | None = None) -> dict[str, int]:
        found = {}
        for name, query in queries.items():
            reply, read = _measured(
                meter, "GET", path, token=token, headers=extra, query={**query, "per_page": str(PER_PAGE)}
            )
            assert reply.status == 200, (name, reply.json)
            assert len(reply.json["data"]) == PER_PAGE, name
            found[name] = read
        return found

    small_members, small_users = measure(MEMBER_QUERIES, members_path), measure(USER_QUERIES, "/v1/users", headers)
    rows += _grow_members(workspace["id"], 60, 540)
    large_members, large_users = measure(MEMBER_QUERIES, members_path), measure(USER_QUERIES, "/v1/users", headers)
    print("\nitems read per request, per_page=10 (60 members, 600):")
    # `role` is filtered in memory (no index): a page reads members until it holds per_page + 1 of the role
    in_memory = {"role=admin", "role=member"}
    for name in MEMBER_QUERIES:
        print(f"  members {name:<16} {small_members[name]:>4} {large_members[name]:>4}")
        assert large_members[name] == small_members[name], name
        assert large_members[name] <= (5 * PER_PAGE if name in in_memory else BUDGET), name
    for name in USER_QUERIES:
        print(f"  users   {name:<16} {small_users[name]:>4} {large_users[name]:>4}")
        assert large_users[name] == small_users[name], name
        assert large_users[name] <= (5 * PER_PAGE if name in in_memory else BUDGET), name

    listed = call("GET", members_path, token=token, query={"per_page": str(PER_PAGE)}).json
    assert listed["meta"]["total"] == 601  # the `members` counter
    owners = call("GET", members_path, token=token, query={"role": "owner"}).json
    assert owners["meta"]["total"] == 1  # the workspace's owners counter
    assert (
        call("GET", members_path, token=token, query={"role": "admin", "per_page": "5"}).json["meta"]["total"] is None
    )


def test_member_and_user_cursor_walks_return_each_once_in_order(aws):
    alice = register_user()
    token = alice["access_token"]
    workspace = _workspace(alice)
    members_path, headers = f"/v1/workspaces/{workspace['id']}/members", {"X-Workspace-ID": workspace["id"]}
    rows = _grow_members(workspace["id"], 0, 44)
    everyone = [{"id": alice["user_id"], "created_at": workspace["created_at"], "role": "owner"}, *rows]
    by_join = [m["id"] for m in sorted(everyone, key=lambda m: (m["created_at"], m["id"]))]
    walked = _walk(members_path, token, {})
    assert [m["id"] for m in walked] == by_join
    assert all(m["user"] and m["user"]["id"] == m["id"] for m in walked)
    assert walked[-1]["user"]["email"] == alice["email"]  # the clones joined in 2025: the owner joined last
    assert [m["id"] for m in _walk(members_path, token, {"sort": "-created_at"})] == by_join[::-1]
    assert [m["id"] for m in _walk(members_path, token, {"sort": "-user_id"})] == sorted(by_join, reverse=True)
    admins = [m for m in everyone if m["role"] == "admin"]
    admins_by_join = [m["id"] for m in sorted(admins, key=lambda m: (m["created_at"], m["id"]))]
    assert [m["id"] for m in _walk(members_path, token, {"role": "admin"})] == admins_by_join
    by_role = _walk(members_path, token, {"sort": "role"})
    assert [m["role"] for m in by_role] == sorted(m["role"] for m in everyone)
    assert [u["id"] for u in _walk("/v1/users", token, {}, headers)] == sorted(by_join, reverse=True)
    by_name = _walk("/v1/users", token, {"sort": "name"}, headers)
    assert len(by_name) == 45
    assert [u["name"] for u in by_name[1:3]] == ["Clone 0000", "Clone 0001"]


def test_member_cursors_are_bound_to_their_workspace_and_foreign_workspaces_are_404(aws):
    alice, bob = register_user(), register_user()
    first, second = _workspace(alice, "One"), _workspace(alice, "Two")
    _grow_members(first["id"], 0, 12)
    page = call("GET", f"/v1/workspaces/{first['id']}/members", token=alice["access_token"], query={"per_page": "5"})
    cursor = page.json["meta"]["next_cursor"]
    assert cursor
    moved = call("GET", f"/v1/workspaces/{second['id']}/members", token=alice["access_token"], query={"cursor": cursor})
    assert moved.status == 400
    assert "cursor" in moved.json["error"]["details"]
    assert call("GET", f"/v1/workspaces/{first['id']}/members", token=bob["access_token"]).status == 404
    users = call("GET", "/v1/users", token=bob["access_token"], headers={"X-Workspace-ID": first["id"]})
    assert users.status == 404


def _grow_workspaces(user_id: str, start: int, count: int) -> list[str]:
    """Workspaces the user belongs to (the workspace item and the membership), ids in creation order."""
    from platform_api.dal import workspaces as dal
    from platform_api.timeutil import isoformat

    items: list[Any] = []
    ids = []
    for index in range(start, start + count):
        workspace_id = f"wks_{ULID()}"
        created = isoformat(BASE_TIME + timedelta(seconds=index))
        items.append(
            dal.WorkspaceItem(
                *dal.workspace_key(workspace_id),
                workspace_id=workspace_id,
                name=f"Clone {index:04d}",
                slug=f"clone-{index}",
                tier=("free", "pro")[index % 2],
                default_namespace_id=None,
                created_at=created,
                updated_at=created,
            )
        )
        items.append(dal.new_member(workspace_id, user_id, ROLES[index % 3], created))
        ids.append(workspace_id)
    _batch_write(items)
    return ids


def _grow_namespaces(owner_type: str, owner_id: str, start: int, count: int) -> list[str]:
    from platform_api.dal import namespaces as dal
    from platform_api.timeutil import isoformat

    items: list[Any] = []
    ids = []
    for index in range(start, start + count):
        namespace_id = f"ns_{ULID()}"
        created = isoformat(BASE_TIME + timedelta(seconds=index))
        items.append(
            dal.NamespaceItem(
                *dal.key(namespace_id),
                GSI1PK=dal.owner_partition(owner_type, owner_id),
                GSI1SK=f"{dal.GSI_PREFIX}{namespace_id}",
                namespace_id=namespace_id,
                uuid=str(ULID()),
                name=f"Clone {index:04d}",
                slug=f"clone-{index}",
                owner_type=owner_type,
                owner_id=owner_id,
                workspace_id=owner_id if owner_type == "Workspace" else None,
                is_default=False,
                is_active=index % 2 == 0,
                created_at=created,
                updated_at=created,
            )
        )
        ids.append(namespace_id)
    _batch_write(items)
    return ids


def _grow_invitations(user_id: str, workspace_ids: list[str]) -> list[str]:
    from platform_api.dal import workspaces as dal
    from platform_api.timeutil import now_iso

    items: list[Any] = []
    ids = []
    for workspace_id in workspace_ids:
        invitation_id = f"inv_{ULID()}"
        invitation, claim = dal.new_invitation(
            invitation_id, workspace_id, user_id, "member", "usr_x", now_iso(), 2_000_000_000
        )
        items += [invitation, claim]
        ids.append(invitation_id)
    _batch_write(items)
    return ids


def test_workspaces_namespaces_and_invitations_read_one_page(aws, meter):
    alice = register_user()
    token = alice["access_token"]
    _workspace(alice)
    queries = {
        "/v1/workspaces": {"": {}, "oldest": {"sort": "created_at"}, "role=admin": {"role": "admin"}},
        "/v1/namespaces": {
            "personal": {"owner_type": "User"},
            "personal, active": {"owner_type": "User", "is_active": "true"},
        },
        "/v1/invitations": {"": {}, "oldest": {"sort": "created_at"}},
    }

    def measure() -> dict[str, int]:
        found = {}
        for path, named in queries.items():
            for name, query in named.items():
                reply, read = _measured(meter, "GET", path, token=token, query={**query, "per_page": str(PER_PAGE)})
                assert reply.status == 200, (path, name, reply.json)
                assert len(reply.json["data"]) == PER_PAGE, (path, name)
                found[f"{path} {name}"] = read
        return found

    workspaces = _grow_workspaces(alice["user_id"], 0, 60)
    _grow_namespaces("User", alice["user_id"], 0, 60)
    _grow_invitations(alice["user_id"], workspaces)
    small = measure()
    more = _grow_workspaces(alice["user_id"], 60, 540)
    _grow_namespaces("User", alice["user_id"], 60, 540)
    _grow_invitations(alice["user_id"], more)
    large = measure()
    print("\nitems read per request, per_page=10 (60 of each, 600):")
    for name, read in large.items():
        print(f"  {name:<34} {small[name]:>4} {read:>4}")
        assert read == small[name], name
        # role and is_active filter in memory: a page reads until it holds per_page + 1 of them
        assert read <= (5 * PER_PAGE if "=" in name or "active" in name else BUDGET), name


def test_every_visible_namespace_is_a_merge_of_one_page_per_owner(aws, meter):
    """Without a workspace context the caller sees their own namespaces and every workspace's: one Query per
    owner (Limit per_page + 1 each), merged by id. Reads grow with the workspaces one belongs to, never with
    the namespaces they hold."""
    alice = register_user()
    token = alice["access_token"]
    teams = [_workspace(alice, f"Team {n}") for n in range(3)]
    for index, team in enumerate(teams):
        _grow_namespaces("Workspace", team["id"], 1000 * (index + 1), 15)

    def measure() -> int:
        reply, read = _measured(meter, "GET", "/v1/namespaces", token=token, query={"per_page": str(PER_PAGE)})
        assert reply.status == 200
        assert len(reply.json["data"]) == PER_PAGE
        cursor = reply.json["meta"]["next_cursor"]
        deeper, deep_read = _measured(
            meter, "GET", "/v1/namespaces", token=token, query={"per_page": str(PER_PAGE), "cursor": cursor}
        )
        assert deeper.status == 200
        return max(read, deep_read)

    _grow_namespaces("User", alice["user_id"], 0, 60)
    small = measure()
    _grow_namespaces("User", alice["user_id"], 60, 540)
    large = measure()
    print(f"\n  /v1/namespaces, 3 workspaces, 60 then 600 personal namespaces: {small} {large}")
    assert large == small
    assert large <= 3 + 2 * (PER_PAGE + 1) + 2 * 4  # 3 memberships; 4 partitions: a share each, then the page


def test_workspace_namespace_and_invitation_cursor_walks(aws):
    alice, bob = register_user(), register_user()
    token = alice["access_token"]
    personal = alice["namespace_id"]
    team = _workspace(alice)
    workspaces = _grow_workspaces(alice["user_id"], 0, 33)
    namespaces = _grow_namespaces("User", alice["user_id"], 0, 30) + _grow_namespaces("Workspace", team["id"], 30, 5)
    invitations = _grow_invitations(alice["user_id"], workspaces)

    mine = [team["id"], *workspaces]
    assert [w["id"] for w in _walk("/v1/workspaces", token, {})] == sorted(mine, reverse=True)
    admins = [w["id"] for w in _walk("/v1/workspaces", token, {"role": "admin"})]
    assert admins == sorted(workspaces[i] for i in range(33) if ROLES[i % 3] == "admin")[::-1]
    by_name = _walk("/v1/workspaces", token, {"sort": "name"})
    assert [w["name"] for w in by_name[:2]] == ["Clone 0000", "Clone 0001"]
    assert len(by_name) == 34
    visible = [personal, team["default_namespace_id"], *namespaces]
    assert [n["id"] for n in _walk("/v1/namespaces", token, {})] == sorted(visible, reverse=True)
    in_team = [team["default_namespace_id"], *namespaces[30:]]
    walked = _walk("/v1/namespaces", token, {"sort": "created_at", "owner_type": "Workspace"})
    assert [n["id"] for n in walked] == sorted(in_team)
    scoped = _walk("/v1/namespaces", token, {}, {"X-Workspace-ID": team["id"]})
    assert [n["id"] for n in scoped] == sorted(in_team, reverse=True)
    assert [i["id"] for i in _walk("/v1/invitations", token, {})] == sorted(invitations, reverse=True)
    walked = _walk("/v1/invitations", token, {"sort": "created_at"})
    assert [i["id"] for i in walked] == sorted(invitations)
    assert walked[0]["workspace"]["id"] == workspaces[0]

    cursor = call("GET", "/v1/workspaces", token=token, query={"per_page": "5"}).json["meta"]["next_cursor"]
    assert call("GET", "/v1/workspaces", token=bob["access_token"], query={"cursor": cursor}).status == 400
    cursor = call("GET", "/v1/namespaces", token=token, query={"per_page": "5"}).json["meta"]["next_cursor"]
    assert call("GET", "/v1/namespaces", token=bob["access_token"], query={"cursor": cursor}).status == 400
    cursor = call("GET", "/v1/invitations", token=token, query={"per_page": "5"}).json["meta"]["next_cursor"]
    assert call("GET", "/v1/invitations", token=bob["access_token"], query={"cursor": cursor}).status == 400
    assert call("GET", "/v1/namespaces", token=bob["access_token"], query={"workspace_id": team["id"]}).status == 404


def test_expired_invitations_are_skipped(aws):
    from platform_api.dal import workspaces as dal
    from platform_api.timeutil import now_iso

    alice, bob = register_user(), register_user()
    team = _workspace(bob)
    live = _grow_invitations(alice["user_id"], [team["id"]])
    old, _claim = dal.new_invitation(
        f"inv_{ULID()}", team["id"], alice["user_id"], "member", bob["user_id"], now_iso(), 1
    )
    _batch_write([old])
    listed = call("GET", "/v1/invitations", token=alice["access_token"]).json
    assert [i["id"] for i in listed["data"]] == live
    assert listed["meta"]["total"] == 1


# ---------------------------------------------------------------------------------------------- backfill
def test_backfill_indexes_items_written_before_the_indexes_and_resumes(aws, hooked, tmp_path, monkeypatch):
    """Deliveries, memberships and invitations in the old layout are invisible to the new lists until the
    backfill runs; it is resumable (a crash mid-way, then a second run from the checkpoint) and idempotent."""
    from local.backfill import backfill
    from platform_api.dal import backfill as store
    from platform_api.dal import webhooks as webhooks_dal
    from platform_api.dal import workspaces as workspaces_dal

    alice, hook = hooked
    token = alice["access_token"]
    team = _workspace(alice)
    deliveries_path, members_path = f"/v1/webhooks/{hook['id']}/deliveries", f"/v1/workspaces/{team['id']}/members"
    # the old layout: deliveries without index attributes or pointers, members without GSI2, invitations by workspace
    rows = _grow_deliveries(hook, alice["namespace_id"], 0, 40)
    old_items: list[Any] = []
    for row in rows:
        item = webhooks_dal.get_delivery(hook["id"], row["id"])
        assert item is not None
        item.GSI1PK = item.GSI1SK = item.GSI2PK = item.GSI2SK = None
        old_items.append(item)
        entry = webhooks_dal.type_entry(item)
        entry.delete()
    members = _grow_members(team["id"], 0, 25)
    for member in members:
        stored = workspaces_dal.get_member(team["id"], member["id"])
        assert stored is not None
        stored.GSI2PK = stored.GSI2SK = None
        old_items.append(stored)
    workspaces = _grow_workspaces(alice["user_id"], 0, 12)
    invitations = _grow_invitations(alice["user_id"], workspaces)
    for invitation_id in invitations:
        stored_invitation = workspaces_dal.get_invitation(invitation_id)
        assert stored_invitation is not None
        stored_invitation.GSI1SK = f"INVITE#{stored_invitation.workspace_id}"
        old_items.append(stored_invitation)
    _batch_write(old_items)
    assert call("GET", deliveries_path, token=token).json["data"] == []
    assert call("GET", deliveries_path, token=token, query={"event_type": "resource.updated"}).json["data"] == []
    assert len(call("GET", members_path, token=token).json["data"]) == 1  # the owner, written by this version

    checkpoint = tmp_path / "checkpoint.json"
    original, calls, indexed = store.index_one, {"n": 0, "crash": True}, Counter()

    def counting(raw: dict) -> str | None:
        calls["n"] += 1
        if calls["n"] == 30 and calls["crash"]:
            raise RuntimeError("the operator's laptop went to sleep")
        kind = original(raw)
        indexed[kind] += 1
        return kind

    monkeypatch.setattr(store, "index_one", counting)
    with pytest.raises(RuntimeError):
        backfill(checkpoint, page_size=10)
    assert checkpoint.exists()  # where to resume
    calls["crash"] = False
    backfill(checkpoint, page_size=10)
    assert not checkpoint.exists()
    # the page the crash interrupted is read again: what it had indexed is skipped (None), nothing twice
    assert (indexed["deliveries"], indexed["members"], indexed["invitations"]) == (40, 25, 12)
    assert backfill(checkpoint, page_size=10).get("seen", 0) == 0  # nothing old is left: idempotent

    assert [d["id"] for d in _walk(deliveries_path, token, {})] == _newest_first(rows)
    updated = [r for r in rows if r["event_type"] == "resource.updated"]
    assert [d["id"] for d in _walk(deliveries_path, token, {"event_type": "resource.updated"})] == _newest_first(
        updated
    )
    failed = [r for r in rows if r["status"] == "failed"]
    assert [d["id"] for d in _walk(deliveries_path, token, {"status": "failed"})] == _newest_first(failed)
    assert len(_walk(members_path, token, {})) == 26
    assert [i["id"] for i in _walk("/v1/invitations", token, {})] == sorted(invitations, reverse=True)


def test_an_old_delivery_attempted_again_gets_its_pointer(hooked):
    """A delivery stored before the indexes, retried after the deploy: the new attempt indexes it and writes its
    event-type pointer in the same transaction, so the backfill may skip it."""
    from platform_api.dal import webhooks as webhooks_dal

    alice, hook = hooked
    token, path = alice["access_token"], f"/v1/webhooks/{hook['id']}/deliveries"
    row = _grow_deliveries(hook, alice["namespace_id"], 2, 1)[0]
    old = webhooks_dal.get_delivery(hook["id"], row["id"])
    assert old is not None
    webhooks_dal.type_entry(old).delete()
    old.GSI1PK = old.GSI1SK = old.GSI2PK = old.GSI2SK = None
    _batch_write([old])
    previous = webhooks_dal.get_delivery(hook["id"], row["id"])
    assert previous is not None
    assert previous.GSI1PK is None
    retried = webhooks_dal.get_delivery(hook["id"], row["id"])
    assert retried is not None
    retried.status, retried.attempts = "failed", int(previous.attempts) + 1
    assert webhooks_dal.save_delivery(retried, previous=previous)
    typed = call("GET", path, token=token, query={"event_type": row["event_type"], "status": "failed"}).json["data"]
    assert [d["id"] for d in typed] == [row["id"]]


def test_a_page_whose_items_went_meanwhile_still_carries_its_cursor(aws):
    """A membership whose user (or workspace) is gone is dropped from the page it was read on; the cursor is the
    position read, so the walk goes on past it."""
    from platform_api.dal import users as users_dal

    alice = register_user()
    team = _workspace(alice)
    rows = _grow_members(team["id"], 0, 12)
    gone = sorted(r["id"] for r in rows)[-5:]  # the newest ids: the whole first page of users, newest first
    for user_id in gone:
        users_dal.UserItem(*users_dal.profile_key(user_id)).delete()
    headers = {"X-Workspace-ID": team["id"]}
    first = call("GET", "/v1/users", token=alice["access_token"], headers=headers, query={"per_page": "5"})
    assert first.status == 200
    walked = _walk("/v1/users", alice["access_token"], {}, headers)
    assert {u["id"] for u in walked} == {alice["user_id"], *(r["id"] for r in rows)} - set(gone)
