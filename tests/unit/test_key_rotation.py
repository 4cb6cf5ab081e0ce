"""Keys that rotate (docs/keys.md): the signing secret's versions carry key ids, a rotation keeps what was signed
before it working for the grace period, and stored secrets are sealed under KMS, not under the signing secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
import zlib

import boto3
import jwt
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from platform_api import idempotency, keys, sealing, tokens, webhook_signing
from platform_api.dal import backfill
from platform_api.secret_rotation import RotationError, rotate
from platform_api.settings import get_settings
from tests.helpers import FakeContext, call, function_module
from tests.identity_support import register_user
from tests.unit.test_webhooks import Receiver

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


@pytest.fixture
def secret_arn(aws, monkeypatch):
    """The stack's signing secret in Secrets Manager (moto), as deployed: no JWT_SECRET override."""
    arn = aws["JwtSigningSecret"]["Ref"]
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("JWT_SECRET_ARN", arn)
    get_settings.cache_clear()
    keys.reset()
    yield arn
    monkeypatch.undo()
    get_settings.cache_clear()
    keys.reset()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _secretsmanager():
    return boto3.client("secretsmanager", region_name="us-east-1")


def start_rotation(arn: str) -> str:
    """What Secrets Manager does first: a version staged AWSPENDING, with no value yet. (moto's RotateSecret without
    a Lambda finishes a rotation by itself, so the version is added to its backend directly.)"""
    from moto.secretsmanager.models import secretsmanager_backends

    name = _secretsmanager().describe_secret(SecretId=arn)["Name"]
    token = str(uuid.uuid4())
    secret = secretsmanager_backends["123456789012"]["us-east-1"].secrets[name]
    secret.versions[token] = {"createdate": int(time.time()), "version_id": token, "version_stages": ["AWSPENDING"]}
    return token


def rotate_signing_secret(arn: str) -> str:
    """A scheduled rotation: the pending version, then the rotation function once per step."""
    token = start_rotation(arn)
    handler = function_module("SigningSecretRotationFunction").handler
    for step in STEPS:
        handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, FakeContext())
    return token


def _kid(token: str) -> str | None:
    return jwt.get_unverified_header(token).get("kid")


def _legacy_webhook_seal(version: keys.Version, secret: str, webhook_id: str) -> str:
    """A webhook secret sealed as before KMS: AES-GCM under a key derived from the signing secret."""
    nonce = os.urandom(12)
    cipher = AESGCM(version.key("webhook-secrets"))
    return base64.b64encode(nonce + cipher.encrypt(nonce, secret.encode(), webhook_id.encode())).decode()


def _store_legacy_secret(user: dict, hook: dict, version: keys.Version) -> None:
    sealed = _legacy_webhook_seal(version, hook["secret"], hook["id"])
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": f"NS#{user['namespace_id']}"}, "SK": {"S": f"WEBHOOK#{hook['id']}"}},
        UpdateExpression="SET secrets[0].sealed = :sealed",
        ExpressionAttributeValues={":sealed": {"S": sealed}},
    )


def _stored_secrets(user: dict, hook_id: str) -> list[str]:
    item = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": f"NS#{user['namespace_id']}"}, "SK": {"S": f"WEBHOOK#{hook_id}"}},
    )["Item"]
    return [entry["M"]["sealed"]["S"] for entry in item["secrets"]["L"]]


def _legacy_idempotent_seal(stored: dict, scope: dict) -> dict:
    """An answer sealed as before KMS: AES-GCM under a key from the signing secret and the raw Idempotency-Key."""
    version = keys.current()
    canonical = json.dumps(scope, sort_keys=True, separators=(",", ":"), default=str).encode()
    digest = hmac.new(version.key("idempotency"), canonical, hashlib.sha256).hexdigest()
    material = hmac.new(version.key("idempotency-response"), scope["key"].encode(), hashlib.sha256).digest()
    cipher = AESGCM(hmac.new(material, digest.encode(), hashlib.sha256).digest())
    nonce = os.urandom(12)
    plaintext = zlib.compress(json.dumps(stored, separators=(",", ":")).encode())
    return {"sealed": base64.b64encode(nonce + cipher.encrypt(nonce, plaintext, None)).decode(), "zlib": True}


def _hook(user: dict, url: str) -> dict:
    reply = call("POST", "/v1/webhooks", body={"url": url, "events": ["resource.*"]}, token=user["access_token"])
    assert reply.status == 201, reply
    return reply.json["data"]


def _signed_test_send(user: dict, hook: dict, receiver: Receiver) -> None:
    reply = call("POST", f"/v1/webhooks/{hook['id']}/test", token=user["access_token"])
    assert reply.status == 200, reply
    assert reply.json["success"] is True, reply
    headers, body = receiver.requests[-1]
    assert webhook_signing.verify_standard(hook["secret"], headers, body)


def _create_resource(user: dict, name: str, key: str | None = None):
    return call(
        "POST",
        "/v1/resources",
        body={"name": name, "type": "standard"},
        token=user["access_token"],
        headers={"Idempotency-Key": key or str(uuid.uuid4())},
    )


def _first_page(user: dict) -> dict:
    reply = call("GET", "/v1/resources", token=user["access_token"], query="per_page=1&sort=name")
    assert reply.status == 200, reply
    return reply.json


def test_a_rotation_keeps_sessions_cursors_idempotency_records_and_webhook_secrets(secret_arn, receiver, monkeypatch):
    old = keys.current()
    alice = register_user()
    assert _kid(alice["access_token"]) == old.kid
    created = _create_resource(alice, "first", key="create-first")
    assert created.status == 201, created
    signup = {"email": "bob@example.com", "username": "bob_rotation", "password": "correct horse battery staple"}
    registered = call("POST", "/v1/auth/register", body=signup, headers={"Idempotency-Key": "signup-1"})  # anonymous
    assert registered.status == 201, registered
    with monkeypatch.context() as patch:
        patch.setattr(idempotency, "_seal", _legacy_idempotent_seal)  # stored by the release before KMS sealing
        legacy_created = _create_resource(alice, "legacy", key="create-legacy")
    assert legacy_created.status == 201, legacy_created
    assert _create_resource(alice, "second").status == 201
    old_cursor = _first_page(alice)["meta"]["next_cursor"]
    assert old_cursor.startswith(old.kid + ".")
    hook = _hook(alice, receiver.url)
    assert all(sealing.is_sealed(value) for value in _stored_secrets(alice, hook["id"]))
    legacy_hook = _hook(alice, receiver.url)
    _store_legacy_secret(alice, legacy_hook, old)  # as the release before KMS sealing stored it
    legacy_token = jwt.encode(  # issued before key ids: no kid header
        jwt.decode(alice["access_token"], options={"verify_signature": False}), old.key("jwt"), algorithm="HS256"
    )

    rotate_signing_secret(secret_arn)
    new = keys.ring(refresh=True).current  # a container reading the secret after the rotation
    assert new.kid != old.kid
    assert keys.ring().previous() == old

    # Old sessions: the access token verifies, the refresh token gives tokens signed with the new version.
    for token in (alice["access_token"], legacy_token):
        assert call("GET", "/v1/users/me", token=token).status == 200
    refreshed = call("POST", "/v1/auth/refresh", body={"refresh_token": alice["refresh_token"]})
    assert refreshed.status == 200, refreshed
    assert _kid(refreshed.json["access_token"]) == new.kid
    fresh = {**alice, "access_token": refreshed.json["access_token"]}
    assert call("GET", "/v1/users/me", token=fresh["access_token"]).status == 200
    # Old cursors go on; new ones name the new version.
    page = call("GET", "/v1/resources", token=fresh["access_token"], query=f"per_page=1&sort=name&cursor={old_cursor}")
    assert page.status == 200, page
    assert [d["name"] for d in page.json["data"]] == ["legacy"]
    assert _first_page(fresh)["meta"]["next_cursor"].startswith(new.kid + ".")
    # An idempotency record made before the rotation answers its retry; a different body is still a mismatch.
    replay = _create_resource(fresh, "first", key="create-first")
    assert replay.status == 201, replay
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json == created.json
    legacy_replay = _create_resource(fresh, "legacy", key="create-legacy")
    assert (legacy_replay.status, legacy_replay.json) == (201, legacy_created.json)
    assert legacy_replay.headers.get("idempotent-replayed") == "true"
    signup_replay = call("POST", "/v1/auth/register", body=signup, headers={"Idempotency-Key": "signup-1"})
    assert (signup_replay.status, signup_replay.json) == (201, registered.json)
    assert signup_replay.headers.get("idempotent-replayed") == "true"
    mismatch = _create_resource(fresh, "other", key="create-first")
    assert mismatch.status == 422, mismatch
    assert _create_resource(fresh, "third", key="create-third").status == 201
    # Every stored webhook secret still signs, whichever way it was sealed; a rotated one is sealed under KMS.
    _signed_test_send(fresh, hook, receiver)
    _signed_test_send(fresh, legacy_hook, receiver)
    rotated = call("POST", f"/v1/webhooks/{legacy_hook['id']}/rotate-secret", token=fresh["access_token"])
    assert rotated.status == 200, rotated
    newest, kept = _stored_secrets(fresh, legacy_hook["id"])
    assert sealing.is_sealed(newest)
    assert not sealing.is_sealed(kept)  # the old one in its grace period, as stored
    _signed_test_send(fresh, {**legacy_hook, "secret": rotated.json["data"]["secret"]}, receiver)


def test_after_the_grace_period_the_old_versions_tokens_and_cursors_fail_cleanly(secret_arn, receiver, monkeypatch):
    old = keys.current()
    alice = register_user()
    _create_resource(alice, "first")
    _create_resource(alice, "second")
    old_cursor = _first_page(alice)["meta"]["next_cursor"]
    legacy_hook = _hook(alice, receiver.url)
    _store_legacy_secret(alice, legacy_hook, old)
    rotate_signing_secret(secret_arn)
    monkeypatch.setenv("KEY_GRACE_SECONDS", "0")
    get_settings.cache_clear()
    keys.ring(refresh=True)
    assert keys.verifying() == [keys.current()]

    reply = call("GET", "/v1/users/me", token=alice["access_token"])
    assert reply.status == 401, reply
    assert reply.json["error"]["code"] == "authentication_required"
    refreshed = call("POST", "/v1/auth/refresh", body={"refresh_token": alice["refresh_token"]})
    assert refreshed.status == 200, refreshed  # refresh tokens are random, stored hashed: no key version
    token = refreshed.json["access_token"]
    page = call("GET", "/v1/resources", token=token, query=f"per_page=1&sort=name&cursor={old_cursor}")
    assert page.status == 400, page
    assert "cursor" in page.json["error"]["details"]
    # Stored data never depended on the grace period: the secret sealed before KMS still opens.
    _signed_test_send({**alice, "access_token": token}, legacy_hook, receiver)


def test_a_container_that_has_not_seen_the_rotation_accepts_the_new_kid_at_once(secret_arn, monkeypatch):
    alice = register_user()
    stale = keys.ring()
    rotate_signing_secret(secret_arn)
    assert keys.ring() is stale  # cached for SECRET_MAX_AGE_SECONDS
    new = keys._load().current  # what a container that started after the rotation signs with
    claims = jwt.decode(alice["access_token"], options={"verify_signature": False})
    token = jwt.encode(claims, new.key("jwt"), algorithm="HS256", headers={"kid": new.kid})
    monkeypatch.setattr(keys, "UNKNOWN_KID_REFRESH_SECONDS", 0)
    assert tokens.verify(token)["sub"] == alice["user_id"]
    assert keys.current().kid == new.kid
    forged = jwt.encode(claims, "not-the-key" * 4, algorithm="HS256", headers={"kid": "AAAAAAAA"})
    assert call("GET", "/v1/users/me", token=forged).status == 401


def test_the_backfill_reseals_old_webhook_secrets_under_kms_once(secret_arn, receiver):
    alice = register_user()
    hooks = [_hook(alice, receiver.url) for _ in range(3)]
    for hook in hooks[:2]:
        _store_legacy_secret(alice, hook, keys.current())
    first = backfill.run(page_size=7)
    assert first["webhook_secrets"] == 2
    for hook in hooks:
        assert all(sealing.is_sealed(value) for value in _stored_secrets(alice, hook["id"]))
        _signed_test_send(alice, hook, receiver)
    assert backfill.run()["webhook_secrets"] == 0


# ---------------------------------------------------------------------------------------------- the rotation function
def test_the_rotation_steps_are_idempotent_and_move_the_stages(secret_arn):
    sm = _secretsmanager()
    before = sm.get_secret_value(SecretId=secret_arn)
    token = start_rotation(secret_arn)
    rotate(sm, secret_arn, token, "createSecret")
    pending = sm.get_secret_value(SecretId=secret_arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
    rotate(sm, secret_arn, token, "createSecret")  # retried by Secrets Manager: the value stays
    assert sm.get_secret_value(SecretId=secret_arn, VersionId=token)["SecretString"] == pending
    assert len(pending) >= 64
    assert pending != before["SecretString"]
    for step in ("setSecret", "testSecret", "finishSecret", "finishSecret"):
        rotate(sm, secret_arn, token, step)
    stages = sm.describe_secret(SecretId=secret_arn)["VersionIdsToStages"]
    assert "AWSCURRENT" in stages[token]
    assert "AWSPREVIOUS" in stages[before["VersionId"]]
    assert sm.get_secret_value(SecretId=secret_arn, VersionStage="AWSCURRENT")["SecretString"] == pending
    with pytest.raises(RotationError):
        rotate(sm, secret_arn, str(uuid.uuid4()), "createSecret")


def test_the_test_step_refuses_a_pending_value_that_cannot_sign(secret_arn):
    sm = _secretsmanager()
    token = start_rotation(secret_arn)
    sm.put_secret_value(
        SecretId=secret_arn, ClientRequestToken=token, SecretString="short", VersionStages=["AWSPENDING"]
    )
    with pytest.raises(RotationError):
        rotate(sm, secret_arn, token, "testSecret")
    with pytest.raises(RotationError):
        rotate(sm, secret_arn, token, "unknownStep")


# ------------------------------------------------------------------------------------------ sealing, the local stack
def test_sealed_values_are_bound_to_their_owner_and_name_no_signing_key(aws):
    sealed = sealing.seal_webhook_secret("whsec_abc", "wh_1")
    assert sealed.startswith("kms1:")
    assert sealing.open_webhook_secret(sealed, "wh_1") == "whsec_abc"
    with pytest.raises(InvalidTag):  # another webhook's id does not open it
        sealing.open_webhook_secret(sealed, "wh_2")
    sealing.reset()  # a new container: unwraps the data key through KMS
    assert sealing.open_webhook_secret(sealed, "wh_1") == "whsec_abc"


def test_the_local_snapshot_keeps_the_kms_key(aws):
    from local import snapshot

    sealed = sealing.seal_webhook_secret("whsec_kept", "wh_1")
    state = snapshot.capture(None, aws)
    saved_arn = aws["DataKey"]["Arn"]
    backend = snapshot._kms()
    backend.keys.pop(aws["DataKey"]["KeyId"])  # a new backend: the old key is gone, a fresh one provisioned
    fresh = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]
    physical = {**aws, "DataKey": {"Ref": fresh["KeyId"], "KeyId": fresh["KeyId"], "Arn": fresh["Arn"]}}
    snapshot.restore(state, None, physical)
    assert physical["DataKey"]["Arn"] == saved_arn
    sealing.reset()
    assert sealing.open_webhook_secret(sealed, "wh_1") == "whsec_kept"


def test_between_rotations_a_container_reads_only_the_current_version(secret_arn, monkeypatch):
    import botocore.client

    stages: list[str | None] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        if operation_name == "GetSecretValue":
            stages.append(api_params.get("VersionStage"))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    alice = register_user()
    assert call("GET", "/v1/users/me", token=alice["access_token"]).status == 200
    # the secret is younger than the grace period, but a token of the current version needs no previous one: a
    # cold start's first request reads the secret once
    assert keys.ring().in_grace()
    assert stages == ["AWSCURRENT"]
    rotate_signing_secret(secret_arn)
    monkeypatch.setenv("KEY_GRACE_SECONDS", "0")  # long after the rotation
    get_settings.cache_clear()
    stages.clear()
    keys.ring(refresh=True)
    assert call("GET", "/v1/users/me", token=alice["access_token"]).status == 401
    assert stages == ["AWSCURRENT"]


# ---------------------------------------------------------------------------------------------- template
def test_the_template_keeps_the_keys_and_wires_the_rotation():
    from local.template import load_template

    resources = load_template()["Resources"]
    secret, key = resources["JwtSigningSecret"], resources["DataKey"]
    for resource in (secret, key):
        assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert key["Properties"]["EnableKeyRotation"] is True
    schedule = resources["SigningSecretRotationSchedule"]["Properties"]
    assert schedule["SecretId"] == {"Ref": "JwtSigningSecret"}
    assert schedule["RotationLambdaARN"] == {"Fn::GetAtt": ["SigningSecretRotationFunction", "Arn"]}
    assert schedule["RotateImmediatelyOnUpdate"] is False
    permission = resources["SigningSecretRotationPermission"]["Properties"]
    assert (permission["Principal"], permission["SourceArn"]) == (
        "secretsmanager.amazonaws.com",
        {"Ref": "JwtSigningSecret"},
    )
    (statement,) = resources["SigningSecretRotationFunction"]["Properties"]["Policies"][0]["Statement"]
    assert statement["Resource"] == {"Ref": "JwtSigningSecret"}
    assert sorted(statement["Action"]) == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    ]
    kms: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        for policy in (resource.get("Properties") or {}).get("Policies") or []:
            for entry in (policy.get("Statement") or []) if isinstance(policy, dict) else []:
                actions = [entry["Action"]] if isinstance(entry["Action"], str) else entry["Action"]
                if any(action.startswith("kms:") for action in actions):
                    assert entry["Resource"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
                    kms[logical_id] = set(actions)
    sealing_functions = {"Auth", "Users", "ApiKeys", "Resources", "Workspaces", "Namespaces", "Webhooks", "Admin"}
    assert kms == {
        **{f"{name}Function": {"kms:GenerateDataKey", "kms:Decrypt"} for name in sealing_functions},
        "WebhookDeliveryFunction": {"kms:Decrypt"},
        "WebhookSlowDeliveryFunction": {"kms:Decrypt"},
    }
