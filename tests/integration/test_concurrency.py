"""Limits hold exactly under concurrency: entitlements and rate limits are single conditional writes.

Threads call the domain functions directly against moto (never handlers: Powertools keeps the current
event on a class attribute, so handlers are not safe to share between threads).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from platform_api import errors, tiers
from platform_api.dal import ratelimit
from platform_api.domain import entitlements
from platform_api.ids import new_id
from platform_api.unit_of_work import UnitOfWork

LIMITS = {"burst": 60, "minute": 60, "hour": 1000}


def _namespace_with_limit(feature: str, limit: int) -> str:
    namespace_id = new_id("ns")
    for item in entitlements.new_counters(namespace_id):
        if f"ENTITLEMENT#{feature}" == item.SK:
            item.remaining = limit
        item.save()
    return namespace_id


def test_fifty_concurrent_consumers_against_a_limit_of_ten(aws):
    namespace_id = _namespace_with_limit("resources", 10)
    refused: list = []

    def consume(_: int) -> bool:
        try:
            with UnitOfWork() as uow:
                entitlements.consume(uow, namespace_id, "resources")
        except errors.ApiError as exc:
            refused.append(exc)
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(consume, range(50)))
    assert outcomes.count(True) == 10
    assert len(refused) == 40
    assert all(isinstance(error, errors.LimitExceeded) for error in refused)
    assert entitlements.usage(namespace_id, "resources") == 10
    from platform_api.dal import entitlements as entitlements_dal

    summary = entitlements.summarize(entitlements_dal.counters(namespace_id))["resources"]
    assert summary == {"used": 10, "limit": 10}


def _count_in_parallel(user_id: str, session_id: str, limits: dict[str, int], calls: int) -> list[bool]:
    """`calls` requests of one session at once: which ones the single conditional update let through."""

    def request(_: int) -> bool:
        try:
            ratelimit.count_session(user_id, session_id, limits)
        except ratelimit.ConditionFailed:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(request, range(calls)))


def test_two_hundred_concurrent_requests_against_sixty_per_minute(aws, monkeypatch):
    frozen = datetime(2026, 1, 15, 10, 30, 5, tzinfo=UTC)  # one window for the whole run
    monkeypatch.setattr(ratelimit, "utcnow", lambda: frozen)
    user_id, session_id = new_id("usr"), new_id("ses")
    outcomes = _count_in_parallel(user_id, session_id, {"burst": 60, "minute": 60, "hour": 1000}, 200)
    assert outcomes.count(True) == 60
    item = ratelimit.get_raw(ratelimit.session_key(user_id, int(frozen.timestamp()) // 3600))
    assert item["hc"]["N"] == "60"


def test_a_hundred_parallel_requests_against_a_burst_of_fifty_let_exactly_fifty_through(aws, monkeypatch):
    """Issue 14: the free tier's 10-second burst (document 004) holds in the same single conditional update."""
    frozen = datetime(2026, 1, 15, 10, 30, 1, tzinfo=UTC)  # one 10-second slot for the whole run
    monkeypatch.setattr(ratelimit, "utcnow", lambda: frozen)
    user_id, session_id = new_id("usr"), new_id("ses")
    limits = tiers.limits("free")
    assert limits["burst"] == 50
    assert _count_in_parallel(user_id, session_id, limits, 100).count(True) == 50
    item = ratelimit.get_raw(ratelimit.session_key(user_id, int(frozen.timestamp()) // 3600))
    assert item["hc"]["N"] == "50"
    # ten seconds later the burst window is new; the minute (60) still has 10 left
    monkeypatch.setattr(ratelimit, "utcnow", lambda: frozen + timedelta(seconds=10))
    assert _count_in_parallel(user_id, session_id, limits, 15).count(True) == 10


def test_revoked_session_fails_in_the_same_call(aws):
    user_id, session_id = new_id("usr"), new_id("ses")
    ratelimit.count_session(user_id, session_id, LIMITS)
    ratelimit.revoke_session(user_id, session_id)
    with pytest.raises(ratelimit.ConditionFailed) as failed:
        ratelimit.count_session(user_id, session_id, LIMITS)
    assert ratelimit.is_revoked(failed.value.old_item, session_id)
    assert ratelimit.count_session(user_id, new_id("ses"), LIMITS).minute_used == 2  # other sessions go on
