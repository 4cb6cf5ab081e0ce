"""Webhook subscriptions and their delivery history.

    PK=NS#<ns>   SK=WEBHOOK#<wh>   url, events, sealed secrets, is_active, description
    PK=WH#<wh>   SK=DEL#<del>      one delivery of one event: status, attempts, last status code, timing,
                                   a bounded response excerpt, the payload (for manual retries); TTL 30 days
                                   after its creation. Two index entries on the same item:
                                     GSI1 WHD#<wh>          / <created_at>#<del>   the history, by time
                                     GSI2 WHD#<wh>#<status> / <created_at>#<del>   one status, by time
    PK=WHE#<wh>#<event type>   SK=<created_at>#<del>
                                   the deliveries of one event type, by time: a pointer (delivery id and
                                   TTL) written with the delivery's first attempt, in the same transaction

A namespace's subscriptions are one Query on its partition: the fanout reads them all in one call. A
delivery's id is derived from (event id, webhook id), so every copy of a message, however often SQS
redelivers it or the fanout reruns, addresses the same delivery item.

Every list of deliveries is a Query of one of those partitions (docs/data-model.md): newest first by GSI1,
a status by GSI2 (the index follows the item when an attempt changes its status), an event type by its
pointers and one BatchGetItem of the page, the id order by the table itself; `created_after` /
`created_before` are bounds of the key condition. The event type, the creation time and the id never
change, so the pointer is written once; every later attempt is one conditional PutItem, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition

from platform_api.dal import keyset
from platform_api.db import TableItem, TtlMixin
from platform_api.unit_of_work import UnitOfWork

WEBHOOK_PREFIX = "WEBHOOK#"
DELIVERY_PREFIX = "DEL#"
DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600
MAX_SECRETS = 3  # a webhook's current secret and those still in their rotation grace period


class SealedSecret(MapAttribute):
    sealed = UnicodeAttribute()  # platform_api.sealing: kms1:<wrapped data key>:<AES-GCM>, or the older format
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
    # Set when the platform (not its owner) turned it off: why, when, and the event whose delivery did it.
    disabled_reason = UnicodeAttribute(null=True)  # endpoint_gone | failing
    disabled_at = UnicodeAttribute(null=True)
    disabled_by_event_id = UnicodeAttribute(null=True)
    failing_since = UnicodeAttribute(null=True)  # the first failed attempt since the last success
    slow_until = UnicodeAttribute(null=True)  # its attempts took seconds: deliveries use the slow lane until then
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
    GSI1PK = UnicodeAttribute(null=True)  # set by save_delivery (index_delivery), never by hand
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    delivery_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    namespace_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | success | failed
    attempts = NumberAttribute(default=0)  # every attempt: automatic, manual and test
    # The automatic schedule's own count and whether its message is still on the queue: a manual attempt adds
    # to `attempts` only, so it never makes the scheduled copy look already done. Null on older items.
    auto_attempts = NumberAttribute(null=True)
    retrying = BooleanAttribute(null=True)
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


class DeliveryTypeEntry(TableItem, TtlMixin):
    """PK=WHE#<wh>#<event type>, SK=<created_at>#<del>: points at one delivery (same TTL)."""

    delivery_id = UnicodeAttribute()


class _Recorded(Exception):
    """The delivery's first attempt was recorded by a concurrent copy of the same message."""


def webhook_key(namespace_id: str, webhook_id: str) -> tuple[str, str]:
    return f"NS#{namespace_id}", f"{WEBHOOK_PREFIX}{webhook_id}"


def delivery_key(webhook_id: str, delivery_id: str) -> tuple[str, str]:
    return f"WH#{webhook_id}", f"{DELIVERY_PREFIX}{delivery_id}"


def get(namespace_id: str, webhook_id: str) -> WebhookItem | None:
    try:
        return WebhookItem.get(*webhook_key(namespace_id, webhook_id), consistent_read=True)
    except WebhookItem.DoesNotExist:
        return None


def mark_failing(item: WebhookItem, since: str) -> None:
    """Start the webhook's run of failures, unless a concurrent attempt started it first (its time stands)."""
    try:
        item.update(
            actions=[WebhookItem.failing_since.set(since)], condition=WebhookItem.failing_since.does_not_exist()
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def mark_slow(item: WebhookItem, until: str, now: str) -> None:
    """Send the webhook's deliveries through the slow lane until `until`; one write per window (concurrent
    attempts that found it slow at the same time: the first one's window stands)."""
    try:
        item.update(
            actions=[WebhookItem.slow_until.set(until)],
            condition=WebhookItem.slow_until.does_not_exist() | (WebhookItem.slow_until < now),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def clear_failing(item: WebhookItem) -> None:
    """End the run of failures that `item` read (a success); a newer run started meanwhile stays."""
    try:
        item.update(
            actions=[WebhookItem.failing_since.remove()],
            condition=WebhookItem.failing_since == item.failing_since,
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def list_for(namespace_id: str) -> list[WebhookItem]:
    """A namespace's subscriptions: one Query (the fanout's only read)."""
    return list(WebhookItem.query(f"NS#{namespace_id}", WebhookItem.SK.startswith(WEBHOOK_PREFIX)))


def automatic_attempts(item: DeliveryItem | None) -> int:
    if item is None:
        return 0
    if item.auto_attempts is not None:
        return int(item.auto_attempts)
    return int(item.attempts) - sum(1 for a in item.history if a.manual)  # before the count existed


def is_retrying(item: DeliveryItem | None) -> bool:
    if item is None:
        return False
    return bool(item.retrying) if item.retrying is not None else item.status == "pending"


def get_delivery(webhook_id: str, delivery_id: str) -> DeliveryItem | None:
    try:
        return DeliveryItem.get(*delivery_key(webhook_id, delivery_id), consistent_read=True)
    except DeliveryItem.DoesNotExist:
        return None


def time_key(created_at: str, delivery_id: str) -> str:
    return f"{created_at}#{delivery_id}"


def type_entry_key(webhook_id: str, event_type: str, created_at: str, delivery_id: str) -> tuple[str, str]:
    return f"WHE#{webhook_id}#{event_type}", time_key(created_at, delivery_id)


def index_delivery(item: DeliveryItem) -> DeliveryItem:
    """The delivery's index attributes, from its webhook, status, creation time and id."""
    item.GSI1PK = f"WHD#{item.webhook_id}"
    item.GSI1SK = item.GSI2SK = time_key(item.created_at, item.delivery_id)
    item.GSI2PK = f"WHD#{item.webhook_id}#{item.status}"
    return item


def type_entry(item: DeliveryItem) -> DeliveryTypeEntry:
    return DeliveryTypeEntry(
        *type_entry_key(item.webhook_id, item.event_type, item.created_at, item.delivery_id),
        delivery_id=item.delivery_id,
        ttl=item.ttl,
    )


def save_delivery(item: DeliveryItem, *, previous: DeliveryItem | None) -> bool:
    """The one write of a delivery attempt, with its index attributes. The first attempt (`previous` None)
    creates the delivery and its event-type pointer in one transaction; a later one replaces the delivery while
    its attempt count is still the one read (`previous`). A delivery stored before the indexes existed gets its
    pointer in the same transaction as that replacement, so an indexed delivery always has its pointer.
    False: a concurrent copy of the same message recorded first (its record stands)."""
    index_delivery(item)
    condition: Condition = (
        DeliveryItem.PK.does_not_exist() if previous is None else DeliveryItem.attempts == int(previous.attempts)
    )
    if previous is None or previous.GSI1PK is None:
        try:
            with UnitOfWork() as uow:
                uow.put(item, condition=condition, on_conflict=_Recorded())
                uow.put(type_entry(item))
        except _Recorded:
            return False
        return True
    try:
        item.save(condition=condition)
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def failed_since(webhook_id: str, since: datetime, limit: int) -> list[DeliveryItem]:
    """The webhook's failed deliveries created at or after `since` (to the second), oldest first, at most
    `limit`: one Query of GSI2 WHD#<wh>#failed with the time as a key condition, never the whole history."""
    range_ = keyset.Range("GSI2", "GSI2PK", f"WHD#{webhook_id}#failed", "GSI2SK", keyset.timestamp(since))
    found: list[DeliveryItem] = []
    for raw in keyset.query_pages(range_, forward=True, start=None, demand=lambda: limit - len(found)):
        found.extend(DeliveryItem.from_raw_data(r) for r in raw)
    return found


def set_status(item: DeliveryItem, status: str, *, expected: str, updated_at: str) -> bool:
    """Move a delivery from `expected` to `status` (its GSI2 partition follows); False when it was no longer
    `expected` (another recovery, or an attempt, got there first)."""
    try:
        item.update(
            actions=[
                DeliveryItem.status.set(status),
                DeliveryItem.GSI2PK.set(f"WHD#{item.webhook_id}#{status}"),
                DeliveryItem.updated_at.set(updated_at),
            ],
            condition=(DeliveryItem.status == expected) & DeliveryItem.GSI2PK.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def delivery_pages(
    webhook_id: str,
    *,
    status: str | None = None,
    event_type: str | None = None,
    id_order: bool = False,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    newest_first: bool = True,
    after: tuple[str, str] | None = None,
    demand: keyset.Demand,
) -> Iterator[list[DeliveryItem]]:
    """A webhook's deliveries, one Query page at a time, strictly after `after`.

    By time (`<created_at>#<del>` order; `after` = (created_at, delivery id)): all of them (GSI1), one
    `status` (GSI2) or one `event_type` (its pointers, then one BatchGetItem per page), within the created
    bounds. `id_order`: the table's own `DEL#<del>` order (`after` = ("", delivery id)); no bounds there.
    """
    forward = not newest_first
    if id_order:
        home = f"WH#{webhook_id}"
        range_ = keyset.prefix(keyset.Range(None, "PK", home, "SK"), DELIVERY_PREFIX)
        start = {"PK": home, "SK": f"{DELIVERY_PREFIX}{after[1]}"} if after else None
        for raw in keyset.query_pages(range_, forward=forward, start=start, demand=demand):
            yield [DeliveryItem.from_raw_data(r) for r in raw]
        return
    low, high = keyset.time_bounds(created_after, created_before)
    position = time_key(*after) if after else None
    table_key = {"PK": f"WH#{webhook_id}", "SK": f"{DELIVERY_PREFIX}{after[1]}"} if after else {}
    if event_type is not None:
        partition = f"WHE#{webhook_id}#{event_type}"
        range_ = keyset.Range(None, "PK", partition, "SK", low, high)
        start = {"PK": partition, "SK": position} if position else None
        for raw in keyset.query_pages(range_, forward=forward, start=start, demand=demand):
            pointed = [delivery_key(webhook_id, r["delivery_id"]["S"]) for r in raw]
            found = keyset.batch_get(pointed)
            yield [DeliveryItem.from_raw_data(found[k]) for k in pointed if k in found]  # expired: skipped
        return
    if status is not None:
        index, partition = "GSI2", f"WHD#{webhook_id}#{status}"
    else:
        index, partition = "GSI1", f"WHD#{webhook_id}"
    range_ = keyset.Range(index, f"{index}PK", partition, f"{index}SK", low, high)
    start = {f"{index}PK": partition, f"{index}SK": position, **table_key} if position else None
    for raw in keyset.query_pages(range_, forward=forward, start=start, demand=demand):
        yield [DeliveryItem.from_raw_data(r) for r in raw]
