"""The recorder (local/aws_calls.py) and the role evaluation (local/iam.py) that prove IAM against the code (issue 20).

`make test` records every function's AWS requests over the whole run and tests/iam checks them; these tests prove
the mechanism on a few calls, so that it is known to work whatever that run records.
"""

from __future__ import annotations

import boto3
import pytest

from local import aws_calls, iam, sam_transform
from tests.helpers import FakeContext, api_event, function_module

DELIVERY_QUEUE = "arn:aws:sqs:us-east-1:123456789012:local-WebhookDeliveryQueue"


@pytest.fixture(scope="module")
def roles():
    return iam.roles(sam_transform.transformed())


@pytest.fixture
def recording(tmp_path, monkeypatch):
    """Recording on (as under `make test`) into a folder of this test's own; off again afterwards."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call
    monkeypatch.setenv(aws_calls.ENV, str(tmp_path))
    monkeypatch.setitem(aws_calls._state, "installed", False)
    monkeypatch.setitem(aws_calls._state, "file", None)
    monkeypatch.setattr(aws_calls, "_seen", set())
    assert aws_calls.install()
    yield tmp_path
    botocore.client.BaseClient._make_api_call = original
    if aws_calls._state["file"] is not None:
        aws_calls._state["file"].close()


def test_operations_become_the_iam_actions_that_authorise_them():
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/local-Table"
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "local-Table", "Item": {"PK": {"S": "NS#ns_1"}, "SK": {"S": "x"}}}},
            {"Update": {"TableName": "local-Table", "Key": {"PK": {"S": "RATE#IP#1.2.3.4"}, "SK": {"S": "x"}}}},
            {"ConditionCheck": {"TableName": "local-Table", "Key": {"PK": {"S": "OPERATORS"}, "SK": {"S": "x"}}}},
        ]
    }
    assert aws_calls.iam_requests("dynamodb", "TransactWriteItems", transaction, "us-east-1") == [
        ("dynamodb:PutItem", table, "NS#"),
        ("dynamodb:UpdateItem", table, "RATE#IP#"),
        ("dynamodb:ConditionCheckItem", table, "OPERATORS"),
    ]
    query = {
        "TableName": "local-Table",
        "IndexName": "GSI2",
        "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
        "ExpressionAttributeNames": {"#pk": "GSI2PK", "#sk": "GSI2SK"},
        "ExpressionAttributeValues": {":pk": {"S": "WHD#wh_1#failed"}, ":sk": {"S": "2026"}},
    }
    assert aws_calls.iam_requests("dynamodb", "Query", query, "us-east-1") == [
        ("dynamodb:Query", f"{table}/index/GSI2", "WHD#")
    ]
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/local-WebhookDeliveryQueue"
    assert aws_calls.iam_requests("sqs", "ChangeMessageVisibilityBatch", {"QueueUrl": url}, "us-east-1") == [
        ("sqs:ChangeMessageVisibility", DELIVERY_QUEUE, "")
    ]
    streams = aws_calls.iam_requests("dynamodbstreams", "GetRecords", {}, "us-east-1")
    assert streams == [("dynamodb:GetRecords", "*", "")]


def test_roles_are_read_from_the_transform_with_conditions_and_wildcards(roles):
    health = roles["HealthFunction"]
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/local-Table"
    assert health.allows("dynamodb:UpdateItem", table, "RATE#IP#")
    assert not health.allows("dynamodb:UpdateItem", table, "USER#")  # the LeadingKeys condition
    assert not health.allows("dynamodb:GetItem", table, "RATE#IP#")
    assert not health.allows("sqs:SendMessage", DELIVERY_QUEUE)
    fanout = roles["WebhookFanoutFunction"]
    assert fanout.allows("sqs:SendMessage", DELIVERY_QUEUE)  # SQSSendMessagePolicy's `sqs:SendMessage*`
    assert not fanout.allows("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:local-WebhookFanoutDLQ")
    assert fanout.allows("logs:PutLogEvents", "*")  # AWSLambdaBasicExecutionRole


def test_a_failed_delivery_is_recorded_and_its_role_allows_it_only_through_its_own_statement(aws, recording, roles):
    """The issue's finding, end to end on the real handler: a message the invocation has no time left for is handed
    back with ChangeMessageVisibility, which Lambda's SQS execution role does not allow."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws["WebhookDeliveryQueue"]["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    (message,) = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message["Attributes"],
        "eventSourceARN": DELIVERY_QUEUE,
    }

    class NoTimeLeft(FakeContext):
        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 1000

    handler = function_module("WebhookDeliveryFunction").handler
    with aws_calls.invoking("WebhookDeliveryFunction"):
        result = handler({"Records": [record]}, NoTimeLeft())
    assert result == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    with aws_calls.invoking("HealthFunction"):
        function_module("HealthFunction").handler(api_event("GET", "/v1/health"), FakeContext())
    boto3.client("sqs", region_name="us-east-1").get_queue_attributes(QueueUrl=url)  # a test's own call: not recorded

    recorded = aws_calls.read(recording)
    assert {(r["function"], r["action"], r["resource"]) for r in recorded if r["function"] != "HealthFunction"} == {
        ("WebhookDeliveryFunction", "sqs:ChangeMessageVisibility", DELIVERY_QUEUE)
    }
    assert {(r["action"], r["leading_key"]) for r in recorded if r["function"] == "HealthFunction"} == {
        ("dynamodb:UpdateItem", "RATE#IP#")
    }
    for entry in recorded:
        assert roles[entry["function"]].allows(entry["action"], entry["resource"], entry["leading_key"]), entry
    granting = [
        s
        for s in roles["WebhookDeliveryFunction"].statements
        if s.allows("sqs:ChangeMessageVisibility", DELIVERY_QUEUE, "")
    ]
    assert [s.own for s in granting] == [True]  # without the template's statement: AccessDenied on every retry


def test_a_grant_no_recorded_request_used_is_reported(roles):
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/local-Table"
    used = [
        {"function": "HealthFunction", "action": "dynamodb:UpdateItem", "resource": table, "leading_key": "RATE#IP#"}
    ]
    assert iam.unused_grants(roles["HealthFunction"], used) == []
    assert iam.unused_grants(roles["HealthFunction"], []) == [
        ("HealthFunctionRolePolicy0", "dynamodb:UpdateItem", "*"),
        ("HealthFunctionRolePolicy0", "*", table),
    ]
    foreign = [{**used[0], "leading_key": "USER#"}]  # refused by the condition: it does not count as a use
    assert len(iam.unused_grants(roles["HealthFunction"], foreign)) == 2


def test_recording_is_off_without_its_variable(monkeypatch):
    import botocore.client

    monkeypatch.delenv(aws_calls.ENV, raising=False)
    monkeypatch.setitem(aws_calls._state, "installed", False)
    before = botocore.client.BaseClient._make_api_call
    assert aws_calls.install("X") is False
    assert botocore.client.BaseClient._make_api_call is before


def test_a_queue_batch_is_recorded_as_the_function_its_queue_invokes():
    """Both delivery lanes run one code; tests hand either lane's batch to WebhookDeliveryFunction's module."""
    from tests.helpers import _invoked_function

    slow = {"Records": [{"eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:local-WebhookRetryQueue"}]}
    fast = {"Records": [{"eventSourceARN": DELIVERY_QUEUE}]}
    assert _invoked_function("WebhookDeliveryFunction", slow) == "WebhookSlowDeliveryFunction"
    assert _invoked_function("WebhookDeliveryFunction", fast) == "WebhookDeliveryFunction"
    assert _invoked_function("WebhookFanoutFunction", slow) == "WebhookFanoutFunction"  # another code: as called
    assert _invoked_function("HealthFunction", api_event("GET", "/v1/health")) == "HealthFunction"
