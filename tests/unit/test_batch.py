"""POST /v1/resources/batch: all or nothing in one transaction, per-operation results and errors."""

from __future__ import annotations

import pytest

from platform_api.domain.resources import MAX_BATCH_OPERATIONS
from tests.helpers import call
from tests.unit.test_resources_support import alice, bob, key_with, world  # noqa: F401  (fixture)


@pytest.fixture
def env(world):  # noqa: F811
    return world


def _batch(operations, tok=None):
    return call("POST", "/v1/resources/batch", token=tok or alice(), body={"operations": operations})


def _create(name):
    return call("POST", "/v1/resources", token=alice(), body={"name": name}).json["data"]["id"]


def _names():
    body = call("GET", "/v1/resources", token=alice(), query="per_page=100&sort=name").json
    return [d["name"] for d in body["data"]], body["meta"]["total"]


def _event_count():
    from platform_api.events import EventRecord

    return sum(1 for e in EventRecord.scan() if e.PK.startswith("EVENT#") and e.object_type == "resource")


def test_mixed_batch_commits_everything_with_per_operation_results(env):
    keep, drop = _create("keep"), _create("drop")
    reply = _batch(
        [
            {"action": "create", "data": {"name": "new one", "tags": ["x"]}},
            {"action": "update", "id": keep, "data": {"name": "kept", "status": "inactive"}},
            {"action": "delete", "id": drop},
        ]
    )
    assert reply.status == 200, reply
    results = reply.json["data"]
    assert [r["action"] for r in results] == ["create", "update", "delete"]
    assert [r["status"] for r in results] == [201, 200, 204]
    assert results[0]["data"]["name"] == "new one"
    assert results[0]["id"].startswith("res_")
    assert results[1]["data"]["status"] == "inactive"
    assert results[2] == {"index": 2, "action": "delete", "id": drop, "status": 204, "data": None}
    assert _names() == (["kept", "new one"], 2)
    assert env.usage(env.alice_ns, "resources") == 2
    assert _event_count() == 2 + 3


@pytest.mark.parametrize(
    ("bad_op", "detail"),
    [
        ({"action": "create", "data": {"name": ""}}, "operations.1.data.name"),
        ({"action": "create", "data": {"description": "no name"}}, "operations.1.data.name"),
        ({"action": "create", "data": {"name": "x", "colour": "red"}}, "operations.1.data.colour"),
        ({"action": "update", "data": {"name": "x"}}, "operations.1.id"),
        ({"action": "update", "id": "res_X", "data": {"status": "gone"}}, "operations.1.data.status"),
        ({"action": "delete"}, "operations.1.id"),
        ({"action": "explode", "data": {}}, "operations.1.action"),
    ],
)
def test_one_invalid_operation_writes_nothing(env, bad_op, detail):
    before_events = _event_count()
    reply = _batch([{"action": "create", "data": {"name": "fine"}}, bad_op])
    assert reply.status == 400
    assert detail in reply.json["error"]["details"], reply.json
    assert _names() == ([], 0)
    assert _event_count() == before_events


def test_a_missing_or_foreign_id_writes_nothing(env):
    mine = _create("mine")
    bobs = call("POST", "/v1/resources", token=bob(), body={"name": "bob's"}).json["data"]["id"]
    before_events = _event_count()
    reply = _batch(
        [
            {"action": "create", "data": {"name": "fine"}},
            {"action": "update", "id": mine, "data": {"name": "changed"}},
            {"action": "delete", "id": bobs},
        ]
    )
    assert reply.status == 404
    assert "operations.2.id" in reply.json["error"]["details"]
    assert _names() == (["mine"], 1)
    assert _event_count() == before_events


def test_a_limit_breach_writes_nothing(env):
    env.set_limit("resources", 3)
    _create("one")
    reply = _batch([{"action": "create", "data": {"name": f"n{i}"}} for i in range(3)])
    assert reply.status == 403
    assert reply.json["error"]["code"] == "limit_exceeded"
    assert _names() == (["one"], 1)
    assert env.usage(env.alice_ns, "resources") == 1
    # creates and deletes are netted: replacing one resource stays within the limit
    ok = _batch(
        [{"action": "delete", "id": call("GET", "/v1/resources", token=alice()).json["data"][0]["id"]}]
        + [{"action": "create", "data": {"name": f"m{i}"}} for i in range(3)]
    )
    assert ok.status == 200, ok
    assert env.usage(env.alice_ns, "resources") == 3


def test_the_same_id_twice_is_400(env):
    rid = _create("x")
    reply = _batch([{"action": "update", "id": rid, "data": {"name": "a"}}, {"action": "delete", "id": rid}])
    assert reply.status == 400
    assert "operations.1.id" in reply.json["error"]["details"]


def test_maximum_operations(env):
    too_many = _batch([{"action": "create", "data": {"name": f"n{i}"}} for i in range(MAX_BATCH_OPERATIONS + 1)])
    assert too_many.status == 400
    assert "operations" in too_many.json["error"]["details"]
    assert _names()[1] == 0
    full = _batch([{"action": "create", "data": {"name": f"n{i:02d}"}} for i in range(MAX_BATCH_OPERATIONS)])
    assert full.status == 200, full
    assert _names()[1] == MAX_BATCH_OPERATIONS
    assert call("POST", "/v1/resources/batch", token=alice(), body={"operations": []}).status == 400


def test_batch_needs_write_scope(env):
    reply = _batch([{"action": "create", "data": {"name": "x"}}], tok=key_with("read:resources"))
    assert reply.status == 403
