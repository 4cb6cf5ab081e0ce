"""Webhook subscriptions and their delivery history.

    PK=NS#<ns>   SK=WEBHOOK#<wh>   url, events, sealed secrets, is_active, description
    PK=WH#<wh>   SK=DEL#<del>      one delivery of one event: status, attempts, last status code, timing,
                                   a bounded response excerpt, the payload (for manual retries); TTL 30 days

A namespace's subscriptions are one Query on its partition: the fanout reads them all in one call. A
delivery's id is derived from (event id, webhook id), so every copy of a message, however often SQS
redelivers it or the fanout reruns, addresses the same delivery item.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from platform_api.db import TableItem, TtlMixin

WEBHOOK_PREFIX = "WEBHOOK#"
DELIVERY_PREFIX = "DEL#"
DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600


class SealedSecret(MapAttribute):
    sealed = UnicodeAttribute()  # AES-GCM under a key derived from the deployment secret
    expires_epoch = NumberAttribute(null=True)  # set when rotated out: valid until then (grace period)
    created_at = UnicodeAttribute()


class WebhookItem(TableItem):
    webhook_id = UnicodeAttribute()
    namespace_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute(null=True)
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    description = UnicodeAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    secrets = ListAttribute(of=SealedSecret, default=list)  # newest first
    created_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Attempt(MapAttribute):
    number = NumberAttribute()
    at = UnicodeAttribute()
    status_code = NumberAttribute(null=True)
    response_time_ms = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    response_excerpt = UnicodeAttribute(null=True)
    manual = BooleanAttribute(default=False)


class DeliveryItem(TableItem, TtlMixin):
    delivery_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    namespace_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | success | failed
    attempts = NumberAttribute(default=0)
    status_code = NumberAttribute(null=True)
    response_time_ms = NumberAttribute(null=True)
    response_excerpt = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    history = ListAttribute(of=Attempt, default=list)
    payload = UnicodeAttribute()
    next_attempt_at = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def webhook_key(namespace_id: str, webhook_id: str) -> tuple[str, str]:
    return f"NS#{namespace_id}", f"{WEBHOOK_PREFIX}{webhook_id}"


def delivery_key(webhook_id: str, delivery_id: str) -> tuple[str, str]:
    return f"WH#{webhook_id}", f"{DELIVERY_PREFIX}{delivery_id}"


def get(namespace_id: str, webhook_id: str) -> WebhookItem | None:
    try:
        return WebhookItem.get(*webhook_key(namespace_id, webhook_id), consistent_read=True)
    except WebhookItem.DoesNotExist:
        return None


def list_for(namespace_id: str) -> list[WebhookItem]:
    """A namespace's subscriptions: one Query (the fanout's only read)."""
    return list(WebhookItem.query(f"NS#{namespace_id}", WebhookItem.SK.startswith(WEBHOOK_PREFIX)))


def get_delivery(webhook_id: str, delivery_id: str) -> DeliveryItem | None:
    try:
        return DeliveryItem.get(*delivery_key(webhook_id, delivery_id), consistent_read=True)
    except DeliveryItem.DoesNotExist:
        return None


def list_deliveries(webhook_id: str) -> list[DeliveryItem]:
    """A webhook's deliveries of the last 30 days (TTL), newest first: one Query."""
    return list(
        DeliveryItem.query(f"WH#{webhook_id}", DeliveryItem.SK.startswith(DELIVERY_PREFIX), scan_index_forward=False)
    )
