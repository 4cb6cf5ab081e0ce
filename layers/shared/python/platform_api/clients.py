"""The AWS clients of a container: one botocore session, one client per service, each created once.

Why one session, and botocore's rather than boto3's (issue 13, cold start):
- pynamodb opens a new botocore session for every model class's connection, and each new session parses the
  DynamoDB service model again (~35 ms each on a cold start; GET /v1/usage touched four). Pointing pynamodb at
  this session (db.py) shares botocore's loaded models, so every client after the first costs a few ms.
- boto3 adds nothing this code uses to a botocore client, and importing it loads s3transfer (~12 ms).

botocore's `Session.create_client` is not safe to call from several threads at once; creation here holds a lock
(the clients themselves are thread-safe), so the webhook delivery threads may create clients as they need them.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session

from platform_api.settings import get_settings

_lock = threading.RLock()
_session: botocore.session.Session | None = None
_clients: dict[str, Any] = {}


class _Session(botocore.session.Session):
    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return super().create_client(*args, **kwargs)


def session() -> botocore.session.Session:
    """The container's botocore session (pynamodb's too: db.py)."""
    global _session
    with _lock:
        if _session is None:
            _session = _Session()
        return _session


def client(service: str) -> Any:
    """The container's client for `service` ("dynamodb", "secretsmanager", "kms", "sqs")."""
    found = _clients.get(service)
    if found is None:
        with _lock:
            found = _clients.get(service)
            if found is None:
                settings = get_settings()
                endpoint = settings.dynamodb_endpoint_url if service == "dynamodb" else None
                found = session().create_client(service, region_name=settings.region, endpoint_url=endpoint)
                _clients[service] = found
    return found


def reset() -> None:
    """Forget the session and its clients (tests: a new backend, as a new container would see it)."""
    global _session
    with _lock:
        _session = None
        _clients.clear()
