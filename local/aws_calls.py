"""Which AWS requests each function's code makes, recorded at the botocore level while the tests run (issue 20).

moto enforces no IAM, so the tests alone cannot see a call that a function's role refuses once deployed.
With AWS_CALLS_DIR set (`make test` sets it), every botocore call made inside a function is written as the IAM
request(s) it amounts to -- (function, action, resource ARN, partition-key shape) -- to
AWS_CALLS_DIR/<who>-<pid>.jsonl; tests/iam/test_iam_recorded.py then checks each one against the function's role
in SAM's transformed template.
Without AWS_CALLS_DIR nothing is patched: no cost, no effect.

Who made a call: a local-stack worker process serves one function (local/worker.py installs the recorder with its
logical id); in the pytest process, tests call handlers through tests.helpers.function_module, which wraps them in
`invoking(<the function Lambda would invoke>)`. Calls made outside any handler (provisioning, a test's own
assertions) are not recorded.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ENV = "AWS_CALLS_DIR"
ACCOUNT = "123456789012"  # moto's account: the ARNs the tests' resources have

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("aws_calls_function", default=None)
_lock = threading.Lock()
_seen: set[tuple[str, str, str, str]] = set()
_state: dict[str, Any] = {"process_function": None, "file": None, "installed": False}


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def install(process_function: str | None = None) -> bool:
    """Patch botocore once, if AWS_CALLS_DIR is set; `process_function`: the function this whole process serves."""
    if not enabled():
        return False
    _state["process_function"] = process_function
    if _state["installed"]:
        return True
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def recording(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        with contextlib.suppress(Exception):  # the recorder must never change what the code under test does
            _record(client, operation_name, api_params)
        return original(client, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = recording
    _state["installed"] = True
    return True


@contextlib.contextmanager
def invoking(function: str | None) -> Iterator[None]:
    """Attribute the calls made inside this block (and in the threads it runs in a copy of its context) to
    `function`."""
    token = _current.set(function)
    try:
        yield
    finally:
        _current.reset(token)


def not_recorded() -> contextlib.AbstractContextManager[None]:
    """A test's own requests made from inside a handler (a fault it injects that stands for another invocation)."""
    return invoking(None)


def _who() -> str | None:
    """The function a call belongs to: the handler invocation whose context it runs in (threads a handler starts
    run in a copy of it: functions/webhook_delivery), or the local-stack worker's own function. Anything else is
    the tests' own doing and not recorded."""
    return _current.get() or _state["process_function"]


def _record(client: Any, operation: str, params: dict[str, Any]) -> None:
    function = _who()
    if function is None:
        return
    service = client.meta.service_model.service_name
    region = client.meta.region_name or "us-east-1"
    for action, resource, leading in iam_requests(service, operation, params, region):
        key = (function, action, resource, leading)
        if key in _seen:
            continue
        with _lock:
            if key in _seen:
                continue
            _seen.add(key)
            line = {"function": function, "operation": f"{service}.{operation}", "action": action}
            line.update({"resource": resource, "leading_key": leading})
            _file().write(json.dumps(line) + "\n")
            _file().flush()


def _file() -> Any:
    if _state["file"] is None:
        directory = Path(os.environ[ENV])
        directory.mkdir(parents=True, exist_ok=True)
        who = _state["process_function"] or "pytest"
        _state["file"] = open(directory / f"{who}-{os.getpid()}.jsonl", "a")  # noqa: SIM115 - lives as long as the process
    return _state["file"]


# ------------------------------------------------------------------ botocore operation -> IAM request(s)
# Operations authorised as other actions; every other operation is <service prefix>:<operation>.
_SQS_BATCH = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_PREFIX = {"dynamodbstreams": "dynamodb"}


def leading_shape(value: Any) -> str:
    """A partition key's constant part, as IAM's dynamodb:LeadingKeys patterns name it: `RATE#IP#203.0.113.10` ->
    `RATE#IP#`, `KEY#sk_...` -> `KEY#`, `OPERATORS` -> `OPERATORS` (the leading upper-case segments)."""
    text = str(value)
    segments = text.split("#")
    constant = []
    for segment in segments:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", segment):
            break
        constant.append(segment)
    if len(constant) == len(segments):
        return text
    return "#".join(constant) + "#" if constant else "?"


def _key_value(attributes: dict[str, Any] | None, name: str = "PK") -> str:
    if not attributes or name not in attributes:
        return ""
    value = attributes[name]
    return leading_shape(next(iter(value.values())) if isinstance(value, dict) else value)


def _query_partition(params: dict[str, Any]) -> str:
    """The partition value of a Query's key condition (`#pk = :pk` or `PK = :v`), as a shape."""
    expression = params.get("KeyConditionExpression") or ""
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    for left, right in re.findall(r"([#\w]+)\s*=\s*(:\w+)", expression):
        name = names.get(left, left)
        if name.endswith("PK") and right in values:
            return _key_value({"v": values[right]}, "v")
    return ""


def iam_requests(service: str, operation: str, params: dict[str, Any], region: str) -> list[tuple[str, str, str]]:
    """(action, resource ARN or "*", partition-key shape or "") for one botocore call."""
    prefix = _PREFIX.get(service, service)
    if service == "dynamodb":
        table = f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/"
        if operation == "TransactWriteItems":
            found = []
            for entry in params.get("TransactItems", []):
                ((kind, body),) = entry.items()
                leading = _key_value(body.get("Key") or body.get("Item"))
                found.append((f"dynamodb:{_TRANSACT_WRITE[kind]}", table + body["TableName"], leading))
            return found
        if operation == "TransactGetItems":
            return [
                ("dynamodb:GetItem", table + e["Get"]["TableName"], _key_value(e["Get"].get("Key")))
                for e in params.get("TransactItems", [])
            ]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            found = []
            for name, request in (params.get("RequestItems") or {}).items():
                entries = request.get("Keys") if operation == "BatchGetItem" else request
                for entry in entries or []:
                    if operation == "BatchWriteItem":
                        ((_kind, body),) = entry.items()
                        entry = body.get("Key") or body.get("Item")
                    found.append((f"dynamodb:{operation}", table + name, _key_value(entry)))
            return found
        if "TableName" in params:
            resource = table + params["TableName"]
            if params.get("IndexName"):
                resource += "/index/" + params["IndexName"]
            if operation == "Query":
                leading = _query_partition(params)
            else:
                leading = _key_value(params.get("Key") or params.get("Item"))
            return [(f"dynamodb:{operation}", resource, leading)]
        return [(f"dynamodb:{operation}", "*", "")]
    if service == "sqs":
        action = "sqs:" + _SQS_BATCH.get(operation, operation)
        url = params.get("QueueUrl") or ""
        name = url.rstrip("/").rsplit("/", 1)[-1] if url else params.get("QueueName", "*")
        return [(action, f"arn:aws:sqs:{region}:{ACCOUNT}:{name}", "")]
    if service == "secretsmanager":
        named = params.get("SecretId")
        if not named:
            return [(f"secretsmanager:{operation}", "*", "")]
        arn = named if named.startswith("arn:") else f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{named}"
        return [(f"secretsmanager:{operation}", arn, "")]
    if service == "dynamodbstreams":
        return [(f"dynamodb:{operation}", params.get("StreamArn") or "*", "")]
    if service == "kms":
        key = params.get("KeyId") or "*"
        return [(f"kms:{operation}", key if key.startswith("arn:") else "*", "")]
    return [(f"{prefix}:{operation}", "*", "")]


def read(directory: Path) -> list[dict[str, str]]:
    """Every distinct request recorded in `directory` (all processes' files)."""
    seen: dict[tuple[str, ...], dict[str, str]] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # a process killed mid-line (fault tests kill workers)
                continue
            seen[(entry["function"], entry["action"], entry["resource"], entry["leading_key"])] = entry
    return list(seen.values())
