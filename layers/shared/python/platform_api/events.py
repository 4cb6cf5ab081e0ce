"""The transactional outbox: one event record per mutation, written in the same transaction as the change.

The table's stream carries every new `EVENT#` item to the webhook fanout queue, so an event is delivered
if and only if its change was committed — nothing is lost between the write and the fanout.

Payload shape is document 004's:
    {"id": "evt_...", "type": "resource.created", "created_at": "...",
     "data": {"object": {"id": "res_...", "type": "resource", "attributes": {...}}}}
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from platform_api.db import TableItem, TtlMixin
from platform_api.ids import new_id
from platform_api.timeutil import now_iso, utcnow

EVENT_RETENTION_SECONDS = 7 * 24 * 3600
ACTIONS = ("created", "updated", "deleted")


class EventRecord(TableItem, TtlMixin):
    """PK = EVENT#<evt_id>, SK = EVENT. Never updated; expires after a week (the stream has long consumed it)."""

    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    namespace_id = UnicodeAttribute(null=True)
    workspace_id = UnicodeAttribute(null=True)
    object_type = UnicodeAttribute()
    object_id = UnicodeAttribute()
    payload = UnicodeAttribute()  # the exact JSON body every subscriber receives
    created_at = UnicodeAttribute()


def event_key(event_id: str) -> tuple[str, str]:
    return f"EVENT#{event_id}", "EVENT"


def is_event_image(image: dict[str, Any]) -> bool:
    """Whether a stream record's (deserialized) image is an outbox event rather than any other item."""
    return str(image.get("PK", "")).startswith("EVENT#")


def new_event(
    object_type: str,
    action: str,
    object_id: str,
    attributes: dict[str, Any],
    *,
    namespace_id: str | None,
    workspace_id: str | None = None,
    event_type: str | None = None,
) -> EventRecord:
    """The outbox item for `<object_type>.<action>`; save it inside the change's transaction.

    `namespace_id` is the tenant whose webhook subscriptions receive it (see docs/webhooks.md for how
    workspace-level entities map to their workspace's default namespace).
    """
    if event_type is None and action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    event_id = new_id("evt")
    created_at = now_iso()
    kind = event_type or f"{object_type}.{action}"
    body = {
        "id": event_id,
        "type": kind,
        "created_at": created_at,
        "data": {"object": {"id": object_id, "type": object_type, "attributes": attributes}},
    }
    pk, sk = event_key(event_id)
    return EventRecord(
        PK=pk,
        SK=sk,
        event_id=event_id,
        event_type=kind,
        namespace_id=namespace_id,
        workspace_id=workspace_id,
        object_type=object_type,
        object_id=object_id,
        payload=json.dumps(body, separators=(",", ":"), sort_keys=False, default=str),
        created_at=created_at,
        ttl=int(utcnow().timestamp()) + EVENT_RETENTION_SECONDS,
    )
