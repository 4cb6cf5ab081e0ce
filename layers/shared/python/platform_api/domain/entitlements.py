"""Entitlements: what a namespace may consume, enforced atomically inside the writer's transaction.

with UnitOfWork() as uow:
    uow.put(resource_item)
    entitlements.consume(uow, namespace_id, "resources")   # LimitExceeded, and nothing written, at the limit
"""

from __future__ import annotations

from typing import Any

from platform_api import errors
from platform_api.dal import entitlements as dal
from platform_api.dal import metering as metering_dal
from platform_api.db import number_map
from platform_api.packages import DEFAULT_PACKAGE, FEATURES, GIB, UNITS, catalogue, limits_of
from platform_api.timeutil import utcnow
from platform_api.unit_of_work import UnitOfWork


def _known(feature: str) -> str:
    if feature not in FEATURES:
        message = f"Unknown feature '{feature}'. Features: {', '.join(FEATURES)}."
        raise errors.InvalidRequest(message, details={"feature": [message]})
    return feature


def new_counters(namespace_id: str, package_ids: tuple[str, ...] = (DEFAULT_PACKAGE,)) -> list[Any]:
    """The entitlement items of a new namespace, to save in the namespace's creation transaction."""
    limits = limits_of(list(package_ids))
    items: list[Any] = [
        dal.PackagesItem(
            *dal.packages_key(namespace_id),
            packages=[dal.PackageGrant(package_id=p, expires_at=None) for p in package_ids],
        )
    ]
    for feature in FEATURES:
        items.append(dal.CounterItem(*dal.counter_key(namespace_id, feature), used=0, remaining=limits[feature]))
    return items


def consume(uow: UnitOfWork, namespace_id: str, feature: str, quantity: int = 1) -> None:
    """Take `quantity` of the feature in the caller's transaction; at the limit it is cancelled with LimitExceeded."""
    message = f"The namespace's {feature} limit would be exceeded."
    uow.update(
        dal.CounterItem(*dal.counter_key(namespace_id, _known(feature))),
        [dal.CounterItem.used.add(quantity), dal.CounterItem.remaining.add(-quantity)],
        condition=dal.CounterItem.remaining >= quantity,
        on_conflict=errors.LimitExceeded(message, details={feature: ["Limit exceeded."]}, extra={"feature": feature}),
    )


def release(uow: UnitOfWork, namespace_id: str, feature: str, quantity: int = 1) -> None:
    uow.update(
        dal.CounterItem(*dal.counter_key(namespace_id, _known(feature))),
        [dal.CounterItem.used.add(-quantity), dal.CounterItem.remaining.add(quantity)],
        condition=dal.CounterItem.PK.exists(),
        on_conflict=errors.NotFound("The namespace was not found."),
    )


def usage(namespace_id: str, feature: str) -> int:
    counter = dal.get_counter(namespace_id, _known(feature))
    return int(counter.used) if counter else 0


def summarize(counters: dict[str, dal.CounterItem]) -> dict[str, Any]:
    """Each feature's used and limit. `api_calls` is measured (domain.metering): its used is this month's item
    (`api_calls#<yyyymm>`, which the counters' Query returns with them), its limit the counter's used +
    remaining as the packages set it, and `reset_at` the first instant of next month (UTC)."""
    out: dict[str, Any] = {}
    month = metering_dal.month_of(utcnow())
    for feature in FEATURES:
        counter = counters.get(feature)
        used = int(counter.used) if counter else 0
        entry: dict[str, Any] = {"used": used, "limit": used + (int(counter.remaining) if counter else 0)}
        if feature in UNITS:
            entry["unit"] = UNITS[feature]
        if feature == "api_calls":
            measured = counters.get(metering_dal.month_feature(month))
            entry["used"] = int(measured.used) if measured else 0
            entry["reset_at"] = metering_dal.month_end(month).strftime("%Y-%m-%dT%H:%M:%SZ")
        out[feature] = entry
    return out


def packages_of(namespace_id: str) -> list[dict[str, Any]]:
    return describe_packages(dal.get_packages(namespace_id))


def describe_packages(item: dal.PackagesItem | None) -> list[dict[str, Any]]:
    return describe_grants(item.packages if item else [])


def describe_grants(grants: list[dal.PackageGrant]) -> list[dict[str, Any]]:
    return [{"id": g.package_id, "name": catalogue()[g.package_id]["name"], "expires_at": g.expires_at} for g in grants]


def custom_of(item: dal.PackagesItem | None) -> dict[str, int]:
    return number_map(item.custom if item else None)


def limits_for(grants: list[dal.PackageGrant], custom: dict[str, int]) -> dict[str, int]:
    """What a namespace may use: its grants' limits summed, with the operator's custom limits laid over them.
    A grant counts until the expiry sweeper removes it (within a minute of its `expires_at`)."""
    return {**limits_of([g.package_id for g in grants]), **custom}


def change_plan(
    uow: UnitOfWork,
    namespace_id: str,
    current: dal.PackagesItem | None,
    grants: list[dal.PackageGrant],
    custom: dict[str, int],
    *,
    must_fit: bool = True,
) -> dal.PackagesItem:
    """Replace a namespace's grants and custom limits in the caller's transaction, moving every counter's
    limit by the difference; returns the grants item as it will be written.

    With `must_fit`, a lower limit must still hold what is used (`remaining >= decrease`), else the change is
    a 409 naming the features. Without it (a grant that lapsed: nobody to answer), the limit drops anyway and
    `remaining` may go below zero: nothing more is consumed until usage falls under the limit again. The
    grants item's version makes concurrent changes serialize.
    """
    version = int(current.version or 0) if current else 0
    old = limits_for(current.packages if current else [], custom_of(current))
    new = limits_for(grants, custom)
    item = dal.PackagesItem(
        *dal.packages_key(namespace_id), packages=grants, custom=custom or None, version=version + 1
    )
    uow.put(
        item,
        condition=dal.PackagesItem.version.does_not_exist() | (dal.PackagesItem.version == version),
        on_conflict=errors.Conflict("The namespace's packages changed meanwhile; retry."),
    )
    for feature in FEATURES:
        delta = new.get(feature, 0) - old.get(feature, 0)
        if delta == 0:
            continue
        if delta < 0 and must_fit:
            condition: Any = dal.CounterItem.remaining >= -delta
            failure: Exception = errors.Conflict(
                "Current usage exceeds what the new plan allows.", details={feature: ["Usage above the new limit."]}
            )
        else:
            condition, failure = dal.CounterItem.PK.exists(), errors.NotFound("The namespace was not found.")
        uow.update(
            dal.CounterItem(*dal.counter_key(namespace_id, feature)),
            [dal.CounterItem.remaining.add(delta)],
            condition=condition,
            on_conflict=failure,
        )
    return item


def _gb(value: int) -> str:
    return f"{value / GIB:.2f} GB"


def check(counters: dict[str, dal.CounterItem], feature: str, quantity: int) -> dict[str, Any]:
    """POST /namespaces/{id}/entitlements/check, in document 004's shape, from the namespace's counters."""
    entry = summarize(counters)[_known(feature)]
    used, limit = entry["used"], entry["limit"]
    available = max(0, limit - used)
    allowed = quantity <= available
    label = feature.replace("_", " ").capitalize()
    fmt = _gb if feature == "storage" else str
    verdict = "within limit" if allowed else "limit exceeded"
    return {
        "allowed": allowed,
        "reason": None if allowed else "LIMIT_EXCEEDED",
        "message": f"{label} {verdict}. Used: {fmt(used)}, Available: {fmt(available)}, Requested: {fmt(quantity)}",
        "current_usage": used,
        "limit": limit,
        "available": available,
    }
