"""The operator plane on the local stack over HTTP: the documented bootstrap (`python -m local.operator`, in its own
process, against the running stack), the admin routes, and a dead delivery moved back by the route and by the
command, then delivered by the stack's own pollers."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import boto3
import pytest
import requests

from local.template import ROOT
from local.webhook_receiver import WebhookReceiver
from tests.identity_support import register_user_http

pytestmark = pytest.mark.e2e


def _operator(local_data_dir, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "local.operator", "--data-dir", str(local_data_dir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def operator_key(base_url, local_data_dir):
    return _operator(local_data_dir, "create", "--name", "e2e on-call").splitlines()[-1]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _bury(local_data_dir, message: dict) -> None:
    """Put a delivery message where the delivery queue's redrive policy puts one after its last attempt."""
    backend = json.loads((local_data_dir / "backend.json").read_text())
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=backend["endpoint_url"])
    sqs.send_message(QueueUrl=backend["queues"]["WEBHOOK_DELIVERY_DLQ_URL"], MessageBody=json.dumps(message))


def _delivered(base_url: str, token: str, webhook_id: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = requests.get(f"{base_url}/v1/webhooks/{webhook_id}/deliveries", headers=_auth(token), timeout=30).json()
        if len([d for d in data["data"] if d["status"] == "success"]) >= count:
            return data["data"]
        time.sleep(0.25)
    raise AssertionError(f"fewer than {count} successful deliveries within 60 s")


def test_the_bootstrapped_key_runs_the_operator_plane_and_no_tenant_does(base_url, local_data_dir, operator_key):
    user = register_user_http(base_url)
    keys = requests.get(f"{base_url}/v1/admin/operator-keys", headers=_auth(operator_key), timeout=30)
    assert keys.status_code == 200, keys.text
    assert "e2e on-call" in {k["name"] for k in keys.json()["data"]}
    assert keys.headers["X-RateLimit-Limit"]
    for path in ("/v1/admin/operator-keys", "/v1/admin/webhooks/dead-letters"):
        refused = requests.get(f"{base_url}{path}", headers=_auth(user["access_token"]), timeout=30)
        assert refused.status_code == 403
        assert requests.get(f"{base_url}{path}", timeout=30).status_code == 401
    assert requests.get(f"{base_url}/v1/users/me", headers=_auth(operator_key), timeout=30).status_code == 403

    # packages: the tenant's own request is refused, the operator's grant and removal go through
    packages = f"/namespaces/{user['namespace_id']}/packages"
    mine = requests.post(
        f"{base_url}/v1{packages}", json={"package_id": "pkg_pro"}, headers=_auth(user["access_token"]), timeout=30
    )
    assert mine.status_code == 403
    granted = requests.post(
        f"{base_url}/v1/admin{packages}", json={"package_id": "pkg_pro"}, headers=_auth(operator_key), timeout=30
    )
    assert granted.status_code == 201, granted.text
    assert [p["id"] for p in granted.json()["data"]["packages"]] == ["pkg_free", "pkg_pro"]
    removed = requests.delete(f"{base_url}/v1/admin{packages}/pkg_pro", headers=_auth(operator_key), timeout=30)
    assert removed.status_code == 204

    spare = _operator(local_data_dir, "create", "--name", "spare").splitlines()[-1]
    spare_id = "opk_" + spare.removeprefix("opk_test_").split("_")[0]
    revoked = requests.delete(f"{base_url}/v1/admin/operator-keys/{spare_id}", headers=_auth(operator_key), timeout=30)
    assert revoked.status_code == 204
    assert requests.get(f"{base_url}/v1/admin/operator-keys", headers=_auth(spare), timeout=30).status_code == 401


def test_a_dead_delivery_is_moved_back_and_delivered(base_url, local_data_dir, operator_key):
    from platform_api.domain import webhooks

    user = register_user_http(base_url)
    token = user["access_token"]
    with WebhookReceiver(status=200) as inbox:
        hook = requests.post(
            f"{base_url}/v1/webhooks",
            json={"url": inbox.url, "events": ["resource.*"]},
            headers=_auth(token),
            timeout=30,
        ).json()["data"]
        ids = []
        for n in (1, 2):
            event_id = f"evt_01JD00000000000000000000E{n}"
            delivery_id = webhooks.delivery_id_for(event_id, hook["id"])
            payload = json.dumps({"id": event_id, "type": "resource.updated", "data": {}})
            _bury(
                local_data_dir,
                webhooks.delivery_message(
                    delivery_id, hook["id"], user["namespace_id"], event_id, "resource.updated", payload
                ),
            )
            ids.append(delivery_id)
        waiting = requests.get(f"{base_url}/v1/admin/webhooks/dead-letters", headers=_auth(operator_key), timeout=30)
        assert waiting.json()["data"]["waiting"] >= 1

        # one by the route, one by the documented command
        moved = requests.post(
            f"{base_url}/v1/admin/webhooks/dead-letters/redrive",
            json={"max_messages": 1, "queues": ["delivery"]},
            headers=_auth(operator_key),
            timeout=60,
        )
        assert moved.status_code == 200, moved.text
        assert (moved.json()["data"]["moved"], moved.json()["data"]["has_more"]) == (1, True)
        by_command = json.loads(_operator(local_data_dir, "redrive", "--all"))
        assert (by_command["moved"], by_command["has_more"]) == (1, False)

        deliveries = _delivered(base_url, token, hook["id"], 2)
        assert {d["id"] for d in deliveries if d["status"] == "success"} == set(ids)
        assert sorted(json.loads(d.body)["id"] for d in inbox.deliveries) == sorted(
            f"evt_01JD00000000000000000000E{n}" for n in (1, 2)
        )
