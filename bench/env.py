"""The in-process benchmark environment: the same settings as tests/conftest.py, moto, and API calls.

Importing this module sets the environment BEFORE anything imports platform_api (settings are read
once per process, as in a Lambda container).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _path in (str(ROOT / "layers" / "shared" / "python"), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "local-Table",
    "STAGE_NAME": "api",
    "ENVIRONMENT": "dev",
    "JWT_SECRET": "bench-signing-secret-that-is-long-enough-for-hs256-0123456789",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "PlatformApiBench",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "WEBHOOK_ALLOW_LOOPBACK": "true",
    # The latency loops make thousands of requests as one free-tier user: lift the windows (still counted,
    # so each request pays the same one UpdateItem), and the login guard that registration runs into.
    "RATE_LIMITS_JSON": '{"free": {"burst": 10000000, "minute": 10000000, "hour": 10000000}}',
    "REGISTRATIONS_PER_IP_PER_HOUR": "100000",
    "LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "100000",
    "LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE": "100000",
    "LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE": "100000",
    # registrations and logins are anonymous requests from one address: every bench user signs up from it
    "ANONYMOUS_REQUESTS_PER_IP_PER_MINUTE": "100000",
    "ANONYMOUS_REQUESTS_PER_IP_PER_HOUR": "1000000",
}


def configure_in_process() -> None:
    os.environ.update(TEST_ENV)
    for name in ("AWS_ENDPOINT_URL", "DYNAMODB_ENDPOINT_URL", "JWT_SECRET_ARN", "AWS_PROFILE"):
        os.environ.pop(name, None)
    logging.getLogger("botocore").setLevel(logging.ERROR)


def function_exists(logical_id: str) -> bool:
    from local.template import load_template

    resource = load_template()["Resources"].get(logical_id)
    if not resource:
        return False
    return (ROOT / resource["Properties"]["CodeUri"] / "app.py").is_file()


def route_built(method: str, path: str) -> bool:
    """True when template.yaml routes METHOD path to a function whose app.py exists."""
    from tests.helpers import function_for

    try:
        logical_id, _, _ = function_for(method, path)
    except LookupError:
        return False
    return function_exists(logical_id)


@contextlib.contextmanager
def moto_aws() -> Iterator[dict[str, dict[str, str]]]:
    """A fresh in-process moto with the template's table, queues and secret (as the tests' `aws` fixture)."""
    from moto import mock_aws

    from local.aws import provision
    from tests.helpers import use_backend

    with mock_aws():
        physical = provision(None)
        use_backend(physical)
        yield physical


def call(method: str, path: str, **kwargs: Any) -> Any:
    """tests.helpers.call: the function serving METHOD path, in process, on a real REST proxy event."""
    from tests.helpers import call as _call

    return _call(method, path, **kwargs)


def find_key(data: Any, *names: str) -> Any:
    """The first value under any of `names`, searched depth-first through dicts and lists."""
    if isinstance(data, dict):
        for name in names:
            if data.get(name):
                return data[name]
        for value in data.values():
            found = find_key(value, *names)
            if found:
                return found
    elif isinstance(data, list):
        for value in data:
            found = find_key(value, *names)
            if found:
                return found
    return None
