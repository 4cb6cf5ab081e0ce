"""Helpers shared by the tests: API Gateway events, in-process function calls, template routes."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import uuid
from functools import cache
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

from local import aws_calls
from local.template import ROOT, load_template, route_pattern


@cache
def template_routes() -> list[tuple[str, str, str]]:
    from local.template import api_routes

    return api_routes(load_template())


def function_for(method: str, path: str) -> tuple[str, str, dict[str, str]]:
    """(function logical id, resource path, path parameters) serving METHOD path, per template.yaml."""
    candidates = sorted(template_routes(), key=lambda r: (r[1].count("{"), -len(r[1])))
    for route_method, resource, logical_id in candidates:
        found = route_pattern(resource).fullmatch(path)
        if found and route_method == method:
            return logical_id, resource, found.groupdict()
    raise LookupError(f"no route for {method} {path} in template.yaml")


def use_backend(physical: dict[str, dict[str, str]]) -> None:
    """Point this process's functions at a freshly provisioned in-process backend (moto): the environment
    template.yaml gives them for its queues and KMS key, and nothing a new container would not have cached."""
    from platform_api import clients, keys, sealing
    from platform_api.settings import get_settings

    os.environ["WEBHOOK_FANOUT_QUEUE_URL"] = physical["WebhookFanoutQueue"]["QueueUrl"]
    os.environ["WEBHOOK_DELIVERY_QUEUE_URL"] = physical["WebhookDeliveryQueue"]["QueueUrl"]
    os.environ["WEBHOOK_FANOUT_DLQ_URL"] = physical["WebhookFanoutDLQ"]["QueueUrl"]
    os.environ["WEBHOOK_DELIVERY_DLQ_URL"] = physical["WebhookDeliveryDLQ"]["QueueUrl"]
    os.environ["WEBHOOK_RETRY_QUEUE_URL"] = physical["WebhookRetryQueue"]["QueueUrl"]
    os.environ["DATA_KEY_ARN"] = physical["DataKey"]["Arn"]
    get_settings.cache_clear()  # settings are read once per container; the queue URLs are only known now
    clients.reset()
    keys.reset()  # a new backend: its KMS key and secret are new ones (a new container would read them)
    sealing.reset()


@cache
def function_module(logical_id: str) -> ModuleType:
    """Import a function's app.py under a unique module name (every function's module is called `app`)."""
    resource = load_template()["Resources"][logical_id]
    code_dir = ROOT / resource["Properties"]["CodeUri"]
    name = f"fn_{logical_id}"
    spec = importlib.util.spec_from_file_location(name, code_dir / "app.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if hasattr(module, "handler") and aws_calls.enabled():  # `make test`: record its AWS requests (tests/iam)
        module.handler = _recorded(logical_id, module.handler)
    return module


def _recorded(logical_id: str, handler: Any) -> Any:
    def recorded(event: Any, context: Any) -> Any:
        with aws_calls.invoking(_invoked_function(logical_id, event)):
            return handler(event, context)

    return recorded


@cache
def _queue_consumers() -> dict[str, str]:
    """Queue logical id -> the function its SQS event source invokes."""
    consumers = {}
    for name, resource in load_template()["Resources"].items():
        for source in (resource.get("Properties", {}).get("Events") or {}).values():
            queue = (source.get("Properties") or {}).get("Queue")
            if source.get("Type") == "SQS" and isinstance(queue, dict) and "Fn::GetAtt" in queue:
                consumers[queue["Fn::GetAtt"][0]] = name
    return consumers


@cache
def _code_uri(logical_id: str) -> str:
    return load_template()["Resources"][logical_id]["Properties"]["CodeUri"]


def _invoked_function(logical_id: str, event: Any) -> str:
    """The function Lambda would invoke with this event: an SQS batch goes to its queue's consumer. Both webhook
    delivery lanes run one code, and tests hand either lane's messages to WebhookDeliveryFunction's module."""
    records = event.get("Records") if isinstance(event, dict) else None
    source = (records[0].get("eventSourceARN") or "") if records else ""
    if not source.startswith("arn:aws:sqs:"):
        return logical_id
    consumer = _queue_consumers().get(source.rsplit(":", 1)[-1].removeprefix("local-"))
    if consumer and _code_uri(consumer) == _code_uri(logical_id):
        return consumer
    return logical_id


def api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: str | dict[str, str] | None = None,
    token: str | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway REST proxy event, as API Gateway (and the local stack) builds it."""
    _, resource, params = function_for(method, path)
    all_headers = {"Host": "api.example.test", "X-Forwarded-Proto": "https"}
    if body is not None or raw_body is not None:
        all_headers["Content-Type"] = "application/json"
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    pairs = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else list((query or {}).items())
    multi_query: dict[str, list[str]] = {}
    for key, value in pairs:
        multi_query.setdefault(key, []).append(value)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": 0,
            "identity": {"sourceIp": "203.0.113.10", "userAgent": "pytest"},
            "accountId": "123456789012",
            "apiId": "test",
            "domainName": "api.example.test",
        },
        "body": raw_body if raw_body is not None else (json.dumps(body) if body is not None else None),
        "isBase64Encoded": False,
    }


class FakeContext:
    function_name = "test"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id = "test-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 15000


class Reply:
    """A handler's response, decoded: status, headers (case-insensitive) and JSON body."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.status = raw["statusCode"]
        self.headers: dict[str, str] = {}
        for name, value in (raw.get("headers") or {}).items():
            self.headers[name.lower()] = value
        for name, values in (raw.get("multiValueHeaders") or {}).items():
            self.headers[name.lower()] = values[-1]
        text = raw.get("body") or ""
        self.json: Any = json.loads(text) if text else None

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.json!r})"


def call(method: str, path: str, **kwargs: Any) -> Reply:
    """Run the function that serves METHOD path on a REST proxy event, in process."""
    logical_id, _, _ = function_for(method, path)
    handler = function_module(logical_id).handler
    return Reply(handler(api_event(method, path, **kwargs), FakeContext()))


_STREAM_POSITIONS: dict[str, str] = {}


def drain_search_index() -> int:
    """Do now, in process, what the stack does a moment after each write: hand the table stream's new records to
    the search indexer's own handler (functions/search_indexer), as its event source would. Returns the records
    handed over."""
    return drain_stream("SearchIndexerFunction")


def drain_stream(logical_id: str, *, keep: list[dict[str, Any]] | None = None) -> int:
    """Hand the table stream's records since the last drain (per function) that pass the function's
    FilterCriteria (template.yaml) to its handler, in process, as its event source would; `keep` collects the
    batches handed over (to replay one). Returns the records handed over."""
    import boto3

    from local.event_sources import matches_pattern
    from platform_api.settings import get_settings

    settings = get_settings()
    dynamodb = boto3.client("dynamodb", region_name=settings.region)
    # moto in process routes only the classic endpoint (botocore's endpoint rules resolve another at call time)
    endpoint = f"https://streams.dynamodb.{settings.region}.amazonaws.com"
    streams = boto3.client("dynamodbstreams", region_name=settings.region, endpoint_url=endpoint)
    arn = dynamodb.describe_table(TableName=settings.table_name)["Table"]["LatestStreamArn"]
    events = load_template()["Resources"][logical_id]["Properties"]["Events"]
    source = next(e["Properties"] for e in events.values() if e["Type"] == "DynamoDB")
    patterns = [json.loads(f["Pattern"]) for f in (source.get("FilterCriteria") or {}).get("Filters", [])]
    consumer = function_module(logical_id)
    applied = 0
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        position_key = f"{logical_id}|{arn}|{shard['ShardId']}"
        after = _STREAM_POSITIONS.get(position_key)
        start = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], **start)["ShardIterator"]
        while iterator:
            reply = streams.get_records(ShardIterator=iterator, Limit=1000)
            records = reply.get("Records", [])
            if not records:
                break
            for record in records:  # the event source's JSON: timestamps as epoch seconds
                created = record["dynamodb"].get("ApproximateCreationDateTime")
                if hasattr(created, "timestamp"):
                    record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
            passed = [r for r in records if not patterns or any(matches_pattern(p, r) for p in patterns)]
            if passed:
                event = {"Records": [{**r, "eventSourceARN": arn} for r in passed]}
                if keep is not None:
                    keep.append(event)
                answer = consumer.handler(event, FakeContext())
                assert not answer.get("batchItemFailures"), answer
                applied += len(passed)
            _STREAM_POSITIONS[position_key] = records[-1]["dynamodb"]["SequenceNumber"]
            iterator = reply.get("NextShardIterator")
    return applied
