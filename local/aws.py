"""The local AWS backend: an embedded moto server, provisioned from template.yaml's resources.

With `AWS_ENDPOINT_URL` (or `DYNAMODB_ENDPOINT_URL`) set, nothing is started: the same resources are
created, if missing, at that endpoint instead (DynamoDB Local, LocalStack, or a real account).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from typing import Any

import boto3

from local import emulator
from local.template import load_template, resources_of_type

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
LOCAL_PREFIX = "local"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_fake_credentials() -> None:
    """moto accepts any credentials; setting fake ones guarantees nothing ever reaches a real account."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    os.environ.setdefault("AWS_REGION", REGION)


def start_moto(port: int | None = None) -> tuple[Any, str]:
    """Start moto's server in a thread; returns (server, endpoint_url)."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    emulator.install()
    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def _client(service: str, endpoint_url: str | None) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint_url)


def _table_kwargs(name: str, props: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return kwargs


def _add_missing_indexes(dynamodb: Any, name: str, props: dict[str, Any], description: dict[str, Any]) -> None:
    """A table kept from an earlier run (.local-data) gets the template's new GSIs, one UpdateTable each, as
    CloudFormation adds them to a deployed table; `python -m local.backfill` then fills them."""
    present = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes", [])}
    for index in props.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in present:
            continue
        wanted = {key["AttributeName"] for key in index["KeySchema"]}
        dynamodb.update_table(
            TableName=name,
            AttributeDefinitions=[a for a in props["AttributeDefinitions"] if a["AttributeName"] in wanted],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )


def provision(endpoint_url: str | None = None, template: dict[str, Any] | None = None) -> dict[str, dict[str, str]]:
    """Create the template's tables, queues, secrets and KMS keys; return logical id -> resolved attributes."""
    template = template or load_template()
    physical: dict[str, dict[str, str]] = {}

    dynamodb = _client("dynamodb", endpoint_url)
    for logical_id, resource in resources_of_type(template, "AWS::DynamoDB::Table").items():
        name = f"{LOCAL_PREFIX}-{logical_id}"
        props = resource["Properties"]
        try:
            description = dynamodb.describe_table(TableName=name)["Table"]
            _add_missing_indexes(dynamodb, name, props, description)
        except dynamodb.exceptions.ResourceNotFoundException:
            description = dynamodb.create_table(**_table_kwargs(name, props))["TableDescription"]
            ttl = props.get("TimeToLiveSpecification")
            if ttl and ttl.get("Enabled"):
                dynamodb.update_time_to_live(
                    TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
                )
        physical[logical_id] = {
            "Ref": name,
            "Arn": description["TableArn"],
            "StreamArn": description.get("LatestStreamArn", ""),
        }

    sqs = _client("sqs", endpoint_url)
    queues = resources_of_type(template, "AWS::SQS::Queue")
    # Dead-letter queues first, so that a redrive policy can name its target's ARN.
    ordered = sorted(queues.items(), key=lambda item: "RedrivePolicy" in (item[1].get("Properties") or {}))
    for logical_id, resource in ordered:
        props = resource.get("Properties") or {}
        name = f"{LOCAL_PREFIX}-{logical_id}"
        attributes = {
            key: str(props[key])
            for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")
            if key in props
        }
        redrive = props.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]
            target_logical = target["Fn::GetAtt"][0] if isinstance(target, dict) else target
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": physical[target_logical]["Arn"], "maxReceiveCount": redrive["maxReceiveCount"]}
            )
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        physical[logical_id] = {"Ref": url, "QueueUrl": url, "Arn": arn, "QueueName": name}

    secretsmanager = _client("secretsmanager", endpoint_url)
    for logical_id, resource in resources_of_type(template, "AWS::SecretsManager::Secret").items():
        name = f"{LOCAL_PREFIX}-{logical_id}"
        try:
            arn = secretsmanager.describe_secret(SecretId=name)["ARN"]
        except secretsmanager.exceptions.ResourceNotFoundException:
            generate = (resource.get("Properties") or {}).get("GenerateSecretString") or {}
            length = int(generate.get("PasswordLength", 64))
            arn = secretsmanager.create_secret(Name=name, SecretString=secrets.token_urlsafe(length)[:length])["ARN"]
        physical[logical_id] = {"Ref": arn, "Id": arn}

    kms = _client("kms", endpoint_url)
    for logical_id in resources_of_type(template, "AWS::KMS::Key"):
        alias = f"alias/{LOCAL_PREFIX}-{logical_id}"  # found again on a kept endpoint, as the secret is by name
        known = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
        key_id = known.get(alias)
        if not key_id:
            key_id = kms.create_key(Description=f"{LOCAL_PREFIX} {logical_id}")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)
        arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
        physical[logical_id] = {"Ref": key_id, "KeyId": key_id, "Arn": arn}
    return physical
