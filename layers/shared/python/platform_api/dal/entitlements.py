"""A namespace's entitlements: one counter item per feature and one item listing its packages.

    PK=NS#<ns>  SK=ENTITLEMENT#<feature>   used, remaining
    PK=NS#<ns>  SK=PACKAGES                packages [{package_id, expires_at}], custom {feature: limit}
    PK=GRANTEXPIRY  SK=<expires_at>#<ns>#<pkg>   a grant that lapses: the expiry sweeper's one-page Query

DynamoDB conditions cannot add, so a consumer's condition is `remaining >= quantity` and its update
moves both counters at once: a limit holds exactly under any concurrency, inside the consumer's own
transaction. One item per feature lets one transaction consume several features (a resource's count
and its storage bytes); all counters of a namespace come back with one Query.
"""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from platform_api import state
from platform_api.db import TableItem

COUNTER_PREFIX = "ENTITLEMENT#"
PARALLEL_QUERIES = 8  # counters of several namespaces: this many Queries in flight, not one after another
PACKAGES_SK = "PACKAGES"


class PackageGrant(MapAttribute):
    package_id = UnicodeAttribute()
    expires_at = UnicodeAttribute(null=True)


class CounterItem(TableItem):
    used = NumberAttribute(default=0)
    remaining = NumberAttribute(default=0)


class PackagesItem(TableItem):
    packages = ListAttribute(of=PackageGrant, default=list)
    # An operator's custom limits (enterprise): feature -> the limit, replacing what the packages sum to.
    custom: MapAttribute = MapAttribute(null=True)
    version = NumberAttribute(default=0)  # optimistic lock: grants change one transaction at a time


class GrantExpiryItem(TableItem):
    """A package grant with an `expires_at`, found by the sweeper (functions/plan_expiry) when it lapses."""

    namespace_id = UnicodeAttribute()
    package_id = UnicodeAttribute()


GRANT_EXPIRY_PK = "GRANTEXPIRY"


def grant_expiry_key(expires_at: str, namespace_id: str, package_id: str) -> tuple[str, str]:
    return GRANT_EXPIRY_PK, f"{expires_at}#{namespace_id}#{package_id}"


def lapsed_grants(now_iso: str, limit: int) -> list[GrantExpiryItem]:
    """Grants whose expiry is at or before `now_iso`, oldest first: one Query of at most `limit` items."""
    return list(
        GrantExpiryItem.query(GRANT_EXPIRY_PK, f"{now_iso}~" >= GrantExpiryItem.SK, limit=limit, consistent_read=True)
    )


def counter_key(namespace_id: str, feature: str) -> tuple[str, str]:
    return f"NS#{namespace_id}", f"{COUNTER_PREFIX}{feature}"


def packages_key(namespace_id: str) -> tuple[str, str]:
    return f"NS#{namespace_id}", PACKAGES_SK


def counters(namespace_id: str) -> dict[str, CounterItem]:
    """feature -> counter, in one strongly consistent Query."""
    items = CounterItem.query(f"NS#{namespace_id}", CounterItem.SK.startswith(COUNTER_PREFIX), consistent_read=True)
    return {item.SK.removeprefix(COUNTER_PREFIX): item for item in items}


def counters_of(namespace_ids: Sequence[str]) -> list[dict[str, CounterItem]]:
    """`counters` of each namespace, in order: one Query each, up to PARALLEL_QUERIES at a time (GET /v1/usage
    reads every visible namespace's; one after another they were most of its latency)."""
    return state.map_in_threads(counters, namespace_ids, PARALLEL_QUERIES)


def get_counter(namespace_id: str, feature: str) -> CounterItem | None:
    try:
        return CounterItem.get(*counter_key(namespace_id, feature), consistent_read=True)
    except CounterItem.DoesNotExist:
        return None


def get_packages(namespace_id: str) -> PackagesItem | None:
    try:
        return PackagesItem.get(*packages_key(namespace_id), consistent_read=True)
    except PackagesItem.DoesNotExist:
        return None
