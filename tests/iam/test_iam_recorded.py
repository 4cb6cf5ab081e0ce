"""IAM proven against the code (issue 20): every AWS request a function's code made during a whole test run (unit,
integration and e2e: local/aws_calls.py records them) is allowed by that function's role as SAM's transform writes
it, and every action a role grants was needed by some request of its function.

Run by `make test` after the main run, on its recording: `pytest tests/iam --aws-calls-check=build/aws-calls`.
Without --aws-calls-check these tests are deselected (a partial run's recording would report grants as unused).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from local import aws_calls, iam, sam_transform

pytestmark = pytest.mark.aws_calls_check

# Grants no test run can exercise, each with its reason: (function or "*", action or "*", resource or "*"), as
# local.iam.unused_grants reports them (resources resolved to the tests' names).
JUSTIFIED_UNUSED: dict[tuple[str, str, str], str] = {
    ("*", "secretsmanager:GetSecretValue", "*"): (
        "the tests hand every function the signing key as JWT_SECRET (tests/conftest.py, the local stack); deployed, "
        "platform_api.settings reads it from JWT_SECRET_ARN with GetSecretValue"
    ),
    ("*", "*", "arn:aws:secretsmanager:us-east-1:123456789012:secret:local-JwtSigningSecret-*"): "as above",
    ("AuthFunction", "dynamodb:DeleteItem", "*"): (
        "idempotency frees the key of a request that failed inside its idempotent section (platform_api/idempotency.py"
        " _delete_record); the other functions' tests reach it, no auth test makes a registration fail that way"
    ),
}


def _justified(function: str, action: str, resource: str) -> bool:
    return any(
        (f in ("*", function)) and (a in ("*", action)) and (r in ("*", resource)) and (a, r) != ("*", "*")
        for f, a, r in JUSTIFIED_UNUSED
    )


@pytest.fixture(scope="module")
def recorded(request) -> list[dict[str, str]]:
    directory = Path(request.config.getoption("--aws-calls-check"))
    entries = aws_calls.read(directory)
    assert entries, f"nothing recorded in {directory}: was the run made with AWS_CALLS_DIR={directory}?"
    return entries


@pytest.fixture(scope="module")
def roles() -> dict[str, iam.Role]:
    return iam.roles(sam_transform.transformed())


def test_every_function_was_recorded(recorded, roles):
    """A function without a single recorded request means the recording missed it, not that it calls nothing."""
    seen = {entry["function"] for entry in recorded}
    assert sorted(set(roles) - seen) == []
    assert sorted(seen - set(roles)) == []  # requests attributed to something that is no function


def test_every_recorded_request_is_allowed_by_its_functions_role(recorded, roles):
    refused = [
        f"{e['function']}: {e['action']} on {e['resource']} (partition {e['leading_key'] or '-'}, {e['operation']})"
        for e in recorded
        if not roles[e["function"]].allows(e["action"], e["resource"], e["leading_key"])
    ]
    assert refused == []


def test_every_granted_action_is_used_by_its_function(recorded, roles):
    unused = [
        f"{function} ({policy}): {action} on {resource}"
        for function, role in sorted(roles.items())
        for policy, action, resource in iam.unused_grants(role, recorded)
        if not _justified(function, action, resource)
    ]
    assert unused == []
