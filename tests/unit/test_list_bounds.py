"""Lists that read one page, whatever the collection holds (issue 11): webhook deliveries, workspace members and
users, workspaces, namespaces, invitations. Each collection is grown (BatchWriteItem clones written by the same
dal functions as the real writes) and the items DynamoDB returns per request are counted: within
2 x per_page + 5 and the same at both sizes. Cursor walks return every item once, in order; a cursor is bound to
its webhook / workspace / caller; a foreign id stays a 404.
"""

from __future__ import annotations

import json
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

    monkeypatch.setenv("RATE_LIMITS_JSON", json.dumps({"free": {"minute": 100_000, "hour": 1_000_000}}))
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
