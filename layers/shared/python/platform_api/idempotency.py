"""`Idempotency-Key` on every POST, PUT, PATCH and DELETE (README decision row; docs/idempotency.md).

`http.create_app()`'s middleware calls `run_idempotent(app, next_middleware)` when a mutating request
carries the header; requests without it never come here. Built on Powertools' idempotency utility
(`idempotent_function` + `DynamoDBPersistenceLayer`) in the single table:

    PK = IDEMPOTENCY#http#<sha256 of the scope>   SK = IDEMPOTENCY
    status (INPROGRESS | COMPLETED), data (the stored response), validation (sha256 of the request),
    ttl (epoch seconds: the table's TTL deletes the record 24 h after it completed),
    in_progress_expiration (ms: a crashed or timed-out invocation frees the key when its Lambda would have ended)

- Scope (what the key is unique within): the caller (`principal.idempotency_subject`: the API key, else the
  user), the method, the route template and the key itself. Another caller's identical key is another record.
  Unauthenticated (public) routes scope the key to a hash of the request itself, so a replay can only go to
  someone who sends the very same request (same credentials in the body).
- Validation: the concrete path, query string, tenant headers and JSON body (parsed, so formatting does
  not matter). The same key with anything different is 422 `idempotency_key_mismatch`.
- Stored: 2xx and 4xx responses (status, body, route headers such as Location), except the transient
  4xx a retry may turn into a success (408, 409, 423, 425, 429). 5xx and unexpected exceptions are never
  stored: the record is deleted and the key can be retried at once.
- Replays carry `Idempotent-Replayed: true`; a request while the first is still running is 409
  `idempotency_key_in_use` with `Retry-After: 1`.
- Nothing readable is stored: the request fingerprint is an HMAC under a key derived from the deployment
  secret (a login body holds a password; a plain hash of it could be brute-forced offline), and the stored
  response is AES-GCM encrypted under a key derived from the raw Idempotency-Key, which only the caller holds
  (the table keeps only a hash of it). A stored API-key or webhook secret is therefore unreadable from the table.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyValidationError,
)

from platform_api import errors, state
from platform_api.db import client, table_name
from platform_api.keys import signing_key

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
EXPIRES_AFTER_SECONDS = 24 * 3600
KEY_PATTERN = re.compile(r"^[\x20-\x7e]{1,255}$")
TRANSIENT_4XX = frozenset({408, 409, 423, 425, 429})
TENANT_HEADERS = ("x-workspace-id", "x-namespace-id")
PK_PREFIX = "IDEMPOTENCY#"
SK_VALUE = "IDEMPOTENCY"


class SingleTablePersistenceLayer(DynamoDBPersistenceLayer):
    """Powertools' DynamoDB layer with one partition per key (`IDEMPOTENCY#<hash>`), not one per function.

    With `sort_key_attr` Powertools puts every record of a function under one static partition key, which
    caps the function's idempotent writes at a single partition's throughput. Only the key layout changes.
    """

    def _get_key(self, idempotency_key: str) -> dict:
        return {self.key_attr: {"S": f"{PK_PREFIX}{idempotency_key}"}, self.sort_key_attr: {"S": SK_VALUE}}

    def _item_to_data_record(self, item: dict[str, Any]) -> Any:
        record = super()._item_to_data_record(item)
        record.idempotency_key = record.idempotency_key.removeprefix(PK_PREFIX)
        return record


@lru_cache(maxsize=1)
def persistence_store() -> SingleTablePersistenceLayer:
    return SingleTablePersistenceLayer(
        table_name=table_name(),
        key_attr="PK",
        sort_key_attr="SK",
        expiry_attr="ttl",
        in_progress_expiry_attr="in_progress_expiration",
        status_attr="status",
        data_attr="data",
        validation_key_attr="validation",
        boto3_client=client(),
    )


class _NotStored(Exception):
    """Carries a response that must not be stored (5xx, transient 4xx) out of the idempotent function."""

    def __init__(self, response: Response):
        super().__init__(response.status_code)
        self.response = response


def _validate_key(raw: str) -> str:
    key = raw.strip()
    if not KEY_PATTERN.fullmatch(key):
        message = f"{HEADER} must be 1-255 printable ASCII characters."
        raise errors.InvalidRequest(message, details={HEADER: [message]})
    return key


def _digest(material: Any) -> str:
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hmac.new(signing_key("idempotency"), canonical, hashlib.sha256).hexdigest()


def _response_cipher(key: str, scope: dict[str, Any]) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    material = hmac.new(signing_key("idempotency-response"), key.encode(), hashlib.sha256).digest()
    return AESGCM(hmac.new(material, _digest(scope).encode(), hashlib.sha256).digest())


def _seal(stored: dict[str, Any], key: str, scope: dict[str, Any]) -> dict[str, Any]:
    nonce = os.urandom(12)
    plaintext = json.dumps(stored, separators=(",", ":")).encode()
    sealed = _response_cipher(key, scope).encrypt(nonce, plaintext, None)
    return {"sealed": base64.b64encode(nonce + sealed).decode()}


def _open(stored: dict[str, Any], key: str, scope: dict[str, Any]) -> dict[str, Any]:
    raw = base64.b64decode(stored["sealed"])
    return json.loads(_response_cipher(key, scope).decrypt(raw[:12], raw[12:], None))


def _request_fingerprint(app: Any) -> dict[str, Any]:
    event = app.current_event
    raw_body = event.body or ""
    if event.is_base64_encoded and raw_body:
        raw_body = base64.b64decode(raw_body).decode("utf-8", "replace")
    try:
        body: Any = json.loads(raw_body) if raw_body else None
    except ValueError:
        body = raw_body
    params = event.multi_value_query_string_parameters or {}
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    return {
        "path": event.path,
        "query": sorted((k, sorted(v)) for k, v in params.items()),
        "tenant": [headers.get(name) for name in TENANT_HEADERS],
        "body": body,
    }


def _serialize(app: Any, response: Response) -> dict[str, Any]:
    body = response.body
    encoded = False
    if body is None:
        text = ""
    elif isinstance(body, bytes):
        text, encoded = base64.b64encode(body).decode(), True
    elif isinstance(body, str):
        text = body
    else:
        text = app._serializer(body)
    headers = {k: v for k, v in (response.headers or {}).items() if k.lower() != REPLAY_HEADER.lower()}
    return {"status": response.status_code, "headers": headers, "body": text, "base64": encoded}


def _deserialize(stored: dict[str, Any]) -> Response:
    body: Any = stored.get("body") or ""
    if stored.get("base64"):
        body = base64.b64decode(body)
    headers = dict(stored.get("headers") or {})
    content_type = headers.pop("Content-Type", None)
    return Response(status_code=int(stored["status"]), content_type=content_type, body=body, headers=headers)


def _render(app: Any, exc: Exception) -> Response:
    handler = app.exception_handler_manager.lookup_exception_handler(type(exc))
    if handler is None:
        raise exc
    return handler(exc)


def run_idempotent(app: Any, next_middleware: Any) -> Response:
    """Run the route once per (caller, method, route, key); replay its stored response afterwards."""
    event = app.current_event
    key = _validate_key(event.headers.get("idempotency-key") or "")
    route = app.context.get("_route")
    principal = state.current().principal
    fingerprint = _request_fingerprint(app)
    if principal is not None:
        subject = f"caller:{principal.idempotency_subject}"
    else:
        subject = f"anonymous:{_digest(fingerprint)}"
    scope = {
        "subject": subject,
        "method": event.http_method.upper(),
        "route": route.path if route is not None else event.path,
        "key": key,
    }
    request = {"scope": scope, "payload": _digest(fingerprint)}
    executed = False

    def work(request: dict[str, Any]) -> dict[str, Any]:
        nonlocal executed
        executed = True
        try:
            response = next_middleware(app)
        except Exception as exc:  # rendered exactly as the app would, so 4xx errors can be stored
            response = _render(app, exc)
        if response.status_code >= 500 or response.status_code in TRANSIENT_4XX:
            raise _NotStored(response)
        return _seal(_serialize(app, response), key, scope)

    config = IdempotencyConfig(
        event_key_jmespath="scope",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        hash_function="sha256",
        lambda_context=getattr(app, "lambda_context", None),
    )
    guarded = idempotent_function(
        work, data_keyword_argument="request", persistence_store=persistence_store(), config=config, key_prefix="http"
    )
    try:
        stored = guarded(request=request)
    except _NotStored as not_stored:
        return not_stored.response
    except IdempotencyValidationError:
        raise errors.IdempotencyKeyMismatch() from None
    except (IdempotencyAlreadyInProgressError, IdempotencyInconsistentStateError):
        raise errors.IdempotencyInProgress(headers={"Retry-After": "1"}) from None
    response = _deserialize(_open(stored, key, scope))
    if not executed:
        response.headers[REPLAY_HEADER] = "true"
    return response
