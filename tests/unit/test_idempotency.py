"""Idempotency-Key on mutating routes (in process, sequential; the concurrent test is in tests/e2e)."""

from __future__ import annotations

import pytest

from platform_api import errors, state
from tests.helpers import call
from tests.unit.test_resources_support import alice, bob, key_with, world  # noqa: F401  (fixture)


@pytest.fixture
def env(world):  # noqa: F811
    return world


def _post(key, body=None, tok=None, **kwargs):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return call("POST", "/v1/resources", token=tok or alice(), body=body or {"name": "once"}, headers=headers, **kwargs)


def _total(tok=None):
    return call("GET", "/v1/resources", token=tok or alice()).json["meta"]["total"]


def test_same_key_replays_status_body_and_location_without_redoing_the_work(env):
    first = _post("550e8400-e29b-41d4-a716-446655440000")
    second = _post("550e8400-e29b-41d4-a716-446655440000")
    assert first.status == second.status == 201
    assert second.json == first.json
    assert second.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    assert _total() == 1


def test_json_formatting_does_not_matter(env):
    first = call(
        "POST",
        "/v1/resources",
        token=alice(),
        raw_body='{"name": "x", "type": "standard"}',
        headers={"Idempotency-Key": "k1"},
    )
    second = call(
        "POST",
        "/v1/resources",
        token=alice(),
        raw_body='{"type":"standard","name":"x"}',
        headers={"Idempotency-Key": "k1"},
    )
    assert second.status == 201
    assert second.json == first.json


def test_different_body_same_key_is_422(env):
    assert _post("k-mismatch", {"name": "a"}).status == 201
    reply = _post("k-mismatch", {"name": "b"})
    assert reply.status == 422
    assert reply.json["error"]["code"] == "idempotency_key_mismatch"
    assert _total() == 1


def test_keys_are_scoped_to_the_caller(env):
    by_alice = _post("shared-key")
    by_bob = _post("shared-key", tok=bob())
    assert by_alice.status == by_bob.status == 201
    assert by_alice.json["data"]["id"] != by_bob.json["data"]["id"]
    assert "idempotent-replayed" not in by_bob.headers
    assert _total() == 1
    assert _total(bob()) == 1
    # the same user through an API key: another caller
    api_key = _post("shared-key", tok=key_with("read:all,write:all"))
    assert api_key.status == 201
    assert "idempotent-replayed" not in api_key.headers


def test_keys_are_scoped_to_method_and_route(env):
    rid = _post("route-key").json["data"]["id"]
    patched = call(
        "PATCH", f"/v1/resources/{rid}", token=alice(), body={"name": "once"}, headers={"Idempotency-Key": "route-key"}
    )
    assert patched.status == 200
    assert "idempotent-replayed" not in patched.headers


def test_same_key_on_another_id_of_the_same_route_is_422(env):
    a = _post(None, {"name": "a"}).json["data"]["id"]
    b = _post(None, {"name": "b"}).json["data"]["id"]
    headers = {"Idempotency-Key": "patch-key"}
    assert (
        call("PATCH", f"/v1/resources/{a}", token=alice(), body={"status": "inactive"}, headers=headers).status == 200
    )
    other = call("PATCH", f"/v1/resources/{b}", token=alice(), body={"status": "inactive"}, headers=headers)
    assert other.status == 422


def test_delete_replays_204(env):
    rid = _post(None).json["data"]["id"]
    first = call("DELETE", f"/v1/resources/{rid}", token=alice(), headers={"Idempotency-Key": "del"})
    again = call("DELETE", f"/v1/resources/{rid}", token=alice(), headers={"Idempotency-Key": "del"})
    assert first.status == again.status == 204
    assert again.headers["idempotent-replayed"] == "true"
    assert call("DELETE", f"/v1/resources/{rid}", token=alice()).status == 404


def test_batch_is_idempotent(env):
    ops = {"operations": [{"action": "create", "data": {"name": f"n{i}"}} for i in range(3)]}
    first = call("POST", "/v1/resources/batch", token=alice(), body=ops, headers={"Idempotency-Key": "b"})
    again = call("POST", "/v1/resources/batch", token=alice(), body=ops, headers={"Idempotency-Key": "b"})
    assert first.json == again.json
    assert _total() == 3


def test_client_errors_are_stored_but_conflicts_and_server_errors_are_not(env, monkeypatch):
    env.set_limit("resources", 0)
    limited = _post("limited")
    assert limited.status == 403
    env.set_limit("resources", 10)
    replayed = _post("limited")
    assert replayed.status == 403  # a stored 4xx: the same answer for the same key, as Stripe does
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json["error"]["request_id"] == limited.json["error"]["request_id"]

    from platform_api.domain import resources as domain

    def conflict(*args, **kwargs):
        raise errors.Conflict("busy")

    def boom(*args, **kwargs):
        raise RuntimeError("database on fire")

    with monkeypatch.context() as patch:
        patch.setattr(domain, "create_resource", conflict)
        assert _post("transient").status == 409
        patch.setattr(domain, "create_resource", boom)
        assert _post("server-error").status == 500
    # neither was stored: the same keys now run for real
    assert _post("transient").status == 201
    retried = _post("server-error")
    assert retried.status == 201
    assert "idempotent-replayed" not in retried.headers


@pytest.mark.parametrize("key", ["x" * 256, "tab\there", "emoji-\u2603"])
def test_key_format_is_validated(env, key):
    reply = call(
        "POST",
        "/v1/resources",
        token=alice(),
        body={"name": "x"},
        headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")},
    )
    assert reply.status == 400
    assert "Idempotency-Key" in reply.json["error"]["details"]
    assert _total() == 0


def test_requests_without_the_header_are_unchanged(env):
    assert _post(None).status == 201
    assert _post(None).status == 201
    assert _total() == 2


def test_a_request_still_in_progress_is_409(env):
    """Simulate the first request being mid-flight: its INPROGRESS record exists and has not expired."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    from platform_api import idempotency

    original = idempotency.idempotent_function

    def in_progress(function, **kwargs):
        def run(**_):
            raise IdempotencyAlreadyInProgressError("busy")

        return run

    idempotency.idempotent_function = in_progress
    try:
        reply = _post("busy")
    finally:
        idempotency.idempotent_function = original
    assert reply.status == 409
    assert reply.json["error"]["code"] == "idempotency_key_in_use"
    assert reply.headers["retry-after"] == "1"


def test_in_progress_record_blocks_a_second_request(env):
    """A real INPROGRESS record in the table (the first request is still running) -> 409, then it completes."""
    import time

    from platform_api import idempotency
    from platform_api.db import client, table_name

    state.begin("")
    first = _post("racing")
    assert first.status == 201
    # turn the stored record back into an unexpired INPROGRESS one, as if the first request were still running
    items = client().scan(TableName=table_name())["Items"]
    (record,) = [i for i in items if i["PK"]["S"].startswith(idempotency.PK_PREFIX)]
    client().update_item(
        TableName=table_name(),
        Key={"PK": record["PK"], "SK": record["SK"]},
        UpdateExpression="SET #s = :s, in_progress_expiration = :e",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "INPROGRESS"}, ":e": {"N": str(int(time.time() * 1000) + 60000)}},
    )
    second = _post("racing")
    assert second.status == 409
    assert _total() == 1


def test_the_table_never_holds_a_readable_response_or_request(env):
    import boto3

    created = _post("secret-bearing-key", body={"name": "confidential-name-4242"})
    # A test may Scan: it reads everything the request left behind in the table.
    items = boto3.client("dynamodb", region_name="us-east-1").scan(TableName="local-Table")["Items"]
    records = [item for item in items if item["PK"]["S"].startswith("IDEMPOTENCY#")]
    assert len(records) == 1
    stored = str(records[0])
    assert "confidential-name-4242" not in stored
    assert created.json["data"]["id"] not in stored
    assert "secret-bearing-key" not in stored
    assert _post("secret-bearing-key", body={"name": "confidential-name-4242"}).json == created.json


# ---------------------------------------------------------------------------------------------- exactly once
class Killed(BaseException):
    """The process dies here: nothing after this line of the request runs (no except Exception clause)."""


def _record():
    from platform_api import idempotency
    from platform_api.db import client, table_name

    items = client().scan(TableName=table_name())["Items"]  # a test may Scan
    return [i for i in items if i["PK"]["S"].startswith(idempotency.PK_PREFIX)]


def _expire_in_progress(record):
    """What time does to a killed invocation's INPROGRESS record: its Lambda's timeout passes."""
    import time

    from platform_api.db import client, table_name

    client().update_item(
        TableName=table_name(),
        Key={"PK": record["PK"], "SK": record["SK"]},
        UpdateExpression="SET in_progress_expiration = :e",
        ExpressionAttributeValues={":e": {"N": str(int(time.time() * 1000) - 1)}},
    )


def test_the_answer_is_committed_in_the_same_transaction_as_the_change(env, monkeypatch):
    from platform_api.db import client

    calls = []
    real = client()
    original = real.transact_write_items
    monkeypatch.setattr(real, "transact_write_items", lambda **kw: calls.append(kw) or original(**kw))
    monkeypatch.setattr(real, "update_item", lambda **kw: calls.append({"update": kw}) or {})  # Powertools' update
    created = _post("one-transaction")
    assert created.status == 201
    writes = [c for c in calls if "TransactItems" in c]
    assert len(writes) == 1
    keys = [
        (op["Put"]["Item"]["PK"]["S"], op["Put"]["Item"]["SK"]["S"]) for op in writes[0]["TransactItems"] if "Put" in op
    ]
    assert any(pk.startswith("IDEMPOTENCY#") for pk, _ in keys)
    assert any(sk.startswith("RES#") for _, sk in keys)
    assert not [c for c in calls if "update" in c and "IDEMPOTENCY#" in str(c)]  # no second write of the record
    (record,) = _record()
    assert record["status"]["S"] == "COMPLETED"


def test_a_crash_after_the_commit_replays_the_committed_answer(env, monkeypatch):
    from platform_api import unit_of_work

    original = unit_of_work.DeferredCommit.send

    def commit_then_die(self, first):
        original(self, first)
        raise Killed

    monkeypatch.setattr(unit_of_work.DeferredCommit, "send", commit_then_die)
    with pytest.raises(Killed):
        _post("dies-after-commit")
    monkeypatch.undo()
    replay = _post("dies-after-commit")
    assert replay.status == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert _total() == 1
    listed = call("GET", "/v1/resources", token=alice()).json["data"]
    assert [r["id"] for r in listed] == [replay.json["data"]["id"]]


def test_a_crash_before_the_commit_writes_nothing_and_the_key_runs_once_after_its_timeout(env, monkeypatch):
    from platform_api import unit_of_work

    def die(self, first):
        raise Killed

    monkeypatch.setattr(unit_of_work.DeferredCommit, "send", die)
    with pytest.raises(Killed):
        _post("dies-before-commit")
    monkeypatch.undo()
    assert _total() == 0
    (record,) = _record()
    assert record["status"]["S"] == "INPROGRESS"
    held = _post("dies-before-commit")
    assert held.status == 409
    assert held.json["error"]["code"] == "idempotency_key_in_use"
    _expire_in_progress(record)
    first = _post("dies-before-commit")
    assert first.status == 201
    assert "idempotent-replayed" not in first.headers
    assert _post("dies-before-commit").json == first.json
    assert _total() == 1


def test_a_cancelled_commit_runs_the_route_again_where_the_domain_retries(env, monkeypatch):
    """A concurrent update moves the version between the route's read and its commit: the held transaction is
    cancelled, the route runs again, meets the conflict at its commit and retries with a fresh read."""
    from platform_api import unit_of_work

    rid = _post(None, {"name": "v1"}).json["data"]["id"]
    original = unit_of_work.DeferredCommit.send
    raced = []

    def race_then_send(self, first):
        if not raced:  # another writer's update lands first (the item's version moves)
            raced.append(True)
            from platform_api.dal import resources as dal

            item = dal.get(env.alice_ns, rid)
            item.update(actions=[dal.ResourceItem.version.set(int(item.version) + 1)])
        original(self, first)

    monkeypatch.setattr(unit_of_work.DeferredCommit, "send", race_then_send)
    mine = call("PATCH", f"/v1/resources/{rid}", token=alice(), body={"name": "mine"}, headers={"Idempotency-Key": "k"})
    monkeypatch.undo()
    assert mine.status == 200, mine
    assert mine.json["data"]["name"] == "mine"
    stored = call("GET", f"/v1/resources/{rid}", token=alice()).json["data"]
    assert stored == mine.json["data"]
    again = call(
        "PATCH", f"/v1/resources/{rid}", token=alice(), body={"name": "mine"}, headers={"Idempotency-Key": "k"}
    )
    assert again.json == mine.json
    assert again.headers["idempotent-replayed"] == "true"


def test_a_limit_met_at_the_held_commit_is_the_stored_answer_and_nothing_is_written(env, monkeypatch):
    from platform_api import unit_of_work

    env.set_limit("resources", 1)
    original = unit_of_work.DeferredCommit.send
    raced = []

    def fill_then_send(self, first):
        if not raced:  # another request takes the last slot first
            raced.append(True)
            env.set_limit("resources", 0)
        original(self, first)

    monkeypatch.setattr(unit_of_work.DeferredCommit, "send", fill_then_send)
    refused = _post("over-the-limit")
    monkeypatch.undo()
    assert refused.status == 403
    assert refused.json["error"]["code"] == "limit_exceeded"
    assert _total() == 0
    assert _post("over-the-limit").headers["idempotent-replayed"] == "true"


def test_an_invocation_that_lost_its_key_writes_nothing_and_leaves_the_new_holder_alone(env, monkeypatch):
    """It ran past its in-progress window and a retry took the key over: its commit must not land."""
    import time

    from local import aws_calls
    from platform_api import unit_of_work
    from platform_api.db import client, table_name

    original = unit_of_work.DeferredCommit.send

    def overtaken_then_send(self, first):
        with aws_calls.not_recorded():  # what another invocation (the retry) does, not this function
            (record,) = _record()
            client().update_item(  # the retry's claim: a later in-progress expiry
                TableName=table_name(),
                Key={"PK": record["PK"], "SK": record["SK"]},
                UpdateExpression="SET in_progress_expiration = :e",
                ExpressionAttributeValues={":e": {"N": str(int(time.time() * 1000) + 60000)}},
            )
        original(self, first)

    monkeypatch.setattr(unit_of_work.DeferredCommit, "send", overtaken_then_send)
    late = _post("overtaken")
    monkeypatch.undo()
    assert late.status == 409
    assert late.json["error"]["code"] == "idempotency_key_in_use"
    assert _total() == 0
    (record,) = _record()
    assert record["status"]["S"] == "INPROGRESS"  # the new holder's record is still there


def test_a_server_error_after_the_domain_drops_its_held_writes(env, monkeypatch):
    from platform_api.domain import resources as domain

    original = domain.create_resource

    def create_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("after the commit call")

    monkeypatch.setattr(domain, "create_resource", create_then_fail)
    assert _post("half").status == 500
    monkeypatch.undo()
    assert _total() == 0
    assert _record() == []  # deleted: the key can be retried at once
    assert _post("half").status == 201
