"""Test environment: fake AWS credentials and an in-process moto backend provisioned from template.yaml.

The environment is set before any platform_api import, because settings are read once per process,
exactly as in a Lambda container.
"""

from __future__ import annotations

import os

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TABLE_NAME": "local-Table",
        "STAGE_NAME": "api",
        "ENVIRONMENT": "dev",
        "JWT_SECRET": "test-signing-secret-that-is-long-enough-for-hs256-0123456789",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "PlatformApiTests",
        "POWERTOOLS_SERVICE_NAME": "tests",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "WEBHOOK_ALLOW_LOOPBACK": "true",
    }
)
for _name in ("AWS_ENDPOINT_URL", "DYNAMODB_ENDPOINT_URL", "JWT_SECRET_ARN", "AWS_PROFILE"):
    os.environ.pop(_name, None)

import pytest  # noqa: E402
import requests  # noqa: E402
from moto import mock_aws  # noqa: E402

from local import aws_calls, launcher  # noqa: E402
from local.template import ROOT  # noqa: E402

if aws_calls.enabled():  # `make test`: every function's AWS requests, for tests/iam (issue 20); off otherwise
    os.environ[aws_calls.ENV] = os.path.abspath(os.environ[aws_calls.ENV])
    aws_calls.install()


def pytest_addoption(parser):
    parser.addoption(
        "--aws-calls-check",
        metavar="DIR",
        help="check the AWS requests recorded in DIR (AWS_CALLS_DIR of an earlier run) against the roles (tests/iam)",
    )


def pytest_collection_modifyitems(config, items):
    """The recorded-calls check needs a whole run's recording: it runs only when given one (`make test` does)."""
    if config.getoption("--aws-calls-check"):
        return
    kept = [item for item in items if item.get_closest_marker("aws_calls_check") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture
def aws():
    """A fresh in-process AWS (moto) with the template's table, queues, secret and KMS key; yields their names."""
    from local import emulator
    from local.aws import provision
    from tests.helpers import use_backend

    emulator.install()
    with mock_aws():
        physical = provision(None)
        use_backend(physical)
        yield physical


@pytest.fixture
def dynamodb_calls(monkeypatch):
    """Every DynamoDB operation made through botocore (boto3 and pynamodb both go through it), in order."""
    import botocore.client

    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        if self.meta.service_model.service_name == "dynamodb":
            seen.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return seen


@pytest.fixture
def moto_server():
    """moto's server in this process, provisioned from template.yaml as `make run` embeds it (moto's in-process
    mock has no DynamoDB Streams API); yields (endpoint URL, logical id -> physical attributes)."""
    from moto.dynamodb.models import dynamodb_backends

    from local.aws import provision, start_moto

    server, url = start_moto()
    physical = provision(url)
    yield url, physical
    server.stop()
    dynamodb_backends.reset()


# ------------------------------------------------------------------ the local stack over HTTP (e2e, security)
@pytest.fixture(scope="session")
def local_data_dir(tmp_path_factory):
    """The data folder of the session's local stack (its backend.json is what `python -m local.operator` reads)."""
    return tmp_path_factory.mktemp("local-data")


@pytest.fixture(scope="session")
def base_url(local_data_dir):
    environment: dict[str, str] = {}
    log_path = ROOT / ".pytest-local-stack.log"
    log_path.write_text("")
    with launcher.running(local_data_dir, log_path, environment) as stack:
        yield stack.url


@pytest.fixture
def http(base_url):
    session = requests.Session()
    session.base_url = base_url  # type: ignore[attr-defined]
    yield session
    session.close()
