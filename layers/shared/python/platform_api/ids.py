"""Opaque, prefixed, creation-time-sortable identifiers (`usr_01J...`)."""

from __future__ import annotations


def new_id(prefix: str) -> str:
    """A new id such as `res_01JD3X...`: the ULID keeps ids sortable by creation time."""
    # Imported here: python-ulid reads its own version through importlib.metadata at import (~15 ms), which
    # the cold start of a request that creates nothing should not pay.
    from ulid import ULID

    return f"{prefix}_{ULID()}"


def has_prefix(value: str, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix + "_") and len(value) > len(prefix) + 1
