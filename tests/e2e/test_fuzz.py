"""Schemathesis against the local stack over HTTP: every operation of the served OpenAPI document,
authenticated, with generated (valid and invalid) requests.

Zero 5xx, every non-2xx in the contract's error envelope, status codes and bodies valid against the
document. FUZZ_MAX_EXAMPLES sets the examples per operation (small in `make test`, large in `make fuzz`);
the session prints how many requests ran.
"""

from __future__ import annotations

import os
import uuid

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
TALLY = {"requests": 0, "server_errors": 0}


@pytest.fixture(scope="session")
def fuzz_token(base_url):
    email = f"fuzz-{uuid.uuid4().hex[:12]}@example.com"
    password = "correct horse battery staple"
    registered = requests.post(
        f"{base_url}/v1/auth/register",
        json={"email": email, "username": f"fuzz_{uuid.uuid4().hex[:10]}", "password": password},
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
    login = requests.post(f"{base_url}/v1/auth/login", json={"email": email, "password": password}, timeout=30)
    assert login.status_code == 200, login.text
    return login.json()["access_token"]


@pytest.fixture(scope="session")
def api_schema(base_url):
    document = requests.get(f"{base_url}/v1/openapi.json", timeout=30).json()
    return schemathesis.openapi.from_dict(document)


@pytest.fixture(scope="session", autouse=True)
def _report_tally():
    yield
    print(f"\nfuzz: {TALLY['requests']} generated requests, {TALLY['server_errors']} server errors")


def envelope_on_errors(ctx, response, case):
    """Every non-2xx answer is the contract's error envelope with a request id."""
    if response.status_code < 400:
        return True
    body = response.json()
    error = body["error"]
    assert set(error) >= {"code", "message", "details", "request_id"}, body
    assert isinstance(error["details"], dict), body
    assert error["request_id"].startswith("req_"), body
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_generated_requests(api_schema, base_url, fuzz_token):
    """Every operation, MAX_EXAMPLES generated cases each; all failures are collected, then reported."""
    headers = {"Authorization": f"Bearer {fuzz_token}"}
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations

    for operation in operations:

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            TALLY["requests"] += 1
            if response.status_code >= 500:
                TALLY["server_errors"] += 1
            try:
                case.validate_response(response, checks=[*CHECKS, envelope_on_errors])
            except (Exception, BaseExceptionGroup) as exc:  # collect: one finding must not hide the others
                failures.append(f"{case.operation.label}: {_describe(exc)}")

        run()

    unique = sorted(set(failures))
    assert not unique, f"{len(unique)} findings:\n" + "\n".join(unique[:40])


def _describe(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None) or [exc]
    return "; ".join(f"{type(e).__name__}: {' '.join(str(e).split())[:300]}" for e in inner)
