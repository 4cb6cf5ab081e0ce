"""Webhook subscriptions, test sends, secret rotation and delivery history (routes only)."""

from aws_lambda_powertools.event_handler import Response, content_types

from platform_api.domain import listing
from platform_api.domain import webhooks as domain
from platform_api.http import create_app, current_actor, lambda_handler, tenant_route
from platform_api.models.envelopes import Envelope, ListEnvelope, answers, no_content
from platform_api.models.webhooks import (
    DeliveriesRecovered,
    DeliveryDetail,
    DeliveryOut,
    DeliveryRecovery,
    SecretRotation,
    SparseDelivery,
    SparseWebhook,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
    WebhookSecretRotated,
    WebhookTestResult,
    WebhookUpdate,
)
from platform_api.query import ListSpec, apply_in_memory, list_response, parse_list_query

app = create_app()
LIST_SPEC = ListSpec(
    name="webhooks",
    filters={"is_active": bool},
    sorts=("created_at", "updated_at", "url"),
    fields=(
        "id",
        "url",
        "events",
        "description",
        "is_active",
        "disabled_reason",
        "disabled_at",
        "disabled_by_event_id",
        "failing_since",
        "namespace_id",
        "workspace_id",
        "created_at",
        "updated_at",
    ),
    search=("url", "description"),
)
DELIVERY_SPEC = ListSpec(
    name="deliveries",
    filters={"status": ("pending", "success", "failed"), "event_type": str},
    sorts=("created_at", "updated_at", "attempts"),
    fields=(
        "id",
        "webhook_id",
        "event_id",
        "event_type",
        "status",
        "status_code",
        "attempts",
        "response_time_ms",
        "error",
        "delivered_at",
        "next_attempt_at",
        "created_at",
        "updated_at",
    ),
)


def _json(status: int, body: dict) -> Response[dict]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.get(
    "/v1/webhooks",
    summary="List webhooks (never their secrets)",
    tags=["webhooks"],
    operation_id="listWebhooks",
    responses=answers(ListEnvelope[SparseWebhook]),
)
@tenant_route("read:webhooks")
def list_webhooks() -> dict:
    actor = current_actor()
    query = parse_list_query(app.current_event, LIST_SPEC, scope=actor.namespace_id)
    return list_response(app.current_event, query, apply_in_memory(domain.list_webhooks(actor), query))


@app.post(
    "/v1/webhooks",
    summary="Create a webhook (the secret is returned once)",
    tags=["webhooks"],
    operation_id="createWebhook",
    responses=answers(Envelope[WebhookCreated], 201),
)
@tenant_route("write:webhooks", role="admin")
def create_webhook(body: WebhookCreate) -> Response[dict]:
    return _json(201, {"data": domain.create_webhook(current_actor(), body)})


@app.get(
    "/v1/webhooks/<webhook_id>",
    summary="Get a webhook",
    tags=["webhooks"],
    operation_id="getWebhook",
    responses=answers(Envelope[WebhookOut]),
)
@tenant_route("read:webhooks")
def get_webhook(webhook_id: str) -> dict:
    return {"data": domain.get_webhook(current_actor(), webhook_id)}


@app.patch(
    "/v1/webhooks/<webhook_id>",
    summary="Update a webhook",
    tags=["webhooks"],
    operation_id="updateWebhook",
    responses=answers(Envelope[WebhookOut]),
)
@tenant_route("write:webhooks", role="admin")
def update_webhook(webhook_id: str, body: WebhookUpdate) -> dict:
    return {"data": domain.update_webhook(current_actor(), webhook_id, body)}


@app.delete(
    "/v1/webhooks/<webhook_id>",
    summary="Delete a webhook",
    tags=["webhooks"],
    operation_id="deleteWebhook",
    responses=no_content(),
)
@tenant_route("write:webhooks", role="admin")
def delete_webhook(webhook_id: str):
    domain.delete_webhook(current_actor(), webhook_id)
    return Response(status_code=204, content_type=None, body="")


@app.post(
    "/v1/webhooks/<webhook_id>/test",
    summary="Send a signed test event now",
    tags=["webhooks"],
    operation_id="testWebhook",
    responses=answers(WebhookTestResult),
)
@tenant_route("write:webhooks", role="admin")
def test_webhook(webhook_id: str) -> dict:
    return domain.send_test(current_actor(), webhook_id)


@app.post(
    "/v1/webhooks/<webhook_id>/rotate-secret",
    summary="Rotate the signing secret (the old one keeps signing for a grace period)",
    tags=["webhooks"],
    operation_id="rotateWebhookSecret",
    responses=answers(Envelope[WebhookSecretRotated]),
)
@tenant_route("write:webhooks", role="admin")
def rotate_secret(webhook_id: str, body: SecretRotation | None = None) -> dict:
    actor = current_actor()
    body = body or SecretRotation()  # an empty POST rotates to a generated secret with the default grace
    return {"data": domain.rotate_secret(actor, webhook_id, body.secret, body.grace_period_seconds)}


@app.get(
    "/v1/webhooks/<webhook_id>/deliveries",
    summary="Delivery history (30 days)",
    tags=["webhooks"],
    operation_id="listWebhookDeliveries",
    responses=answers(ListEnvelope[SparseDelivery]),
)
@tenant_route("read:webhooks")
def list_deliveries(webhook_id: str) -> dict:
    actor = current_actor()
    query = parse_list_query(app.current_event, DELIVERY_SPEC, scope=f"{actor.namespace_id}:{webhook_id}")
    return listing.response(app.current_event, query, domain.list_deliveries(actor, webhook_id, query))


@app.get(
    "/v1/webhooks/<webhook_id>/deliveries/<delivery_id>",
    summary="One delivery with its attempts and payload",
    tags=["webhooks"],
    operation_id="getWebhookDelivery",
    responses=answers(Envelope[DeliveryDetail]),
)
@tenant_route("read:webhooks")
def get_delivery(webhook_id: str, delivery_id: str) -> dict:
    return {"data": domain.get_delivery(current_actor(), webhook_id, delivery_id)}


@app.post(
    "/v1/webhooks/<webhook_id>/deliveries/<delivery_id>/retry",
    summary="Retry a delivery that did not succeed",
    tags=["webhooks"],
    operation_id="retryWebhookDelivery",
    responses=answers(Envelope[DeliveryOut], 202, "Accepted: one more attempt is queued (`status` is `pending`)"),
)
@tenant_route("write:webhooks", role="admin")
def retry_delivery(webhook_id: str, delivery_id: str) -> Response[dict]:
    return _json(202, {"data": domain.retry_delivery(current_actor(), webhook_id, delivery_id)})


@app.post(
    "/v1/webhooks/<webhook_id>/recover",
    summary="Re-send the failed deliveries since a time",
    tags=["webhooks"],
    operation_id="recoverWebhookDeliveries",
    responses=answers(Envelope[DeliveriesRecovered], 202, "Accepted: the failed deliveries are queued again"),
)
@tenant_route("write:webhooks", role="admin")
def recover_deliveries(webhook_id: str, body: DeliveryRecovery) -> Response[dict]:
    return _json(202, {"data": domain.recover_deliveries(current_actor(), webhook_id, body.since)})


handler = lambda_handler(app)
