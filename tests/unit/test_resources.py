"""Resources over the real function (in process, moto): CRUD, validation, tenancy, scopes, events, limits."""

from __future__ import annotations

import json

import pytest

from tests.helpers import call
from tests.unit.test_resources_support import alice, bob, key_with, world  # noqa: F401  (fixture)


@pytest.fixture
def env(world):  # noqa: F811
    return world


def _create(body=None, tok=None, **kwargs):
    return call(
        "POST",
        "/v1/resources",
        body={"name": "New Resource", "type": "standard"} if body is None else body,
        token=tok or alice(),
        **kwargs,
    )


def _events(object_id=None):
    from platform_api.events import EventRecord

    found = [
        json.loads(e.payload) for e in EventRecord.scan() if e.PK.startswith("EVENT#") and e.object_type == "resource"
    ]
    return [e for e in found if object_id is None or e["data"]["object"]["id"] == object_id]


def test_create_answers_201_with_defaults_location_and_an_outbox_event(env):
    reply = _create({"name": "New Resource", "description": "Resource description", "metadata": {"key": "value"}})
    assert reply.status == 201
    data = reply.json["data"]
    assert data["id"].startswith("res_")
    assert data["type"] == "standard"
    assert data["status"] == "active"
    assert data["owner"] == env.alice_id
    assert data["created_at"] == data["updated_at"]
    assert data["created_at"].endswith("Z")
    assert reply.headers["location"] == f"https://api.example.test/api/v1/resources/{data['id']}"
    (event,) = _events(data["id"])
    assert event["type"] == "resource.created"
    assert event["data"]["object"]["attributes"]["name"] == "New Resource"
    assert env.usage(env.alice_ns, "resources") == 1
    assert env.usage(env.alice_ns, "storage") > 0


def test_get_returns_the_full_object_as_document_000(env):
    created = _create(
        {"name": "Example Resource", "description": "A sample resource", "metadata": {"custom_field": "value"}}
    )
    rid = created.json["data"]["id"]
    reply = call("GET", f"/v1/resources/{rid}", token=alice())
    assert reply.status == 200
    data = reply.json["data"]
    assert {"id", "name", "description", "type", "status", "metadata", "created_at", "updated_at"} <= set(data)
    assert data["metadata"] == {"custom_field": "value"}
    assert data["description"] == "A sample resource"


def test_get_supports_fields_and_include_owner(env):
    rid = _create().json["data"]["id"]
    reply = call("GET", f"/v1/resources/{rid}", token=alice(), query="fields=name&include=owner")
    assert reply.json["data"] == {
        "id": rid,
        "name": "New Resource",
        "owner": {"id": env.alice_id, "username": env.alice["user"]["username"], "name": "Alice"},  # no email
    }
    bad = call("GET", f"/v1/resources/{rid}", token=alice(), query="include=secrets")
    assert bad.status == 400
    assert "include" in bad.json["error"]["details"]


def test_foreign_or_missing_ids_are_404_alike(env):
    rid = _create().json["data"]["id"]
    for path in (f"/v1/resources/{rid}", "/v1/resources/res_01JNOPE0000000000000000000", "/v1/resources/nope"):
        for method, body in (("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)):
            reply = call(method, path, token=bob() if path.endswith(rid) else alice(), body=body)
            assert reply.status == 404, (method, path, reply)
            assert reply.json["error"]["code"] == "resource_not_found"
    assert call("GET", f"/v1/resources/{rid}", token=alice()).status == 200


def test_patch_changes_only_the_sent_fields_and_writes_an_event(env):
    created = _create({"name": "Before", "description": "keep me", "tags": ["a"]}).json["data"]
    reply = call(
        "PATCH", f"/v1/resources/{created['id']}", token=alice(), body={"name": "Updated Name", "status": "archived"}
    )
    assert reply.status == 200
    data = reply.json["data"]
    assert data["name"] == "Updated Name"
    assert data["status"] == "archived"
    assert data["description"] == "keep me"
    assert data["tags"] == ["a"]
    assert data["updated_at"] >= created["updated_at"]
    assert [e["type"] for e in _events(created["id"])].count("resource.updated") == 1
    cleared = call("PATCH", f"/v1/resources/{created['id']}", token=alice(), body={"description": None})
    assert cleared.json["data"]["description"] is None


def test_delete_answers_204_releases_the_entitlement_and_writes_an_event(env):
    rid = _create().json["data"]["id"]
    reply = call("DELETE", f"/v1/resources/{rid}", token=alice())
    assert reply.status == 204
    assert reply.raw["body"] == ""
    assert call("GET", f"/v1/resources/{rid}", token=alice()).status == 404
    assert env.usage(env.alice_ns, "resources") == 0
    assert env.usage(env.alice_ns, "storage") == 0
    assert "resource.deleted" in [e["type"] for e in _events(rid)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "x", "type": "Not A Token"}, "type"),
        ({"name": "x", "status": "deleted"}, "status"),
        ({"name": "x", "metadata": ["not", "an", "object"]}, "metadata"),
        ({"name": "x", "metadata": {"big": "x" * 17000}}, "metadata"),
        ({"name": "x", "metadata": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}, "metadata"),
        ({"name": "x", "tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"name": "x", "tags": ["x" * 65]}, "tags"),
        ({"name": "x", "colour": "red"}, "colour"),
    ],
)
def test_create_validation_names_the_field(env, body, field):
    reply = _create(body)
    assert reply.status == 400
    assert reply.json["error"]["code"] == "invalid_request"
    assert field in reply.json["error"]["details"], reply.json
    assert env.usage(env.alice_ns, "resources") == 0


def test_patch_rejects_null_for_required_fields(env):
    rid = _create().json["data"]["id"]
    reply = call("PATCH", f"/v1/resources/{rid}", token=alice(), body={"name": None})
    assert reply.status == 400
    assert "name" in reply.json["error"]["details"]


def test_tags_are_trimmed_and_deduplicated(env):
    data = _create({"name": "x", "tags": ["a", " a ", "b", "a"]}).json["data"]
    assert data["tags"] == ["a", "b"]


def test_scopes_are_enforced(env):
    reader = key_with("read:resources")
    assert call("GET", "/v1/resources", token=reader).status == 200
    denied = _create(tok=reader)
    assert denied.status == 403
    assert denied.json["error"]["code"] == "insufficient_permissions"
    assert call("GET", "/v1/resources", token=key_with("read:webhooks")).status == 403
    assert _create(tok=key_with("write:resources")).status == 201


def test_resource_count_limit_is_enforced_atomically(env):
    env.set_limit("resources", 2)
    assert _create().status == 201
    assert _create().status == 201
    third = _create()
    assert third.status == 403
    assert third.json["error"]["code"] == "limit_exceeded"
    assert env.usage(env.alice_ns, "resources") == 2
    assert call("GET", "/v1/resources", token=alice()).json["meta"]["total"] == 2


def test_tenant_context_header_selects_a_shared_namespace(env):
    from tests.identity_support import register_user

    team = env.share_with_bob()
    made = call("POST", "/v1/resources", token=bob(), body={"name": "team"}, headers={"X-Namespace-ID": team})
    assert made.status == 201
    rid = made.json["data"]["id"]
    assert call("GET", f"/v1/resources/{rid}", token=bob()).status == 404  # not in bob's personal namespace
    assert call("GET", f"/v1/resources/{rid}", token=bob(), query=f"namespace_id={team}").status == 200
    assert call("GET", f"/v1/resources/{rid}", token=alice(), query=f"namespace_id={team}").status == 200  # owner
    outsider = register_user()["access_token"]
    assert call("GET", "/v1/resources", token=outsider, headers={"X-Namespace-ID": team}).status == 404


def test_list_items_carry_summary_fields_and_both_documents_meta(env):
    for i in range(3):
        _create({"name": f"r{i}", "description": "d", "metadata": {"k": i}, "tags": ["t"]})
    body = call("GET", "/v1/resources", token=alice(), query="page=1&per_page=50&sort=-created_at").json
    assert [d["name"] for d in body["data"]] == ["r2", "r1", "r0"]
    assert set(body["data"][0]) == {"id", "name", "type", "status", "created_at", "updated_at"}
    assert body["meta"] == {
        "page": 1,
        "current_page": 1,
        "per_page": 50,
        "total": 3,
        "total_pages": 1,
        "last_page": 1,
        "next_cursor": None,
    }
    assert body["links"]["first"] == "https://api.example.test/api/v1/resources?per_page=50&sort=-created_at&page=1"
    assert body["links"]["prev"] is None
    assert body["links"]["next"] is None
