"""The webhook pipeline behind the transactional outbox (docs/webhooks.md):

    table stream (EVENT# inserts) -> forward() -> fanout queue -> fan_out() -> delivery queue -> deliver()

Each stage is idempotent on the event id: a delivery's id is derived from (event, webhook), and deliver()
skips an attempt a previous copy of the same message already recorded. Retries use the delivery queue
itself: a failed attempt sets its message's visibility to the next delay of the schedule and reports the
message as failed, so SQS redelivers it then; after the last attempt the queue's redrive policy
(maxReceiveCount = attempts) moves it to the DLQ, and the delivery is already marked `failed`.
"""

from __future__ import annotations

import json
from typing import Any

from platform_api.dal import webhooks as dal
from platform_api.domain import webhooks
from platform_api.events import is_event_image
from platform_api.observability import logger
from platform_api.queues import send_batch
from platform_api.settings import get_settings


class RetryLater(Exception):
    """The attempt failed and the message was postponed: report it as a batch item failure."""


def fanout_message(new_image: dict[str, Any]) -> dict[str, Any] | None:
    """What the forwarder sends for one stream record: the outbox event, or None for any other item."""
    if not is_event_image(new_image) or not new_image.get("namespace_id"):
        return None
    return {
        "event_id": new_image["event_id"],
        "event_type": new_image["event_type"],
        "namespace_id": new_image["namespace_id"],
        "workspace_id": new_image.get("workspace_id"),
        "payload": new_image["payload"],
    }


def forward(messages: list[dict[str, Any]]) -> int:
    """Stream records -> the fanout queue (one SendMessageBatch per 10 events)."""
    return send_batch(get_settings().webhook_fanout_queue_url or "", messages)


def fan_out(event: dict[str, Any]) -> int:
    """One event -> one delivery message per matching active subscription of its namespace.

    One Query for the subscriptions, then one SendMessageBatch per 10 deliveries: 11 calls for 100.
    Returns the number of messages sent.
    """
    subscriptions = [
        item
        for item in dal.list_for(event["namespace_id"])
        if item.is_active and webhooks.matches([str(e) for e in item.events], event["event_type"])
    ]
    messages = [
        webhooks.delivery_message(
            webhooks.delivery_id_for(event["event_id"], item.webhook_id),
            item.webhook_id,
            event["namespace_id"],
            event["event_id"],
            event["event_type"],
            event["payload"],
        )
        for item in subscriptions
    ]
    webhooks.enqueue(messages)
    return len(messages)


def _payload(message: dict[str, Any], current: dal.DeliveryItem | None) -> str | None:
    if message.get("payload"):
        return message["payload"]
    if current is not None:
        return current.payload
    from platform_api.events import EventRecord, event_key

    try:
        return EventRecord.get(*event_key(message["event_id"])).payload
    except EventRecord.DoesNotExist:
        return None


def deliver(message: dict[str, Any], receive_count: int, postpone: Any) -> str:
    """One delivery message. Returns what happened; raises RetryLater when the attempt is to be retried."""
    webhook = dal.get(message["namespace_id"], message["webhook_id"])
    if webhook is None or not webhook.is_active:
        return "skipped: webhook deleted or inactive"
    current = dal.get_delivery(webhook.webhook_id, message["delivery_id"])
    manual = bool(message.get("manual"))
    if current is not None and current.status == "success":
        return "skipped: already delivered"
    if not manual and current is not None and int(current.attempts) >= receive_count:
        return "skipped: a copy of this message was already attempted"
    limit = webhooks.max_attempts()
    if not manual and receive_count > limit:
        raise RetryLater("past the last attempt; the redrive policy moves it to the DLQ")
    payload = _payload(message, current)
    if payload is None:
        logger.warning("delivery without payload", extra={"delivery_id": message["delivery_id"]})
        return "skipped: event expired"
    final = not manual and receive_count >= limit
    retry_in = None if manual or final else webhooks.retry_schedule()[receive_count - 1]
    delivery = webhooks.attempt(
        webhook,
        current,
        delivery_id=message["delivery_id"],
        event_id=message["event_id"],
        event_type=message["event_type"],
        payload=payload,
        number=(int(current.attempts) + 1) if manual and current else receive_count,
        manual=manual,
        final=final,
        retry_in=retry_in,
    )
    if delivery.status == "pending" and retry_in is not None:
        postpone(retry_in)
        raise RetryLater(f"attempt {receive_count} failed; next in {retry_in}s")
    if delivery.status == "failed" and final:
        postpone(0)  # visible again at once, so the next receive hands it to the redrive policy: the DLQ
        raise RetryLater("last attempt failed; to the DLQ")
    return delivery.status


def parse(body: str) -> dict[str, Any]:
    return json.loads(body)
