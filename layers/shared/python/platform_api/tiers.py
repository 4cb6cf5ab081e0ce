"""Rate-limit tiers (configuration): requests per minute (document 000) and per hour (document 004).

RATE_LIMITS_JSON (same shape) replaces the table per deployment; `enterprise` per hour is the
configurable value document 004 leaves open. Burst (004: 50/200/500) is API Gateway's stage guard.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

ORDER = ("free", "pro", "business", "enterprise")
_DEFAULT = {
    "free": {"minute": 60, "hour": 1_000},
    "pro": {"minute": 600, "hour": 10_000},
    "business": {"minute": 3_000, "hour": 50_000},
    "enterprise": {"minute": 6_000, "hour": 100_000},
}


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, int]]:
    raw = os.environ.get("RATE_LIMITS_JSON")
    return {**_DEFAULT, **json.loads(raw)} if raw else _DEFAULT


def limits(tier: str) -> dict[str, int]:
    return table().get(tier, table()["free"])


def at_most(requested: str, ceiling: str) -> bool:
    return ORDER.index(requested) <= ORDER.index(ceiling)
