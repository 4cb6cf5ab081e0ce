"""UTC timestamps in the contract's ISO 8601 form (`2025-01-15T10:00:00Z`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def isoformat(moment: datetime) -> str: ...
@overload
def isoformat(moment: None) -> None: ...
def isoformat(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return isoformat(utcnow())


def parse_iso(value: str) -> datetime:
    """Parse ISO 8601 (date or date-time, `Z` or offset); naive values are taken as UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
