"""`make events`: record events/ against the seeded fixtures: `python -m local.record_events`.

A fresh local backend is seeded (local/seed.py), then one real request per API route is made over HTTP, each
naming only seeded fixtures and authenticated with the demo API key, and the server saves each as API Gateway
would send it (local/server.py). The consumers' events (stream and SQS) are filled from local/event_templates with
the same fixtures, and replayed once. events/replay.json keeps, in recording order, what each file was answered
with: tests/integration/test_event_replay.py replays every file on a freshly seeded backend and compares.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from local.template import ROOT

EVENTS = ROOT / "events"
MANIFEST = EVENTS / "replay.json"
TEMPLATES = Path(__file__).with_name("event_templates")
# The seed and one request per route are more than the demo user's free tier allows in a minute (60).
ROOMY_RATE_LIMITS = json.dumps({"free": {"burst": 10_000, "minute": 10_000, "hour": 100_000}})
CONSUMERS = {
    "stream_forwarder/outbox_event_insert.json": "StreamForwarderFunction",
    "search_indexer/resource_update.json": "SearchIndexerFunction",
    "webhook_fanout/fanout_message.json": "WebhookFanoutFunction",
    "webhook_delivery/delivery_message.json": "WebhookDeliveryFunction",
    "plan_expiry/scheduled.json": "PlanExpiryFunction",
}


def scenario(f: dict[str, str]) -> list[tuple[str, str, Any, dict[str, str]]]:
    """One request per route, each naming only seeded fixtures (so each replays alone on a fresh seed), the
    destructive ones on fixtures of their own. (method, path, body, extra headers)."""
    ws, ns, res, wh = f["workspace"], f["namespace"], f["resource"], f["webhook"]
    in_workspace = {"X-Workspace-ID": ws}
    from local.seed import DEMO_OPERATOR_KEY

    operator = {"Authorization": f"Bearer {DEMO_OPERATOR_KEY}"}  # the admin routes take the operator's key only
    return [
        ("GET", "/v1/health", None, {}),
        ("GET", "/v1/openapi.json", None, {}),
        ("GET", "/v1/docs", None, {}),
        ("POST", "/v1/auth/register", {"email": "newuser@example.com", "username": "newuser",
                                       "password": "correct horse battery staple"}, {}),
        ("POST", "/v1/auth/login", {"email": "demo@example.com", "password": "demo-password-local-only"}, {}),
        ("POST", "/v1/auth/refresh", {"refresh_token": f["refresh_token"]}, {}),
        ("POST", "/v1/auth/logout", None, {}),
        ("GET", "/v1/users/me", None, {}),
        ("GET", "/v1/user", None, {}),
        ("PATCH", "/v1/users/me", {"profile": {"first_name": "Demo", "last_name": "User"}}, {}),
        ("POST", "/v1/users/me/email/confirm", {"token": f["confirmation_token"]}, {}),
        ("GET", "/v1/users", None, in_workspace),
        ("GET", f"/v1/users/{f['user_bob']}", None, in_workspace),
        ("PATCH", f"/v1/users/{f['demo_user']}", {"name": "Demo User"}, {}),
        ("GET", "/v1/workspaces", None, {}),
        ("POST", "/v1/workspaces", {"name": "New Workspace", "slug": "new-workspace"}, {}),
        ("GET", f"/v1/workspaces/{ws}", None, {}),
        ("PATCH", f"/v1/workspaces/{ws}", {"name": "Updated Name", "settings": {"timezone": "Europe/London"}}, {}),
        ("DELETE", f"/v1/workspaces/{f['workspace_to_delete']}", None, {}),
        ("GET", "/v1/organizations", None, {}),
        ("POST", "/v1/organizations", {"name": "My Organization", "slug": "my-org"}, {}),
        ("GET", f"/v1/organizations/{ws}", None, {}),
        ("PATCH", f"/v1/organizations/{ws}", {"name": "Demo Organization"}, {}),
        ("DELETE", f"/v1/organizations/{f['organization_to_delete']}", None, {}),
        ("GET", f"/v1/workspaces/{ws}/members", None, {}),
        ("POST", f"/v1/workspaces/{ws}/members", {"user_id": f["user_erin"], "role": "member"}, {}),
        ("PATCH", f"/v1/workspaces/{ws}/members/{f['user_bob']}", {"role": "admin"}, {}),
        ("DELETE", f"/v1/workspaces/{ws}/members/{f['user_bob']}", None, {}),
        ("GET", f"/v1/organizations/{ws}/members", None, {}),
        ("POST", f"/v1/organizations/{ws}/members", {"user_id": f["user_eve"], "role": "member"}, {}),
        ("PATCH", f"/v1/organizations/{ws}/members/{f['user_carol']}", {"role": "admin"}, {}),
        ("DELETE", f"/v1/organizations/{ws}/members/{f['user_carol']}", None, {}),
        ("GET", "/v1/invitations", None, {}),
        ("POST", f"/v1/invitations/{f['invitation_received_1']}/accept", None, {}),
        ("DELETE", f"/v1/invitations/{f['invitation_received_2']}", None, {}),
        ("GET", "/v1/namespaces", None, {}),
        ("POST", "/v1/namespaces", {"name": "Client: Acme Corp", "slug": "client-acme"}, {}),
        ("GET", f"/v1/namespaces/{ns}", None, {}),
        ("PATCH", f"/v1/namespaces/{ns}", {"description": "Side projects"}, {}),
        ("DELETE", f"/v1/namespaces/{f['namespace_to_delete']}", None, {}),
        ("GET", f"/v1/namespaces/{ns}/entitlements", None, {}),
        ("POST", f"/v1/namespaces/{ns}/entitlements/check", {"feature": "storage", "quantity": 1073741824}, {}),
        ("GET", f"/v1/namespaces/{ns}/packages", None, {}),
        ("POST", f"/v1/namespaces/{ns}/packages", {"package_id": "pkg_pro"}, {}),
        ("DELETE", f"/v1/namespaces/{ns}/packages/pkg_starter", None, {}),
        ("GET", "/v1/packages", None, {}),
        ("GET", "/v1/resources", None, {}),
        ("POST", "/v1/resources", {"name": "New Resource", "type": "standard"}, {}),
        ("POST", "/v1/resources/batch", {"operations": [
            {"action": "create", "data": {"name": "made in batch"}},
            {"action": "update", "id": res, "data": {"name": "after"}},
        ]}, {}),
        ("GET", f"/v1/resources/{res}", None, {}),
        ("PATCH", f"/v1/resources/{res}", {"name": "Updated Name"}, {}),
        ("DELETE", f"/v1/resources/{f['resource_to_delete']}", None, {}),
        ("GET", "/v1/api-keys", None, {}),
        ("POST", "/v1/api-keys", {"name": "New API Key", "scopes": ["read:all"]}, {}),
        ("GET", f"/v1/api-keys/{f['api_key']}", None, {}),
        ("DELETE", f"/v1/api-keys/{f['api_key_to_revoke']}", None, {}),
        ("GET", "/v1/usage", None, {}),
        ("GET", "/v1/webhooks", None, {}),
        ("POST", "/v1/webhooks", {"url": "https://hooks.invalid/new", "events": ["resource.created"]}, {}),
        ("GET", f"/v1/webhooks/{wh}", None, {}),
        ("PATCH", f"/v1/webhooks/{wh}", {"description": "Demo receiver"}, {}),
        ("POST", f"/v1/webhooks/{wh}/test", None, {}),
        ("GET", f"/v1/webhooks/{wh}/deliveries", None, {}),
        ("GET", f"/v1/webhooks/{wh}/deliveries/{f['delivery']}", None, {}),
        ("POST", f"/v1/webhooks/{wh}/deliveries/{f['delivery']}/retry", None, {}),
        ("POST", f"/v1/webhooks/{wh}/rotate-secret", None, {}),
        ("POST", f"/v1/webhooks/{wh}/recover", {"since": "2026-01-01T00:00:00Z"}, {}),
        ("DELETE", f"/v1/webhooks/{f['webhook_to_delete']}", None, {}),
        ("GET", "/v1/admin/operator-keys", None, operator),
        ("POST", f"/v1/admin/namespaces/{ns}/packages", {"package_id": "pkg_pro"}, operator),
        ("DELETE", f"/v1/admin/namespaces/{ns}/packages/pkg_starter", None, operator),
        ("GET", f"/v1/admin/namespaces/{ns}", None, operator),
        ("PATCH", f"/v1/admin/namespaces/{ns}", {"limits": {"resources": 5_000_000}}, operator),
        ("GET", f"/v1/admin/users/{f['user_bob']}", None, operator),
        ("PATCH", f"/v1/admin/users/{f['user_bob']}", {"tier": "pro", "reason": "invoice 1001"}, operator),
        ("PATCH", f"/v1/admin/workspaces/{ws}", {"tier": "business", "reason": "invoice 1002"}, operator),
        ("GET", "/v1/admin/audit", None, operator),
        ("GET", "/v1/admin/webhooks/dead-letters", None, operator),
        ("POST", "/v1/admin/webhooks/dead-letters/redrive", {"max_messages": 10}, operator),
        ("DELETE", f"/v1/admin/operator-keys/{f['operator_key_to_revoke']}", None, operator),
    ]  # fmt: skip


def resource_event_id(stack: Any, resource_id: str) -> str:
    """The outbox event of the seeded resource's creation (read back: its id is the seed's to mint)."""
    import boto3

    from local import aws

    table = stack.physical["Table"]["Ref"]
    client = boto3.client("dynamodb", region_name=aws.REGION, endpoint_url=stack.endpoint_url)
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="begins_with(PK, :p) AND object_id = :o AND event_type = :t",
        ExpressionAttributeValues={":p": {"S": "EVENT#"}, ":o": {"S": resource_id}, ":t": {"S": "resource.created"}},
    )
    return next(item["event_id"]["S"] for page in pages for item in page["Items"])


def delivery_id_for(event_id: str, webhook_id: str) -> str:
    """The delivery the fanout makes of that event for that webhook (not yet attempted: the delivery event's)."""
    shared = str(ROOT / "layers" / "shared" / "python")
    if shared not in sys.path:
        sys.path.insert(0, shared)
    from platform_api.domain.webhooks import delivery_id_for as derive

    return derive(event_id, webhook_id)


def consumer_event(name: str, fixtures: dict[str, str]) -> dict[str, Any]:
    """A consumer's event from its template, with the fixtures' ids, and each SQS body's MD5 as SQS sets it."""
    text = (TEMPLATES / name).read_text()
    for key, value in fixtures.items():
        text = text.replace("{{" + key + "}}", value)
    event = json.loads(text)
    for record in event.get("Records", []):  # a scheduled event has none
        if record.get("eventSource") == "aws:sqs":
            record["md5OfBody"] = hashlib.md5(record["body"].encode()).hexdigest()  # noqa: S324 - SQS's checksum
    return event


def record(directory: Path = EVENTS) -> dict[str, Any]:
    import requests

    from local import server
    from local.seed import DEMO_API_KEY, seed
    from local.stack import LocalStack

    os.environ["LOCAL_RECORD_EVENTS"] = str(directory)
    os.environ.setdefault("RATE_LIMITS_JSON", ROOMY_RATE_LIMITS)
    stack = LocalStack()
    try:
        fixtures = seed(stack)
        for old in directory.glob("*/*.json"):
            if "httpMethod" in json.loads(old.read_text()):
                old.unlink()  # a route gone from the template leaves no stale file
        httpd = server.LocalHttpServer(("127.0.0.1", 0), server.make_handler(stack))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        for method, path, body, headers in scenario(fixtures):
            reply = requests.request(
                method,
                f"{base}{path}",
                json=body,
                headers={"Authorization": f"Bearer {DEMO_API_KEY}", "User-Agent": "platform-api-events", **headers},
                timeout=60,
            )
            print(f"{reply.status_code} {method} {path}", file=sys.stderr)
        httpd.shutdown()
        manifest: dict[str, Any] = {
            str(Path(target).relative_to(directory)): {"statusCode": status}
            for target, status in server.RECORDED.items()
        }
        fixtures["resource_event"] = resource_event_id(stack, fixtures["resource"])
        fixtures["resource_delivery"] = delivery_id_for(fixtures["resource_event"], fixtures["webhook"])
        for name, function in CONSUMERS.items():
            event = consumer_event(name, fixtures)
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(json.dumps(event, indent=2, sort_keys=True) + "\n")
            outcome = stack.invoke(function, event)
            manifest[name] = outcome.get("result") or {"batchItemFailures": []}
        MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
        return manifest
    finally:
        stack.close()


if __name__ == "__main__":
    recorded = record()
    print(f"recorded {len(recorded)} events; statuses in {MANIFEST.relative_to(ROOT)}", file=sys.stderr)
