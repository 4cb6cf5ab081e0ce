"""Opaque, prefixed, creation-time-sortable identifiers (`usr_01J...`)."""

from __future__ import annotations

from ulid import ULID


def new_id(prefix: str) -> str:
    """A new id such as `res_01JD3X...`: the ULID keeps ids sortable by creation time."""
    return f"{prefix}_{ULID()}"


def has_prefix(value: str, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix + "_") and len(value) > len(prefix) + 1
