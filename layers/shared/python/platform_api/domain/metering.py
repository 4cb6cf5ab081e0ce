"""API-call metering: every authenticated tenant request counts against a namespace's monthly `api_calls`.

Three steps, none of them a second write on the request path (docs/data-model.md, "API-call metering"):

1. Attribution (`hint`): the rate-limit update every authenticated request already makes on the caller's hour
   item (`RATE#<usr>` / `H#<hour>`) also adds one to `n#<hint>`, the tenant the request names: the namespace
   (`X-Namespace-ID` / `namespace_id`), else the workspace (`X-Workspace-ID` / `workspace_id`), else a
   namespace or workspace id in the path, else the credential's personal namespace. Only a well-formed id
   (prefix + ULID) becomes an attribute name. The hint is not verified there.
2. Aggregation (`aggregate`, run by functions/metering on the table's stream): each hour-item record's new
   minus old `n#` counts, the hints resolved to a namespace the user may act in (a workspace to its default
   namespace; an unknown or foreign hint to the user's own personal namespace, so naming someone else's
   namespace never spends their quota), summed per namespace and month and added to the namespace's month
   item exactly once (dal.metering.add).
3. Reading and enforcing: the month item's `used` is the `api_calls` figure (domain.entitlements.summarize);
   `over_limit` refuses tenant-scoped requests in a namespace whose month reached its limit (429
   `limit_exceeded`), from a per-container cache of one Query per namespace every CACHE_SECONDS.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from platform_api import errors
from platform_api.dal import metering as dal
from platform_api.dal import namespaces as namespaces_dal
from platform_api.dal import users as users_dal
from platform_api.dal import workspaces as workspaces_dal
from platform_api.dal.ratelimit import METER_PREFIX, month_of_hour
from platform_api.timeutil import utcnow

_ID = re.compile(r"^(ns|wks)_[0-9A-HJKMNP-TV-Z]{26}$")  # prefix + ULID (Crockford base32)
_PATH = re.compile(r"^/v1/(namespaces|workspaces)/([^/]+)")
CACHE_SECONDS = 30.0  # how long a container trusts a namespace's measured month (the overshoot bound)


# ---------------------------------------------------------------------------------------------- 1. attribution
def well_formed(value: Any) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


def hint(event: Mapping[str, Any]) -> str | None:
    """The tenant a request names, for its `n#<hint>` count: a well-formed namespace or workspace id, or None
    for the credential's personal namespace (also when what it names is not a well-formed id). Costs nothing:
    it reads the event only."""
    from platform_api.domain.tenancy import named_tenant

    namespace_id, workspace_id = named_tenant(event)
    found = _PATH.match(str(event.get("path") or ""))
    for candidate in (namespace_id, workspace_id, found.group(2) if found else None):
        if candidate:
            return candidate if well_formed(candidate) else None
    return None


# ---------------------------------------------------------------------------------------------- 2. aggregation
@dataclass
class _Resolver:
    """Hint -> namespace for one user, each lookup cached for the batch."""

    cache: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def personal(self, user_id: str) -> str | None:
        key = (user_id, "")
        if key not in self.cache:
            user = users_dal.get_item(user_id)
            self.cache[key] = user.default_namespace_id if user else None
        return self.cache[key]

    def resolve(self, user_id: str, named: str) -> str | None:
        key = (user_id, named)
        if key not in self.cache:
            self.cache[key] = self._lookup(user_id, named)
        return self.cache[key] or self.personal(user_id)

    def _lookup(self, user_id: str, named: str) -> str | None:
        if named.startswith("wks_"):
            if workspaces_dal.get_member(named, user_id) is None:
                return None
            workspace = workspaces_dal.get(named)
            return workspace.default_namespace_id if workspace else None
        namespace = namespaces_dal.get_namespace(named)
        if namespace is None:
            return None
        if namespace.owner_type == "User":
            return named if namespace.owner_id == user_id else None
        if namespace.workspace_id and workspaces_dal.get_member(namespace.workspace_id, user_id) is not None:
            return named
        return None


@dataclass
class Contribution:
    """One namespace's share of a batch for one month: user -> [(sequence, calls)], and the batch records
    (their sequence numbers as delivered) it came from, to report if the add fails."""

    by_user: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    records: list[str] = field(default_factory=list)


def _counts(image: Mapping[str, Any] | None) -> dict[str, int]:
    return {
        name.removeprefix(METER_PREFIX): int(value.get("N", "0"))
        for name, value in (image or {}).items()
        if name.startswith(METER_PREFIX) and "N" in value
    }


def contributions(records: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], Contribution]:
    """(namespace, month) -> its calls in these stream records of users' hour items (`RATE#<usr>` / `H#<hour>`)."""
    resolver = _Resolver()
    out: dict[tuple[str, int], Contribution] = defaultdict(Contribution)
    for record in records:
        change = record.get("dynamodb") or {}
        keys = change.get("Keys") or {}
        partition, sort = keys.get("PK", {}).get("S", ""), keys.get("SK", {}).get("S", "")
        user_id = partition.removeprefix("RATE#")
        if not partition.startswith("RATE#usr_") or not sort.startswith("H#"):
            continue  # the event source's filter already drops these
        month = month_of_hour(int(sort.removeprefix("H#")))
        new, old = _counts(change.get("NewImage")), _counts(change.get("OldImage"))
        raw_sequence = str(change.get("SequenceNumber", ""))
        per_namespace: dict[str, int] = defaultdict(int)
        for named, count in new.items():
            calls = count - old.get(named, 0)
            if calls <= 0:
                continue
            namespace_id = resolver.resolve(user_id, named) if well_formed(named) else resolver.personal(user_id)
            if namespace_id:
                per_namespace[namespace_id] += calls
        for namespace_id, calls in per_namespace.items():
            share = out[(namespace_id, month)]
            share.by_user[user_id].append((dal.sequence(raw_sequence), calls))
            share.records.append(raw_sequence)
    return out


def aggregate(records: list[Mapping[str, Any]]) -> list[str]:
    """Add a stream batch's calls to their namespaces' months; returns the sequence numbers of the records
    whose namespace could not be updated (the earliest is where the event source retries from: the adds
    that did succeed are not counted twice, dal.metering.add)."""
    failed: list[str] = []
    for (namespace_id, month), share in contributions(records).items():
        try:
            dal.add(namespace_id, month, share.by_user)
        except Exception:
            from platform_api.observability import logger

            logger.exception("metering: adding calls failed", extra={"namespace_id": namespace_id, "month": month})
            failed.extend(share.records)
    return failed


# ---------------------------------------------------------------------------------------------- 3. enforcing
_seen: dict[tuple[str, int], tuple[float, int, int]] = {}  # (namespace, month) -> (read at, used, limit)


def month_usage(namespace_id: str) -> tuple[int, int, int]:
    """(used, limit, month) of the namespace's calls this month, read at most once per CACHE_SECONDS per
    container (one Query: dal.metering.used_and_limit)."""
    month = dal.month_of(utcnow())
    key = (namespace_id, month)
    cached = _seen.get(key)
    now = time.monotonic()
    if cached is None or now - cached[0] >= CACHE_SECONDS:
        if len(_seen) > 10_000:
            _seen.clear()
        used, limit = dal.used_and_limit(namespace_id, month)
        cached = _seen[key] = (now, used, limit)
    return cached[1], cached[2], month


def require_within_month(namespace_id: str) -> None:
    """429 `limit_exceeded` when the namespace's measured calls this month reached its `api_calls` limit;
    Retry-After is the time left until the month resets."""
    used, limit, month = month_usage(namespace_id)
    if used < limit:
        return
    reset = dal.month_end(month)
    raise errors.MonthlyLimitExceeded(
        int(reset.timestamp() - utcnow().timestamp()),
        f"The namespace used its {limit:,} API calls for this month; the count resets at "
        f"{reset.strftime('%Y-%m-%dT%H:%M:%SZ')}.",
        details={"api_calls": ["Monthly limit reached."]},
    )
