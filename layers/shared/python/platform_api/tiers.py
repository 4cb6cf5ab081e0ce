"""Rate-limit tiers (configuration): a 10-second burst (document 004), requests per minute (document 000) and
per hour (document 004).

RATE_LIMITS_JSON (same shape, any subset of tiers and windows) replaces values per deployment; `enterprise`'s
hour and burst are the configurable values document 004 leaves open. An operator may also give one account
custom limits (`custom_limits` on the user, docs/operators.md), which replace its tier's window by window.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache

ORDER = ("free", "pro", "business", "enterprise")
WINDOWS = ("burst", "minute", "hour")
BURST_SECONDS = 10
_DEFAULT = {
    "free": {"burst": 50, "minute": 60, "hour": 1_000},
    "pro": {"burst": 200, "minute": 600, "hour": 10_000},
    "business": {"burst": 500, "minute": 3_000, "hour": 50_000},
    "enterprise": {"burst": 1_000, "minute": 6_000, "hour": 100_000},
}


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, int]]:
    raw = os.environ.get("RATE_LIMITS_JSON")
    overrides = json.loads(raw) if raw else {}
    return {tier: {**_DEFAULT[tier], **overrides.get(tier, {})} for tier in ORDER}


def limits(tier: str, custom: Mapping[str, int] | None = None) -> dict[str, int]:
    """The windows of a tier (unknown tiers count as free), with an account's custom limits laid over them."""
    base = table().get(tier, table()["free"])
    if not custom:
        return dict(base)
    return {window: int(custom.get(window) or base[window]) for window in WINDOWS}


def at_most(requested: str, ceiling: str) -> bool:
    return ORDER.index(requested) <= ORDER.index(ceiling)
