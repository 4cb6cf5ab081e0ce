"""Table stream -> webhook fanout queue: carries each committed outbox event (EVENT# insert) onward.

The event source's filter already limits the stream to EVENT# inserts; the check is repeated here so that a
filter change can never forward other items. Partial batch failures make Lambda retry from the first failed
record, so no event is skipped.
"""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from platform_api.domain import webhook_pipeline
from platform_api.observability import log_metrics, logger

# Report every failed record, even when all failed: the source retries exactly those (no invocation error).
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def record_handler(record: DynamoDBRecord) -> None:
    message = webhook_pipeline.fanout_message(record.dynamodb.new_image if record.dynamodb else {})
    if message is not None:
        webhook_pipeline.forward([message])


@logger.inject_lambda_context
@log_metrics
def handler(event: dict, context) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
