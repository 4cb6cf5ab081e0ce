"""Fanout queue -> delivery queue: one delivery message per matching subscription of the event's namespace."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from platform_api.domain import webhook_pipeline
from platform_api.observability import log_metrics, logger

# Report every failed record, even when all failed: the source retries exactly those (no invocation error).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> int:
    return webhook_pipeline.fan_out(webhook_pipeline.parse(record.body))


@logger.inject_lambda_context
@log_metrics
def handler(event: dict, context) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
