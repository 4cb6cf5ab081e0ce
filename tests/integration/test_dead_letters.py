"""Webhook dead letters (issue 22, point 4): an operator moves them back and the deliveries are attempted again,
bounded per call, without duplicates when called twice or concurrently. In process, on moto's SQS."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest

from platform_api.domain import dead_letters, webhooks
from tests.helpers import FakeContext, call, function_module
from tests.identity_support import register_user

REDRIVE = "/v1/admin/webhooks/dead-letters/redrive"
COUNT = "/v1/admin/webhooks/dead-letters"


class Receiver:
    """A webhook endpoint on 127.0.0.1 answering `status`, recording each request's webhook-id."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.ids.append(self.headers["webhook-id"])
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def world(aws, receiver, monkeypatch):
    """A tenant with a webhook, an operator key, and the SQS client; attempts are not spaced out."""
    from platform_api.domain import operators

    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "0,0,0,0,0,0,0")  # the template's 8 attempts, no waiting
    alice = register_user()
    hook = call("POST", "/v1/webhooks", body={"url": receiver.url, "events": ["*"]}, token=alice["access_token"])
    return {
        "alice": alice,
        "hook": hook.json["data"],
        "operator": operators.create_key("on-call", created_by="tests")["key"],
        "sqs": boto3.client("sqs", region_name="us-east-1"),
        "queue": aws["WebhookDeliveryQueue"]["QueueUrl"],
        "retry_queue": aws["WebhookRetryQueue"]["QueueUrl"],
        "retry_queue_arn": aws["WebhookRetryQueue"]["Arn"],
        "dlq": aws["WebhookDeliveryDLQ"]["QueueUrl"],
        "fanout": aws["WebhookFanoutQueue"]["QueueUrl"],
        "fanout_dlq": aws["WebhookFanoutDLQ"]["QueueUrl"],
    }


def _message(world, n: int) -> tuple[str, dict]:
    event_id = f"evt_01JD00000000000000000000{n:02d}"
    delivery_id = webhooks.delivery_id_for(event_id, world["hook"]["id"])
    payload = json.dumps({"id": event_id, "type": "resource.updated"})
    return delivery_id, webhooks.delivery_message(
        delivery_id, world["hook"]["id"], world["alice"]["namespace_id"], event_id, "resource.updated", payload
    )


def _drain(world, queue: str | None = None) -> int:
    """What Lambda's event source mappings do with the delivery queues: receive, invoke, delete unless failed.
    Without `queue`, the delivery queue and then the slow lane, where manual retries go (docs/webhooks.md)."""
    if queue is None:
        return _drain(world, world["queue"]) + _drain(world, world["retry_queue"])
    sqs = world["sqs"]
    # The slow lane's own ARN, so the function postpones on that queue; the delivery queue keeps a neutral one,
    # so these tests run every attempt in place (no move to the slow lane between them).
    source = world["retry_queue_arn"] if queue == world["retry_queue"] else "arn:aws:sqs:us-east-1:123456789012:queue"
    handled = 0
    for _ in range(200):
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
            "Messages", []
        )
        if not messages:
            return handled
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m["Attributes"],
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": source,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
        result = function_module("WebhookDeliveryFunction").handler({"Records": records}, FakeContext())
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        for record in records:
            handled += 1
            if record["messageId"] not in failed:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=record["receiptHandle"])
    raise AssertionError("the queue never drained")


def _kill(world, count: int, receiver) -> list[str]:
    """`count` deliveries through all their attempts against a failing receiver, into the delivery DLQ."""
    receiver.status = 500
    ids = []
    for n in range(count):
        delivery_id, message = _message(world, n)
        world["sqs"].send_message(QueueUrl=world["queue"], MessageBody=json.dumps(message))
        ids.append(delivery_id)
    _drain(world)
    assert len(receiver.ids) == count * webhooks.max_attempts()
    receiver.ids.clear()
    receiver.status = 200
    return ids


def _delivery(world, delivery_id: str) -> dict:
    path = f"/v1/webhooks/{world['hook']['id']}/deliveries/{delivery_id}"
    return call("GET", path, token=world["alice"]["access_token"]).json["data"]


def _in_queue(world, queue: str) -> list[dict]:
    """Every message now in `queue` (received and left to reappear: a look, not a consumption)."""
    seen = []
    while True:
        batch = world["sqs"].receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=30)
        if not batch.get("Messages"):
            return seen
        seen += [json.loads(m["Body"]) for m in batch["Messages"]]


def test_a_dead_delivery_is_redriven_and_then_attempted(world, receiver):
    [delivery_id] = _kill(world, 1, receiver)
    assert (_delivery(world, delivery_id)["status"], _delivery(world, delivery_id)["attempts"]) == ("failed", 8)
    counted = call("GET", COUNT, token=world["operator"])
    assert counted.status == 200, counted
    assert counted.json["data"]["waiting"] == 1
    assert {q["queue"]: q["waiting"] for q in counted.json["data"]["queues"]} == {"delivery": 1, "fanout": 0}

    reply = call("POST", REDRIVE, token=world["operator"])
    assert reply.status == 200, reply
    moved = reply.json["data"]
    assert (moved["moved"], moved["kept"], moved["failed"], moved["has_more"]) == (1, 0, 0, False)
    assert {q["queue"]: (q["moved"], q["remaining"]) for q in moved["queues"]} == {
        "delivery": (1, 0),
        "fanout": (0, 0),
    }

    assert _drain(world) == 1  # attempted at once, not skipped as a copy, and not sent back to the DLQ
    assert len(receiver.ids) == 1
    detail = _delivery(world, delivery_id)
    assert (detail["status"], detail["attempts"]) == ("success", 9)
    assert detail["history"][-1]["manual"] is True
    assert _in_queue(world, world["dlq"]) == []


def test_a_redriven_delivery_that_fails_again_is_recorded_and_stays_retryable(world, receiver):
    [delivery_id] = _kill(world, 1, receiver)
    receiver.status = 503
    assert call("POST", REDRIVE, token=world["operator"]).json["data"]["moved"] == 1
    _drain(world)
    detail = _delivery(world, delivery_id)
    assert (detail["status"], detail["attempts"], len(receiver.ids)) == ("failed", 9, 1)
    receiver.status = 200
    retry = f"/v1/webhooks/{world['hook']['id']}/deliveries/{delivery_id}/retry"
    assert call("POST", retry, token=world["alice"]["access_token"]).status == 202
    _drain(world)
    assert _delivery(world, delivery_id)["status"] == "success"


def test_redriving_twice_delivers_each_once(world, receiver):
    ids = _kill(world, 3, receiver)
    first = call("POST", REDRIVE, token=world["operator"]).json["data"]
    second = call("POST", REDRIVE, token=world["operator"]).json["data"]
    assert (first["moved"], second["moved"]) == (3, 0)
    _drain(world)
    assert len(receiver.ids) == len(set(receiver.ids)) == 3  # one request per delivery, none repeated
    assert {_delivery(world, d)["status"] for d in ids} == {"success"}
    third = call("POST", REDRIVE, token=world["operator"]).json["data"]
    assert (third["moved"], _drain(world), len(receiver.ids)) == (0, 0, 3)


def test_concurrent_redrives_move_each_message_once(world):
    """Two operators at once: SQS hides a received message from the other caller, so the two split the work."""
    sent = []
    for n in range(30):
        delivery_id, message = _message(world, n)
        world["sqs"].send_message(QueueUrl=world["dlq"], MessageBody=json.dumps(message))
        sent.append(delivery_id)
    queues = dead_letters.select(dead_letters.configured(), ["delivery"])
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: dead_letters.redrive(queues, 100), range(2)))
    assert sum(r["moved"] for r in results) == 30
    back = _in_queue(world, world["queue"])
    assert sorted(m["delivery_id"] for m in back) == sorted(sent)  # each once
    assert all(m["manual"] is True for m in back)
    assert _in_queue(world, world["dlq"]) == []


def test_a_call_moves_at_most_max_messages_and_says_more_remain(world):
    for n in range(25):
        _, message = _message(world, n)
        world["sqs"].send_message(QueueUrl=world["dlq"], MessageBody=json.dumps(message))
    calls = []
    while True:
        reply = call("POST", REDRIVE, body={"max_messages": 10, "queues": ["delivery"]}, token=world["operator"])
        assert reply.status == 200, reply
        calls.append(reply.json["data"])
        if not calls[-1]["has_more"]:
            break
        assert len(calls) < 5
    assert [c["moved"] for c in calls] == [10, 10, 5]
    assert [c["queues"][0]["remaining"] for c in calls] == [15, 5, 0]
    assert len(_in_queue(world, world["queue"])) == 25
    too_many = call("POST", REDRIVE, body={"max_messages": 501}, token=world["operator"])
    assert too_many.status == 400


def test_the_fanout_dlq_moves_events_and_keeps_what_is_no_event(world):
    event = {
        "event_id": "evt_01JD0000000000000000000077",
        "event_type": "resource.created",
        "namespace_id": world["alice"]["namespace_id"],
        "workspace_id": None,
        "payload": json.dumps({"id": "evt_01JD0000000000000000000077"}),
    }
    # what Lambda's on-failure destination writes for a stream batch the forwarder gave up on
    failure_record = {"requestContext": {"condition": "RetryAttemptsExhausted"}, "DDBStreamBatchInfo": {"batchSize": 1}}
    world["sqs"].send_message(QueueUrl=world["fanout_dlq"], MessageBody=json.dumps(event))
    world["sqs"].send_message(QueueUrl=world["fanout_dlq"], MessageBody=json.dumps(failure_record))
    result = call("POST", REDRIVE, token=world["operator"]).json["data"]
    fanout = next(q for q in result["queues"] if q["queue"] == "fanout")
    assert (fanout["moved"], fanout["kept"], fanout["remaining"]) == (1, 1, 1)
    assert _in_queue(world, world["fanout"]) == [event]  # unchanged: fanout is idempotent on the event id
    assert _in_queue(world, world["fanout_dlq"]) == [failure_record]


def test_a_call_takes_the_queues_in_the_order_asked(world):
    configured = dead_letters.configured()
    assert [q.name for q in dead_letters.select(configured, None)] == ["delivery", "fanout"]
    assert [q.name for q in dead_letters.select(configured, ["fanout", "delivery", "fanout"])] == ["fanout", "delivery"]
    reply = call("POST", REDRIVE, body={"queues": ["fanout"]}, token=world["operator"])
    assert [q["queue"] for q in reply.json["data"]["queues"]] == ["fanout"]
