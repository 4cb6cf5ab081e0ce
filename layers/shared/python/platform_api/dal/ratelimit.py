"""Rate-limit windows, counted in the same single UpdateItem that proves the credential still valid.

Sessions (JWT): one small item per user and hour, `PK=RATE#<usr>`, `SK=H#<epoch hour>`, holding the hour's
count `hc`, one count per minute `m<minute of hour>`, one per 10-second burst slot `b<slot of hour>` (each
update removes the five slots before its own, so the item keeps about a minute of them), and `revoked`: the
sessions logged out (or whose refresh family was revoked) while their access tokens may still be alive.
Access tokens live one hour, so anything written into this hour's and the next hour's item reaches every
token issued before it: revocations, and `lb`/`lm`/`lh`, the limits an operator's tier or custom-limit change
set (they replace the limits the token carries; docs/operators.md). Every request of a user, by session or
by API key, counts here, so the user's windows hold across all their credentials.
The hour items live 35 days, so this month's calls are one Query on the user's partition (GET /v1/usage).
The same update meters the request: `n#<hint>` counts the hour's requests that named a namespace or workspace
(or the personal namespace); the metering consumer adds them to the namespace's month (dal.metering).

API keys: the counters live on the key item itself (`w` the hour counted, `hc` its count, `m<minute of
hour>`), and the condition checks the secret's hash, revocation, expiry and both windows against the
limits stored on the key: one call, one item under 1 KB (in no index), 1 WCU. The first request of each
hour takes a second update that starts the new hour and folds the finished hour into the month's count
(`mo` for month `mon`), so a key's monthly calls need no extra write either.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from platform_api.db import TableItem, TtlMixin, client, table_name
from platform_api.tiers import BURST_SECONDS
from platform_api.timeutil import isoformat, utcnow
from platform_api.unit_of_work import UnitOfWork

RETENTION_SECONDS = 35 * 24 * 3600  # the hour items make up the monthly usage figure
METER_PREFIX = "n#"  # `n#<namespace or workspace id>`: the hour's requests that named it (domain.metering)
MAX_NAMED_PER_HOUR = 32  # distinct tenants a user's hour item meters by name (`nh`); ~2 KB at most


@dataclass(frozen=True)
class Windows:
    minute_used: int
    minute_limit: int
    hour_used: int
    hour_limit: int
    now: int
    burst_used: int = 0
    burst_limit: int | None = None  # API key items count no burst: their owner's hour item does
    tier: str | None = None  # the tier an operator's change left on the hour item (newer than the token's)

    @property
    def minute_reset(self) -> int:
        return (self.now // 60 + 1) * 60

    @property
    def hour_reset(self) -> int:
        return (self.now // 3600 + 1) * 3600

    @property
    def burst_reset(self) -> int:
        return (self.now // BURST_SECONDS + 1) * BURST_SECONDS

    def _all(self) -> list[tuple[int, int, int]]:
        windows = [
            (self.minute_limit, max(0, self.minute_limit - self.minute_used), self.minute_reset),
            (self.hour_limit, max(0, self.hour_limit - self.hour_used), self.hour_reset),
        ]
        if self.burst_limit is not None:
            windows.insert(0, (self.burst_limit, max(0, self.burst_limit - self.burst_used), self.burst_reset))
        return windows

    def closest(self) -> tuple[int, int, int]:
        """(limit, remaining, reset) of the window closest to exhaustion (on a tie, the one resetting last)."""
        return min(self._all(), key=lambda window: (window[1], -window[2]))

    def exhausted_retry_after(self) -> int:
        """Seconds until every exhausted window has reset."""
        resets = [reset for _, remaining, reset in self._all() if remaining <= 0]
        return max(resets, default=self.burst_reset) - self.now


class ConditionFailed(Exception):
    def __init__(self, old_item: dict[str, Any] | None):
        super().__init__("condition failed")
        self.old_item = old_item or {}


def _number(item: dict[str, Any], name: str) -> int:
    return int(item.get(name, {}).get("N", "0"))


def _update(**kwargs: Any) -> dict[str, Any]:
    try:
        return (
            client()
            .update_item(TableName=table_name(), ReturnValuesOnConditionCheckFailure="ALL_OLD", **kwargs)
            .get("Attributes", {})
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ConditionFailed(exc.response.get("Item")) from None
        raise


def session_key(user_id: str, hour: int) -> dict[str, Any]:
    return {"PK": {"S": f"RATE#{user_id}"}, "SK": {"S": f"H#{hour:010d}"}}


def api_key_key(key_id: str) -> dict[str, Any]:
    """The API key's credential item (dal.api_keys.ApiKeyItem), which also holds its rate windows."""
    return {"PK": {"S": f"KEY#{key_id}"}, "SK": {"S": "KEY"}}


def month_of_hour(hour: int) -> int:
    """202611 for any epoch hour in November 2026."""
    moment = datetime.fromtimestamp(hour * 3600, tz=UTC)
    return moment.year * 100 + moment.month


def month_start_hour(now: int) -> int:
    moment = datetime.fromtimestamp(now, tz=UTC)
    return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp()) // 3600


def session_calls_this_month(user_id: str) -> int:
    """Sum of the user's hour counts since the month began: one Query (paged past 1 MB, ~60 KB a month)."""
    now = int(utcnow().timestamp())
    total, start = 0, None
    while True:
        kwargs: dict[str, Any] = {
            "TableName": table_name(),
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :first AND :last",
            "ProjectionExpression": "hc",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"RATE#{user_id}"},
                ":first": {"S": f"H#{month_start_hour(now):010d}"},
                ":last": {"S": f"H#{now // 3600:010d}"},
            },
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = client().query(**kwargs)
        total += sum(_number(item, "hc") for item in page.get("Items", []))
        start = page.get("LastEvaluatedKey")
        if not start:
            return total


def key_calls_this_month(item: dict[str, Any], now: int | None = None) -> int:
    """A key item's calls this month: the finished hours folded into `mo`, plus the current hour's."""
    now = now if now is not None else int(utcnow().timestamp())
    month = month_of_hour(now // 3600)
    folded = _number(item, "mo") if _number(item, "mon") == month else 0
    hour = _number(item, "w")
    return folded + (_number(item, "hc") if hour and month_of_hour(hour) == month else 0)


def count_session(
    user_id: str,
    session_id: str,
    limits: Mapping[str, int],
    meter: str | None = None,
    named: str | None = None,
) -> Windows:
    """Count one request of a user (by session, or by API key with the key id as `session_id`) against
    `limits` (burst, minute, hour), or against the limits an operator's change left on the hour item.
    Raises ConditionFailed (old item attached) when revoked or over a window.

    Metering (docs/data-model.md, API-call metering): the same update adds one to `n#<tenant>`, the tenant the
    request `named` (a well-formed namespace or workspace id, domain.metering.hint), else `meter` (the
    credential's personal namespace). A named tenant also joins the hour's set `nh`, at most
    MAX_NAMED_PER_HOUR of them: an hour item cannot be grown without bound by made-up ids. Past that, the
    request counts in `meter` instead (one more, failed, conditional write: only for a caller naming that many
    tenants in one hour)."""
    if named is None or named == meter:
        return _count_hour(session_key, user_id, limits, session_id, meter)
    try:
        return _count_hour(session_key, user_id, limits, session_id, named, capped=True)
    except ConditionFailed as failed:
        seen = failed.old_item.get("nh", {}).get("SS", [])
        if named in seen or len(seen) < MAX_NAMED_PER_HOUR:
            raise  # not the cap: revoked, or a full window
        return _count_hour(session_key, user_id, limits, session_id, meter)


def address_key(source_ip: str, hour: int) -> dict[str, Any]:
    """A source address's hour of requests without a valid credential (`RATE#IP#<ip>`: no user id starts IP#)."""
    return session_key(f"IP#{source_ip}", hour)


def count_address(source_ip: str, limits: Mapping[str, int]) -> Windows:
    """Count one request without a valid credential from `source_ip`; raises ConditionFailed when over."""
    return _count_hour(address_key, source_ip, limits, None)


def _slot(now: int) -> int:
    """The 10-second burst slot of the hour, 0..359."""
    return (now % 3600) // BURST_SECONDS


def _under(counter: str, override: str, value: str) -> str:
    """`counter` is below the operator's override when one is set, else below the limit the caller brought."""
    return (
        f"(attribute_not_exists({counter}) OR (attribute_exists({override}) AND {counter} < {override}) "
        f"OR (attribute_not_exists({override}) AND {counter} < {value}))"
    )


def _count_hour(
    key_of: Callable[[str, int], dict[str, Any]],
    subject: str,
    limits: Mapping[str, int],
    session_id: str | None,
    meter: str | None = None,
    *,
    capped: bool = False,
) -> Windows:
    now = int(utcnow().timestamp())
    hour, slot = now // 3600, _slot(now)
    condition = " AND ".join((_under("hc", "lh", ":hl"), _under("#m", "lm", ":ml"), _under("#b", "lb", ":bl")))
    values: dict[str, Any] = {
        ":one": {"N": "1"},
        ":hl": {"N": str(limits["hour"])},
        ":ml": {"N": str(limits["minute"])},
        ":bl": {"N": str(limits["burst"])},
        ":ttl": {"N": str((hour + 1) * 3600 + RETENTION_SECONDS)},
    }
    if session_id is not None:
        condition += " AND NOT contains(revoked, :sid)"
        values[":sid"] = {"S": session_id}
    earlier = [f"b{s}" for s in range(max(0, slot - 5), slot)]
    names = {"#m": f"m{(now // 60) % 60}", "#b": f"b{slot}", "#ttl": "ttl"}
    names.update({f"#p{i}": name for i, name in enumerate(earlier)})
    remove = (" REMOVE " + ", ".join(f"#p{i}" for i in range(len(earlier)))) if earlier else ""
    metered = ""
    if meter is not None:
        names["#n"] = f"{METER_PREFIX}{meter}"
        metered = ", #n :one"
        if capped:
            condition += " AND (attribute_not_exists(nh) OR contains(nh, :named) OR size(nh) < :named_cap)"
            values.update({":named": {"S": meter}, ":named_set": {"SS": [meter]}})
            values[":named_cap"] = {"N": str(MAX_NAMED_PER_HOUR)}
            metered += ", nh :named_set"
    attributes = _update(
        Key=key_of(subject, hour),
        UpdateExpression=f"ADD hc :one, #m :one, #b :one{metered} SET #ttl = if_not_exists(#ttl, :ttl){remove}",
        ConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return hour_windows(attributes, limits, now)


def hour_windows(item: dict[str, Any], limits: Mapping[str, int], now: int | None = None) -> Windows:
    """A user's (or address's) windows from its hour item; an operator's override on the item wins."""
    now = now if now is not None else int(utcnow().timestamp())

    def limit(override: str, window: str) -> int:
        return _number(item, override) if override in item else int(limits[window])

    return Windows(
        minute_used=_number(item, f"m{(now // 60) % 60}"),
        minute_limit=limit("lm", "minute"),
        hour_used=_number(item, "hc"),
        hour_limit=limit("lh", "hour"),
        now=now,
        burst_used=_number(item, f"b{_slot(now)}"),
        burst_limit=limit("lb", "burst"),
        tier=item.get("lt", {}).get("S"),
    )


class HourItem(TableItem, TtlMixin):
    """The typed face of a user's hour item, for the writes that go through a UnitOfWork (limit overrides);
    the per-request counting above stays one raw UpdateItem."""

    lt = UnicodeAttribute(null=True)
    lb = NumberAttribute(null=True)
    lm = NumberAttribute(null=True)
    lh = NumberAttribute(null=True)


def override_limits(uow: UnitOfWork, user_id: str, tier: str, limits: Mapping[str, int]) -> None:
    """Make `limits` hold for every live credential of the user from their next request: written into this
    hour's and the next hour's item, which every access token issued before now counts in (tokens live an
    hour; later ones carry the new limits themselves)."""
    hour = int(utcnow().timestamp()) // 3600
    for index in (hour, hour + 1):
        key = session_key(user_id, index)
        uow.update(
            HourItem(key["PK"]["S"], key["SK"]["S"]),
            [
                HourItem.lt.set(tier),
                HourItem.lb.set(limits["burst"]),
                HourItem.lm.set(limits["minute"]),
                HourItem.lh.set(limits["hour"]),
                HourItem.ttl.set(HourItem.ttl | (index + 1) * 3600 + RETENTION_SECONDS),
            ],
        )


def is_revoked(old_item: dict[str, Any], session_id: str) -> bool:
    return session_id in old_item.get("revoked", {}).get("SS", [])


def revoke_session(user_id: str, session_id: str) -> None:
    """Make the session's live access tokens fail on their next request (this hour's and next hour's items)."""
    hour = int(utcnow().timestamp()) // 3600
    for index in (hour, hour + 1):
        client().update_item(
            TableName=table_name(),
            Key=session_key(user_id, index),
            UpdateExpression="ADD revoked :sid SET #ttl = if_not_exists(#ttl, :ttl)",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues={
                ":sid": {"SS": [session_id]},
                ":ttl": {"N": str((index + 1) * 3600 + RETENTION_SECONDS)},
            },
        )


KEY_VALID = (
    "attribute_exists(PK) AND secret_hash = :hash AND attribute_not_exists(revoked_at) "
    "AND (attribute_not_exists(expires_epoch) OR expires_epoch > :now)"
)
_MINUTE_ATTRIBUTE = re.compile(r"^m[0-9]{1,2}$")


def key_usable(item: dict[str, Any], secret_hash: str, now: int | None = None) -> bool:
    """Whether a key item (e.g. the ALL_OLD of a failed update) is a live key with this secret."""
    now = now if now is not None else int(utcnow().timestamp())
    expires = int(item.get("expires_epoch", {}).get("N", "0") or 0)
    return (
        bool(item)
        and hmac.compare_digest(item.get("secret_hash", {}).get("S", ""), secret_hash)
        and "revoked_at" not in item
        and (not expires or expires > now)
    )


def count_api_key(key_id: str, secret_hash: str, *, attempts: int = 4) -> tuple[dict[str, Any], Windows]:
    """Prove the key (hash, not revoked, not expired) and count one request against its limits.

    Steady state: ONE UpdateItem on the key item. The windows are `w` (the hour being counted), `hc` (its
    count) and `m<minute of hour>` (per-minute counts). The first request of a new hour finds `w` stale:
    the condition fails, ALL_OLD names the old minute attributes, and a second update starts the hour and
    REMOVEs them, so the item never holds more than one hour of minutes. Raises ConditionFailed (with the
    old item) when the key is unusable or a window is full.
    """
    now = int(utcnow().timestamp())
    hour, minute_attribute = now // 3600, f"m{(now // 60) % 60}"
    key = api_key_key(key_id)
    values = {
        ":one": {"N": "1"},
        ":hash": {"S": secret_hash},
        ":now": {"N": str(now)},
        ":hour": {"N": str(hour)},
        ":now_iso": {"S": isoformat(utcnow())},
    }
    old: dict[str, Any] = {}
    for _ in range(attempts):
        try:
            attributes = _update(
                Key=key,
                UpdateExpression="SET last_used_at = :now_iso ADD hc :one, #m :one",
                ConditionExpression=(
                    f"{KEY_VALID} AND w = :hour AND hc < rl_hour AND (attribute_not_exists(#m) OR #m < rl_minute)"
                ),
                ExpressionAttributeNames={"#m": minute_attribute},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
            return attributes, key_windows(attributes, now)
        except ConditionFailed as failed:
            old = failed.old_item
            if not key_usable(old, secret_hash, now) or _number(old, "w") >= hour:
                raise  # unusable, or a window of the current hour is full
        stale = sorted(name for name in old if _MINUTE_ATTRIBUTE.match(name) and name != minute_attribute)
        names = {"#m": minute_attribute, **{f"#r{i}": name for i, name in enumerate(stale)}}
        remove = (" REMOVE " + ", ".join(f"#r{i}" for i in range(len(stale)))) if stale else ""
        # The finished hour joins the month's count; `hc = :old_hc` makes the fold exact under races.
        rollover = {
            **values,
            ":old_hc": {"N": str(_number(old, "hc"))},
            ":mo": {"N": str(key_calls_this_month(old, now))},
            ":mon": {"N": str(month_of_hour(hour))},
        }
        try:
            attributes = _update(
                Key=key,
                UpdateExpression=(
                    f"SET w = :hour, hc = :one, #m = :one, mo = :mo, mon = :mon, last_used_at = :now_iso{remove}"
                ),
                ConditionExpression=(
                    f"{KEY_VALID} AND (attribute_not_exists(w) OR w < :hour) "
                    "AND (attribute_not_exists(hc) OR hc = :old_hc)"
                ),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=rollover,
                ReturnValues="ALL_NEW",
            )
            return attributes, key_windows(attributes, now)
        except ConditionFailed as failed:
            old = failed.old_item
            if not key_usable(old, secret_hash, now):
                raise
            # another request started this hour first: count in it (loop)
    raise ConditionFailed(old)


def key_windows(item: dict[str, Any], now: int | None = None) -> Windows:
    """The key's windows as of `now`; counts of an earlier hour are zero."""
    now = now if now is not None else int(utcnow().timestamp())
    current = _number(item, "w") == now // 3600
    return Windows(
        _number(item, f"m{(now // 60) % 60}") if current else 0,
        _number(item, "rl_minute"),
        _number(item, "hc") if current else 0,
        _number(item, "rl_hour"),
        now,
    )


def hit(bucket: str, limit: int, window_seconds: int) -> int | None:
    """A plain fixed-window counter (login and registration per email and per IP).
    Returns None when allowed, else the seconds until the window resets."""
    now = int(utcnow().timestamp())
    window = now // window_seconds
    try:
        _update(
            Key={"PK": {"S": f"RATE#{bucket}#{window}"}, "SK": {"S": "RATE"}},
            UpdateExpression="ADD c :one SET #ttl = if_not_exists(#ttl, :ttl)",
            ConditionExpression="attribute_not_exists(c) OR c < :limit",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":ttl": {"N": str((window + 1) * window_seconds + 300)},
            },
            ReturnValues="NONE",
        )
    except ConditionFailed:
        return (window + 1) * window_seconds - now
    return None


def get_raw(key: dict[str, Any]) -> dict[str, Any]:
    return client().get_item(TableName=table_name(), Key=key).get("Item") or {}
