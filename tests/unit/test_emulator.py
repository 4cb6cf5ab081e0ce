"""The embedded DynamoDB's fixes (local/emulator.py): counted, not timed, at several table sizes."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from local import emulator

TABLE = "local-Table"


@pytest.fixture
def endpoint(moto_server):
    return moto_server[0]


@pytest.fixture
def ddb(endpoint):
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)


@pytest.fixture
def streams(endpoint):
    return boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=endpoint)


def _fill(ddb, count: int, partition: str = "FILL") -> None:
    for start in range(0, count, 25):
        ddb.batch_write_item(
            RequestItems={
                TABLE: [
                    {"PutRequest": {"Item": {"PK": {"S": f"{partition}#{i % 50}"}, "SK": {"S": f"{i:08d}"}}}}
                    for i in range(start, min(count, start + 25))
                ]
            }
        )


def _counter_transaction(ddb, limit: int) -> None:
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"PK": {"S": "T"}, "SK": {"S": "a"}}}},
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"PK": {"S": "T"}, "SK": {"S": "counter"}},
                    "UpdateExpression": "ADD used :one",
                    "ConditionExpression": "attribute_not_exists(used) OR used < :limit",
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": str(limit)}},
                }
            },
            {"Put": {"TableName": TABLE, "Item": {"PK": {"S": "T"}, "SK": {"S": "b"}}}},
        ]
    )


def _latest_records(streams, iterator):
    reply = streams.get_records(ShardIterator=iterator)
    return reply["Records"], reply["NextShardIterator"]


def _stream_iterator(ddb, streams, kind="LATEST"):
    arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind)["ShardIterator"]


def test_refuses_a_moto_version_it_was_not_written_for():
    with pytest.raises(RuntimeError, match="patches moto"):
        emulator.require_version("9.9.9")
    emulator.require_version(emulator.MOTO_VERSION)


@pytest.mark.parametrize("table_size", [100, 2000])
def test_a_transaction_copies_only_the_items_it_touches(ddb, table_size):
    _fill(ddb, table_size)
    emulator.COUNTERS.reset()
    _counter_transaction(ddb, limit=10)
    assert emulator.COUNTERS.transactions == 1
    assert emulator.COUNTERS.items_snapshotted == 3  # whatever the table holds


def test_a_cancelled_transaction_restores_its_items_in_the_same_table_and_stream(ddb, streams):
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends["123456789012"]["us-east-1"]
    table, shard = backend.tables[TABLE], backend.tables[TABLE].stream_shard
    _counter_transaction(ddb, limit=1)  # used = 1
    iterator = _stream_iterator(ddb, streams)

    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {"PK": {"S": "T"}, "SK": {"S": "a"}, "v": {"S": "2"}}}},
                {"Delete": {"TableName": TABLE, "Key": {"PK": {"S": "T"}, "SK": {"S": "b"}}}},
                {"Put": {"TableName": TABLE, "Item": {"PK": {"S": "NEW"}, "SK": {"S": "x"}}}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"PK": {"S": "T"}, "SK": {"S": "counter"}},
                        "UpdateExpression": "ADD used :one",
                        "ConditionExpression": "used < :limit",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": "1"}},
                    }
                },
            ]
        )
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]

    assert backend.tables[TABLE] is table
    assert table.stream_shard is shard
    assert "v" not in ddb.get_item(TableName=TABLE, Key={"PK": {"S": "T"}, "SK": {"S": "a"}})["Item"]
    assert "Item" in ddb.get_item(TableName=TABLE, Key={"PK": {"S": "T"}, "SK": {"S": "b"}})
    assert "Item" not in ddb.get_item(TableName=TABLE, Key={"PK": {"S": "NEW"}, "SK": {"S": "x"}})
    records, iterator = _latest_records(streams, iterator)
    assert records == []  # a cancelled transaction writes nothing to the stream

    ddb.put_item(TableName=TABLE, Item={"PK": {"S": "AFTER"}, "SK": {"S": "1"}})
    records, _ = _latest_records(streams, iterator)
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in records] == ["AFTER"]


def test_nothing_is_kept_for_the_moto_dashboard(ddb):
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord, Table

    _fill(ddb, 200)
    _counter_transaction(ddb, limit=10)
    assert Table.instances_tracked == []
    assert Item.instances_tracked == []
    assert StreamRecord.instances_tracked == []


def test_query_reads_one_partition_in_order_across_pages(ddb):
    _fill(ddb, 1000)
    keys, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(
            TableName=TABLE,
            KeyConditionExpression="PK = :pk AND SK > :after",
            ExpressionAttributeValues={":pk": {"S": "FILL#7"}, ":after": {"S": "00000100"}},
            Limit=7,
            **kwargs,
        )
        keys += [item["SK"]["S"] for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert keys == [f"{i:08d}" for i in range(107, 1000, 50)]


def test_stream_records_are_trimmed_and_reads_behind_the_horizon_fail_as_in_dynamodb(ddb, streams):
    old_iterator = _stream_iterator(ddb, streams, "TRIM_HORIZON")
    _fill(ddb, 30)
    records, _ = _latest_records(streams, _stream_iterator(ddb, streams, "TRIM_HORIZON"))
    last = int(records[-1]["dynamodb"]["SequenceNumber"])
    assert emulator.trim_stream(TABLE, last) == 30
    with pytest.raises(ClientError) as trimmed:
        streams.get_records(ShardIterator=old_iterator)
    assert trimmed.value.response["Error"]["Code"] == "TrimmedDataAccessException"

    ddb.put_item(TableName=TABLE, Item={"PK": {"S": "NEXT"}, "SK": {"S": "1"}})
    records, _ = _latest_records(streams, _stream_iterator(ddb, streams, "TRIM_HORIZON"))
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in records] == ["NEXT"]
    assert int(records[0]["dynamodb"]["SequenceNumber"]) == last + 1


def test_an_unknown_or_expired_iterator_is_refused_with_dynamodbs_error(ddb, streams):
    iterator = _stream_iterator(ddb, streams)
    with pytest.raises(ClientError) as expired:
        streams.get_records(ShardIterator=iterator[:-4] + "AAAA")
    assert expired.value.response["Error"]["Code"] == "ExpiredIteratorException"


@pytest.fixture
def sqs(endpoint):
    client = boto3.client("sqs", region_name="us-east-1", endpoint_url=endpoint)
    url = client.create_queue(QueueName="emulator-receive")["QueueUrl"]
    yield client, url
    client.delete_queue(QueueUrl=url)


def test_concurrent_receivers_each_take_a_message_once(sqs):
    """SQS hides a received message from every other receiver: eight threads draining one queue take each once."""
    from concurrent.futures import ThreadPoolExecutor

    client, url = sqs
    for start in range(0, 200, 10):
        client.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(start, start + 10)]
        )

    def drain(_: int) -> list[str]:
        taken = []
        while True:
            messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
                "Messages", []
            )
            if not messages:
                return taken
            taken += [message["Body"] for message in messages]

    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = [body for bodies in pool.map(drain, range(8)) for body in bodies]
    assert sorted(taken, key=int) == [str(i) for i in range(200)]  # every message, none twice


def test_a_long_poll_waits_outside_the_lock_and_wakes_on_a_message(sqs):
    """A receiver long-polling an empty queue blocks no other receiver and gets a message sent while it waits."""
    import threading
    import time

    client, url = sqs
    other = client.create_queue(QueueName="emulator-other")["QueueUrl"]
    client.send_message(QueueUrl=other, MessageBody="ready")
    got: list[list[dict]] = []
    waiter = threading.Thread(
        target=lambda: got.append(client.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", []))
    )
    waiter.start()
    time.sleep(0.3)
    held = []
    for _ in range(10):  # while it waits, the receive lock is free (it is held only for an attempt)
        held.append(emulator.SQS_RECEIVE_LOCK.locked())
        time.sleep(0.05)
    assert client.receive_message(QueueUrl=other)["Messages"][0]["Body"] == "ready"
    client.send_message(QueueUrl=url, MessageBody="late")
    waiter.join(timeout=10)
    client.delete_queue(QueueUrl=other)
    assert not all(held)
    assert [m["Body"] for m in got[0]] == ["late"]
