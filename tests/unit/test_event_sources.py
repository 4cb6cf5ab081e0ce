"""The local stream source keeps Lambda's promises under faults: a crashed batch is retried from the checkpoint
(bisected when the template says so), nothing is skipped, exhausted retries go to the on-failure queue, and an
expired or trimmed iterator is reopened where the reader was. Counted on the embedded moto server, no timing.
"""

from __future__ import annotations

import json

import boto3
import pytest

from local import emulator
from local.event_sources import StreamPoller

TABLE = "local-Table"


class Stack:
    """What a poller needs of the local stack; `outcomes` script the function's answers, then it succeeds."""

    def __init__(self, endpoint: str, physical: dict, outcomes: list[dict | None]):
        self.endpoint_url, self.physical, self.moto = endpoint, physical, object()
        self.outcomes = outcomes
        self.batches: list[list[str]] = []

    def invoke(self, function: str, event: dict) -> dict:
        self.batches.append([r["dynamodb"]["Keys"]["PK"]["S"] for r in event["Records"]])
        outcome = self.outcomes.pop(0) if self.outcomes else {"result": {"batchItemFailures": []}}
        return outcome if outcome is not None else {"error": "Runtime exited without providing a reason"}


@pytest.fixture
def backend(moto_server):
    return moto_server


def _poller(backend, outcomes, **properties) -> tuple[StreamPoller, Stack]:
    url, physical = backend
    stack = Stack(url, physical, outcomes)
    props = {"BatchSize": 100, "StartingPosition": "TRIM_HORIZON", **properties}
    poller = StreamPoller(stack, "StreamForwarderFunction", "OutboxStream", physical["Table"]["StreamArn"], props)
    poller.retry_delay = 0.0
    return poller, stack


def _write(backend, *keys: str) -> None:
    ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=backend[0])
    for key in keys:
        ddb.put_item(TableName=TABLE, Item={"PK": {"S": key}, "SK": {"S": "x"}})


def _drain(poller: StreamPoller, rounds: int = 5) -> None:
    for _ in range(rounds):
        poller.poll()


def test_a_crashed_batch_is_retried_bisected_and_nothing_is_skipped(backend):
    poller, stack = _poller(backend, [None, None], BisectBatchOnFunctionError=True, MaximumRetryAttempts=5)
    _write(backend, "A", "B", "C", "D")
    _drain(poller)
    assert stack.batches[0] == ["A", "B", "C", "D"]  # crashed
    assert stack.batches[1] == ["A", "B"]  # bisected, crashed again
    handled = [key for batch in stack.batches[2:] for key in batch]
    assert handled == ["A", "B", "C", "D"]  # then every record, in order, once
    _write(backend, "E")
    _drain(poller)
    assert stack.batches[-1] == ["E"]  # the checkpoint moved past D only after D was handled


def test_exhausted_retries_go_to_the_on_failure_queue_and_the_reader_moves_on(backend):
    url, physical = backend
    dlq = physical["WebhookFanoutDLQ"]
    poller, stack = _poller(
        backend,
        [None, None, None],
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Type": "SQS", "Destination": dlq["Arn"]}},
    )
    _write(backend, "A")
    _drain(poller)
    assert stack.batches == [["A"], ["A"], ["A"]]  # the first try and two retries
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=url)
    (message,) = sqs.receive_message(QueueUrl=dlq["QueueUrl"], MaxNumberOfMessages=10)["Messages"]
    info = json.loads(message["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1
    _write(backend, "B")
    _drain(poller)
    assert stack.batches[-1] == ["B"]


def test_a_reported_failure_is_retried_from_that_record(backend):
    poller, stack = _poller(backend, [], MaximumRetryAttempts=5)
    _write(backend, "A", "B", "C")
    first = True

    def fail_b_once(function: str, event: dict) -> dict:
        nonlocal first
        stack.batches.append([r["dynamodb"]["Keys"]["PK"]["S"] for r in event["Records"]])
        if first:
            first = False
            failed = next(r for r in event["Records"] if r["dynamodb"]["Keys"]["PK"]["S"] == "B")
            return {"result": {"batchItemFailures": [{"itemIdentifier": failed["dynamodb"]["SequenceNumber"]}]}}
        return {"result": {"batchItemFailures": []}}

    stack.invoke = fail_b_once  # type: ignore[method-assign]
    _drain(poller)
    assert stack.batches == [["A", "B", "C"], ["B", "C"]]


def test_an_expired_iterator_or_our_own_trim_reopens_where_the_reader_was(backend):
    poller, stack = _poller(backend, [])
    _write(backend, "A", "B")
    _drain(poller)
    assert poller.checkpoint is not None
    emulator.trim_stream(TABLE, poller.checkpoint)  # what the local sources do once every reader is past it
    poller.iterator = "an-iterator-that-expired"
    _write(backend, "C")
    _drain(poller)
    assert [key for batch in stack.batches for key in batch] == ["A", "B", "C"]
