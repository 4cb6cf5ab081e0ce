"""Webhook subscriptions, signed delivery attempts and delivery history (docs/webhooks.md).

Subscriptions belong to a namespace (the request's tenant context) and consume its `webhooks` entitlement.
Secrets are stored sealed (envelope encryption under the stack's KMS key, platform_api.sealing): they must be
readable to sign, so a hash would not do, and they never appear in a response after creation or rotation, in an event or
in a log. Every attempt — from the delivery queue, the test route or a manual retry — goes through `attempt`,
which signs, sends through the SSRF guard, and records the outcome on the delivery item.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from platform_api import errors, sealing, ssrf, webhook_signing
from platform_api.dal import webhooks as dal
from platform_api.domain import entitlements, listing
from platform_api.domain.tenancy import Actor
from platform_api.events import new_event
from platform_api.ids import has_prefix, new_id
from platform_api.observability import logger
from platform_api.query import ListQuery
from platform_api.queues import SendFailed
from platform_api.settings import get_settings
from platform_api.timeutil import isoformat, now_iso
from platform_api.unit_of_work import UnitOfWork

ENTITIES = ("resource", "workspace", "member", "namespace", "webhook")
ACTIONS = ("created", "updated", "deleted")
SPECIAL_EVENTS = ("webhook.test",)
# Subscribed to by name, `<entity>.*` or `*`: the platform turned a webhook off, and what the operator changed
# in the account's plan (domain.plans), delivered to the account's default namespace.
PLATFORM_EVENTS = (
    "webhook.disabled",
    "user.tier_changed",
    "user.limits_changed",
    "workspace.tier_changed",
    "namespace.package_granted",
    "namespace.package_revoked",
    "namespace.package_expired",
    "namespace.limits_changed",
)
GONE = 410  # Standard Webhooks / Svix: the receiver asks never to be sent anything again
DEFAULT_DISABLE_AFTER_SECONDS = 5 * 24 * 3600  # Svix: an endpoint failing for 5 days in a row is disabled
SLOW_ATTEMPT_MS = 3000  # an attempt this long (a deadline reached, a slow answer) puts its endpoint in the slow lane
DEFAULT_SLOW_LANE_SECONDS = 600
EVENT_PATTERN = re.compile(r"^(\*|[a-z_]+\.\*|[a-z_]+\.[a-z_]+)$")
DEFAULT_RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)  # Svix-like: about 28 hours in all
ATTEMPT_TIMEOUT_SECONDS = 10.0
MAX_EXCERPT = 1024
MAX_HISTORY = 10
USER_AGENT = "PlatformApi-Webhooks/1.0"
NOT_FOUND = "Webhook not found."


def retry_schedule() -> tuple[int, ...]:
    """Delays (seconds) after each failed automatic attempt; configuration (WEBHOOK_RETRY_SCHEDULE)."""
    raw = os.environ.get("WEBHOOK_RETRY_SCHEDULE")
    return tuple(int(part) for part in raw.split(",")) if raw else DEFAULT_RETRY_SCHEDULE


def max_attempts() -> int:
    return len(retry_schedule()) + 1


def slow_lane_seconds() -> int:
    """How long an endpoint stays in the slow lane after a slow attempt (WEBHOOK_SLOW_LANE_SECONDS)."""
    return int(os.environ.get("WEBHOOK_SLOW_LANE_SECONDS") or DEFAULT_SLOW_LANE_SECONDS)


def in_slow_lane(item: dal.WebhookItem) -> bool:
    return item.slow_until is not None and item.slow_until > now_iso()


def retry_queue_url() -> str:
    """The slow lane (docs/webhooks.md, "Isolation"); the delivery queue itself where none is configured."""
    return os.environ.get("WEBHOOK_RETRY_QUEUE_URL") or get_settings().webhook_delivery_queue_url or ""


def disable_after_seconds() -> int:
    """How long an endpoint may fail without a success before it is disabled (WEBHOOK_DISABLE_AFTER_SECONDS)."""
    return int(os.environ.get("WEBHOOK_DISABLE_AFTER_SECONDS") or DEFAULT_DISABLE_AFTER_SECONDS)


# ---------------------------------------------------------------------------------------------- secrets
def _seal(secret: str, webhook_id: str) -> str:
    return sealing.seal_webhook_secret(secret, webhook_id)


def _unseal(sealed: str, webhook_id: str) -> str:
    return sealing.open_webhook_secret(sealed, webhook_id)


def active_secrets(item: dal.WebhookItem, now: int | None = None) -> list[str]:
    """The secrets deliveries are signed with, newest first: the current one and any still in grace."""
    now = now if now is not None else int(time.time())
    return [
        _unseal(s.sealed, item.webhook_id)
        for s in item.secrets
        if s.expires_epoch is None or int(s.expires_epoch) > now
    ]


# ---------------------------------------------------------------------------------------------- shapes
def to_api(item: dal.WebhookItem) -> dict[str, Any]:
    return {
        "id": item.webhook_id,
        "url": item.url,
        "events": list(item.events),
        "description": item.description,
        "is_active": item.is_active,
        "disabled_reason": item.disabled_reason,
        "disabled_at": item.disabled_at,
        "disabled_by_event_id": item.disabled_by_event_id,
        "failing_since": item.failing_since,
        "namespace_id": item.namespace_id,
        "workspace_id": item.workspace_id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def delivery_to_api(item: dal.DeliveryItem, *, detail: bool = False) -> dict[str, Any]:
    out = {
        "id": item.delivery_id,
        "webhook_id": item.webhook_id,
        "event_id": item.event_id,
        "event_type": item.event_type,
        "status": item.status,
        "status_code": int(item.status_code) if item.status_code is not None else None,
        "attempts": int(item.attempts),
        "response_time_ms": int(item.response_time_ms) if item.response_time_ms is not None else None,
        "error": item.error,
        "delivered_at": item.delivered_at,
        "next_attempt_at": item.next_attempt_at,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }
    if detail:
        out["response_excerpt"] = item.response_excerpt
        out["payload"] = json.loads(item.payload)
        out["history"] = [
            {
                "attempt": int(a.number),
                "at": a.at,
                "status_code": int(a.status_code) if a.status_code is not None else None,
                "response_time_ms": int(a.response_time_ms) if a.response_time_ms is not None else None,
                "error": a.error,
                "manual": bool(a.manual),
            }
            for a in item.history
        ]
    return out


# ---------------------------------------------------------------------------------------------- validation
def check_events(patterns: list[str]) -> list[str]:
    """Exact names (`resource.created`), wildcards (`resource.*`, `*`) and `webhook.test`; else a 400."""
    bad = []
    for pattern in patterns:
        entity, _, action = pattern.partition(".")
        known = (
            pattern == "*"
            or pattern in SPECIAL_EVENTS
            or pattern in PLATFORM_EVENTS
            or (EVENT_PATTERN.match(pattern) and entity in ENTITIES and action in (*ACTIONS, "*"))
        )
        if not known:
            bad.append(pattern)
    if bad:
        names = ", ".join([*(f"{e}.{a}" for e in ENTITIES for a in ACTIONS), *PLATFORM_EVENTS, *SPECIAL_EVENTS])
        message = f"Unknown event(s): {', '.join(bad)}. Use '*', '<entity>.*' or one of: {names}."
        raise errors.InvalidRequest(message, details={"events": [message]})
    return list(dict.fromkeys(patterns))


def check_url(url: str) -> str:
    local = get_settings().webhook_allow_loopback
    try:
        ssrf.validate_url(url, allow_http=local, allow_loopback=local, unresolvable_ok=True)
    except ssrf.UnsafeUrl as exc:
        raise errors.InvalidRequest(str(exc), details={"url": [str(exc)]}) from None
    return url


def matches(patterns: list[str], event_type: str) -> bool:
    entity = event_type.partition(".")[0]
    return any(
        (p == "*" and event_type not in SPECIAL_EVENTS) or p == event_type or p == f"{entity}.*" for p in patterns
    )


# ---------------------------------------------------------------------------------------------- CRUD
def _load(actor: Actor, webhook_id: str) -> dal.WebhookItem:
    item = dal.get(actor.namespace_id, webhook_id) if has_prefix(webhook_id, "wh") else None
    if item is None:
        raise errors.NotFound(NOT_FOUND)
    return item


def _event(action: str, item: dal.WebhookItem) -> Any:
    return new_event(
        "webhook", action, item.webhook_id, to_api(item), namespace_id=item.namespace_id, workspace_id=item.workspace_id
    )


def list_webhooks(actor: Actor) -> list[dict[str, Any]]:
    return [to_api(item) for item in dal.list_for(actor.namespace_id)]


def get_webhook(actor: Actor, webhook_id: str) -> dict[str, Any]:
    return to_api(_load(actor, webhook_id))


def create_webhook(actor: Actor, body: Any) -> dict[str, Any]:
    webhook_id, now = new_id("wh"), now_iso()
    secret = body.secret or webhook_signing.new_secret()
    item = dal.WebhookItem(
        *dal.webhook_key(actor.namespace_id, webhook_id),
        webhook_id=webhook_id,
        namespace_id=actor.namespace_id,
        workspace_id=actor.workspace_id,
        url=check_url(body.url),
        events=check_events(body.events),
        description=body.description,
        is_active=body.is_active,
        secrets=[dal.SealedSecret(sealed=_seal(secret, webhook_id), expires_epoch=None, created_at=now)],
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    with UnitOfWork() as uow:
        collision = errors.Conflict("Could not create the webhook; retry.")  # of ULIDs: practically impossible
        uow.put(item, condition=dal.WebhookItem.PK.does_not_exist(), on_conflict=collision)
        entitlements.consume(uow, actor.namespace_id, "webhooks")
        uow.emit(_event("created", item))
    return {**to_api(item), "secret": secret}


def update_webhook(actor: Actor, webhook_id: str, body: Any) -> dict[str, Any]:
    item = _load(actor, webhook_id)
    changes = body.model_dump(exclude_unset=True)
    for field in ("url", "events", "is_active"):
        if field in changes and changes[field] is None:
            raise errors.InvalidRequest(f"{field} cannot be null.", details={field: ["Cannot be null."]})
    if "url" in changes:
        changes["url"] = check_url(changes["url"])
    if "events" in changes:
        changes["events"] = check_events(changes["events"])
    if changes.get("is_active") is True:
        # enabled again by its owner: a new start, without the platform's reason or the old run of failures
        changes.update(disabled_reason=None, disabled_at=None, disabled_by_event_id=None, failing_since=None)
    return _save_changes(item, changes)


def _save_changes(item: dal.WebhookItem, changes: dict[str, Any]) -> dict[str, Any]:
    previous = item.updated_at
    for field, value in changes.items():
        setattr(item, field, value)
    item.updated_at = max(now_iso(), previous)
    with UnitOfWork() as uow:
        changed = errors.Conflict("The webhook changed meanwhile; retry.")
        uow.put(item, condition=dal.WebhookItem.updated_at == previous, on_conflict=changed)
        uow.emit(_event("updated", item))
    return to_api(item)


def delete_webhook(actor: Actor, webhook_id: str) -> None:
    item = _load(actor, webhook_id)
    with UnitOfWork() as uow:
        uow.delete(item, condition=dal.WebhookItem.PK.exists(), on_conflict=errors.NotFound(NOT_FOUND))
        entitlements.release(uow, actor.namespace_id, "webhooks")
        uow.emit(_event("deleted", item))


def rotate_secret(actor: Actor, webhook_id: str, secret: str | None, grace_period_seconds: int) -> dict[str, Any]:
    """A new signing secret; the previous one keeps signing (alongside) for the grace period."""
    item = _load(actor, webhook_id)
    now, new_secret = int(time.time()), secret or webhook_signing.new_secret()
    kept = []
    for old in item.secrets:
        expires = int(old.expires_epoch) if old.expires_epoch is not None else now + grace_period_seconds
        if expires > now:
            kept.append(dal.SealedSecret(sealed=old.sealed, expires_epoch=expires, created_at=old.created_at))
    fresh = dal.SealedSecret(sealed=_seal(new_secret, item.webhook_id), expires_epoch=None, created_at=now_iso())
    obj = _save_changes(item, {"secrets": [fresh, *kept][: dal.MAX_SECRETS]})
    return {**obj, "secret": new_secret, "previous_secret_expires_at": isoformat_epoch(now + grace_period_seconds)}


def isoformat_epoch(epoch: int) -> str:
    from datetime import UTC, datetime

    return isoformat(datetime.fromtimestamp(epoch, tz=UTC))


# ---------------------------------------------------------------------------------------------- deliveries
def delivery_id_for(event_id: str, webhook_id: str) -> str:
    """Deterministic: the event's time (sortable) and a hash of (event, webhook). Redelivered messages and a
    re-run fanout address the same delivery, which is what makes the consumers idempotent on the event id."""
    from ulid import ULID

    event_ulid = ULID.from_str(event_id.split("_", 1)[1])
    digest = hashlib.sha256(f"{event_id}:{webhook_id}".encode()).digest()
    return f"del_{ULID.from_bytes(event_ulid.bytes[:6] + digest[:10])}"


def list_deliveries(actor: Actor, webhook_id: str, query: ListQuery) -> listing.Listing:
    """One page of a webhook's delivery history (docs/data-model.md, "Webhooks"): a Query of the index that
    serves the query's filters in its order, never the whole history.

    - by time (the default `-created_at`, or `created_at`): all deliveries (GSI1), the `status` values (GSI2,
      one partition each, merged), else the `event_type` values (their pointers); `created_after` /
      `created_before` bound the key condition. Whatever the chosen index does not filter (`event_type` next
      to `status`, `updated_*`) is filtered in memory, at most SCAN_CAP items per page.
    - by id (`sort=id` / `-id`): the table's own order, filters in memory the same way.
    - any other order (`updated_at`, `attempts`): sorted in memory over at most SORT_CAP deliveries read
      through the same indexes; more is a 400 naming `sort`.
    """
    _load(actor, webhook_id)
    statuses = query.filters.get("status")
    event_types = query.filters.get("event_type")
    created_after = max((m for f, op, m in query.ranges if f == "created_at" and op == ">"), default=None)
    created_before = min((m for f, op, m in query.ranges if f == "created_at" and op == "<"), default=None)
    by_time = (listing.by("created_at", "id", descending=True), listing.by("created_at", "id", descending=False))
    by_id = (listing.by("id", descending=True), listing.by("id", descending=False))
    in_key_order = listing.serves(query, *by_time) or listing.serves(query, *by_id)
    newest_first = listing.descending(query) if in_key_order else True
    id_order = listing.serves(query, *by_id)

    def stream(status: str | None = None, event_type: str | None = None) -> listing.Stream:
        def read(after: dict[str, Any] | None, demand: listing.Demand) -> Iterator[dict[str, Any]]:
            pages = dal.delivery_pages(
                webhook_id,
                status=status,
                event_type=event_type,
                id_order=id_order,
                created_after=None if id_order else created_after,
                created_before=None if id_order else created_before,
                newest_first=newest_first,
                after=_delivery_position(after, id_order),
                demand=demand,
            )
            for page in pages:
                yield from (delivery_to_api(item) for item in page)

        return read

    if id_order:
        streams, exact = [stream()], not query.filters and not query.ranges
    elif statuses:
        streams = [stream(status=str(s)) for s in dict.fromkeys(statuses)]
        exact = not event_types
    elif event_types:
        streams = [stream(event_type=str(t)) for t in dict.fromkeys(event_types)]
        exact = True
    else:
        streams, exact = [stream()], True
    exact = exact and all(field == "created_at" for field, _, _ in query.ranges)
    order = query.sort if in_key_order else listing.by("created_at", "id", descending=True)
    source = listing.merged(streams, order)
    if in_key_order:
        return listing.ordered_page(query, source, exact=exact)
    return listing.sorted_page(query, source, served="created_at or id")


def _delivery_position(after: dict[str, Any] | None, id_order: bool) -> tuple[str, str] | None:
    """(created_at, delivery id) of a cursor; a cursor is signed, so a bad one here is a bug, still a 400."""
    if after is None:
        return None
    delivery_id, created_at = after.get("id"), after.get("created_at", "")
    if not isinstance(delivery_id, str) or not has_prefix(delivery_id, "del") or not isinstance(created_at, str):
        raise errors.InvalidRequest("The cursor is invalid; start again without it.", details={"cursor": ["Invalid."]})
    if not id_order and not created_at:
        raise errors.InvalidRequest("The cursor is invalid; start again without it.", details={"cursor": ["Invalid."]})
    return created_at, delivery_id


def get_delivery(actor: Actor, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    _load(actor, webhook_id)
    item = dal.get_delivery(webhook_id, delivery_id) if has_prefix(delivery_id, "del") else None
    if item is None:
        raise errors.NotFound("Delivery not found.")
    return delivery_to_api(item, detail=True)


def retry_delivery(actor: Actor, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    """Queue one more attempt of a delivery that did not succeed (202); a success is a 409, and so is a webhook
    that is off (the attempt would not be made)."""
    webhook = _load(actor, webhook_id)
    if not webhook.is_active:
        raise errors.Conflict("The webhook is disabled; enable it (PATCH is_active true) before retrying.")
    item = dal.get_delivery(webhook_id, delivery_id) if has_prefix(delivery_id, "del") else None
    if item is None:
        raise errors.NotFound("Delivery not found.")
    if item.status == "success":
        raise errors.Conflict("The delivery already succeeded.")
    message = delivery_message(item.delivery_id, webhook_id, item.namespace_id, item.event_id, item.event_type, None)
    enqueue([{**message, "manual": True}], slow=True)
    return {**delivery_to_api(item), "status": "pending"}


RECOVER_LIMIT = 500


def recover_deliveries(actor: Actor, webhook_id: str, since: datetime) -> dict[str, Any]:
    """Svix's "recover": re-send every failed delivery of the webhook created since `since` (202).

    Each delivery is moved from `failed` to `pending` with a condition on its status before its message is
    queued, so a recovery repeated (or run twice at once) queues each delivery once: the second finds none
    failed. What a queued attempt then does is a manual attempt's: success, or `failed` again (and then a
    later recovery sends it again). At most RECOVER_LIMIT per call, oldest first; `has_more` says to call
    again with the same `since`, which continues where this one stopped."""
    item = _load(actor, webhook_id)
    if not item.is_active:
        raise errors.Conflict("The webhook is disabled; enable it (PATCH is_active true) before recovering.")
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    found = dal.failed_since(webhook_id, since, RECOVER_LIMIT + 1)
    now = now_iso()
    reopened = [d for d in found[:RECOVER_LIMIT] if dal.set_status(d, "pending", expected="failed", updated_at=now)]
    messages = [
        {**delivery_message(d.delivery_id, webhook_id, d.namespace_id, d.event_id, d.event_type, None), "manual": True}
        for d in reopened
    ]
    try:
        enqueue(messages, slow=True)
    except SendFailed:
        # Some may be queued: those get their attempt; the rest go back to failed, for the next recovery.
        for delivery in reopened:
            dal.set_status(delivery, "failed", expected="pending", updated_at=now)
        raise errors.ServiceUnavailable("The deliveries could not be queued; retry the recovery.") from None
    return {"recovered": len(reopened), "since": isoformat(since), "has_more": len(found) > RECOVER_LIMIT}


def delivery_message(
    delivery_id: str, webhook_id: str, namespace_id: str, event_id: str, event_type: str, payload: str | None
) -> dict[str, Any]:
    message = {
        "delivery_id": delivery_id,
        "webhook_id": webhook_id,
        "namespace_id": namespace_id,
        "event_id": event_id,
        "event_type": event_type,
    }
    if payload is not None:
        message["payload"] = payload
    return message


def enqueue(messages: list[dict[str, Any]], *, slow: bool = False) -> int:
    """SendMessageBatch to the delivery queue (first attempts of endpoints in good standing) or, `slow`, to the
    slow lane, 10 at a time; returns the number of calls made."""
    from platform_api.queues import send_batch

    return send_batch(retry_queue_url() if slow else get_settings().webhook_delivery_queue_url or "", messages)


def send_test(actor: Actor, webhook_id: str) -> dict[str, Any]:
    """POST /webhooks/{id}/test: one synchronous signed attempt of a `webhook.test` event, recorded."""
    item = _load(actor, webhook_id)
    event = new_event(
        "webhook",
        "test",
        item.webhook_id,
        {**to_api(item), "message": "This is a test event."},
        namespace_id=item.namespace_id,
        workspace_id=item.workspace_id,
        event_type="webhook.test",
    )
    delivery, _ = attempt(
        item,
        None,  # the test event was minted just now: no delivery of it exists yet
        delivery_id=delivery_id_for(event.event_id, item.webhook_id),
        event_id=event.event_id,
        event_type="webhook.test",
        payload=event.payload,
        manual=True,
    )
    return {
        "success": delivery.status == "success",
        "status_code": int(delivery.status_code) if delivery.status_code is not None else None,
        "response_time_ms": int(delivery.response_time_ms or 0),
        "delivery_id": delivery.delivery_id,
        "error": delivery.error,
    }


@dataclass
class Outcome:
    success: bool
    status_code: int | None
    response_time_ms: int
    excerpt: str | None
    error: str | None


def _send(item: dal.WebhookItem, event_id: str, payload: str) -> Outcome:
    body = payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **webhook_signing.signature_headers(active_secrets(item), event_id, body, int(time.time())),
    }
    local = get_settings().webhook_allow_loopback
    started = time.perf_counter()
    try:
        status, excerpt, elapsed = ssrf.post(
            item.url,
            body,
            headers,
            timeout=ATTEMPT_TIMEOUT_SECONDS,
            allow_http=local,
            allow_loopback=local,
            max_response_bytes=MAX_EXCERPT,
        )
    except ssrf.UnsafeUrl as exc:
        return Outcome(False, None, 0, None, f"refused: {exc}")
    except Exception as exc:  # any network or TLS failure is a failed attempt, recorded
        elapsed_ms = int((time.perf_counter() - started) * 1000)
        return Outcome(False, None, elapsed_ms, None, f"{type(exc).__name__}: {exc}"[:300])
    text = excerpt.decode("utf-8", "replace")[:MAX_EXCERPT]
    return Outcome(200 <= status < 300, status, int(elapsed), text, None if 200 <= status < 300 else f"HTTP {status}")


RECORD_TRIES = 4


def attempt(
    item: dal.WebhookItem,
    current: dal.DeliveryItem | None,
    *,
    delivery_id: str,
    event_id: str,
    event_type: str,
    payload: str,
    manual: bool = False,
    retry_in: int | None = None,
) -> tuple[dal.DeliveryItem, bool]:
    """Send one attempt and record it on the delivery item (`current`, the caller's read of it; None creates
    it). The caller reads it because it decides whether to attempt at all (and a brand-new test has none).

    An automatic attempt (`manual` False) is the schedule's next one; `retry_in` is the delay before the one
    after it, None when it is the last. A manual attempt adds to the total only: it neither advances nor ends
    the schedule, so a scheduled copy still on the queue goes on until it succeeds or runs out.

    Returns the delivery as recorded and whether this attempt is in it: False when a concurrent copy of the
    same automatic message recorded the same attempt first (its record stands; the receiver may have had both,
    which at-least-once allows). A manual attempt racing an automatic one is recorded after it (re-read)."""
    # An attempt still running after SLOW_ATTEMPT_MS puts its endpoint in the slow lane at once, not when its
    # deadline ends it: every event fanned out meanwhile would otherwise be queued with healthy endpoints'.
    watch = threading.Timer(SLOW_ATTEMPT_MS / 1000, _enter_slow_lane, args=(item,))
    watch.daemon = True
    if not in_slow_lane(item):
        watch.start()
    try:
        outcome = _send(item, event_id, payload)
    finally:
        watch.cancel()
    _follow_health(item, outcome, event_id)
    number = dal.automatic_attempts(current) + 1
    for _ in range(RECORD_TRIES):
        delivery = _recorded(item, current, outcome, delivery_id, event_id, event_type, payload, manual, retry_in)
        if dal.save_delivery(delivery, previous=current):
            return delivery, True
        current = dal.get_delivery(item.webhook_id, delivery_id)
        if current is not None and not manual and dal.automatic_attempts(current) >= number:
            return current, False
    return current or delivery, False


def _recorded(
    item: dal.WebhookItem,
    current: dal.DeliveryItem | None,
    outcome: Outcome,
    delivery_id: str,
    event_id: str,
    event_type: str,
    payload: str,
    manual: bool,
    retry_in: int | None,
) -> dal.DeliveryItem:
    """The delivery item after this attempt, from the item before it."""
    now = now_iso()
    attempts = (int(current.attempts) if current else 0) + 1
    history = [*(current.history if current else []), _attempt_entry(attempts, now, outcome, manual)][-MAX_HISTORY:]
    if outcome.success or outcome.status_code == GONE:
        retrying = False
    elif manual:
        retrying = dal.is_retrying(current)  # the schedule is not this attempt's to end
    else:
        retrying = retry_in is not None
    delivered = outcome.success or (current is not None and current.status == "success")
    status = "success" if delivered else "pending" if retrying else "failed"
    if status != "pending":
        next_at = None
    elif manual:
        next_at = current.next_attempt_at if current else None
    else:
        next_at = isoformat_epoch(int(time.time()) + int(retry_in or 0))
    return dal.DeliveryItem(
        *dal.delivery_key(item.webhook_id, delivery_id),
        delivery_id=delivery_id,
        webhook_id=item.webhook_id,
        namespace_id=item.namespace_id,
        event_id=event_id,
        event_type=event_type,
        status=status,
        attempts=attempts,
        auto_attempts=dal.automatic_attempts(current) + (0 if manual else 1),
        retrying=retrying,
        status_code=outcome.status_code,
        response_time_ms=outcome.response_time_ms,
        response_excerpt=outcome.excerpt,
        error=outcome.error,
        history=history,
        payload=payload,
        next_attempt_at=next_at,
        delivered_at=now if outcome.success else (current.delivered_at if current else None),
        created_at=current.created_at if current else now,
        updated_at=now,
        # kept from the first attempt: the delivery and its event-type pointer expire together, 30 days on
        ttl=int(current.ttl) if current and current.ttl else int(time.time()) + dal.DELIVERY_RETENTION_SECONDS,
    )


def record_not_sent(
    item: dal.WebhookItem,
    current: dal.DeliveryItem | None,
    *,
    delivery_id: str,
    event_id: str,
    event_type: str,
    payload: str,
    error: str,
) -> None:
    """Close a delivery as failed without an attempt (its webhook is off); the attempt counts stay as they are.
    A concurrent write (an attempt just recorded) wins: the next message finds the delivery again."""
    now = now_iso()
    delivery = dal.DeliveryItem(
        *dal.delivery_key(item.webhook_id, delivery_id),
        delivery_id=delivery_id,
        webhook_id=item.webhook_id,
        namespace_id=item.namespace_id,
        event_id=event_id,
        event_type=event_type,
        status="failed",
        attempts=int(current.attempts) if current else 0,
        auto_attempts=dal.automatic_attempts(current),
        retrying=False,
        status_code=current.status_code if current else None,
        response_time_ms=current.response_time_ms if current else None,
        response_excerpt=current.response_excerpt if current else None,
        error=error,
        history=list(current.history) if current else [],
        payload=payload,
        next_attempt_at=None,
        delivered_at=None,
        created_at=current.created_at if current else now,
        updated_at=now,
        ttl=int(current.ttl) if current and current.ttl else int(time.time()) + dal.DELIVERY_RETENTION_SECONDS,
    )
    dal.save_delivery(delivery, previous=current)


def _enter_slow_lane(item: dal.WebhookItem) -> None:
    now = int(time.time())
    try:
        dal.mark_slow(item, isoformat_epoch(now + slow_lane_seconds()), isoformat_epoch(now))
    except Exception:  # a timer thread: the attempt goes on, the endpoint stays in its lane
        logger.exception("could not put the endpoint in the slow lane", extra={"webhook_id": item.webhook_id})


def _follow_health(item: dal.WebhookItem, outcome: Outcome, event_id: str) -> None:
    """The endpoint's state after an attempt: a 410 disables it at once; a run of failures is timed from its
    first, and disables it once it lasts WEBHOOK_DISABLE_AFTER_SECONDS; a success ends the run. One write only
    when the state changes (the first failure, the first success after failures, the disabling)."""
    if outcome.success:
        if item.failing_since is not None:
            dal.clear_failing(item)
        return
    if outcome.status_code == GONE:
        disable(item, "endpoint_gone", event_id)
    elif item.failing_since is None:
        dal.mark_failing(item, now_iso())
    elif _seconds_since(item.failing_since) >= disable_after_seconds():
        disable(item, "failing", event_id)


def _seconds_since(at: str) -> float:
    from datetime import UTC, datetime

    return time.time() - datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(UTC).timestamp()


class _AlreadyOff(Exception):
    """Its owner or a concurrent attempt turned the webhook off first: nothing to do."""


def disable(item: dal.WebhookItem, reason: str, event_id: str) -> bool:
    """Turn the webhook off on the platform's initiative, with why, when and which event's delivery did it, and
    emit `webhook.disabled` in the same transaction, so its namespace's other webhooks can be told. False when
    it was already off."""
    now = now_iso()
    changes = {
        "is_active": False,
        "disabled_reason": reason,
        "disabled_at": now,
        "disabled_by_event_id": event_id,
        "updated_at": max(now, item.updated_at),
    }
    actions = [getattr(dal.WebhookItem, field).set(value) for field, value in changes.items()]
    try:
        with UnitOfWork() as uow:
            uow.update(item, actions, condition=dal.WebhookItem.is_active == True, on_conflict=_AlreadyOff())  # noqa: E712
            for field, value in changes.items():
                setattr(item, field, value)
            uow.emit(
                new_event(
                    "webhook",
                    "disabled",
                    item.webhook_id,
                    to_api(item),
                    namespace_id=item.namespace_id,
                    workspace_id=item.workspace_id,
                    event_type="webhook.disabled",
                )
            )
    except _AlreadyOff:
        return False
    return True


def _attempt_entry(number: int, at: str, outcome: Outcome, manual: bool) -> dal.Attempt:
    return dal.Attempt(
        number=number,
        at=at,
        status_code=outcome.status_code,
        response_time_ms=outcome.response_time_ms,
        error=outcome.error,
        response_excerpt=(outcome.excerpt or "")[:200] or None,
        manual=manual,
    )
