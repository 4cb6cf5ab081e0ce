"""GET /v1/usage: the caller's rate-limit windows, API calls this month, and per-namespace entitlements.

Cost (docs/data-model.md): the caller's current window (1 GetItem), this month's session calls (1 Query on
the user's hour items), the user's keys (1 Query + 1 BatchGetItem), the visible namespaces (1 Query each
for personal and per workspace) and their counters (1 Query per namespace, 8 in flight at a time).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from platform_api.dal import api_keys as api_keys_dal
from platform_api.dal import entitlements as entitlements_dal
from platform_api.dal import ratelimit
from platform_api.domain import auth, entitlements, namespaces
from platform_api.principal import Principal
from platform_api.timeutil import isoformat, utcnow

MAX_NAMESPACES = 50  # the usage summary covers at most this many namespaces; GET /v1/namespaces/{id} has each


def _period(now: datetime) -> dict[str, str]:
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    return {"start": isoformat(start), "end": isoformat(end)}


def _api_calls(principal: Principal) -> dict[str, Any]:
    """The user's own windows count every request, by session or by any key (docs/auth.md); each key also
    counts its own. So `this_month` is the user's count, and `sessions` what no live key accounts for."""
    everything = ratelimit.session_calls_this_month(principal.user_id)
    keys = [entry.key_id for entry in api_keys_dal.list_for(principal.user_id)]
    by_key = {
        key_id: ratelimit.key_calls_this_month(item) for key_id, item in api_keys_dal.raw_credentials(keys).items()
    }
    return {
        "this_month": everything,
        "sessions": max(0, everything - sum(by_key.values())),
        "api_keys": [{"id": key_id, "calls": calls} for key_id, calls in sorted(by_key.items())],
    }


def _namespace_usage(principal: Principal) -> list[dict[str, Any]]:
    visible = namespaces.list_visible(principal, None)[:MAX_NAMESPACES]
    out = []
    for namespace, counters in zip(
        visible, entitlements_dal.counters_of([namespace["id"] for namespace in visible]), strict=True
    ):
        out.append(
            {
                "id": namespace["id"],
                "name": namespace["name"],
                "owner_type": namespace["owner_type"],
                "workspace_id": namespace["workspace_id"],
                "entitlements": entitlements.summarize(counters),
            }
        )
    return out


def summary(principal: Principal) -> dict[str, Any]:
    now = utcnow()
    return {
        "period": _period(now),
        "rate_limit": auth.rate_limit_status(principal),
        "api_calls": _api_calls(principal),
        "namespaces": _namespace_usage(principal),
    }
