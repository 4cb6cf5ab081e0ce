"""Delivery queue -> the subscribers' URLs: one signed attempt per message, recorded; failures retried by SQS.

Two event sources: the delivery queue (first attempts of endpoints in good standing) and the slow lane
(everything else). A failed first attempt's message moves to the slow lane, delayed to its next attempt; a
failed attempt on the slow lane postpones its own message (visibility = the schedule's next delay) and is
reported as a batch item failure; after the last attempt the message goes to the DLQ.

One endpoint must never delay another's (docs/webhooks.md, "Isolation"): the attempts of a batch run side by
side on a bounded pool, each bounded by its total deadline, and a message is only started when the invocation
still has the time to finish it. One that is not started is reported as a batch item failure, visible again at
once, and no attempt is recorded for it: its attempt number is still free for the next receive.
"""

import json
import os
from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

from platform_api import state
from platform_api.domain import webhook_pipeline, webhooks
from platform_api.observability import log_metrics, logger
from platform_api.queues import client

QUEUE_URL = os.environ.get("WEBHOOK_DELIVERY_QUEUE_URL", "")
RETRY_QUEUE_URL = os.environ.get("WEBHOOK_RETRY_QUEUE_URL", "")
DLQ_URL = os.environ.get("WEBHOOK_DELIVERY_DLQ_URL", "")
MAX_DELAY_SECONDS = 900  # SQS's longest DelaySeconds
CONCURRENCY = max(1, int(os.environ.get("WEBHOOK_DELIVERY_CONCURRENCY", "10")))
# An attempt's own deadline, plus the reads before it and the conditional writes that record it.
ATTEMPT_BUDGET_SECONDS = webhooks.ATTEMPT_TIMEOUT_SECONDS + 3.0


def _process(record: dict[str, Any], context: Any) -> bool:
    """True when the message is done with (delete it), False when SQS is to hand it back."""
    receipt = record["receiptHandle"]
    source = record.get("eventSourceARN", "").rsplit(":", 1)[-1]
    slow_lane = bool(RETRY_QUEUE_URL) and source == _name(RETRY_QUEUE_URL)
    queue_url = RETRY_QUEUE_URL if slow_lane else QUEUE_URL
    # first attempts come from the delivery queue; a failed one moves to the slow lane (docs/webhooks.md)
    first_attempts = bool(RETRY_QUEUE_URL) and source == _name(QUEUE_URL)

    def postpone(seconds: int) -> None:
        sqs = client()
        try:
            sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt, VisibilityTimeout=seconds)
        except sqs.exceptions.ReceiptHandleIsInvalid:
            # Another receive holds the message now (it came back and was handed out again): that receive
            # decides what happens to it, and this one must not fail its whole batch.
            logger.info("message already received again", extra={"message_id": record["messageId"]})

    def dead_letter() -> None:
        client().send_message(QueueUrl=DLQ_URL, MessageBody=record["body"])

    def move(copy: dict[str, Any], delay: int) -> None:
        body = json.dumps(copy, separators=(",", ":"))
        client().send_message(QueueUrl=RETRY_QUEUE_URL, MessageBody=body, DelaySeconds=min(delay, MAX_DELAY_SECONDS))

    if context.get_remaining_time_in_millis() / 1000 < ATTEMPT_BUDGET_SECONDS:
        logger.info("not started: too little time left in this invocation", extra={"message_id": record["messageId"]})
        postpone(0)
        return False
    receive_count = int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1)
    try:
        message = webhook_pipeline.parse(record["body"])
        outcome = webhook_pipeline.deliver(
            message, receive_count, postpone, dead_letter, move if first_attempts else None
        )
    except webhook_pipeline.RetryLater as later:
        logger.info(str(later), extra={"message_id": record["messageId"]})
        return False
    except Exception:
        logger.exception("delivery failed", extra={"message_id": record["messageId"]})
        return False  # back after the queue's visibility timeout; the redrive policy ends a message that keeps failing
    logger.debug(outcome, extra={"message_id": record["messageId"]})
    return True


def _name(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


@logger.inject_lambda_context
@log_metrics
def handler(event: dict, context: Any) -> PartialItemFailureResponse:
    records = event.get("Records") or []
    done = state.map_in_threads(lambda record: _process(record, context), records, CONCURRENCY)
    return {
        "batchItemFailures": [{"itemIdentifier": r["messageId"]} for r, ok in zip(records, done, strict=True) if not ok]
    }
