"""Delivery queue -> the subscriber's URL: one signed attempt per message, recorded; failures retried by SQS.

A failed attempt postpones its own message (visibility = the schedule's next delay) and is reported as a
batch item failure; the queue's redrive policy moves it to the DLQ after the last attempt.
"""

import os

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from platform_api.domain import webhook_pipeline
from platform_api.observability import logger
from platform_api.queues import client

# Report every failed record, even when all failed: the source retries exactly those (no invocation error).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
QUEUE_URL = os.environ.get("WEBHOOK_DELIVERY_QUEUE_URL", "")


def record_handler(record: SQSRecord) -> str:
    def postpone(seconds: int) -> None:
        client().change_message_visibility(
            QueueUrl=QUEUE_URL, ReceiptHandle=record.receipt_handle, VisibilityTimeout=seconds
        )

    receive_count = int(record.attributes.approximate_receive_count or 1)
    return webhook_pipeline.deliver(webhook_pipeline.parse(record.body), receive_count, postpone)


@logger.inject_lambda_context
def handler(event: dict, context) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
