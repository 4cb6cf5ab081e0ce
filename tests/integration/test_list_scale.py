"""Lists read about one page whatever the namespace holds: items read per request counted, at two sizes.

The namespace is grown with BatchWriteItem clones of what the API writes (the item with its index keys and its
entry items; the counters set to match), as bench/ does. Items read are what DynamoDB returned to the function:
Query/Scan `Count`, BatchGetItem responses, GetItem hits. Counted, never timed.
"""

from __future__ import annotations

import botocore.client
import pytest

from bench.list_cost import grow_resources
from tests.helpers import call, drain_search_index
from tests.unit.test_resources_support import World, alice, world  # noqa: F401  (fixture)

PER_PAGE = 20
BOUNDED = 2 * PER_PAGE + 5
SIZES = (150, 1200)


def _grow(namespace_id: str, owner_id: str, count: int) -> None:
    from platform_api.dal import entitlements as entitlements_dal

    counter = entitlements_dal.get_counter(namespace_id, "resources")
    grow_resources(namespace_id, owner_id, count, start=int(counter.used) if counter else 0)


@pytest.fixture(autouse=True)
def unthrottled(monkeypatch):
    """These tests make more requests a minute than the free tier allows; the limits are not what they test."""
    from platform_api import tiers

    monkeypatch.setenv("RATE_LIMITS_JSON", '{"free": {"burst": 100000, "minute": 100000, "hour": 1000000}}')
    tiers.table.cache_clear()
    yield
    tiers.table.cache_clear()


@pytest.fixture
def items_read(monkeypatch):
    """Items DynamoDB returned since the last reset: `reads["items"]`, `reads["trips"]`."""
    reads = {"items": 0, "trips": 0}
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        reply = original(self, operation_name, api_params)
        if self.meta.service_model.service_name == "dynamodb":
            reads["trips"] += 1
            if operation_name in ("Query", "Scan"):
                reads["items"] += reply.get("ScannedCount", reply.get("Count", 0))
            elif operation_name == "BatchGetItem":
                reads["items"] += sum(len(v) for v in reply.get("Responses", {}).values())
            elif operation_name == "GetItem":
                reads["items"] += 1 if reply.get("Item") else 0
        return reply

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return reads


def _cost(reads: dict, query: str) -> tuple[int, dict]:
    token = alice()
    call("GET", "/v1/users/me", token=token)  # authentication's reads are not the list's
    before = reads["items"]
    auth_only = call("GET", "/v1/resources", token=token, query="per_page=1&fields=id")
    auth_cost = reads["items"] - before - 3  # per_page=1 reads 2 entries and the total counter
    before = reads["items"]
    reply = call("GET", "/v1/resources", token=token, query=query)
    assert reply.status == 200, reply
    assert auth_only.status == 200
    return reads["items"] - before - auth_cost, reply.json


BOUNDED_QUERIES = [
    f"per_page={PER_PAGE}",
    f"per_page={PER_PAGE}&status=archived",
    f"per_page={PER_PAGE}&filter[type]=premium",
    f"per_page={PER_PAGE}&tags=red",
    f"per_page={PER_PAGE}&sort=name",
    f"per_page={PER_PAGE}&sort=-name",
    f"per_page={PER_PAGE}&sort=-updated_at",
    f"per_page={PER_PAGE}&sort=type",
    f"per_page={PER_PAGE}&sort=-status",
    f"per_page={PER_PAGE}&created_after=2000-01-01T00:00:00Z",
    f"per_page={PER_PAGE}&created_before=2999-01-01T00:00:00Z&status=active",
    f"per_page={PER_PAGE}&sort=updated_at&updated_after=2000-01-01T00:00:00Z",
]


def test_every_documented_single_filter_sort_and_range_reads_one_page_at_any_size(world, items_read):  # noqa: F811
    costs: dict[str, list[int]] = {q: [] for q in [*BOUNDED_QUERIES, "owner"]}
    grown = 0
    for size in SIZES:
        _grow(world.alice_ns, world.alice_id, size - grown)
        grown = size
        for query in BOUNDED_QUERIES:
            cost, body = _cost(items_read, query)
            assert len(body["data"]) == PER_PAGE, query
            assert body["meta"]["next_cursor"], query
            costs[query].append(cost)
        cost, body = _cost(items_read, f"per_page={PER_PAGE}&owner={world.alice_id}")
        assert len(body["data"]) == PER_PAGE
        costs["owner"].append(cost)
    for query, (small, large) in costs.items():
        print(f"items read  {query:<70} {SIZES[0]}: {small:>3}  {SIZES[1]}: {large:>3}")
        assert large <= BOUNDED, (query, small, large)
        assert large <= small + 2, (query, small, large)  # does not grow with the collection


def test_totals_are_exact_from_counters_and_null_where_they_would_need_a_full_read(world, items_read):  # noqa: F811
    _grow(world.alice_ns, world.alice_id, 300)
    assert _cost(items_read, "per_page=5")[1]["meta"]["total"] == 300
    assert _cost(items_read, "per_page=5&status=archived")[1]["meta"]["total"] == 100
    assert _cost(items_read, "per_page=5&type=premium")[1]["meta"]["total"] == 100
    combined = _cost(items_read, "per_page=5&type=premium&status=active")[1]
    assert combined["meta"]["total"] is None
    assert combined["links"]["last"] is None


def test_a_combination_stops_at_the_cap_and_hands_over_a_cursor(world, items_read):  # noqa: F811
    from platform_api.domain.resources import SCAN_CAP

    _grow(world.alice_ns, world.alice_id, 1200)
    drain_search_index()
    cost, body = _cost(items_read, "per_page=20&search=nothing-matches-this&sort=name")
    assert body["data"] == []
    assert body["meta"]["next_cursor"]  # the client can go on from where the cap stopped
    assert cost <= SCAN_CAP + 5
    seen: set[str] = set()
    cursor, pages = None, 0
    while True:
        query = "per_page=20&search=zebra" + (f"&cursor={cursor}" if cursor else "")
        cost, body = _cost(items_read, query)
        assert cost <= SCAN_CAP + 5
        ids = [d["id"] for d in body["data"]]
        assert not seen.intersection(ids)
        seen.update(ids)
        cursor, pages = body["meta"]["next_cursor"], pages + 1
        if not cursor:
            break
    assert len(seen) == 24  # every 50th of 1,200, each once


def test_the_backfill_indexes_old_items_once_and_lists_then_see_them(world):  # noqa: F811
    from platform_api.dal import backfill
    from platform_api.dal import resources as dal

    for i in range(3):
        created = call("POST", "/v1/resources", token=alice(), body={"name": f"Old {i}", "type": "legacy"})
        assert created.status == 201
    # as a table written before the indexes holds them: no index attributes, no entries, no tallies
    for item in dal.ResourceItem.query(dal.pk(world.alice_ns), dal.ResourceItem.SK.startswith(dal.SK_PREFIX)):
        for attribute in ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"):
            setattr(item, attribute, None)
        item.save()
        for key in dal.entries_of(item):
            dal.entry(*key).delete()
    for field, value in (("type", "legacy"), ("status", "active")):
        dal.TallyItem(*dal.tally_key(world.alice_ns, field, value)).delete()
    assert call("GET", "/v1/resources", token=alice(), query="type=legacy").json["data"] == []

    assert backfill.run(page_size=2)["resources"] == 3
    assert backfill.run()["resources"] == 0  # idempotent: nothing left to do
    listed = call("GET", "/v1/resources", token=alice(), query="type=legacy&sort=name")
    assert [d["name"] for d in listed.json["data"]] == ["Old 0", "Old 1", "Old 2"]
    assert call("GET", "/v1/resources", token=alice(), query="type=legacy").json["meta"]["total"] == 3
    assert len(call("GET", "/v1/resources", token=alice(), query="sort=-updated_at").json["data"]) == 3
    # no stream was drained here: the search entries are the backfill's (resources from before the indexer)
    assert len(call("GET", "/v1/resources", token=alice(), query="search=old").json["data"]) == 3
