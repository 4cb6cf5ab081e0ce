"""Table stream -> the resources' search index: each resource write moves its search entries (dal.resources).

The event source's filter limits the stream to resource items (`SK` begins with `RES#`); the entries follow
from the record's old and new images alone (Puts and Deletes), so a retried or replayed record is harmless,
and records of one item arrive in order. Partial batch failures make Lambda retry from the failed record.
"""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from platform_api.dal import resources
from platform_api.observability import log_metrics, logger

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def record_handler(record: DynamoDBRecord) -> None:
    images = record.raw_event.get("dynamodb") or {}
    keys = images.get("Keys") or {}
    if not str(keys.get("SK", {}).get("S", "")).startswith(resources.SK_PREFIX):
        return  # the filter already drops these; a filter change must not index anything else
    resources.reindex_search(images.get("OldImage"), images.get("NewImage"))


@logger.inject_lambda_context
@log_metrics
def handler(event: dict, context) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
