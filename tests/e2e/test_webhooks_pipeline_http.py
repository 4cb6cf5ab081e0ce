"""The whole webhook pipeline on the local stack: a change commits its outbox event, the stream poller runs the
forwarder, the SQS pollers run the fanout and the delivery functions, and a signed request reaches a receiver."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from platform_api import webhook_signing
from tests.identity_support import register_user_http

pytestmark = pytest.mark.e2e


@pytest.fixture
def inbox():
    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((dict(self.headers.items()), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def test_a_created_resource_reaches_the_subscriber_signed(base_url, inbox):
    url, received = inbox
    user = register_user_http(base_url)
    auth = {"Authorization": f"Bearer {user['access_token']}"}
    hook = requests.post(
        f"{base_url}/v1/webhooks", json={"url": url, "events": ["resource.created"]}, headers=auth, timeout=30
    ).json()["data"]
    created = requests.post(f"{base_url}/v1/resources", json={"name": "ping"}, headers=auth, timeout=30).json()["data"]
    deadline = time.monotonic() + 60
    while not received and time.monotonic() < deadline:
        time.sleep(0.25)
    assert received, "no delivery within 60 s"
    headers, body = received[0]
    payload = json.loads(body)
    assert (payload["type"], payload["data"]["object"]["id"]) == ("resource.created", created["id"])
    assert webhook_signing.verify_legacy(hook["secret"], headers["X-Webhook-Signature"], body)
    assert webhook_signing.verify_standard(hook["secret"], headers, body)
    deliveries = requests.get(f"{base_url}/v1/webhooks/{hook['id']}/deliveries", headers=auth, timeout=30)
    deadline = time.monotonic() + 30
    while deliveries.json()["data"] == [] and time.monotonic() < deadline:
        time.sleep(0.25)
        deliveries = requests.get(f"{base_url}/v1/webhooks/{hook['id']}/deliveries", headers=auth, timeout=30)
    assert [(d["status"], d["attempts"]) for d in deliveries.json()["data"]] == [("success", 1)]
