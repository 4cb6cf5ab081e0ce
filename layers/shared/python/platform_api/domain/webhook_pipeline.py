"""The webhook pipeline behind the transactional outbox (docs/webhooks.md):

    table stream (EVENT# inserts) -> forward() -> fanout queue -> fan_out() -> delivery queue -> deliver()

Each stage is idempotent on the event id: a delivery's id is derived from (event, webhook), and deliver()
skips an attempt a previous copy of the same message already recorded. Retries use the delivery queue
itself: a failed attempt sets its message's visibility to the next delay of the schedule and reports the
message as failed, so SQS redelivers it then; after the last attempt the delivery is marked `failed` and
the message is moved to the DLQ by deliver() itself (the queue's redrive policy is only the backstop for a
message that keeps crashing its function).
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from platform_api.dal import webhooks as dal
from platform_api.domain import webhooks
from platform_api.events import is_event_image
from platform_api.observability import MetricName, count, logger
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

    One Query for the subscriptions, then one SendMessageBatch per 10 deliveries: 11 calls for 100. An endpoint
    whose attempts recently took seconds gets its message on the slow lane, never in a batch with the others.
    Returns the number of messages sent.
    """
    subscriptions = [
        item
        for item in dal.list_for(event["namespace_id"])
        # a webhook the platform disabled still gets its deliveries, recorded as not sent (deliver()), so that
        # re-enabling it and recovering since it was disabled re-sends what it missed
        if (item.is_active or item.disabled_reason)
        and webhooks.matches([str(e) for e in item.events], event["event_type"])
    ]
    lanes: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for item in subscriptions:
        message = webhooks.delivery_message(
            webhooks.delivery_id_for(event["event_id"], item.webhook_id),
            item.webhook_id,
            event["namespace_id"],
            event["event_id"],
            event["event_type"],
            event["payload"],
        )
        lanes[webhooks.in_slow_lane(item)].append(message)
    for slow, messages in lanes.items():
        webhooks.enqueue(messages, slow=slow)
    return len(subscriptions)


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


def deliver(
    message: dict[str, Any], receive_count: int, postpone: Any, dead_letter: Any, move: Any | None = None
) -> str:
    """One delivery message. Returns what happened; raises RetryLater when the attempt is to be retried.

    The automatic schedule counts its own attempts on the delivery item (`auto_attempts`): the next one is that
    count + 1, whatever SQS's receive count says, so a receive that made no attempt (the function had no time
    left, see functions/webhook_delivery) does not use one up. The receive count only recognizes a copy: the
    schedule's own message is received at least once per attempt it made, so a message received fewer times
    than the attempts already recorded is a duplicate (a re-run fanout, SQS's at-least-once) and is dropped.
    After the last automatic attempt fails, `dead_letter` puts the message on the DLQ and it leaves the queue.

    `move` (a message on the delivery queue, whose batches are first attempts only): a failed attempt's message
    goes to the slow lane, `move(copy, delay)`, instead of waiting on this queue. The copy carries the number of
    attempts made before it (`after`), which the copy check adds to its own receive count; a copy that arrives
    before its attempt is due (SQS delays a message 15 min at most) waits out the rest without an attempt.
    """
    webhook = dal.get(message["namespace_id"], message["webhook_id"])
    if webhook is None:
        return "skipped: webhook deleted"
    current = dal.get_delivery(webhook.webhook_id, message["delivery_id"])
    manual = bool(message.get("manual"))
    if current is not None and current.status == "success":
        return "skipped: already delivered"
    if not webhook.is_active:
        return _not_sent(webhook, current, message)
    done, limit = dal.automatic_attempts(current), webhooks.max_attempts()
    if not manual and current is not None:
        if done >= int(message.get("after") or 0) + receive_count:
            return "skipped: a copy of this message was already attempted"
        if done >= limit:  # the last attempt was recorded, but the message did not reach the DLQ then
            dead_letter()
            count(MetricName.WEBHOOK_DEAD_LETTERED)
            return "failed: past the last attempt; to the DLQ"
        if done and not dal.is_retrying(current):
            return "skipped: the schedule of this delivery has ended"
        wait = math.ceil(float(message.get("due") or 0) - time.time())
        if wait > 1:  # a copy sent with SQS's longest delay, before its attempt is due: wait out the rest
            postpone(wait)
            raise RetryLater(f"attempt {done + 1} is due in {wait}s")
    payload = _payload(message, current)
    if payload is None:
        logger.warning("delivery without payload", extra={"delivery_id": message["delivery_id"]})
        return "skipped: event expired"
    number = done + 1
    retry_in = None if manual or number >= limit else webhooks.retry_schedule()[number - 1]
    delivery, recorded = webhooks.attempt(
        webhook,
        current,
        delivery_id=message["delivery_id"],
        event_id=message["event_id"],
        event_type=message["event_type"],
        payload=payload,
        manual=manual,
        retry_in=retry_in,
    )
    if not recorded:
        return "skipped: a concurrent copy recorded this attempt"
    count(MetricName.WEBHOOK_DELIVERED if delivery.status == "success" else MetricName.WEBHOOK_ATTEMPT_FAILED)
    if manual or delivery.status == "success":
        return delivery.status
    if delivery.status_code == webhooks.GONE:
        return "failed: the endpoint is gone; the webhook is disabled"
    if delivery.retrying and retry_in is not None:
        count(MetricName.WEBHOOK_RETRY_SCHEDULED)
        if move is not None:
            move({**message, "after": number, "due": int(time.time()) + retry_in}, retry_in)
            return f"attempt {number} failed; next in {retry_in}s, on the slow lane"
        postpone(retry_in)
        raise RetryLater(f"attempt {number} failed; next in {retry_in}s")
    dead_letter()
    count(MetricName.WEBHOOK_DEAD_LETTERED)
    return "failed: last attempt; to the DLQ"


def _not_sent(webhook: dal.WebhookItem, current: dal.DeliveryItem | None, message: dict[str, Any]) -> str:
    """A delivery for a webhook that is off. Disabled by the platform: recorded as failed without an attempt, so
    a recovery after re-enabling finds it; paused by its owner: nothing is recorded (it asked for nothing).
    Either way a delivery still waiting for an attempt is closed as failed, rather than pending forever."""
    waiting = current is not None and current.status == "pending"
    if not waiting and (current is not None or not webhook.disabled_reason):
        return "skipped: webhook inactive"
    payload = _payload(message, current)
    if payload is None:
        return "skipped: event expired"
    why = f"disabled ({webhook.disabled_reason})" if webhook.disabled_reason else "paused by its owner"
    webhooks.record_not_sent(
        webhook,
        current,
        delivery_id=message["delivery_id"],
        event_id=message["event_id"],
        event_type=message["event_type"],
        payload=payload,
        error=f"not sent: the webhook is {why}",
    )
    return "failed: webhook inactive"


def parse(body: str) -> dict[str, Any]:
    return json.loads(body)
