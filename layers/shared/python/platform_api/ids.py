"""Opaque, prefixed, creation-time-sortable identifiers (`usr_01J...`)."""

from __future__ import annotations


def new_id(prefix: str) -> str:
    """A new id such as `res_01JD3X...`: the ULID keeps ids sortable by creation time."""
    # Imported here: python-ulid reads its own version through importlib.metadata at import (~15 ms), which
    # the cold start of a request that creates nothing should not pay.
    from ulid import ULID

    return f"{prefix}_{ULID()}"


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid_milliseconds(ulid: str) -> int:
    """The creation time of a ULID, in ms since the epoch: its first 10 characters, 48 bits in Crockford base32.
    Read here rather than through python-ulid, whose import costs a read-only request's cold start ~15 ms."""
    value = 0
    for character in ulid[:10].upper():
        value = value * 32 + _CROCKFORD.index(character)
    return value


def has_prefix(value: str, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix + "_") and len(value) > len(prefix) + 1
