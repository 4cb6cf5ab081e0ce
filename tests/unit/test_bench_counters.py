"""The benchmark's botocore hook counts boto3 and pynamodb calls, items and capacity exactly."""

from __future__ import annotations

import boto3
import pytest
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from bench.counters import counting, item_size, wcu


class Thing(Model):
    class Meta:
        table_name = "local-Table"
        region = "us-east-1"

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute(null=True)


def test_item_size_follows_dynamodb_rules():
    # names count as UTF-8 bytes; "abc" is 3 bytes, the number 12345 is ceil(5/2)+1 = 4 bytes
    assert item_size({"PK": {"S": "abc"}, "n": {"N": "12345"}}) == 2 + 3 + 1 + 4
    assert wcu(1024) == 1
    assert wcu(1025) == 2


def test_counts_a_known_sequence_of_boto3_and_pynamodb_calls(aws):
    table = aws["Table"]["Ref"]
    client = boto3.client("dynamodb", region_name="us-east-1")
    with counting() as tally:
        for i in range(3):
            client.put_item(TableName=table, Item={"PK": {"S": "P#1"}, "SK": {"S": f"S#{i}"}})
        found = client.query(
            TableName=table,
            KeyConditionExpression="PK = :p",
            ExpressionAttributeValues={":p": {"S": "P#1"}},
        )
        assert found["Count"] == 3
        Thing.get("P#1", "S#0")  # pynamodb: its own botocore session and client
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"PK": {"S": "P#2"}, "SK": {"S": "A"}}}},
                {"Put": {"TableName": table, "Item": {"PK": {"S": "P#2"}, "SK": {"S": "B"}}}},
            ]
        )
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.put_item(
                TableName=table,
                Item={"PK": {"S": "P#1"}, "SK": {"S": "S#0"}},
                ConditionExpression="attribute_not_exists(PK)",
            )
        Thing.count("P#2")  # a pynamodb Query with Select=COUNT
        boto3.client("sqs", region_name="us-east-1").list_queues()

    assert tally.round_trips == 8
    assert [c.operation for c in tally.dynamodb] == [
        "PutItem",
        "PutItem",
        "PutItem",
        "Query",
        "GetItem",
        "TransactWriteItems",
        "PutItem",
        "Query",
    ]
    assert tally.items_read == 3 + 1 + 2
    assert tally.items_written == 3 + 2  # the failed conditional put wrote nothing
    assert tally.dynamodb[6].error == "ConditionalCheckFailedException"
    assert tally.wcu == 3 * 1 + 2 * 2 + 1  # a transaction costs twice; a failed condition still costs
    assert tally.dynamodb[3].rcu == 0.5  # one eventually consistent 4 KB unit
    assert [c.operation for c in tally.of("sqs")] == ["ListQueues"]
    # calls outside the block are not counted
    client.get_item(TableName=table, Key={"PK": {"S": "P#1"}, "SK": {"S": "S#1"}})
    assert tally.round_trips == 8
