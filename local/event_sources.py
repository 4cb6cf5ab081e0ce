"""Lambda's event source mappings, locally: poll the template's SQS queues and the table's stream on the
backend (moto), build the same events Lambda builds, invoke the consumer functions, and honour their partial
batch failure reports.

SQS: messages a function reports as failed (or all of them, when it crashes) are left on the queue, so their
visibility timeout — which the delivery function sets to the next retry delay — decides when they return,
and the queue's redrive policy moves them to the DLQ, as in AWS. DynamoDB streams: records pass the event
source's FilterCriteria (the subset of EventBridge patterns the template uses: exact values and `prefix`),
and a failed batch is retried from a checkpoint as the template's mapping says (MaximumRetryAttempts,
BisectBatchOnFunctionError, the OnFailure destination), as Lambda does for stream sources. Schedules:
`rate(...)` rules invoke their function once per period with EventBridge's scheduled event.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3

from local import aws, emulator

log = logging.getLogger("local.events")
SQS_POLLERS = int(os.environ.get("LOCAL_SQS_POLLERS", "5"))


def _client(service: str, stack: Any) -> Any:
    return boto3.client(service, region_name=aws.REGION, endpoint_url=stack.endpoint_url)


def matches_pattern(pattern: Any, value: Any) -> bool:
    """EventBridge-style matching of the pieces Lambda filter criteria use here: nested keys, lists of
    accepted values, and {"prefix": ...}."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(matches_pattern(sub, value.get(key)) for key, sub in pattern.items())
    if isinstance(pattern, list):
        for accepted in pattern:
            if isinstance(accepted, dict) and "prefix" in accepted:
                if isinstance(value, str) and value.startswith(accepted["prefix"]):
                    return True
            elif accepted == value:
                return True
        return False
    return pattern == value


class _Poller(threading.Thread):
    def __init__(self, stack: Any, function: str, name: str):
        super().__init__(daemon=True, name=f"{function}:{name}")
        self.stack, self.function = stack, function
        self.stopping = threading.Event()
        self.sources: EventSources | None = None

    def invoke(self, event: dict[str, Any]) -> set[str] | None:
        """Invoke the function; the identifiers it reported as failed, or None when it crashed."""
        outcome = self.stack.invoke(self.function, event)
        if "result" not in outcome:
            log.warning("%s failed: %s", self.function, outcome.get("trace") or outcome.get("error"))
            return None
        result = outcome["result"] or {}
        return {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                if not self.poll():
                    self.stopping.wait(0.2)
            except Exception:  # keep polling: a backend hiccup must not stop the local pipeline
                log.exception("%s: polling failed", self.name)
                self.stopping.wait(1)

    def poll(self) -> bool:
        raise NotImplementedError


class SqsPoller(_Poller):
    def __init__(self, stack: Any, function: str, name: str, queue_arn: str, batch_size: int):
        super().__init__(stack, function, name)
        self.queue_arn = queue_arn
        self.queue_url = next(v["QueueUrl"] for v in stack.physical.values() if v.get("Arn") == queue_arn)
        self.batch_size = max(1, min(10, batch_size))
        self.sqs = _client("sqs", stack)

    def poll(self) -> bool:
        reply = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = reply.get("Messages", [])
        if not messages:
            return False
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": self.queue_arn,
                "awsRegion": aws.REGION,
            }
            for m in messages
        ]
        failed = self.invoke({"Records": records})
        if failed is None:
            return True  # crashed: every message returns after its visibility timeout
        done = [r for r in records if r["messageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)],
            )
        return True


class StreamPoller(_Poller):
    """One shard reader with a checkpoint, as Lambda's stream event source mapping keeps one.

    The checkpoint (the last sequence number handled) moves only after the function handled a batch, or after
    the batch went to the on-failure destination: a crash, a timeout or a reported failure retries the batch
    (bisected on function errors when the template says so), up to MaximumRetryAttempts. An expired or
    trimmed iterator, or a shard that changed under it, is re-opened from the checkpoint: nothing skipped,
    nothing handled twice.
    """

    def __init__(self, stack: Any, function: str, name: str, stream_arn: str, properties: dict[str, Any]):
        super().__init__(stack, function, name)
        self.stream_arn = stream_arn
        self.table_name = stream_arn.split(":table/", 1)[1].split("/", 1)[0] if ":table/" in stream_arn else ""
        self.batch_size = int(properties.get("BatchSize", 100))
        self.max_retries = int(properties.get("MaximumRetryAttempts", -1))
        self.bisect = bool(properties.get("BisectBatchOnFunctionError", False))
        on_failure = ((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        self.on_failure_url = (
            next((v["QueueUrl"] for v in stack.physical.values() if v.get("Arn") == on_failure), None)
            if on_failure
            else None
        )
        self.starting_position = properties.get("StartingPosition", "TRIM_HORIZON")
        filters = (properties.get("FilterCriteria") or {}).get("Filters") or []
        self.patterns = [json.loads(f["Pattern"]) for f in filters]
        self.streams = _client("dynamodbstreams", stack)
        self.shard_id: str | None = None
        self.iterator: str | None = None
        self.checkpoint: int | None = None  # the last sequence number handled
        self.retry_delay = 0.2

    def _open(self) -> None:
        """(Re)open the shard from the checkpoint; a shard id that changed is a new shard, read from its start."""
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        shards = description.get("Shards", [])
        if not shards:
            self.iterator = None
            return
        shard_id = shards[-1]["ShardId"]
        start = int(shards[-1]["SequenceNumberRange"]["StartingSequenceNumber"])
        request: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id}
        if self.checkpoint is not None and shard_id == self.shard_id:
            if self.checkpoint >= start:
                request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=str(self.checkpoint))
            else:  # trimmed up to the checkpoint (our own trim): the horizon is the next record
                if start > self.checkpoint + 1:
                    log.warning("%s: records after %s were trimmed before they were read", self.name, self.checkpoint)
                request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request["ShardIteratorType"] = self.starting_position if self.shard_id is None else "TRIM_HORIZON"
        self.shard_id = shard_id
        self.iterator = self.streams.get_shard_iterator(**request)["ShardIterator"]

    def poll(self) -> bool:
        if self.iterator is None:
            self._open()
            if self.iterator is None:
                return False
        try:
            reply = self.streams.get_records(ShardIterator=self.iterator, Limit=self.batch_size)
        except self.streams.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            log.info("%s: %s; reopening the shard from the checkpoint", self.name, code)
            self.iterator = None
            return True
        raw = reply.get("Records", [])
        if not raw:
            self.iterator = reply.get("NextShardIterator")
            return False
        records = [
            {**r, "eventSourceARN": self.stream_arn}
            for r in raw
            if not self.patterns or any(matches_pattern(p, r) for p in self.patterns)
        ]
        if records and not self._process(records):
            self.iterator = None  # stopping: re-read from the checkpoint next time
            return True
        self.checkpoint = int(raw[-1]["dynamodb"]["SequenceNumber"])
        self.iterator = reply.get("NextShardIterator")
        self.retry_delay = 0.2
        if self.sources is not None:
            self.sources.stream_handled(self)
        return True

    def _process(self, records: list[dict[str, Any]]) -> bool:
        """True once every record was handled or sent to the on-failure destination; False when stopping."""
        attempts = 0
        pending = [records]
        while pending:
            batch = pending[0]
            if self.stopping.is_set():
                return False
            failed = self.invoke({"Records": batch})
            if failed == set():
                pending.pop(0)
                attempts = 0
                continue
            attempts += 1
            if failed:  # retry from the first record it reported on, as Lambda does
                first = next((i for i, r in enumerate(batch) if r["dynamodb"].get("SequenceNumber") in failed), 0)
                pending[0] = batch = batch[first:]
            elif self.bisect and len(batch) > 1:
                middle = len(batch) // 2
                pending[0:1] = [batch[:middle], batch[middle:]]
            if 0 <= self.max_retries < attempts:
                self._send_to_on_failure(pending.pop(0), attempts)
                attempts = 0
                continue
            self.stopping.wait(self.retry_delay)
            self.retry_delay = min(self.retry_delay * 2, 5.0)
        return True

    def _send_to_on_failure(self, batch: list[dict[str, Any]], attempts: int) -> None:
        """What Lambda sends an on-failure destination for a stream batch: where it is, not the records."""
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        log.warning(
            "%s: %d stream records failed %d times; sent to the on-failure queue", self.name, len(batch), attempts
        )
        if not self.on_failure_url:
            return
        info = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": first.get("SequenceNumber"),
                "endSequenceNumber": last.get("SequenceNumber"),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        _client("sqs", self.stack).send_message(QueueUrl=self.on_failure_url, MessageBody=json.dumps(info))


def schedule_seconds(expression: str) -> float:
    """The period of an EventBridge `rate(N unit)` expression; LOCAL_SCHEDULE_SECONDS overrides every period
    (tests that cannot wait a minute)."""
    override = os.environ.get("LOCAL_SCHEDULE_SECONDS")
    if override:
        return float(override)
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression.strip())
    if match is None:
        raise ValueError(f"the local stack runs rate(...) schedules only, not {expression!r}")
    unit = {"minute": 60, "hour": 3600, "day": 86400}[match.group(2).rstrip("s")]
    return int(match.group(1)) * unit


class SchedulePoller(_Poller):
    """EventBridge's scheduled rule: the function is invoked with a `Scheduled Event` once per period."""

    def __init__(self, stack: Any, function: str, name: str, expression: str):
        super().__init__(stack, function, name)
        self.period = schedule_seconds(expression)
        self.next_at = time.monotonic() + self.period

    def poll(self) -> bool:
        if time.monotonic() < self.next_at:
            return False
        self.next_at = time.monotonic() + self.period
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.invoke(
            {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": aws.ACCOUNT_ID,
                "time": now,
                "region": aws.REGION,
                "resources": [f"arn:aws:events:{aws.REGION}:{aws.ACCOUNT_ID}:rule/{self.function}-{self.name}"],
                "detail": {},
            }
        )
        return True


class EventSources:
    def __init__(self, stack: Any, pollers: list[_Poller]):
        self.stack = stack
        self.pollers = pollers
        for poller in pollers:
            poller.sources = self
            poller.start()

    def stream_handled(self, poller: StreamPoller) -> None:
        """Trim what every reader of the stream has handled (the embedded moto only: nobody else reads it)."""
        if self.stack.moto is None:
            return
        readers = [p for p in self.pollers if isinstance(p, StreamPoller) and p.stream_arn == poller.stream_arn]
        if all(p.checkpoint is not None for p in readers):
            emulator.trim_stream(poller.table_name, min(p.checkpoint for p in readers if p.checkpoint is not None))

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stopping.set()
        for poller in self.pollers:
            poller.join(timeout=3)


def start(stack: Any) -> EventSources | None:
    """Start one poller per SQS or DynamoDB event source of the template's functions."""
    pollers: list[_Poller] = []
    for function, spec in stack.functions.items():
        for source in spec.event_sources:
            props = source["properties"]
            if source["type"] == "SQS":
                # Lambda reads a queue with several concurrent batches (at least five pollers), so one slow
                # batch never holds the rest of the queue back.
                for index in range(SQS_POLLERS):
                    pollers.append(
                        SqsPoller(
                            stack,
                            function,
                            f"{source['name']}#{index}",
                            props["Queue"],
                            int(props.get("BatchSize", 10)),
                        )
                    )
            elif source["type"] == "DynamoDB":
                pollers.append(StreamPoller(stack, function, source["name"], props["Stream"], props))
            elif source["type"] == "Schedule":
                pollers.append(SchedulePoller(stack, function, source["name"], props["Schedule"]))
    if not pollers:
        return None
    log.info("event sources: %s", ", ".join(p.name for p in pollers))
    return EventSources(stack, pollers)
