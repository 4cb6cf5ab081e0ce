"""Webhooks: subscriptions, signed test sends, the outbox -> stream -> fanout -> delivery pipeline, retries."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.client
import pytest
from boto3.dynamodb.types import TypeDeserializer

from platform_api import webhook_signing
from platform_api.domain import webhook_pipeline, webhooks
from tests.helpers import FakeContext, call, function_module
from tests.identity_support import register_user


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what it gets and answers `status`."""

    def __init__(self):
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def alice(aws):
    return register_user()


def _hook(user, url, events=("resource.*",), **extra):
    body = {"url": url, "events": list(events), **extra}
    reply = call("POST", "/v1/webhooks", body=body, token=user["access_token"])
    assert reply.status == 201, reply
    return reply.json["data"]


def _sqs_event(queue_url: str, max_messages: int = 10) -> dict:
    sqs = boto3.client("sqs", region_name="us-east-1")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=max_messages, AttributeNames=["All"]).get(
        "Messages", []
    )
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m["Attributes"],
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:queue",
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def _outbox_records(aws_physical) -> list[dict]:
    """The stream records Lambda would get for every EVENT# item (what the forwarder's filter lets in)."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    items = client.scan(TableName=aws_physical["Table"]["Ref"])["Items"]
    return [
        {
            "eventID": str(index),
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "Keys": {"PK": item["PK"], "SK": item["SK"]},
                "NewImage": item,
                "SequenceNumber": str(index),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }
        for index, item in enumerate(items)
        if item["PK"]["S"].startswith("EVENT#")
    ]


def _run(logical_id: str, event: dict) -> dict:
    return function_module(logical_id).handler(event, FakeContext())


def test_create_returns_the_secret_once_and_validates(alice, receiver):
    hook = _hook(alice, receiver.url, events=["resource.created", "resource.created", "member.*"])
    assert hook["id"].startswith("wh_")
    assert hook["secret"].startswith("whsec_")
    assert hook["events"] == ["resource.created", "member.*"]
    listed = call("GET", "/v1/webhooks", token=alice["access_token"]).json["data"]
    assert "secret" not in listed[0]
    assert "secret" not in call("GET", f"/v1/webhooks/{hook['id']}", token=alice["access_token"]).json["data"]
    for bad in (
        {"url": receiver.url, "events": ["resource.exploded"]},
        {"url": "http://169.254.169.254/latest/meta-data", "events": ["*"]},
        {"url": "ftp://example.com/x", "events": ["*"]},
        {"url": receiver.url, "events": []},
    ):
        reply = call("POST", "/v1/webhooks", body=bad, token=alice["access_token"])
        assert reply.status == 400, (bad, reply)


def test_test_send_is_signed_both_ways_and_recorded(alice, receiver):
    hook = _hook(alice, receiver.url, secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    reply = call("POST", f"/v1/webhooks/{hook['id']}/test", token=alice["access_token"])
    assert reply.status == 200, reply
    assert reply.json["success"] is True
    assert reply.json["status_code"] == 200
    assert isinstance(reply.json["response_time_ms"], int)
    headers, body = receiver.requests[-1]
    assert webhook_signing.verify_legacy(hook["secret"], headers["X-Webhook-Signature"], body)
    assert webhook_signing.verify_standard(hook["secret"], headers, body)
    payload = json.loads(body)
    assert payload["type"] == "webhook.test"
    assert set(payload) == {"id", "type", "created_at", "data"}
    deliveries = call("GET", f"/v1/webhooks/{hook['id']}/deliveries", token=alice["access_token"]).json["data"]
    assert [(d["event_type"], d["status"], d["attempts"]) for d in deliveries] == [("webhook.test", "success", 1)]
    detail = call(
        "GET", f"/v1/webhooks/{hook['id']}/deliveries/{deliveries[0]['id']}", token=alice["access_token"]
    ).json["data"]
    assert detail["history"][0]["status_code"] == 200
    assert detail["response_excerpt"] == '{"ok": true}'


def test_rotation_keeps_the_old_secret_signing_during_the_grace_period(alice, receiver):
    hook = _hook(alice, receiver.url)
    rotated = call("POST", f"/v1/webhooks/{hook['id']}/rotate-secret", token=alice["access_token"])  # no body
    assert rotated.status == 200, rotated
    new_secret = rotated.json["data"]["secret"]
    assert new_secret != hook["secret"]
    call("POST", f"/v1/webhooks/{hook['id']}/test", token=alice["access_token"])
    headers, body = receiver.requests[-1]
    assert webhook_signing.verify_standard(new_secret, headers, body)
    assert webhook_signing.verify_standard(hook["secret"], headers, body)  # still in grace
    assert webhook_signing.verify_legacy(new_secret, headers["X-Webhook-Signature"], body)
    call(
        "POST",
        f"/v1/webhooks/{hook['id']}/rotate-secret",
        body={"grace_period_seconds": 0},
        token=alice["access_token"],
    )
    call("POST", f"/v1/webhooks/{hook['id']}/test", token=alice["access_token"])
    headers, body = receiver.requests[-1]
    assert not webhook_signing.verify_standard(new_secret, headers, body)


def test_the_pipeline_delivers_a_resource_event_once(alice, receiver, aws):
    hook = _hook(alice, receiver.url, events=["resource.created"])
    created = call("POST", "/v1/resources", body={"name": "hello"}, token=alice["access_token"]).json["data"]
    records = _outbox_records(aws)
    assert _run("StreamForwarderFunction", {"Records": records}) == {"batchItemFailures": []}
    fanout = _sqs_event(aws["WebhookFanoutQueue"]["QueueUrl"])
    assert {json.loads(r["body"])["event_type"] for r in fanout["Records"]} >= {"resource.created", "webhook.created"}
    assert _run("WebhookFanoutFunction", fanout) == {"batchItemFailures": []}
    delivery_event = _sqs_event(aws["WebhookDeliveryQueue"]["QueueUrl"])
    assert len(delivery_event["Records"]) == 1  # only resource.created matches the subscription
    assert _run("WebhookDeliveryFunction", delivery_event) == {"batchItemFailures": []}
    ((headers, body),) = receiver.requests
    payload = json.loads(body)
    assert payload["type"] == "resource.created"
    assert payload["data"]["object"]["id"] == created["id"]
    assert webhook_signing.verify_legacy(hook["secret"], headers["X-Webhook-Signature"], body)
    # the same message again (SQS at-least-once): no second send, no second record
    _run("WebhookDeliveryFunction", delivery_event)
    assert len(receiver.requests) == 1
    deliveries = call("GET", f"/v1/webhooks/{hook['id']}/deliveries", token=alice["access_token"]).json["data"]
    assert [(d["event_type"], d["status"], d["attempts"]) for d in deliveries] == [("resource.created", "success", 1)]


def test_failures_back_off_then_fail_and_can_be_retried_by_hand(alice, receiver, aws):
    receiver.status = 500
    hook = _hook(alice, receiver.url, events=["*"])
    event = {
        "event_id": "evt_01JD0000000000000000000000",
        "event_type": "resource.created",
        "namespace_id": alice["namespace_id"],
        "payload": '{"id":"evt_01JD0000000000000000000000","type":"resource.created"}',
    }
    delivery_id = webhooks.delivery_id_for(event["event_id"], hook["id"])
    message = webhooks.delivery_message(
        delivery_id, hook["id"], event["namespace_id"], event["event_id"], "resource.created", event["payload"]
    )
    postponed: list[int] = []
    schedule = webhooks.retry_schedule()
    for receive_count in range(1, webhooks.max_attempts()):
        with pytest.raises(webhook_pipeline.RetryLater):
            webhook_pipeline.deliver(message, receive_count, postponed.append)
    assert postponed == list(schedule)
    with pytest.raises(webhook_pipeline.RetryLater):  # the last attempt: failed, and on to the DLQ
        webhook_pipeline.deliver(message, webhooks.max_attempts(), postponed.append)
    token = alice["access_token"]
    delivery = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=token).json["data"]
    assert (delivery["status"], delivery["attempts"], delivery["status_code"]) == ("failed", 8, 500)
    failed = call("GET", f"/v1/webhooks/{hook['id']}/deliveries", query={"status": "failed"}, token=token)
    assert failed.json["meta"]["total"] == 1
    receiver.status = 204
    retried = call("POST", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", token=token)
    assert retried.status == 202, retried
    assert _run("WebhookDeliveryFunction", _sqs_event(aws["WebhookDeliveryQueue"]["QueueUrl"])) == {
        "batchItemFailures": []
    }
    delivery = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=token).json["data"]
    assert (delivery["status"], delivery["attempts"], delivery["history"][-1]["manual"]) == ("success", 9, True)
    again = call("POST", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", token=token)
    assert again.status == 409


def test_fanout_to_100_subscriptions_takes_11_calls(alice, aws, monkeypatch):
    from platform_api.dal import webhooks as dal
    from platform_api.domain import namespaces
    from platform_api.models.webhooks import WebhookCreate

    namespaces.grant_package(alice["namespace_id"], "pkg_business")  # 5 + 200 webhooks (an operator's grant)
    from platform_api.domain.tenancy import Actor
    from platform_api.principal import Principal

    actor = Actor(Principal(alice["user_id"], "session"), alice["namespace_id"], None, "owner")
    for index in range(100):
        webhooks.create_webhook(actor, WebhookCreate(url=f"https://hooks{index}.example.com/", events=["resource.*"]))
    assert len(dal.list_for(alice["namespace_id"])) == 100
    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        calls.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    sent = webhook_pipeline.fan_out(
        {
            "event_id": "evt_01JD0000000000000000000001",
            "event_type": "resource.updated",
            "namespace_id": alice["namespace_id"],
            "payload": "{}",
        }
    )
    assert sent == 100
    assert calls.count("Query") == 1
    assert calls.count("SendMessageBatch") == 10
    assert len(calls) == 11


def test_delivery_ids_are_stable_per_event_and_webhook():
    first = webhooks.delivery_id_for("evt_01JD0000000000000000000000", "wh_01JD0000000000000000000000")
    assert first == webhooks.delivery_id_for("evt_01JD0000000000000000000000", "wh_01JD0000000000000000000000")
    assert first != webhooks.delivery_id_for("evt_01JD0000000000000000000000", "wh_01JD0000000000000000000001")
    assert first.startswith("del_")


def test_stream_records_other_than_events_are_not_forwarded():
    deserialize = TypeDeserializer().deserialize
    image = {"PK": {"S": "NS#ns_1"}, "SK": {"S": "RES#res_1"}}
    assert webhook_pipeline.fanout_message({k: deserialize(v) for k, v in image.items()}) is None


def test_template_retry_schedule_matches_the_queue(aws):
    from local.template import load_template

    resources = load_template()["Resources"]
    redrive = resources["WebhookDeliveryQueue"]["Properties"]["RedrivePolicy"]
    schedule = resources["WebhookDeliveryFunction"]["Properties"]["Environment"]["Variables"]["WEBHOOK_RETRY_SCHEDULE"]
    assert redrive["maxReceiveCount"] == len(schedule.split(",")) + 1
    assert max(int(s) for s in schedule.split(",")) <= 43200  # SQS visibility timeout ceiling (12 h)


def _message_for(alice, hook, event_id="evt_01JD0000000000000000000009"):
    delivery_id = webhooks.delivery_id_for(event_id, hook["id"])
    payload = json.dumps({"id": event_id, "type": "resource.updated"})
    return delivery_id, webhooks.delivery_message(
        delivery_id, hook["id"], alice["namespace_id"], event_id, "resource.updated", payload
    )


def test_a_receiver_that_recovers_gets_the_delivery_with_every_attempt_recorded(alice, receiver):
    hook = _hook(alice, receiver.url, events=["*"])
    delivery_id, message = _message_for(alice, hook)
    receiver.status = 503
    for receive_count in (1, 2):
        with pytest.raises(webhook_pipeline.RetryLater):
            webhook_pipeline.deliver(message, receive_count, lambda seconds: None)
    receiver.status = 200
    assert webhook_pipeline.deliver(message, 3, lambda seconds: None) == "success"
    detail = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=alice["access_token"]).json[
        "data"
    ]
    assert (detail["status"], detail["attempts"]) == ("success", 3)
    assert [(a["attempt"], a["status_code"]) for a in detail["history"]] == [(1, 503), (2, 503), (3, 200)]
    assert len(receiver.requests) == 3
    assert len({h["webhook-id"] for h, _ in receiver.requests}) == 1  # one id across retries: receivers dedupe


def test_an_always_failing_receiver_ends_in_the_dlq_then_a_manual_retry_delivers(alice, receiver, aws, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "0,0,0,0,0,0,0")  # same attempt count, no waiting
    receiver.status = 500
    hook = _hook(alice, receiver.url, events=["*"])
    delivery_id, message = _message_for(alice, hook)
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue, dlq = aws["WebhookDeliveryQueue"]["QueueUrl"], aws["WebhookDeliveryDLQ"]["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(message))
    for _ in range(20):  # what Lambda's event source mapping does: receive, invoke, delete unless failed
        event = _sqs_event(queue)
        if not event["Records"]:
            break
        result = _run("WebhookDeliveryFunction", event)
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        for record in event["Records"]:
            if record["messageId"] not in failed:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=record["receiptHandle"])
    assert len(receiver.requests) == webhooks.max_attempts() == 8
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["delivery_id"] for m in dead] == [delivery_id]
    token = alice["access_token"]
    detail = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=token).json["data"]
    assert (detail["status"], detail["attempts"]) == ("failed", 8)
    receiver.status = 200
    assert call("POST", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", token=token).status == 202
    assert _run("WebhookDeliveryFunction", _sqs_event(queue)) == {"batchItemFailures": []}
    detail = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=token).json["data"]
    assert (detail["status"], detail["attempts"]) == ("success", 9)


def test_an_event_committed_before_a_crash_is_still_delivered(alice, receiver, aws, monkeypatch):
    """The API process dies right after its commit, and the first forwarding attempt fails too: the outbox
    item is in the table, the stream hands it to the forwarder again, and the subscriber still gets it."""
    _hook(alice, receiver.url, events=["resource.created"])
    call("POST", "/v1/resources", body={"name": "survivor"}, token=alice["access_token"])
    records = _outbox_records(aws)  # nothing else ran: this is all a crash leaves behind
    from platform_api import queues

    original = queues.send_batch

    def unavailable(*args, **kwargs):
        raise queues.SendFailed("SQS unavailable")

    monkeypatch.setattr(webhook_pipeline, "send_batch", unavailable)
    first = _run("StreamForwarderFunction", {"Records": records})
    assert len(first["batchItemFailures"]) == len(records)  # Lambda retries these records
    monkeypatch.setattr(webhook_pipeline, "send_batch", original)
    assert _run("StreamForwarderFunction", {"Records": records}) == {"batchItemFailures": []}
    assert _run("WebhookFanoutFunction", _sqs_event(aws["WebhookFanoutQueue"]["QueueUrl"])) == {"batchItemFailures": []}
    assert _run("WebhookDeliveryFunction", _sqs_event(aws["WebhookDeliveryQueue"]["QueueUrl"])) == {
        "batchItemFailures": []
    }
    assert [json.loads(body)["data"]["object"]["attributes"]["name"] for _, body in receiver.requests] == ["survivor"]
