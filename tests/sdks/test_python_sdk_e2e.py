"""The Python SDK against the local stack over real HTTP (the session `base_url` fixture): document 004's example
end to end, auto-pagination across pages, typed errors, idempotent retries, a real signed webhook delivery verified
with the SDK's helper, and a full rate-limit window (429, then the SDK waiting out Retry-After and succeeding)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from core_php_sdk import AsyncClient, Client, NotFoundError, RateLimitError, ValidationError, webhooks
from core_php_sdk.models import WebhookEvent

from local.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def signed_up(base_url: str) -> tuple[Client, str]:
    """A fresh user registered and logged in through the SDK; returns a client holding the access token."""
    anonymous = Client(base_url=base_url)
    tag = uuid.uuid4().hex[:10]
    email = f"sdk-{tag}@example.com"
    registered = anonymous.auth.register(email=email, username=f"sdk_{tag}", password=PASSWORD, name="SDK User")
    assert registered.data.email == email
    assert registered.token_type == "Bearer"
    tokens = anonymous.auth.login(email=email, password=PASSWORD)
    assert tokens.expires_in == 3600
    return anonymous.with_options(api_key=tokens.access_token), email


def test_document_004_flow_pagination_errors_and_idempotency(base_url):
    client, email = signed_up(base_url)
    me = client.users.me()
    assert me.email == email
    assert client.rate_limit is not None
    assert client.rate_limit.limit == 50  # the free tier's 10-second burst: the tightest window

    # Document 004's example, in Python.
    workspace = client.workspaces.create(name="My Workspace", tier="free")
    assert workspace.id.startswith("wks_")
    assert client.workspaces.get(workspace.id).name == "My Workspace"
    namespaces = client.namespaces.list(workspace_id=workspace.id)
    assert [ns.id for ns in namespaces] == [workspace.default_namespace_id]
    assert namespaces.meta.total == 1

    # Resources in the workspace's namespace, over three pages of five.
    scoped = client.with_options(namespace_id=workspace.default_namespace_id)
    operations = [{"action": "create", "data": {"name": f"r-{i:02}"}} for i in range(11)]
    results = scoped.resources.batch(operations=operations)
    assert len(results) == 11
    assert all(r.status == 201 for r in results)
    single = scoped.resources.create(name="r-11", tags=["sdk"], metadata={"k": "v"})
    assert single.tags == ["sdk"]
    listing = scoped.resources.list(per_page=5, sort="name")
    assert len(listing.data) == 5
    assert listing.meta.next_cursor
    pages = list(listing.pages())
    assert [len(p.data) for p in pages] == [5, 5, 2]
    assert [r.name for p in pages for r in p.data] == [f"r-{i:02}" for i in range(12)]
    assert sum(1 for _ in scoped.resources.list(per_page=5)) == 12  # the plain iterator walks every page too

    # A 404 as a typed error with the envelope's fields.
    with pytest.raises(NotFoundError) as missing:
        scoped.resources.get("res_01JD8X3B5Q7ZJ6W0N4M2K8R1TA")
    assert missing.value.status == 404
    assert missing.value.code == "resource_not_found"
    assert missing.value.request_id.startswith("req_")

    with pytest.raises(ValidationError) as invalid:
        scoped.resources.list(sort="no_such_field")
    assert invalid.value.status == 400

    # The same Idempotency-Key twice creates once (what the SDK's retries rely on).
    key = str(uuid.uuid4())
    first = scoped.resources.create(name="once", idempotency_key=key)
    again = scoped.resources.create(name="once", idempotency_key=key)
    assert first.id == again.id
    # (read from the list itself: search follows writes through the stream, so it may lag a moment)
    assert [r.id for r in scoped.resources.list(per_page=100) if r.name == "once"] == [first.id]

    # The asyncio client walks the same pages.
    async def walk() -> list[str]:
        async with AsyncClient(client.api_key, base_url=base_url, namespace_id=workspace.default_namespace_id) as aio:
            first_page = await aio.resources.list(per_page=5, sort="name")
            assert len(first_page.data) == 5
            return [r.name async for r in aio.resources.list(per_page=5, sort="name")]

    assert sorted(asyncio.run(walk())) == sorted([f"r-{i:02}" for i in range(12)] + ["once"])

    # Entitlements and usage through their groups.
    check = client.namespaces.entitlements.check(workspace.default_namespace_id, feature="resources", quantity=1)
    assert check.allowed is True
    assert client.usage.get().rate_limit.tier == "free"


def test_a_real_webhook_delivery_verifies_with_the_helper(base_url):
    client, _ = signed_up(base_url)
    with WebhookReceiver() as inbox:
        hook = client.webhooks.create(url=inbox.url, events=["resource.created"])
        assert hook.secret.startswith("whsec_")
        created = client.resources.create(name="announce me")
        inbox.wait_for({created.id}, seconds=30, event_type="resource.created")
        delivery = next(d for d in inbox.deliveries if d.object_id == created.id)

        event = webhooks.construct_event(delivery.body, delivery.headers, hook.secret)
        assert isinstance(event, WebhookEvent)
        assert event.type == "resource.created"
        assert event.data.object.id == created.id
        assert webhooks.verify_legacy(hook.secret, delivery.headers["X-Webhook-Signature"], delivery.body)
        assert webhooks.verify_standard(hook.secret, delivery.headers, delivery.body)
        legacy_only = {k: v for k, v in delivery.headers.items() if k.lower().startswith("x-webhook-")}
        webhooks.verify(delivery.body, legacy_only, hook.secret)
        with pytest.raises(webhooks.WebhookVerificationError):
            webhooks.verify(delivery.body.replace(b"announce", b"denounce"), delivery.headers, hook.secret)

        tested = client.webhooks.test(hook.id)
        assert tested.success is True
        # The delivery record is written after the attempt completes: give it a moment.
        deadline = time.monotonic() + 15
        while True:
            kinds = {d.event_type for d in client.webhooks.deliveries.list(hook.id)}
            if kinds >= {"resource.created", "webhook.test"} or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert kinds >= {"resource.created", "webhook.test"}
        assert client.webhooks.deliveries.get(hook.id, tested.delivery_id).status == "success"

        rotated = client.webhooks.rotate_secret(hook.id, grace_period_seconds=60)
        assert rotated.secret != hook.secret


def test_rate_limit_raises_typed_then_the_retry_waits_for_the_window(base_url):
    """A fresh user spends its 60-a-minute window on cheap GETs; a client that will not wait that long gets the
    typed error at once (retry_after, reset in epoch seconds); the default client waits out Retry-After and
    succeeds. The wait is at most until the minute ends."""
    client, _ = signed_up(base_url)
    impatient = client.with_options(max_retries=0)
    started = time.time()
    for _ in range(150):  # the window is a fixed minute: one that ends mid-loop lets up to 2 x 60 through
        try:
            impatient.users.me()
        except RateLimitError:
            break
    else:
        pytest.fail("150 requests in a row were never limited")

    patient_but_brief = client.with_options(max_retry_wait=0.5)
    before = time.monotonic()
    with pytest.raises(RateLimitError) as limited:
        patient_but_brief.users.me()
    assert time.monotonic() - before < 5  # raised at once, not after waiting
    error = limited.value
    assert error.status == 429
    assert error.code == "rate_limit_exceeded"
    assert error.remaining == 0
    assert error.limit in (50, 60)  # the burst (50 in 10 s) or, for a slower loop, the minute (60)
    assert error.retry_after is not None
    assert 0 < error.retry_after <= 61
    assert error.reset is not None
    assert started - 1 <= error.reset <= time.time() + 61  # epoch seconds, never milliseconds
    assert abs((error.reset - time.time()) - error.retry_after) <= 2

    waited_from = time.monotonic()
    assert client.users.me().id  # the default client sleeps Retry-After (<= 60 s), then succeeds
    waited = time.monotonic() - waited_from
    print(f"waited {waited:.1f}s for the rate-limit window to reset")
    assert waited >= error.retry_after - 2
