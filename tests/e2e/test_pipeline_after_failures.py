"""Every kind of failed or cancelled write leaves the webhook pipeline running: the next event is delivered.

Before local/emulator.py, one cancelled transaction replaced the embedded table and its stream, and no event was
delivered again for the rest of the run, without a word in the log.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from local.webhook_receiver import WebhookReceiver
from tests.identity_support import DEFAULT_PASSWORD, register_user_http

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def subscriber(base_url):
    """A user with a webhook on resource.created pointing at a receiver that records what it is sent."""
    with WebhookReceiver() as receiver:
        user = register_user_http(base_url)
        auth = {"Authorization": f"Bearer {user['access_token']}"}
        hook = requests.post(
            f"{base_url}/v1/webhooks",
            json={"url": receiver.url, "events": ["resource.created"]},
            headers=auth,
            timeout=30,
        )
        assert hook.status_code == 201, hook.text
        yield {"user": user, "auth": auth, "receiver": receiver}


def _create_and_expect_delivery(base_url: str, subscriber: dict) -> None:
    created = requests.post(
        f"{base_url}/v1/resources",
        json={"name": f"after-{uuid.uuid4().hex[:6]}"},
        headers=subscriber["auth"],
        timeout=30,
    )
    assert created.status_code == 201, created.text
    resource_id = created.json()["data"]["id"]
    receiver = subscriber["receiver"]
    receiver.wait_for({resource_id}, 30)
    assert resource_id in receiver.objects(), "the event after the failed write was never delivered"


def test_after_a_duplicate_registration(base_url, subscriber):
    _create_and_expect_delivery(base_url, subscriber)
    again = requests.post(
        f"{base_url}/v1/auth/register",
        json={
            "email": subscriber["user"]["email"],
            "username": f"u_{uuid.uuid4().hex[:8]}",
            "password": DEFAULT_PASSWORD,
        },
        timeout=30,
    )
    assert again.status_code == 409
    _create_and_expect_delivery(base_url, subscriber)


def test_after_a_batch_with_a_bad_operation(base_url, subscriber):
    batch = requests.post(
        f"{base_url}/v1/resources/batch",
        json={
            "operations": [
                {"action": "create", "data": {"name": "first of a doomed batch"}},
                {"action": "delete", "id": "res_00000000000000000000000000"},
            ]
        },
        headers=subscriber["auth"],
        timeout=30,
    )
    assert 400 <= batch.status_code < 500, batch.text
    _create_and_expect_delivery(base_url, subscriber)


def test_after_an_entitlement_limit(base_url, subscriber):
    statuses = []
    for _ in range(6):  # the free package allows 5 webhooks; the sixth is refused
        reply = requests.post(
            f"{base_url}/v1/webhooks",
            json={"url": "http://127.0.0.1:9/unused", "events": ["resource.deleted"]},
            headers=subscriber["auth"],
            timeout=30,
        )
        statuses.append(reply.status_code)
    assert statuses[-1] == 403, statuses
    _create_and_expect_delivery(base_url, subscriber)


def test_after_an_idempotency_conflict(base_url, subscriber):
    key = {"Idempotency-Key": uuid.uuid4().hex, **subscriber["auth"]}
    first = requests.post(f"{base_url}/v1/resources", json={"name": "keyed"}, headers=key, timeout=30)
    assert first.status_code == 201
    mismatch = requests.post(f"{base_url}/v1/resources", json={"name": "other body"}, headers=key, timeout=30)
    assert mismatch.status_code == 422
    _create_and_expect_delivery(base_url, subscriber)


def test_after_a_conditional_write_that_fails(base_url, subscriber):
    slug = f"taken-{uuid.uuid4().hex[:8]}"
    auth = subscriber["auth"]
    first = requests.post(f"{base_url}/v1/workspaces", json={"name": "One", "slug": slug}, headers=auth, timeout=30)
    assert first.status_code == 201, first.text
    clash = requests.post(f"{base_url}/v1/workspaces", json={"name": "Two", "slug": slug}, headers=auth, timeout=30)
    assert clash.status_code == 409
    workspace = first.json()["data"]["id"]
    owner = subscriber["user"]["user_id"]
    demote = requests.patch(
        f"{base_url}/v1/workspaces/{workspace}/members/{owner}", json={"role": "member"}, headers=auth, timeout=30
    )
    assert demote.status_code == 409, demote.text  # the last owner stays an owner
    _create_and_expect_delivery(base_url, subscriber)
