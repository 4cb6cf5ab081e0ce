"""Webhook dead letters: what waits in the pipeline's DLQs, and moving it back (docs/operators.md).

    delivery DLQ -> delivery queue   a delivery message after its last attempt (or a consumer that kept failing)
    fanout DLQ   -> fanout queue     an event whose fanout kept failing

A move is receive, send to the source queue, then delete from the DLQ: a message leaves the DLQ only once its
copy was accepted, so a crash loses nothing (it reappears in the DLQ after RECEIVE_VISIBILITY_SECONDS). Two
concurrent calls never receive the same message (SQS hides it from everyone else meanwhile), so each is moved
once; only a call that dies between its send and its delete can leave a second copy, which the delivery
consumer then skips once the first succeeded. Each call moves at most `max_messages`, and says whether it
stopped because of that bound.

A delivery message goes back marked `manual`: the delivery consumer skips a plain message whose receive count
(fresh after the move) is at most the attempts already recorded, which a dead delivery always has; a manual one
gets one more attempt, recorded like `POST /v1/webhooks/{id}/deliveries/{id}/retry`'s. What is in the fanout
DLQ but is no fanout message (the stream forwarder's on-failure records, which describe a stream batch rather
than carry an event) stays where it is, counted as `kept`.

SQS's StartMessageMoveTask would move messages without code, but it takes no bound, cannot mark what it moves,
and runs as one task per queue at a time; the local stack's moto does not implement it either.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from platform_api.observability import logger
from platform_api.queues import client
from platform_api.settings import get_settings

RECEIVE_VISIBILITY_SECONDS = 120  # far longer than one batch's send and delete
RECEIVE_WAIT_SECONDS = 1  # long polling asks every SQS host: a short poll may answer empty on a small queue
MAX_PER_CALL = 500
DEFAULT_PER_CALL = 100
DELIVERY_FIELDS = frozenset({"delivery_id", "webhook_id", "namespace_id", "event_id", "event_type"})
FANOUT_FIELDS = frozenset({"event_id", "event_type", "namespace_id", "payload"})


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str  # "delivery" | "fanout"
    url: str  # the DLQ
    source_url: str  # where its messages go back to


def configured() -> list[DeadLetterQueue]:
    """The DLQs this deployment has (the template passes their URLs to the admin function)."""
    settings = get_settings()
    pairs = [
        ("delivery", settings.webhook_delivery_dlq_url, settings.webhook_delivery_queue_url),
        ("fanout", settings.webhook_fanout_dlq_url, settings.webhook_fanout_queue_url),
    ]
    return [DeadLetterQueue(name, dlq, source) for name, dlq, source in pairs if dlq and source]


def select(queues: list[DeadLetterQueue], names: Sequence[str] | None) -> list[DeadLetterQueue]:
    """The queues `names` asks for, in its order (each once); all of them without names."""
    by_name = {queue.name: queue for queue in queues}
    return queues if not names else [by_name[name] for name in dict.fromkeys(names) if name in by_name]


def _counts(queue: DeadLetterQueue) -> tuple[int, int]:
    attributes = client().get_queue_attributes(
        QueueUrl=queue.url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0)), int(
        attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
    )


def status(queues: list[DeadLetterQueue]) -> dict[str, Any]:
    """What waits in each DLQ (SQS's approximate counts: they lag a moment behind sends and deletes)."""
    out = []
    for queue in queues:
        waiting, in_flight = _counts(queue)
        out.append({"queue": queue.name, "waiting": waiting, "in_flight": in_flight})
    return {"queues": out, "waiting": sum(q["waiting"] for q in out)}


def redriven_body(queue: DeadLetterQueue, body: str) -> str | None:
    """The body to send back for a dead message, or None when it is not one this queue's consumer reads."""
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    if queue.name == "delivery" and message.keys() >= DELIVERY_FIELDS:
        return json.dumps({**message, "manual": True}, separators=(",", ":"))
    if queue.name == "fanout" and message.keys() >= FANOUT_FIELDS:
        return body
    return None


def _move_batch(queue: DeadLetterQueue, messages: list[dict[str, Any]]) -> tuple[int, int, list[str]]:
    """Send the movable messages of one receive to the source queue, then delete exactly the ones it accepted.
    Returns (moved, failed, receipt handles of the messages kept)."""
    entries, handles, kept = [], {}, []
    for index, message in enumerate(messages):
        body = redriven_body(queue, message["Body"])
        if body is None:
            kept.append(message["ReceiptHandle"])
            continue
        entry: dict[str, Any] = {"Id": str(index), "MessageBody": body}
        if message.get("MessageAttributes"):
            entry["MessageAttributes"] = message["MessageAttributes"]
        entries.append(entry)
        handles[str(index)] = message["ReceiptHandle"]
    if not entries:
        return 0, 0, kept
    sent = client().send_message_batch(QueueUrl=queue.source_url, Entries=entries)
    accepted = [entry["Id"] for entry in sent.get("Successful", [])]
    if accepted:
        deleted = client().delete_message_batch(
            QueueUrl=queue.url, Entries=[{"Id": i, "ReceiptHandle": handles[i]} for i in accepted]
        )
        if deleted.get("Failed"):
            # The copy is in the source queue; the original comes back to the DLQ after the visibility
            # timeout, and a later move of it is skipped by the delivery consumer once the copy succeeded.
            logger.warning("dead letters sent back but not deleted", extra={"count": len(deleted["Failed"])})
    return len(accepted), len(entries) - len(accepted), kept


def _release(queue: DeadLetterQueue, handles: list[str]) -> None:
    """Make what this call kept visible again at once, so that the next count includes it."""
    for start in range(0, len(handles), 10):
        batch = handles[start : start + 10]
        client().change_message_visibility_batch(
            QueueUrl=queue.url,
            Entries=[{"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0} for i, h in enumerate(batch)],
        )


def redrive(queues: list[DeadLetterQueue], max_messages: int = DEFAULT_PER_CALL) -> dict[str, Any]:
    """Move at most `max_messages` dead messages back to their source queues, the queues in order."""
    budget = max(1, min(max_messages, MAX_PER_CALL))
    results: list[dict[str, Any]] = []
    bounded = False
    for queue in queues:
        moved = failed = 0
        kept: list[str] = []
        while True:
            left = budget - (moved + failed + len(kept))
            if left <= 0:
                bounded = True
                break
            received = (
                client()
                .receive_message(
                    QueueUrl=queue.url,
                    MaxNumberOfMessages=min(10, left),
                    VisibilityTimeout=RECEIVE_VISIBILITY_SECONDS,
                    WaitTimeSeconds=RECEIVE_WAIT_SECONDS,
                    MessageAttributeNames=["All"],
                )
                .get("Messages", [])
            )
            if not received:
                break
            batch_moved, batch_failed, batch_kept = _move_batch(queue, received)
            moved, failed, kept = moved + batch_moved, failed + batch_failed, kept + batch_kept
        _release(queue, kept)
        budget -= moved + failed + len(kept)
        results.append({"queue": queue.name, "moved": moved, "kept": len(kept), "failed": failed})
        if bounded:
            break
    for queue in queues[len(results) :]:
        results.append({"queue": queue.name, "moved": 0, "kept": 0, "failed": 0})
    for result, queue in zip(results, queues, strict=True):
        waiting, in_flight = _counts(queue)
        result["remaining"] = waiting + in_flight
    summary = {
        "moved": sum(r["moved"] for r in results),
        "kept": sum(r["kept"] for r in results),
        "failed": sum(r["failed"] for r in results),
        "has_more": bounded,
        "queues": results,
    }
    logger.info("dead letters redriven", extra={k: v for k, v in summary.items() if k != "queues"})
    return summary
