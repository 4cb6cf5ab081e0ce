"""Webhooks: subscriptions, signed test sends, the outbox -> stream -> fanout -> delivery pipeline, retries."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.client
import pytest
from boto3.dynamodb.types import TypeDeserializer

from local import aws_calls
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
                "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{queue_url.rsplit('/', 1)[-1]}",
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def _sqs_bodies(queue_url: str) -> list[dict]:
    """Every message now visible on a queue (received, so hidden again for the visibility timeout)."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    return sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])


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


def _never() -> None:
    raise AssertionError("dead-lettered before the schedule ran out")


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
    dead: list[str] = []
    schedule = webhooks.retry_schedule()
    for receive_count in range(1, webhooks.max_attempts()):
        with pytest.raises(webhook_pipeline.RetryLater):
            webhook_pipeline.deliver(message, receive_count, postponed.append, _never)
    assert postponed == list(schedule)
    # the last attempt: failed, and on to the DLQ
    outcome = webhook_pipeline.deliver(message, webhooks.max_attempts(), postponed.append, lambda: dead.append("x"))
    assert outcome.startswith("failed")
    assert dead == ["x"]
    token = alice["access_token"]
    delivery = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=token).json["data"]
    assert (delivery["status"], delivery["attempts"], delivery["status_code"]) == ("failed", 8, 500)
    failed = call("GET", f"/v1/webhooks/{hook['id']}/deliveries", query={"status": "failed"}, token=token)
    assert failed.json["meta"]["total"] == 1
    receiver.status = 204
    retried = call("POST", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", token=token)
    assert retried.status == 202, retried
    assert _run("WebhookDeliveryFunction", _sqs_event(aws["WebhookRetryQueue"]["QueueUrl"])) == {
        "batchItemFailures": []
    }
    delivery = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=token).json["data"]
    assert (delivery["status"], delivery["attempts"], delivery["history"][-1]["manual"]) == ("success", 9, True)
    again = call("POST", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", token=token)
    assert again.status == 409


def test_fanout_to_100_subscriptions_takes_11_calls(alice, aws, monkeypatch):
    from platform_api.dal import webhooks as dal
    from platform_api.domain import plans
    from platform_api.models.webhooks import WebhookCreate

    plans.grant_package(
        "opk_test", alice["namespace_id"], "pkg_business", None, None
    )  # 5 + 200 webhooks (an operator's grant)
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


def test_template_retry_schedule_fits_the_queue(aws):
    from local.template import load_template

    resources = load_template()["Resources"]
    redrive = resources["WebhookDeliveryQueue"]["Properties"]["RedrivePolicy"]
    schedule = resources["WebhookDeliveryFunction"]["Properties"]["Environment"]["Variables"]["WEBHOOK_RETRY_SCHEDULE"]
    # the function dead-letters after its last attempt; the redrive policy must not cut the schedule short
    # when some receives made no attempt
    assert redrive["maxReceiveCount"] >= 2 * (len(schedule.split(",")) + 1)
    slow_lane = resources["WebhookRetryQueue"]["Properties"]["RedrivePolicy"]
    assert slow_lane["maxReceiveCount"] >= 4 * (len(schedule.split(",")) + 1)  # + one early receive per retry
    slow_function = resources["WebhookSlowDeliveryFunction"]["Properties"]["Environment"]["Variables"]
    assert slow_function["WEBHOOK_RETRY_SCHEDULE"] == schedule  # one schedule, whichever lane runs it
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
            webhook_pipeline.deliver(message, receive_count, lambda seconds: None, _never)
    receiver.status = 200
    assert webhook_pipeline.deliver(message, 3, lambda seconds: None, _never) == "success"
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
    slow_lane = aws["WebhookRetryQueue"]["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(message))
    for _ in range(20):  # what Lambda's event source mappings do: receive, invoke, delete unless failed
        events = [(url, _sqs_event(url)) for url in (queue, slow_lane)]
        if not any(event["Records"] for _, event in events):
            break
        for url, event in events:
            if not event["Records"]:
                continue
            result = _run("WebhookDeliveryFunction", event)
            failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
            for record in event["Records"]:
                if record["messageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=record["receiptHandle"])
    assert len(receiver.requests) == webhooks.max_attempts() == 8
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["delivery_id"] for m in dead] == [delivery_id]
    token = alice["access_token"]
    detail = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=token).json["data"]
    assert (detail["status"], detail["attempts"]) == ("failed", 8)
    receiver.status = 200
    assert call("POST", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", token=token).status == 202
    assert _run("WebhookDeliveryFunction", _sqs_event(slow_lane)) == {"batchItemFailures": []}
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


def _detail(user, hook, delivery_id) -> dict:
    reply = call("GET", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}", token=user["access_token"])
    assert reply.status == 200, reply
    return reply.json["data"]


def test_a_failed_manual_retry_during_the_schedule_does_not_end_it(alice, receiver, aws):
    """Issue 22: a manual retry that failed while automatic attempts were scheduled marked the delivery failed,
    and the scheduled copy was then skipped as 'already attempted': the event was lost."""
    receiver.status = 500
    hook = _hook(alice, receiver.url, events=["*"])
    delivery_id, message = _message_for(alice, hook)
    with pytest.raises(webhook_pipeline.RetryLater):
        webhook_pipeline.deliver(message, 1, lambda seconds: None, _never)
    token = alice["access_token"]
    assert call("POST", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", token=token).status == 202
    assert _run("WebhookDeliveryFunction", _sqs_event(aws["WebhookRetryQueue"]["QueueUrl"])) == {
        "batchItemFailures": []
    }
    detail = _detail(alice, hook, delivery_id)
    assert (detail["status"], detail["attempts"], detail["history"][-1]["manual"]) == ("pending", 2, True)
    assert detail["next_attempt_at"] is not None  # the schedule's next attempt is still due
    receiver.status = 200  # the receiver recovers before the scheduled attempt
    assert webhook_pipeline.deliver(message, 2, lambda seconds: None, _never) == "success"
    detail = _detail(alice, hook, delivery_id)
    assert (detail["status"], detail["attempts"]) == ("success", 3)
    assert [(a["manual"], a["status_code"]) for a in detail["history"]] == [(False, 500), (True, 500), (False, 200)]


def test_a_manual_retry_after_the_schedule_ran_out_is_one_more_attempt(alice, receiver, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "0")  # two automatic attempts
    receiver.status = 500
    hook = _hook(alice, receiver.url, events=["*"])
    delivery_id, message = _message_for(alice, hook)
    with pytest.raises(webhook_pipeline.RetryLater):
        webhook_pipeline.deliver(message, 1, lambda seconds: None, _never)
    dead: list[int] = []
    assert webhook_pipeline.deliver(message, 2, lambda seconds: None, lambda: dead.append(1)).startswith("failed")
    assert dead == [1]
    manual = {**message, "manual": True}
    assert webhook_pipeline.deliver(manual, 1, lambda seconds: None, _never) == "failed"
    # the scheduled message back again (its move to the DLQ had failed): no attempt, only the move
    assert webhook_pipeline.deliver(message, 3, lambda seconds: None, lambda: dead.append(2)).startswith("failed: past")
    assert dead == [1, 2]
    assert len(receiver.requests) == 3
    assert (_detail(alice, hook, delivery_id)["status"], _detail(alice, hook, delivery_id)["attempts"]) == ("failed", 3)


class _ShortContext(FakeContext):
    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 4000


def test_a_message_without_time_left_is_handed_back_without_using_an_attempt(alice, receiver, aws, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "0,0,0,0,0,0,0")  # the moved copy visible at once
    receiver.status = 500
    hook = _hook(alice, receiver.url, events=["*"])
    delivery_id, message = _message_for(alice, hook)
    queue = aws["WebhookDeliveryQueue"]["QueueUrl"]
    boto3.client("sqs", region_name="us-east-1").send_message(QueueUrl=queue, MessageBody=json.dumps(message))
    event = _sqs_event(queue)
    result = function_module("WebhookDeliveryFunction").handler(event, _ShortContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert receiver.requests == []
    again = _sqs_event(queue)  # visible again at once, received a second time
    assert again["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert _run("WebhookDeliveryFunction", again) == {"batchItemFailures": []}  # failed: moved to the slow lane
    detail = _detail(alice, hook, delivery_id)
    assert (detail["status"], detail["attempts"]) == ("pending", 1)  # the first attempt, not the second
    assert [a["attempt"] for a in detail["history"]] == [1]
    (moved,) = [json.loads(m["Body"]) for m in _sqs_bodies(aws["WebhookRetryQueue"]["QueueUrl"])]
    assert moved["after"] == 1  # the copy knows an attempt was made before it


def test_one_batch_hanging_dripping_and_healthy_endpoints_run_side_by_side(alice, aws, monkeypatch):
    """Issue 22: a dripping receiver in the same batch as a healthy one ran the function past its timeout and
    nobody got anything. Each attempt now has a total deadline and the batch's attempts run concurrently."""
    from local.webhook_receiver import WebhookReceiver

    monkeypatch.setattr(webhooks, "ATTEMPT_TIMEOUT_SECONDS", 1.5)
    monkeypatch.setattr(webhooks, "SLOW_ATTEMPT_MS", 1000)
    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "0,0,0,0,0,0,0")  # the moved copies visible at once
    with (
        WebhookReceiver(200, hang=30) as hanging,
        WebhookReceiver(200, drip=0.3) as dripping,
        WebhookReceiver(200) as healthy,
    ):
        hooks = [_hook(alice, r.url, events=["*"]) for r in (hanging, dripping, healthy)]
        queue = aws["WebhookDeliveryQueue"]["QueueUrl"]
        sqs = boto3.client("sqs", region_name="us-east-1")
        ids = []
        for hook in hooks:
            delivery_id, message = _message_for(alice, hook)
            ids.append(delivery_id)
            sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(message))
        event = _sqs_event(queue)
        assert len(event["Records"]) == 3
        started = time.monotonic()
        result = _run("WebhookDeliveryFunction", event)
        took = time.monotonic() - started
        assert healthy.deliveries
        assert healthy.deliveries[0].at - started < 1.0
    assert took < 4.0, took  # about one deadline, not the sum of them (or a hang's 30 s)
    assert result == {"batchItemFailures": []}  # the slow two failed: moved to the slow lane
    moved = [json.loads(m["Body"])["webhook_id"] for m in _sqs_bodies(aws["WebhookRetryQueue"]["QueueUrl"])]
    statuses = [_detail(alice, hook, delivery_id) for hook, delivery_id in zip(hooks, ids, strict=True)]
    assert [(d["status"], d["attempts"]) for d in statuses] == [("pending", 1), ("pending", 1), ("success", 1)]
    assert all("DeadlineExceeded" in (d["error"] or "") for d in statuses[:2]), [d["error"] for d in statuses]
    # the slow lane for the two slow endpoints from now on: their next event's message is not queued with others
    assert sorted(moved) == sorted(h["id"] for h in hooks[:2])
    from platform_api.dal import webhooks as dal

    assert [webhooks.in_slow_lane(dal.get(alice["namespace_id"], h["id"])) for h in hooks] == [True, True, False]
    with aws_calls.invoking("WebhookFanoutFunction"):  # its requests are the fanout function's (tests/iam)
        sent = webhook_pipeline.fan_out(
            {
                "event_id": "evt_01JD0000000000000000000050",
                "event_type": "resource.created",
                "namespace_id": alice["namespace_id"],
                "payload": "{}",
            }
        )
    assert sent == 3
    first = [json.loads(m["Body"])["webhook_id"] for m in _sqs_bodies(aws["WebhookDeliveryQueue"]["QueueUrl"])]
    assert first == [hooks[2]["id"]]


def _outbox_of_type(aws_physical, event_type: str) -> list[dict]:
    deserialize = TypeDeserializer().deserialize
    images = [{k: deserialize(v) for k, v in r["dynamodb"]["NewImage"].items()} for r in _outbox_records(aws_physical)]
    return [image for image in images if image["event_type"] == event_type]


def test_a_410_disables_the_endpoint_at_once_and_says_why(alice, receiver, aws):
    """Issue 22: a receiver answering 410 Gone was retried 8 times, then sent to the DLQ."""
    token = alice["access_token"]
    watcher = _hook(alice, "https://ops.example.com/hooks", events=["webhook.disabled"])  # told of disabling
    receiver.status = 410
    hook = _hook(alice, receiver.url, events=["*"])
    delivery_id, message = _message_for(alice, hook)
    assert webhook_pipeline.deliver(message, 1, _never, _never).startswith("failed: the endpoint is gone")
    got = call("GET", f"/v1/webhooks/{hook['id']}", token=token).json["data"]
    assert got["is_active"] is False
    assert got["disabled_reason"] == "endpoint_gone"
    assert got["disabled_by_event_id"] == message["event_id"]
    assert got["disabled_at"] is not None
    detail = _detail(alice, hook, delivery_id)
    assert (detail["status"], detail["attempts"], detail["status_code"]) == ("failed", 1, 410)
    # the outbox event, delivered to the namespace's other subscriptions like any event
    (disabled,) = _outbox_of_type(aws, "webhook.disabled")
    assert json.loads(disabled["payload"])["data"]["object"]["attributes"]["disabled_reason"] == "endpoint_gone"
    fanned = webhook_pipeline.fan_out({**webhook_pipeline.fanout_message(disabled), "payload": disabled["payload"]})
    # the watcher, and the disabled webhook itself (subscribed to '*'): recorded as not sent, it is among what a
    # recovery re-sends once the endpoint is back
    assert fanned == 2
    messages = [json.loads(m["body"]) for m in _sqs_event(aws["WebhookDeliveryQueue"]["QueueUrl"])["Records"]]
    assert {m["webhook_id"] for m in messages} == {watcher["id"], hook["id"]}
    # a later event is not sent, but recorded, so that a recovery after re-enabling finds it
    later_id, later = _message_for(alice, hook, event_id="evt_01JD0000000000000000000010")
    assert webhook_pipeline.fan_out({**later, "namespace_id": alice["namespace_id"], "payload": later["payload"]})
    assert webhook_pipeline.deliver(later, 1, _never, _never) == "failed: webhook inactive"
    assert len(receiver.requests) == 1
    unsent = _detail(alice, hook, later_id)
    assert (unsent["status"], unsent["attempts"]) == ("failed", 0)
    assert unsent["error"] == "not sent: the webhook is disabled (endpoint_gone)"
    enabled = call("PATCH", f"/v1/webhooks/{hook['id']}", body={"is_active": True}, token=token).json["data"]
    assert enabled["is_active"] is True
    assert (enabled["disabled_reason"], enabled["disabled_at"], enabled["disabled_by_event_id"]) == (None,) * 3


def test_an_endpoint_failing_for_the_configured_time_is_disabled(alice, receiver, aws, monkeypatch):
    monkeypatch.setenv("WEBHOOK_DISABLE_AFTER_SECONDS", "0")  # any run of two failures is long enough
    token = alice["access_token"]
    hook = _hook(alice, receiver.url, events=["*"])
    receiver.status = 500
    _, first = _message_for(alice, hook, event_id="evt_01JD0000000000000000000011")
    with pytest.raises(webhook_pipeline.RetryLater):
        webhook_pipeline.deliver(first, 1, lambda seconds: None, _never)
    assert call("GET", f"/v1/webhooks/{hook['id']}", token=token).json["data"]["failing_since"] is not None
    receiver.status = 200
    _, second = _message_for(alice, hook, event_id="evt_01JD0000000000000000000012")
    assert webhook_pipeline.deliver(second, 1, lambda seconds: None, _never) == "success"
    got = call("GET", f"/v1/webhooks/{hook['id']}", token=token).json["data"]
    assert (got["failing_since"], got["is_active"]) == (None, True)  # a success ends the run
    receiver.status = 500
    for receive_count in (2, 3):  # the first failure starts a new run, the next one finds it long enough
        with pytest.raises(webhook_pipeline.RetryLater):
            webhook_pipeline.deliver(first, receive_count, lambda seconds: None, _never)
    got = call("GET", f"/v1/webhooks/{hook['id']}", token=token).json["data"]
    assert (got["is_active"], got["disabled_reason"], got["disabled_by_event_id"]) == (
        False,
        "failing",
        first["event_id"],
    )
    assert len(_outbox_of_type(aws, "webhook.disabled")) == 1
    # the scheduled copy comes back: closed as failed, nothing sent
    sent = len(receiver.requests)
    assert webhook_pipeline.deliver(first, 4, _never, _never) == "failed: webhook inactive"
    assert len(receiver.requests) == sent


def _failed_delivery(user, hook, event_id: str) -> str:
    """One delivery whose only attempt (by hand) failed: `failed`, nothing scheduled."""
    delivery_id, message = _message_for(user, hook, event_id=event_id)
    assert webhook_pipeline.deliver({**message, "manual": True}, 1, _never, _never) == "failed"
    return delivery_id


def test_recover_resends_the_failed_deliveries_since_a_time_once(alice, receiver, aws):
    token = alice["access_token"]
    receiver.status = 500
    hook = _hook(alice, receiver.url, events=["*"])
    older = _failed_delivery(alice, hook, "evt_01JD0000000000000000000020")
    time.sleep(1.05)  # stored times are whole seconds
    from platform_api.timeutil import now_iso

    since = now_iso()
    recent = {_failed_delivery(alice, hook, f"evt_01JD00000000000000000000{n}") for n in (21, 22)}
    receiver.status = 200
    delivered_id, delivered = _message_for(alice, hook, event_id="evt_01JD0000000000000000000023")
    assert webhook_pipeline.deliver(delivered, 1, _never, _never) == "success"
    path = f"/v1/webhooks/{hook['id']}/recover"
    first = call("POST", path, body={"since": since}, token=token)
    assert first.status == 202, first
    assert first.json["data"] == {"recovered": 2, "since": since, "has_more": False}
    again = call("POST", path, body={"since": since}, token=token)  # a repeat queues nothing twice
    assert again.json["data"]["recovered"] == 0
    queued = _sqs_event(aws["WebhookRetryQueue"]["QueueUrl"])
    assert {json.loads(r["body"])["delivery_id"] for r in queued["Records"]} == recent
    assert all(json.loads(r["body"])["manual"] for r in queued["Records"])
    pending = call("GET", f"/v1/webhooks/{hook['id']}/deliveries", query={"status": "pending"}, token=token)
    assert {d["id"] for d in pending.json["data"]} == recent
    assert _run("WebhookDeliveryFunction", queued) == {"batchItemFailures": []}
    assert {(d["id"], d["status"]) for d in (_detail(alice, hook, i) for i in recent)} == {
        (i, "success") for i in recent
    }
    assert _detail(alice, hook, older)["status"] == "failed"  # before `since`: left alone
    assert _detail(alice, hook, delivered_id)["attempts"] == 1
    assert call("POST", path, body={"since": since}, token=token).json["data"]["recovered"] == 0


def test_recover_is_scoped_validated_and_refused_while_disabled(alice, receiver, aws):
    hook = _hook(alice, receiver.url, events=["*"])
    path = f"/v1/webhooks/{hook['id']}/recover"
    bob = register_user()
    assert call("POST", path, body={"since": "2026-01-01T00:00:00Z"}, token=bob["access_token"]).status == 404
    for bad in (
        {},
        {"since": "yesterday"},
        {"since": "2026-01-01T00:00:00"},
        {"since": "2026-01-01T00:00:00Z", "x": 1},
    ):
        reply = call("POST", path, body=bad, token=alice["access_token"])
        assert reply.status == 400, (bad, reply)
        assert reply.json["error"]["code"] == "invalid_request"
    call("PATCH", f"/v1/webhooks/{hook['id']}", body={"is_active": False}, token=alice["access_token"])
    paused = call("POST", path, body={"since": "2026-01-01T00:00:00Z"}, token=alice["access_token"])
    assert paused.status == 409, paused


def test_re_enabling_a_disabled_endpoint_and_recovering_resends_what_it_missed(alice, receiver, aws):
    token = alice["access_token"]
    receiver.status = 410
    hook = _hook(alice, receiver.url, events=["*"])
    gone_id, gone = _message_for(alice, hook, event_id="evt_01JD0000000000000000000030")
    webhook_pipeline.deliver(gone, 1, _never, _never)
    disabled = call("GET", f"/v1/webhooks/{hook['id']}", token=token).json["data"]
    missed_id, missed = _message_for(alice, hook, event_id="evt_01JD0000000000000000000031")
    assert webhook_pipeline.deliver(missed, 1, _never, _never) == "failed: webhook inactive"
    assert len(receiver.requests) == 1
    receiver.status = 200
    assert call("PATCH", f"/v1/webhooks/{hook['id']}", body={"is_active": True}, token=token).status == 200
    recovered = call("POST", f"/v1/webhooks/{hook['id']}/recover", body={"since": disabled["disabled_at"]}, token=token)
    assert recovered.json["data"]["recovered"] == 2
    assert _run("WebhookDeliveryFunction", _sqs_event(aws["WebhookRetryQueue"]["QueueUrl"])) == {
        "batchItemFailures": []
    }
    assert {json.loads(body)["id"] for _, body in receiver.requests[1:]} == {gone["event_id"], missed["event_id"]}
    assert [_detail(alice, hook, i)["status"] for i in (gone_id, missed_id)] == ["success", "success"]


def test_a_recovery_the_queue_refuses_is_a_503_and_leaves_the_deliveries_failed(alice, receiver, aws, monkeypatch):
    from platform_api import queues

    receiver.status = 500
    hook = _hook(alice, receiver.url, events=["*"])
    delivery_id = _failed_delivery(alice, hook, "evt_01JD0000000000000000000040")

    def refused(*args, **kwargs):
        raise queues.SendFailed("SQS unavailable")

    monkeypatch.setattr(webhooks, "enqueue", refused)
    path = f"/v1/webhooks/{hook['id']}/recover"
    reply = call("POST", path, body={"since": "2020-01-01T00:00:00Z"}, token=alice["access_token"])
    assert reply.status == 503, reply
    assert reply.json["error"]["code"] == "service_unavailable"
    assert _detail(alice, hook, delivery_id)["status"] == "failed"  # found by the next recovery
    monkeypatch.undo()
    reply = call("POST", path, body={"since": "2020-01-01T00:00:00Z"}, token=alice["access_token"])
    assert reply.json["data"]["recovered"] == 1
    call("PATCH", f"/v1/webhooks/{hook['id']}", body={"is_active": False}, token=alice["access_token"])
    retry = call("POST", f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", token=alice["access_token"])
    assert retry.status == 409, retry


def test_a_failed_first_attempt_moves_to_the_slow_lane_and_waits_there_until_due(alice, receiver):
    receiver.status = 500
    hook = _hook(alice, receiver.url, events=["*"])
    delivery_id, message = _message_for(alice, hook)
    moved: list[tuple[dict, int]] = []
    outcome = webhook_pipeline.deliver(message, 1, _never, _never, lambda copy, delay: moved.append((copy, delay)))
    assert outcome.endswith("on the slow lane")
    ((copy, delay),) = moved
    assert (copy["after"], delay) == (1, webhooks.retry_schedule()[0])
    postponed: list[int] = []
    with pytest.raises(webhook_pipeline.RetryLater, match="due in"):  # received before it is due: no attempt
        webhook_pipeline.deliver({**copy, "due": time.time() + 60}, 1, postponed.append, _never)
    assert 58 <= postponed[0] <= 61
    assert len(receiver.requests) == 1
    with pytest.raises(webhook_pipeline.RetryLater, match="attempt 2 failed"):
        webhook_pipeline.deliver({**copy, "due": time.time()}, 1, postponed.append, _never)
    assert postponed[-1] == webhooks.retry_schedule()[1]
    # the original, back on the delivery queue (its delete was lost): a copy, dropped without sending
    assert webhook_pipeline.deliver(message, 2, _never, _never).startswith("skipped: a copy")
    assert len(receiver.requests) == 2
    assert _detail(alice, hook, delivery_id)["attempts"] == 2
