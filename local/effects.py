"""What a consumer's replay did (`make invoke` on a stream or SQS event): the table items it wrote, changed or
removed and the messages it left on the template's queues, read from the local backend before and after.

A consumer answers only `{"batchItemFailures": [...]}`; an empty list says nothing about whether it delivered,
fanned out, indexed or skipped the record. Its effects do, and a replay that changed nothing says so.
"""

from __future__ import annotations

from typing import Any

import boto3

from local import aws
from local.template import resources_of_type

Snapshot = tuple[dict[tuple[str, str], dict[str, Any]], dict[str, int]]
SHOWN = ("status", "attempts", "last_error", "last_status_code", "event_type", "name", "next_attempt_at")


def snapshot(stack: Any) -> Snapshot:
    """Every item of the (small, seeded) local table, and the number of messages on each queue."""
    dynamodb = boto3.client("dynamodb", region_name=aws.REGION, endpoint_url=stack.endpoint_url)
    items = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=stack.physical["Table"]["Ref"]):
        for item in page["Items"]:
            items[(item["PK"]["S"], item["SK"]["S"])] = item
    sqs = boto3.client("sqs", region_name=aws.REGION, endpoint_url=stack.endpoint_url)
    queues = {}
    for logical_id in resources_of_type(stack.template, "AWS::SQS::Queue"):
        url = stack.physical[logical_id]["QueueUrl"]
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        queues[logical_id] = sum(int(value) for value in attributes.values())
    return items, queues


def _plain(value: dict[str, Any]) -> Any:
    ((kind, inner),) = value.items()
    return inner if kind in ("S", "N", "BOOL") else "..."


def _describe(key: tuple[str, str], item: dict[str, Any]) -> str:
    shown = {name: _plain(item[name]) for name in SHOWN if name in item}
    return f"{key[0]} / {key[1]}" + (f" {shown}" if shown else "")


def report(before: Snapshot, after: Snapshot, result: Any) -> list[str]:
    """Human lines: written, changed (the changed attributes), removed items; messages sent; failures."""
    (old_items, old_queues), (new_items, new_queues) = before, after
    lines = []
    for key in sorted(new_items.keys() - old_items.keys()):
        lines.append(f"wrote    {_describe(key, new_items[key])}")
    for key in sorted(new_items.keys() & old_items.keys()):
        old, new = old_items[key], new_items[key]
        changed = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
        if changed:
            values = {name: _plain(new[name]) if name in new else None for name in changed}
            lines.append(f"changed  {key[0]} / {key[1]}: {values}")
    for key in sorted(old_items.keys() - new_items.keys()):
        lines.append(f"removed  {key[0]} / {key[1]}")
    for queue, count in sorted(new_queues.items()):
        if count != old_queues.get(queue, 0):
            lines.append(f"queued   {count - old_queues.get(queue, 0):+d} message(s) on {queue}")
    failures = (result or {}).get("batchItemFailures") or []
    if failures:
        lines.append(f"failed   {len(failures)} record(s), left for a retry: {[f['itemIdentifier'] for f in failures]}")
    if not lines:
        lines.append("skipped: no item written, changed or removed, no message sent (nothing in the seed matched)")
    return lines
