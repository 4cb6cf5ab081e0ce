"""The local stack holds a tenant: 2,000 resources through the API, singly and in batches, every event delivered,
memory growing with the data only; and the data survives a restart and a crash.

Counted, not timed: resident memory of the stack process, items and events. Each test starts its own stack.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from local import launcher
from local.webhook_receiver import WebhookReceiver
from tests.identity_support import DEFAULT_PASSWORD, register_user_http

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MB = 1024 * 1024
UNLIMITED = {"RATE_LIMITS_JSON": json.dumps({"free": {"burst": 1_000_000, "minute": 1_000_000, "hour": 10_000_000}})}


def _subscribed_user(url: str, inbox: WebhookReceiver) -> dict:
    user = register_user_http(url)
    user["auth"] = {"Authorization": f"Bearer {user['access_token']}"}
    hook = requests.post(
        f"{url}/v1/webhooks", json={"url": inbox.url, "events": ["resource.created"]}, headers=user["auth"], timeout=30
    )
    assert hook.status_code == 201, hook.text
    return user


def _create_one(url: str, user: dict, index: int) -> str:
    reply = requests.post(f"{url}/v1/resources", json={"name": f"single {index}"}, headers=user["auth"], timeout=60)
    assert reply.status_code == 201, reply.text
    return reply.json()["data"]["id"]


def _create_batch(url: str, user: dict, start: int, count: int) -> list[str]:
    operations = [{"action": "create", "data": {"name": f"batched {start + i}"}} for i in range(count)]
    reply = requests.post(
        f"{url}/v1/resources/batch", json={"operations": operations}, headers=user["auth"], timeout=60
    )
    assert reply.status_code in (200, 201), reply.text
    return [result["data"]["id"] for result in reply.json()["data"]]


def test_two_thousand_resources_with_a_subscriber_in_bounded_memory(tmp_path):
    with WebhookReceiver() as inbox, launcher.running(tmp_path / "data", tmp_path / "stack.log", UNLIMITED) as stack:
        singles, batches = _subscribed_user(stack.url, inbox), _subscribed_user(stack.url, inbox)
        warm = {_create_one(stack.url, singles, -1), *_create_batch(stack.url, batches, -23, 23)}
        inbox.wait_for(warm, 60)
        baseline = stack.rss_bytes()

        # The free package holds 1,000 resources per namespace: two users fill theirs, 2,000 in all.
        with ThreadPoolExecutor(8) as pool:
            created = set(pool.map(lambda i: _create_one(stack.url, singles, i), range(999)))
            for ids in pool.map(lambda s: _create_batch(stack.url, batches, s, 23), range(0, 23 * 42, 23)):
                created.update(ids)
        created.update(_create_batch(stack.url, batches, 23 * 42, 11))
        assert len(created | warm) == 2000
        inbox.wait_for(created, 180)
        grown = stack.rss_bytes() - baseline

        delivered = inbox.objects()
        webhook_ids = {d.headers["webhook-id"] for d in inbox.deliveries}
    assert created <= delivered, f"{len(created - delivered)} events never delivered"
    assert len(webhook_ids) == len(created | warm)  # each event once, after dedupe on webhook-id
    print(f"the stack grew {grown / MB:.0f} MB for {len(created | warm)} resources")  # shown with -s
    assert grown < 250 * MB, f"the stack grew {grown / MB:.0f} MB for {len(created | warm)} resources"


def test_data_survives_a_restart_and_a_crash(tmp_path):
    data = tmp_path / "data"
    with launcher.running(data, tmp_path / "stack.log") as stack:
        user = register_user_http(stack.url)
        auth = {"Authorization": f"Bearer {user['access_token']}"}
        resource = requests.post(f"{stack.url}/v1/resources", json={"name": "kept"}, headers=auth, timeout=30)
        key = requests.post(
            f"{stack.url}/v1/api-keys", json={"name": "kept key", "scopes": ["read:all"]}, headers=auth, timeout=30
        )
        assert resource.status_code == 201
        assert key.status_code == 201, key.text
        resource_id, secret = resource.json()["data"]["id"], key.json()["data"]["key"]

    # A clean stop (SIGTERM) saves; the restarted stack answers with the same data and credentials.
    stack = launcher.start(data, tmp_path / "stack.log")
    try:
        login = requests.post(
            f"{stack.url}/v1/auth/login", json={"email": user["email"], "password": DEFAULT_PASSWORD}, timeout=30
        )
        assert login.status_code == 200
        by_key = {"Authorization": f"Bearer {secret}"}
        assert requests.get(f"{stack.url}/v1/resources/{resource_id}", headers=by_key, timeout=30).status_code == 200
        token = {"Authorization": f"Bearer {user['access_token']}"}  # signed before the restart: still valid
        later = requests.post(f"{stack.url}/v1/resources", json={"name": "after restart"}, headers=token, timeout=30)
        assert later.status_code == 201
        later_id = later.json()["data"]["id"]
        time.sleep(7)  # past the snapshot interval (5 s)
    finally:
        stack.stop(kill=True)  # a crash: no shutdown save

    with launcher.running(data, tmp_path / "stack.log") as stack:
        by_key = {"Authorization": f"Bearer {secret}"}
        listed = requests.get(f"{stack.url}/v1/resources", headers=by_key, timeout=30).json()
        ids = {item["id"] for item in listed["data"]}
        assert ids == {resource_id, later_id}
        assert listed["meta"]["total"] == 2  # the counters agree with the items

    with launcher.running(data, tmp_path / "stack.log", {"RESET": "1"}) as stack:
        gone = requests.post(
            f"{stack.url}/v1/auth/login", json={"email": user["email"], "password": DEFAULT_PASSWORD}, timeout=30
        )
        assert gone.status_code == 401


def test_fifty_clients_connecting_at_once_are_all_served(base_url):
    def ping(_: int) -> int:
        return requests.get(f"{base_url}/v1/health", timeout=60).status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(ping, range(50)))
    assert statuses == [200] * 50
