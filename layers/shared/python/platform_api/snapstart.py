"""Lambda SnapStart (template parameter `SnapStart`): what an API function does before its snapshot and after a
restore.

With SnapStart, Lambda initialises a published version once, snapshots the memory of that environment, and starts
later environments from the snapshot: init is paid at deploy time, not on a user's request. The price is that many
environments resume the same memory, so anything that must differ between them, or may have gone stale since the
snapshot (minutes to days ago), is renewed after each restore:

- the standard library's `random` generator (botocore's retry jitter, unit_of_work's backoff) is re-seeded from
  the OS, or every restored environment would draw the same "random" numbers;
- python-ulid's generator starts afresh: its same-millisecond rule increments the previous id's random part, so
  two environments resumed from one state could otherwise mint the same id in the same millisecond;
- the signing key ring and the KMS data keys are forgotten and read again on first use: a rotation may have
  happened since the snapshot, and a data key is a per-environment secret.

Tokens, session ids and `jti`s come from `secrets` and `uuid4` (os.urandom), which the restored kernel re-seeds.
Before the snapshot, the function creates its AWS clients (their service models parsed into the snapshot), builds
its deferred pydantic models and imports what a first write would; it makes no AWS request, so no connection or
credential is captured.

`snapshot_restore_py` exists only in Lambda's Python runtimes (3.12+); elsewhere (tests, the local stack) nothing
registers, and tests/unit/test_snapstart.py simulates a restore by calling the hooks.
"""

from __future__ import annotations

import random
import sys
from typing import Any

_registered = False


def before_snapshot() -> None:
    """The work worth keeping in the snapshot: clients created, request and response models built, python-ulid
    imported (the first new id's import otherwise: platform_api.ids)."""
    import ulid  # noqa: F401

    from platform_api import clients

    for service in ("dynamodb", "secretsmanager"):
        clients.client(service)
    for model in _deferred_models():
        model.model_rebuild(raise_errors=False)


def after_restore() -> None:
    """Renew what must differ between restored environments or may be stale since the snapshot."""
    from platform_api import keys, sealing

    random.seed()  # from os.urandom
    if "ulid" in sys.modules:  # imported before the snapshot, or by a first new id: nothing to renew before
        import ulid

        ulid.default_generator = ulid.ULIDGenerator()
    keys.reset()
    sealing.reset()


def register() -> bool:
    """Register the hooks with Lambda's runtime, once; False where there is no SnapStart runtime."""
    global _registered
    if _registered:
        return True
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    _registered = True
    return True


def _deferred_models() -> list[Any]:
    from platform_api.models.envelopes import InModel, OutModel

    found: list[Any] = []
    pending: list[Any] = [InModel, OutModel]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if not getattr(model, "__pydantic_complete__", True):
            found.append(model)
    return found
