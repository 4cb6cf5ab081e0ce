"""The package catalogue (configuration, not code paths): what each package grants a namespace.

A namespace's entitlements are the sum of its active packages' limits. PACKAGES_JSON (a JSON object of
the same shape) replaces the catalogue per deployment.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

GIB = 1024**3
FEATURES = ("storage", "api_calls", "resources", "members", "webhooks", "namespaces")
UNITS = {"storage": "bytes", "api_calls": "calls per month"}
DEFAULT_PACKAGE = "pkg_free"
# The package a tier carries on the account's default namespace (a user's personal one, a workspace's
# default one); an operator's tier change swaps it (domain.plans).
TIER_PACKAGES = {"free": "pkg_free", "pro": "pkg_pro", "business": "pkg_business", "enterprise": "pkg_business"}

_CATALOGUE = {
    "pkg_free": {
        "name": "Free Package",
        "limits": {
            "storage": 1 * GIB,
            "api_calls": 10_000,
            "resources": 1_000,
            "members": 5,
            "webhooks": 5,
            "namespaces": 3,
        },
    },
    "pkg_starter": {
        "name": "Starter Package",
        "limits": {
            "storage": 5 * GIB,
            "api_calls": 10_000,
            "resources": 10_000,
            "members": 10,
            "webhooks": 10,
            "namespaces": 10,
        },
    },
    "pkg_pro": {
        "name": "Pro Package",
        "limits": {
            "storage": 50 * GIB,
            "api_calls": 1_000_000,
            "resources": 100_000,
            "members": 50,
            "webhooks": 50,
            "namespaces": 50,
        },
    },
    "pkg_business": {
        "name": "Business Package",
        "limits": {
            "storage": 500 * GIB,
            "api_calls": 10_000_000,
            "resources": 1_000_000,
            "members": 500,
            "webhooks": 200,
            "namespaces": 500,
        },
    },
}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict]:
    raw = os.environ.get("PACKAGES_JSON")
    return json.loads(raw) if raw else _CATALOGUE


def limits_of(package_ids: list[str]) -> dict[str, int]:
    totals = dict.fromkeys(FEATURES, 0)
    for package_id in package_ids:
        for feature, limit in catalogue()[package_id]["limits"].items():
            totals[feature] = totals.get(feature, 0) + int(limit)
    return totals
