"""The whole webhook pipeline on the local stack: a change commits its outbox event, the stream poller runs the
forwarder, the SQS pollers run the fanout and the delivery functions, and a signed request reaches a receiver."""

from __future__ import annotations

import json
import time

import pytest
import requests

from local.webhook_receiver import WebhookReceiver
from platform_api import webhook_signing
from tests.identity_support import register_user_http

pytestmark = pytest.mark.e2e


@pytest.fixture
def inbox():
    with WebhookReceiver(status=200) as receiver:
        yield receiver


def test_create_update_delete_reach_the_subscriber_signed_and_sortable_by_id(base_url, inbox):
    url = inbox.url
    user = register_user_http(base_url)
    auth = {"Authorization": f"Bearer {user['access_token']}"}
    hook = requests.post(
        f"{base_url}/v1/webhooks", json={"url": url, "events": ["resource.*"]}, headers=auth, timeout=30
    ).json()["data"]
    created = requests.post(f"{base_url}/v1/resources", json={"name": "ping"}, headers=auth, timeout=30).json()["data"]
    resource_url = f"{base_url}/v1/resources/{created['id']}"
    assert requests.patch(resource_url, json={"name": "pong"}, headers=auth, timeout=30).status_code == 200
    assert requests.delete(resource_url, headers=auth, timeout=30).status_code == 204
    deadline = time.monotonic() + 90
    while len(inbox.deliveries) < 3 and time.monotonic() < deadline:
        time.sleep(0.25)
    received = inbox.deliveries
    assert len(received) == 3, f"{len(received)} deliveries within 90 s"
    payloads = []
    for delivery in received:
        headers, body = delivery.headers, delivery.body
        # document 004's snippet: 'sha256=' + HMAC-SHA256(secret, raw body) hex, compared in constant time
        assert webhook_signing.verify_legacy(hook["secret"], headers["X-Webhook-Signature"], body)
        assert webhook_signing.verify_standard(hook["secret"], headers, body)
        payloads.append(json.loads(body))
    # Delivery order is best effort (concurrent pollers, as on Lambda); event ids are ULIDs, so they sort in order.
    payloads.sort(key=lambda p: p["id"])
    assert [p["type"] for p in payloads] == ["resource.created", "resource.updated", "resource.deleted"]
    assert {p["data"]["object"]["id"] for p in payloads} == {created["id"]}
    assert [p["id"] for p in payloads] == sorted(p["id"] for p in payloads)  # event ids sort by creation
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        deliveries = requests.get(f"{base_url}/v1/webhooks/{hook['id']}/deliveries", headers=auth, timeout=30)
        if len(deliveries.json()["data"]) == 3:
            break
        time.sleep(0.25)
    assert [(d["status"], d["attempts"]) for d in deliveries.json()["data"]] == [("success", 1)] * 3
