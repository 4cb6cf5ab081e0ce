"""No credential reaches a log line (docs/security.md, docs/operations.md).

A local stack at the dev stage's `LogLevel=DEBUG` (the most any stage logs) runs every path that handles a secret:
register, a failed and a good login, refresh, an API key created and used, a webhook created, its secret rotated
(generated and given), deliveries signed and sent to a receiver, an operator key created and used, logout. Then
its whole output (the server's and every function worker's JSON lines) is scanned for each secret it saw, and
for anything shaped like one.

Not a secret here: the email-confirmation link the local stack writes to its log on purpose, in place of a mail
(docs/auth.md); a deployed stage logs only that a confirmation is pending.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests

from local import launcher
from local.template import ROOT
from local.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.e2e

# Shapes of credentials this platform issues or accepts, whatever their value.
PATTERNS = {
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    "API or operator key": re.compile(r"\b(?:sk|opk)_(?:live|test)_[A-Za-z0-9]{10,}_[A-Za-z0-9_-]{16,}"),
    "webhook secret": re.compile(r"whsec_[A-Za-z0-9+/]{16,}"),
    "bearer credential": re.compile(r"Bearer\s+[A-Za-z0-9._~+/-]{16,}", re.IGNORECASE),
    "password field": re.compile(r"[\"']?password[\"']?\s*[:=]\s*[\"'][^\"'*]{4,}", re.IGNORECASE),
}


def leaks(text: str, secrets: dict[str, str]) -> list[str]:
    """What in `text` is one of `secrets` (whole, or the random part after a key's last `_`) or looks like one."""
    found = []
    for label, value in secrets.items():
        tail = value.rsplit("_", 1)[-1]
        if value in text or (len(tail) >= 16 and tail in text):
            found.append(label)
    for label, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            found.append(f"{label}: {match.group(0)[:12]}...")
    return found


def test_the_scanner_finds_each_kind_of_secret():
    secrets = {"password": "correct horse battery staple 42", "api key": "sk_test_01JD00AAAA_" + "k" * 43}
    assert leaks("nothing to see: key_01JD00AAAA, evt_01JD, whsec_, Bearer", secrets) == []
    assert leaks('{"message": "login correct horse battery staple 42"}', secrets) == ["password"]
    assert leaks("key " + "k" * 43, secrets) == ["api key"]  # the random part alone
    assert leaks("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3IifQ.c2lnbmF0dXJlLXZhbHVl", {})
    assert leaks("whsec_" + "A" * 44, {})
    assert leaks("opk_test_01JD00AAAABBBBCCCC_" + "x" * 30, {})
    assert leaks('{"password": "hunter2hunter2"}', {})


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _run_every_secret_path(url: str, data_dir: Path, moto_url: str, secrets: dict[str, str]) -> None:
    password = f"pw-{uuid.uuid4().hex}-horse battery"
    email = f"logs-{uuid.uuid4().hex[:10]}@example.com"
    secrets["password"] = password
    registered = requests.post(
        f"{url}/v1/auth/register",
        json={"email": email, "username": f"logs{uuid.uuid4().hex[:8]}", "password": password},
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
    secrets["register access token"] = registered.json()["access_token"]
    secrets["register refresh token"] = registered.json()["refresh_token"]

    wrong = f"wrong-{uuid.uuid4().hex}"
    secrets["wrong password"] = wrong
    refused = requests.post(f"{url}/v1/auth/login", json={"email": email, "password": wrong}, timeout=30)
    assert refused.status_code == 401
    tokens = requests.post(f"{url}/v1/auth/login", json={"email": email, "password": password}, timeout=30).json()
    refreshed = requests.post(f"{url}/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=30)
    assert refreshed.status_code == 200
    secrets["login access token"] = tokens["access_token"]
    secrets["login refresh token"] = tokens["refresh_token"]
    secrets["refreshed access token"] = access = refreshed.json()["access_token"]
    secrets["refreshed refresh token"] = refreshed.json()["refresh_token"]

    key = requests.post(f"{url}/v1/api-keys", json={"name": "logs"}, headers=_auth(access), timeout=30).json()["data"]
    secrets["API key"] = key["key"]
    assert requests.get(f"{url}/v1/resources", headers=_auth(key["key"]), timeout=30).status_code == 200
    assert requests.get(f"{url}/v1/resources", headers=_auth(key["key"] + "x"), timeout=30).status_code == 401

    with WebhookReceiver(status=200) as inbox:
        hook = requests.post(
            f"{url}/v1/webhooks", json={"url": inbox.url, "events": ["resource.*"]}, headers=_auth(access), timeout=30
        ).json()["data"]
        secrets["webhook secret"] = hook["secret"]
        rotated = requests.post(
            f"{url}/v1/webhooks/{hook['id']}/rotate-secret", json={}, headers=_auth(access), timeout=30
        )
        secrets["rotated webhook secret"] = rotated.json()["data"]["secret"]
        given = f"my-own-secret-{uuid.uuid4().hex}"
        secrets["given webhook secret"] = given
        assert (
            requests.post(
                f"{url}/v1/webhooks/{hook['id']}/rotate-secret",
                json={"secret": given},
                headers=_auth(access),
                timeout=30,
            ).status_code
            == 200
        )
        created = requests.post(f"{url}/v1/resources", json={"name": "logged"}, headers=_auth(access), timeout=30)
        assert created.status_code == 201
        assert (
            requests.post(f"{url}/v1/webhooks/{hook['id']}/test", headers=_auth(access), timeout=30).status_code < 300
        )
        deadline = time.monotonic() + 60
        while not inbox.objects("resource.created") and time.monotonic() < deadline:
            time.sleep(0.25)
        assert inbox.objects("resource.created") == {created.json()["data"]["id"]}, "no delivery within 60 s"

    made = subprocess.run(
        [sys.executable, "-m", "local.operator", "--data-dir", str(data_dir), "create", "--name", "logs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    secrets["operator key"] = operator_key = made.stdout.splitlines()[-1]
    assert requests.get(f"{url}/v1/admin/operator-keys", headers=_auth(operator_key), timeout=30).status_code == 200

    assert requests.post(f"{url}/v1/auth/logout", headers=_auth(access), timeout=30).status_code == 204

    sm = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=moto_url)
    (listed,) = sm.list_secrets()["SecretList"]
    secrets["deployment signing secret"] = sm.get_secret_value(SecretId=listed["ARN"])["SecretString"]


def test_no_credential_reaches_the_logs_of_a_debug_run(tmp_path):
    log_path = tmp_path / "stack.log"
    secrets: dict[str, str] = {}
    with launcher.running(tmp_path / "data", log_path, {"LOG_LEVEL": "DEBUG"}) as stack:
        _run_every_secret_path(stack.url, tmp_path / "data", stack.moto_url, secrets)
        time.sleep(1)  # the delivery function's last lines
    log = log_path.read_text()

    # The scan covered the functions' own output, at DEBUG, not only the server's request lines.
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    services = {line.get("service") for line in lines}
    assert {"auth", "api-keys", "webhooks", "webhook-delivery", "admin"} <= services, services
    assert any(line.get("level") == "DEBUG" for line in lines)
    assert "Email confirmation for" in log  # the one deliberate local-only line (docstring)

    assert len(secrets) >= 14
    found = leaks(log, secrets)
    assert found == [], f"credentials in the log: {found}"
