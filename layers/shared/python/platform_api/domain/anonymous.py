"""The rate window of a request without a valid credential: public routes (health, register, login, refresh,
the docs) and refused credentials (401), counted per source address.

The reconciliation puts `X-RateLimit-*` on every response; a caller with no credential has no tier, so its
window is its address's, with limits of its own (configuration, like every limit). Login and registration keep
their stricter guards per email and per address (domain.auth) inside this window.
"""

from __future__ import annotations

import os

from platform_api import errors
from platform_api.dal import ratelimit

PER_MINUTE = int(os.environ.get("ANONYMOUS_REQUESTS_PER_IP_PER_MINUTE", "60"))
PER_HOUR = int(os.environ.get("ANONYMOUS_REQUESTS_PER_IP_PER_HOUR", "1000"))
# No tier, so no burst of its own: the 10-second window is as wide as the minute and never the tighter one.
LIMITS = {"burst": PER_MINUTE, "minute": PER_MINUTE, "hour": PER_HOUR}


def count(source_ip: str) -> tuple[int, int, int]:
    """Count one request from `source_ip`: (limit, remaining, reset) of its window closest to exhaustion;
    RateLimitExceeded (naming that window) when a window is full."""
    try:
        windows = ratelimit.count_address(source_ip or "unknown", LIMITS)
    except ratelimit.ConditionFailed as failed:
        windows = ratelimit.hour_windows(failed.old_item, LIMITS)
        raise errors.RateLimitExceeded(windows.exhausted_retry_after(), window=windows.closest()) from None
    return windows.closest()
