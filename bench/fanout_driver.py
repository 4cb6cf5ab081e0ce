"""Section 4 driver: one outbox event fanned out to N webhook subscriptions by the fanout function.

Subscriptions: one created through POST /v1/webhooks, the rest cloned from its items with BatchWriteItem
(a per-namespace webhook limit must not cap the benchmark). The event: a real resource create's outbox
item, handed to the fanout function in the shape its template event source delivers (a DynamoDB stream
record, or an SQS message whose body is that record). Every DynamoDB and SQS call the handler makes is
counted.
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any

from bench.counters import counting, uncounted
from bench.env import ROOT, call, route_built
from bench.inprocess import CostRow, get_caller
from bench.tenant import NotBuilt, create_resource
from tests.helpers import FakeContext


def _fanout_module() -> tuple[Any, list[dict[str, Any]]]:
    from local.template import load_template

    sources: list[dict[str, Any]] = []
    for resource in load_template()["Resources"].values():
        props = resource.get("Properties") or {}
        if str(props.get("CodeUri", "")).rstrip("/").endswith("functions/webhook_fanout"):
            sources = list((props.get("Events") or {}).values())
    path = ROOT / "functions" / "webhook_fanout" / "app.py"
    spec = importlib.util.spec_from_file_location("bench_webhook_fanout", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, sources


def _clone(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {k: _clone(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v, old, new) for v in value]
    return value.replace(old, new) if isinstance(value, str) else value


def _seed_webhooks(caller: Any, count: int, client: Any, table: str) -> int:
    from platform_api.ids import new_id

    reply = call(
        "POST",
        "/v1/webhooks",
        token=caller.token,
        body={"url": "https://hooks.example.com/bench/0", "events": ["resource.created"], "secret": "whsec_bench"},
    )
    if reply.status != 201:
        raise NotBuilt(f"POST /v1/webhooks answered {reply.status}: {str(reply.json)[:160]}")
    webhook_id = reply.json["data"]["id"]
    with uncounted():
        items = client.scan(TableName=table)["Items"]
    templates = [i for i in items if webhook_id in str(i) and not i["PK"]["S"].startswith(("EVENT#", "RATE#"))]
    batch: list[dict[str, Any]] = []
    with uncounted():
        for _ in range(1, count):
            new = new_id("wh")
            if len(batch) + len(templates) > 25:
                client.batch_write_item(RequestItems={table: batch})
                batch = []
            batch.extend({"PutRequest": {"Item": _clone(t, webhook_id, new)}} for t in templates)
        if batch:
            client.batch_write_item(RequestItems={table: batch})
    return len(templates)


def run(subscriptions: int) -> tuple[list[CostRow], list[str]]:
    import boto3

    from platform_api.settings import get_settings

    label = f"fan one event out to {subscriptions} subscriptions"
    row = CostRow(label, "webhook fanout", "<= 11 calls")
    if not route_built("POST", "/v1/webhooks"):
        row.note = "not measured: POST /v1/webhooks not built"
        return [row], []
    caller = get_caller("fanout")
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = get_settings().table_name
    per_webhook = _seed_webhooks(caller, subscriptions, client, table)
    with uncounted():
        create_resource(call, caller, name="fanout")
        events = [
            i
            for i in client.scan(TableName=table)["Items"]
            if i["PK"]["S"].startswith("EVENT#") and "resource.created" in str(i)
        ]
    if not events:
        row.note = "not measured: no resource.created outbox item"
        return [row], []
    item = events[-1]
    record = {
        "eventID": "bench-1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/stream/bench",
        "dynamodb": {
            "Keys": {"PK": item["PK"], "SK": item["SK"]},
            "NewImage": item,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            "SequenceNumber": "1",
            "SizeBytes": 1,
        },
    }
    module, sources = _fanout_module()
    kinds = {s.get("Type") for s in sources}
    if "SQS" in kinds and "DynamoDB" not in kinds:
        from boto3.dynamodb.types import TypeDeserializer

        from platform_api.domain.webhook_pipeline import fanout_message

        image = {k: TypeDeserializer().deserialize(v) for k, v in item.items()}
        payload = fanout_message(image) or record  # what the stream forwarder sends
        event = {
            "Records": [
                {
                    "messageId": "bench-1",
                    "receiptHandle": "bench",
                    "body": json.dumps(payload),
                    "attributes": {},
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:local-WebhookFanoutQueue",
                    "awsRegion": "us-east-1",
                }
            ]
        }
        shape = "SQS message from the stream forwarder"
    else:
        event = {"Records": [record]}
        shape = "DynamoDB stream record"
    with counting() as tally:
        result = module.handler(event, FakeContext())
    row.tally = tally
    row.status = "ok" if not (isinstance(result, dict) and result.get("batchItemFailures")) else "partial failure"
    row.note = (
        f"input: {shape}; {subscriptions} subscriptions ({per_webhook} item(s) each); "
        f"{sum(1 for c in tally.of('sqs'))} SQS calls"
    )
    return [row], [f"fanout event shape: {shape} (template event sources: {sorted(k for k in kinds if k)})"]
