"""One endpoint never delays another's (issue 22): on the local stack, with its concurrent pollers and the real
delivery functions, a hanging and a dripping endpoint subscribed to the same event as a healthy one do not hold
the healthy one's delivery back, their own attempts end at the deadline and are recorded, and from then on
they are in the slow lane: the next event reaches the healthy endpoint as if they were not there."""

from __future__ import annotations

import time

import pytest
import requests

from local.webhook_receiver import WebhookReceiver
from tests.identity_support import register_user_http

pytestmark = pytest.mark.e2e


def test_a_hanging_and_a_dripping_endpoint_do_not_delay_a_healthy_one(base_url):
    user = register_user_http(base_url)
    auth = {"Authorization": f"Bearer {user['access_token']}"}
    with (
        WebhookReceiver(200, hang=30) as hanging,
        WebhookReceiver(200, drip=5) as dripping,
        WebhookReceiver(200) as healthy,
    ):
        hooks = {}
        for name, receiver in (("hanging", hanging), ("dripping", dripping), ("healthy", healthy)):
            reply = requests.post(
                f"{base_url}/v1/webhooks",
                json={"url": receiver.url, "events": ["resource.created"]},
                headers=auth,
                timeout=30,
            )
            assert reply.status_code == 201, reply.text
            hooks[name] = reply.json()["data"]["id"]
        created = requests.post(f"{base_url}/v1/resources", json={"name": "isolated"}, headers=auth, timeout=30)
        assert created.status_code == 201, created.text
        committed = time.monotonic()
        healthy.wait_for({created.json()["data"]["id"]}, 30)
        assert healthy.deliveries, "the healthy endpoint got nothing within 30 s"
        latency = healthy.deliveries[0].at - committed
        print(f"healthy endpoint delivered {latency:.2f} s after the commit")
        # stream -> fanout -> delivery polling is about 1-2 s here; the slow attempts take 10 s each
        assert latency < 6, f"the healthy endpoint waited {latency:.1f} s"
        assert hanging.deliveries
        assert dripping.deliveries  # all three were attempted at about the same time
        assert abs(hanging.deliveries[0].at - healthy.deliveries[0].at) < 6
        deadline = time.monotonic() + 20
        recorded: dict = {}
        while time.monotonic() < deadline and len(recorded) < 2:
            for name in ("hanging", "dripping"):
                listed = requests.get(f"{base_url}/v1/webhooks/{hooks[name]}/deliveries", headers=auth, timeout=30)
                data = listed.json()["data"]
                if data and data[0]["attempts"] >= 1:
                    recorded[name] = data[0]
            time.sleep(0.5)
        # the slow two are now in the slow lane: the next event's healthy delivery shares nothing with them
        again = requests.post(f"{base_url}/v1/resources", json={"name": "isolated 2"}, headers=auth, timeout=30)
        committed = time.monotonic()
        healthy.wait_for({again.json()["data"]["id"]}, 30)
        latest = max(d.at for d in healthy.deliveries) - committed
        print(f"next event: healthy endpoint delivered {latest:.2f} s after the commit")
        assert latest < 4, f"the healthy endpoint waited {latest:.1f} s for the second event"
    assert set(recorded) == {"hanging", "dripping"}, recorded
    for delivery in recorded.values():
        assert delivery["status"] == "pending"  # retried on the schedule, not lost
        assert "DeadlineExceeded" in delivery["error"], delivery["error"]
