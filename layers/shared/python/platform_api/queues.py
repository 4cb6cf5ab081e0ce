"""SQS sends for the webhook pipeline: one client per container, batches of 10 within SQS's size limit."""

from __future__ import annotations

import json
from typing import Any

from platform_api import clients

MAX_BATCH = 10
MAX_BATCH_BYTES = 250 * 1024  # SQS: 256 KiB for the whole batch; headroom for attributes


class SendFailed(Exception):
    """Some entries of a batch were not accepted; the caller retries the whole record (ids make that safe)."""


def client() -> Any:
    return clients.client("sqs")


def _batches(bodies: list[str]) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    size = 0
    for body in bodies:
        if batches[-1] and (len(batches[-1]) == MAX_BATCH or size + len(body) > MAX_BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(body)
        size += len(body)
    return [batch for batch in batches if batch]


def send_batch(queue_url: str, messages: list[dict[str, Any]], delay_seconds: int = 0) -> int:
    """Send every message; returns the number of SendMessageBatch calls. Raises SendFailed on any failure."""
    if not messages:
        return 0
    if not queue_url:
        raise SendFailed("no queue configured")
    bodies = [json.dumps(m, separators=(",", ":")) for m in messages]
    calls = 0
    for batch in _batches(bodies):
        entries = [{"Id": str(i), "MessageBody": body, "DelaySeconds": delay_seconds} for i, body in enumerate(batch)]
        reply = client().send_message_batch(QueueUrl=queue_url, Entries=entries)
        calls += 1
        if reply.get("Failed"):
            raise SendFailed(f"{len(reply['Failed'])} of {len(entries)} messages were not accepted")
    return calls
