"""Rotating the signing secret: Secrets Manager's four rotation steps (template.yaml's SigningSecretRotationFunction).

Secrets Manager starts a rotation (on the schedule, or `aws secretsmanager rotate-secret`) by creating a version
staged AWSPENDING with no value, then invokes the function once per step with that version's id as the token:

- createSecret: give the pending version a fresh random value (nothing if it already has one: steps are retried);
- setSecret: nothing — the secret is ours alone, no other system holds a copy to update;
- testSecret: the pending value is long enough and differs from the current one;
- finishSecret: move AWSCURRENT to the pending version; Secrets Manager moves AWSPREVIOUS to the one it replaced.

Every step is idempotent. Containers pick the new version up within `keys.SECRET_MAX_AGE_SECONDS` (at once when
they meet its kid) and verify the previous one for the grace period (platform_api.keys, docs/keys.md).
"""

from __future__ import annotations

import secrets
from typing import Any

from platform_api.keys import CURRENT, key_id

PENDING = "AWSPENDING"
SECRET_BYTES = 48  # 64 URL-safe characters, as the template's GenerateSecretString
MIN_LENGTH = 32


class RotationError(Exception):
    """The rotation cannot go on (Secrets Manager marks it failed and retries it later)."""


def _stages(client: Any, secret_id: str) -> dict[str, list[str]]:
    return client.describe_secret(SecretId=secret_id).get("VersionIdsToStages", {})


def _value(client: Any, secret_id: str, **selector: str) -> str | None:
    try:
        reply = client.get_secret_value(SecretId=secret_id, **selector)
    except client.exceptions.ResourceNotFoundException:
        return None
    return reply.get("SecretString")


def rotate(client: Any, secret_id: str, token: str, step: str) -> None:
    versions = _stages(client, secret_id)
    if token not in versions:
        raise RotationError(f"version {token} is not a version of the secret")
    if CURRENT in versions[token]:
        return  # this rotation already finished
    if PENDING not in versions[token]:
        raise RotationError(f"version {token} is not pending rotation")
    steps = {"createSecret": _create, "setSecret": _set, "testSecret": _test, "finishSecret": _finish}
    if step not in steps:
        raise RotationError(f"unknown rotation step {step!r}")
    steps[step](client, secret_id, token, versions)


def _create(client: Any, secret_id: str, token: str, versions: dict[str, list[str]]) -> None:
    if _value(client, secret_id, VersionId=token, VersionStage=PENDING):
        return
    client.put_secret_value(
        SecretId=secret_id,
        ClientRequestToken=token,
        SecretString=secrets.token_urlsafe(SECRET_BYTES),
        VersionStages=[PENDING],
    )


def _set(client: Any, secret_id: str, token: str, versions: dict[str, list[str]]) -> None:
    """Nothing else holds the secret."""


def _test(client: Any, secret_id: str, token: str, versions: dict[str, list[str]]) -> None:
    pending = _value(client, secret_id, VersionId=token, VersionStage=PENDING)
    current = _value(client, secret_id, VersionStage=CURRENT)
    if not pending or len(pending) < MIN_LENGTH:
        raise RotationError("the pending version has no value, or one too short to sign with")
    if current is not None and key_id(pending.encode()) == key_id(current.encode()):
        raise RotationError("the pending version repeats the current one")


def _finish(client: Any, secret_id: str, token: str, versions: dict[str, list[str]]) -> None:
    current = next((v for v, stages in versions.items() if CURRENT in stages), None)
    client.update_secret_version_stage(
        SecretId=secret_id, VersionStage=CURRENT, MoveToVersionId=token, RemoveFromVersionId=current
    )
