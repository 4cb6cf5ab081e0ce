"""Lambda's event source mappings, locally: poll the template's SQS queues and the table's stream on the
backend (moto), build the same events Lambda builds, invoke the consumer functions, and honour their partial
batch failure reports.

SQS: messages a function reports as failed (or all of them, when it crashes) are left on the queue, so their
visibility timeout — which the delivery function sets to the next retry delay — decides when they return,
and the queue's redrive policy moves them to the DLQ, as in AWS. DynamoDB streams: records pass the event
source's FilterCriteria (the subset of EventBridge patterns the template uses: exact values and `prefix`),
and a failed record is retried from that record on, a few times, as Lambda does for stream sources.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import boto3

from local import aws

log = logging.getLogger("local.events")
STREAM_RETRIES = 3


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
    def __init__(self, stack: Any, function: str, name: str, stream_arn: str, properties: dict[str, Any]):
        super().__init__(stack, function, name)
        self.stream_arn = stream_arn
        self.batch_size = int(properties.get("BatchSize", 100))
        filters = (properties.get("FilterCriteria") or {}).get("Filters") or []
        self.patterns = [json.loads(f["Pattern"]) for f in filters]
        self.streams = _client("dynamodbstreams", stack)
        self.iterators: dict[str, str | None] = {}

    def _refresh_shards(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]

    def poll(self) -> bool:
        self._refresh_shards()
        busy = False
        for shard_id, iterator in list(self.iterators.items()):
            if iterator is None:
                continue
            reply = self.streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
            self.iterators[shard_id] = reply.get("NextShardIterator")
            records = [
                {**r, "eventSourceARN": self.stream_arn}
                for r in reply.get("Records", [])
                if not self.patterns or any(matches_pattern(p, r) for p in self.patterns)
            ]
            if records:
                busy = True
                self._deliver(records)
        return busy

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        for _ in range(STREAM_RETRIES + 1):
            failed = self.invoke({"Records": records})
            if failed == set():
                return
            if failed:  # retry from the first failed record on, as Lambda does
                first = next((i for i, r in enumerate(records) if r["dynamodb"].get("SequenceNumber") in failed), 0)
                records = records[first:]
            time.sleep(0.2)
        log.warning("%s: dropping %d stream records after %d retries", self.function, len(records), STREAM_RETRIES)


class EventSources:
    def __init__(self, pollers: list[_Poller]):
        self.pollers = pollers
        for poller in pollers:
            poller.start()

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
                pollers.append(
                    SqsPoller(stack, function, source["name"], props["Queue"], int(props.get("BatchSize", 10)))
                )
            elif source["type"] == "DynamoDB":
                pollers.append(StreamPoller(stack, function, source["name"], props["Stream"], props))
    if not pollers:
        return None
    log.info("event sources: %s", ", ".join(p.name for p in pollers))
    return EventSources(pollers)
