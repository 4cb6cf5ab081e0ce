"""Backfill: give the items written before the list indexes existed their index keys (docs/data-model.md), and
seal webhook secrets stored before KMS sealing under the KMS key (docs/keys.md).
Run it once after deploying: `python -m local.backfill` (README, "Deploy"). One Scan serves every kind.

What it fixes, per item (everything else is left alone):

- a resource (`NS#<ns>` / `RES#<res>`): its search entries (Puts, harmless when present), and, when it has no
  `GSI2PK`, its GSI1-3 attributes, its type, owner and tag entries and its status and type tallies, in one
  transaction, on the condition that it still has no `GSI2PK` and the same version (a write of the new code
  indexes it itself);
- a webhook delivery (`WH#<wh>` / `DEL#<del>`) without `GSI1PK`: its GSI1/GSI2 attributes (history by time,
  by status) and its event-type pointer, in one transaction, on the condition that the delivery still has no
  `GSI1PK` and the attempt count read (an attempt of the new code indexes it itself, pointer included);
- a membership (`WS#<wks>` / `MEMBER#<usr>`) without `GSI2PK`: its joining-order GSI2 attributes, on the
  condition that it still has none;
- an invitation (`INVITE#<inv>` / `INVITATION`) whose `GSI1SK` is the old `INVITE#<wks>`: `INVITE#<inv>`, on
  the condition that it still holds the old value;
- a webhook (`NS#<ns>` / `WEBHOOK#<wh>`) holding a secret sealed the way before KMS (a key derived from the signing
  secret): every such secret opened and sealed again under the KMS key (platform_api.sealing), on the condition
  that its `secrets` are still the ones read (a rotation meanwhile wins; the next run re-seals what it kept). Run
  it before the signing secret's second rotation: only its current and previous versions open the old format.

Idempotent (an item already indexed is skipped, by the Scan's filter and by each write's condition) and
resumable (`run()` hands the Scan position to `on_page` after every page; pass it back as `start_key`). The
Scan is an operator's one-off, never a request path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import UpdateError

from platform_api import errors, sealing
from platform_api.dal import resources as resources_dal
from platform_api.dal import webhooks as webhooks_dal
from platform_api.dal import workspaces as workspaces_dal
from platform_api.db import client, table_name
from platform_api.unit_of_work import UnitOfWork

OLD_ITEMS = (
    "begins_with(SK, :res)"
    " OR (begins_with(SK, :del) AND attribute_not_exists(GSI1PK))"
    " OR (begins_with(SK, :member) AND attribute_not_exists(GSI2PK))"
    " OR (SK = :invitation AND NOT begins_with(GSI1SK, :new_invitation))"
    " OR (begins_with(SK, :webhook) AND begins_with(PK, :namespace) AND ("
    + " OR ".join(
        f"(attribute_exists(secrets[{i}]) AND NOT begins_with(secrets[{i}].sealed, :kms))"
        for i in range(webhooks_dal.MAX_SECRETS)
    )
    + "))"
)


class _Changed(Exception):
    """Indexed or rewritten meanwhile: nothing to do."""


def index_one(raw: dict[str, Any]) -> str | None:
    """Index (or re-seal) one stored item if it is an old resource, delivery, membership, invitation or webhook;
    returns which, or None."""
    pk, sk = raw["PK"]["S"], raw["SK"]["S"]
    if pk.startswith("NS#") and sk.startswith(resources_dal.SK_PREFIX):
        # Search entries are Puts of what the item's words give: writing them again changes nothing, and a
        # resource written before the search indexer existed has none. The other indexes only if missing.
        resources_dal.reindex_search(None, raw)
        return "resources" if "GSI2PK" not in raw and _resource(raw) else "searchable"
    if pk.startswith("WH#") and sk.startswith(webhooks_dal.DELIVERY_PREFIX) and "GSI1PK" not in raw:
        return "deliveries" if _delivery(raw) else None
    if pk.startswith("WS#") and sk.startswith(workspaces_dal.MEMBER_PREFIX) and "GSI2PK" not in raw:
        return "members" if _member(raw) else None
    if pk.startswith("INVITE#") and sk == workspaces_dal.INVITATION_SK:
        return "invitations" if _invitation(raw) else None
    if pk.startswith("NS#") and sk.startswith(webhooks_dal.WEBHOOK_PREFIX):
        return _reseal_webhook(raw)
    return None


def _reseal_webhook(raw: dict[str, Any]) -> str | None:
    """Seal a webhook's secrets under KMS if any is in the older format; which outcome, or None if none was."""
    old = raw.get("secrets", {}).get("L", [])
    if all(sealing.is_sealed(entry["M"]["sealed"]["S"]) for entry in old):
        return None
    if not sealing.configured():
        return "webhook_secrets_skipped"  # no KMS key or signing secret given (local.backfill --data-key-arn ...)
    webhook_id = raw["webhook_id"]["S"]
    new = []
    for entry in old:
        attributes = dict(entry["M"])
        value = attributes["sealed"]["S"]
        if not sealing.is_sealed(value):
            try:
                secret = sealing.open_webhook_secret(value, webhook_id)
            except ValueError:
                return "webhook_secrets_unreadable"  # sealed with a secret version no longer held
            attributes["sealed"] = {"S": sealing.seal_webhook_secret(secret, webhook_id)}
        new.append({"M": attributes})
    try:
        client().update_item(
            TableName=table_name(),
            Key={"PK": raw["PK"], "SK": raw["SK"]},
            UpdateExpression="SET #secrets = :new",
            ConditionExpression="#secrets = :old",
            ExpressionAttributeNames={"#secrets": "secrets"},
            ExpressionAttributeValues={":new": {"L": new}, ":old": {"L": old}},
        )
    except client().exceptions.ConditionalCheckFailedException:
        return None
    return "webhook_secrets"


def _resource(raw: dict[str, Any]) -> bool:
    """Index one stored resource; False when it already was (or changed meanwhile)."""
    old = resources_dal.from_raw(raw)
    indexed = resources_dal.build_item(
        resource_id=old.resource_id,
        namespace_id=old.namespace_id,
        workspace_id=old.workspace_id,
        owner_id=old.owner_id,
        fields=old.to_dict(),
        created_at=old.created_at,
        updated_at=old.updated_at,
        version=int(old.version),
    )
    tallies: Counter[tuple[str, str]] = Counter({("status", str(old.status)): 1, ("type", str(old.resource_type)): 1})
    try:
        with UnitOfWork() as uow:
            actions = [
                getattr(resources_dal.ResourceItem, attribute).set(getattr(indexed, attribute))
                for attribute in resources_dal.index_attributes()
            ]
            unchanged = resources_dal.ResourceItem.GSI2PK.does_not_exist() & (
                resources_dal.ResourceItem.version == int(old.version)
            )
            uow.update(old, actions, condition=unchanged, on_conflict=_Changed())
            for key in sorted(resources_dal.entries_of(indexed)):
                uow.put(resources_dal.entry(*key))
            for (field, value), delta in sorted(tallies.items()):
                uow.update(
                    resources_dal.TallyItem(*resources_dal.tally_key(str(old.namespace_id), field, value)),
                    [resources_dal.TallyItem.n.add(delta)],
                )
    except (_Changed, errors.Conflict):
        return False
    return True


def _delivery(raw: dict[str, Any]) -> bool:
    old = webhooks_dal.DeliveryItem.from_raw_data(raw)
    indexed = webhooks_dal.index_delivery(webhooks_dal.DeliveryItem.from_raw_data(raw))
    item = webhooks_dal.DeliveryItem
    actions = [getattr(item, name).set(getattr(indexed, name)) for name in ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")]
    unchanged = item.GSI1PK.does_not_exist() & (item.attempts == int(old.attempts))
    try:
        with UnitOfWork() as uow:
            uow.update(old, actions, condition=unchanged, on_conflict=_Changed())
            uow.put(webhooks_dal.type_entry(indexed))
    except _Changed:
        return False
    return True


def _member(raw: dict[str, Any]) -> bool:
    member = workspaces_dal.MemberItem.from_raw_data(raw)
    partition, sort_key = workspaces_dal.member_index(member.workspace_id, member.user_id, member.created_at)
    item = workspaces_dal.MemberItem
    try:
        member.update(
            actions=[item.GSI2PK.set(partition), item.GSI2SK.set(sort_key)],
            condition=item.PK.exists() & item.GSI2PK.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _invitation(raw: dict[str, Any]) -> bool:
    invitation = workspaces_dal.InvitationItem.from_raw_data(raw)
    wanted = workspaces_dal.invitation_index(invitation.invitation_id)
    if wanted == invitation.GSI1SK:
        return False
    item = workspaces_dal.InvitationItem
    try:
        invitation.update(actions=[item.GSI1SK.set(wanted)], condition=item.GSI1SK == invitation.GSI1SK)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def run(
    *,
    segment: int = 0,
    total_segments: int = 1,
    start_key: dict[str, Any] | None = None,
    page_size: int = 500,
    on_page: Callable[[dict[str, Any] | None, Counter[str]], None] | None = None,
) -> Counter[str]:
    """Scan one segment for old items and index them; `on_page(next_key, counts)` after each page lets the
    caller checkpoint. Returns how many of each kind it indexed (and `seen`: old items the Scan returned)."""
    counts: Counter[str] = Counter()
    request: dict[str, Any] = {
        "TableName": table_name(),
        "FilterExpression": OLD_ITEMS,
        "ExpressionAttributeValues": {
            ":res": {"S": resources_dal.SK_PREFIX},
            ":del": {"S": webhooks_dal.DELIVERY_PREFIX},
            ":member": {"S": workspaces_dal.MEMBER_PREFIX},
            ":invitation": {"S": workspaces_dal.INVITATION_SK},
            ":new_invitation": {"S": workspaces_dal.invitation_index("inv_")},
            ":webhook": {"S": webhooks_dal.WEBHOOK_PREFIX},
            ":namespace": {"S": "NS#"},
            ":kms": {"S": sealing.FORMAT + ":"},
        },
        "Segment": segment,
        "TotalSegments": total_segments,
        "Limit": page_size,
        "ConsistentRead": True,
    }
    while True:
        if start_key:
            request["ExclusiveStartKey"] = start_key
        reply = client().scan(**request)
        for raw in reply.get("Items", []):
            counts["seen"] += 1
            kind = index_one(raw)
            if kind:
                counts[kind] += 1
        start_key = reply.get("LastEvaluatedKey")
        if on_page is not None:
            on_page(start_key, counts)
        if not start_key:
            return counts
