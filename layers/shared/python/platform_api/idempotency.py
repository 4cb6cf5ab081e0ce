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
- Exactly once under crashes: the route's writes are held (`unit_of_work.deferring`) and committed in ONE
  transaction with the COMPLETED record carrying the response, on the condition that this invocation still
  holds the key (status INPROGRESS with the `in_progress_expiration` it wrote). A crash before that commit
  leaves nothing but the INPROGRESS marker, which frees the key when the Lambda would have timed out; a
  crash after it leaves the stored response. Powertools' INPROGRESS marker only guards concurrency; its
  own COMPLETED update is skipped when the transaction already wrote it (docs/idempotency.md).
- Nothing readable is stored: the request fingerprint is an HMAC under a key derived from the deployment
  secret (a login body holds a password; a plain hash of it could be brute-forced offline), and the stored
  response is AES-GCM encrypted (platform_api.sealing: a KMS data key) under a key derived from the raw
  Idempotency-Key, which only the caller holds (the table keeps only a hash of it). A stored API-key or webhook
  secret is therefore unreadable from the table.
- Key rotation (docs/keys.md): the fingerprint names no key id, so while the previous version of the secret is in
  its grace period a keyed request first looks for a record fingerprinted with it (one GetItem) and, if there is
  one, is answered from it; afterwards only the current version is used. Answers stored before KMS sealing are
  opened with the secret's versions.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import re
import time
import zlib
from contextvars import ContextVar
from dataclasses import dataclass
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
    IdempotencyItemNotFoundError,
    IdempotencyValidationError,
)

from platform_api import errors, keys, sealing, state
from platform_api.db import client, table_name
from platform_api.unit_of_work import DeferredCommit, Operation, deferring

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
EXPIRES_AFTER_SECONDS = 24 * 3600
KEY_PATTERN = re.compile(r"^[\x20-\x7e]{1,255}$")
TRANSIENT_4XX = frozenset({408, 409, 423, 425, 429})
TENANT_HEADERS = ("x-workspace-id", "x-namespace-id")
PK_PREFIX = "IDEMPOTENCY#"
KEY_PREFIX = "http"  # Powertools' prefix of the hashed key
SK_VALUE = "IDEMPOTENCY"
RUNS = 4  # runs of a keyed request whose commit was cancelled by a condition (the domain's own retries)
MAX_STORED_BYTES = 380 * 1024  # DynamoDB's 400 KB item, less the key and the other attributes


@dataclass
class _Claim:
    """What this invocation wrote when it took the key (Powertools' INPROGRESS record)."""

    key: str
    payload_hash: str | None
    in_progress_expiration: int | None
    stored: bool = False  # the COMPLETED record went out with the route's writes


_claim: ContextVar[_Claim | None] = ContextVar("idempotency_claim", default=None)


class _ClaimLost(Exception):
    """The key's record no longer says this invocation holds it (it outlived its in-progress window)."""


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

    def _put_record(self, data_record: Any) -> None:
        super()._put_record(data_record)
        if data_record.status == "INPROGRESS":
            _claim.set(
                _Claim(data_record.idempotency_key, data_record.payload_hash, data_record.in_progress_expiry_timestamp)
            )

    def _update_record(self, data_record: Any) -> None:
        claim = _claim.get()
        if claim is not None and claim.stored and claim.key == data_record.idempotency_key:
            return  # written with the route's changes, in their transaction
        super()._update_record(data_record)

    def _delete_record(self, data_record: Any) -> None:
        """Free the key only while this invocation still holds it: after its in-progress window passed, the
        record may belong to a retry that took the key over."""
        claim = _claim.get()
        if claim is None or claim.key != data_record.idempotency_key:
            super()._delete_record(data_record)
            return
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self.client.delete_item(
                TableName=self.table_name, Key=self._get_key(data_record.idempotency_key), **self._held_by(claim)
            )

    def completed_record(self, claim: _Claim, sealed: dict[str, Any]) -> Operation:
        """The Put that stores the answer, valid only while `claim` still holds the key."""
        data = json.dumps(sealed, sort_keys=True)
        if len(data) > MAX_STORED_BYTES:
            raise errors.PayloadTooLarge(
                "The response to this request is too large to keep under an Idempotency-Key; "
                "send it without the key, or in smaller parts."
            )
        item = {
            **self._get_key(claim.key),
            self.status_attr: {"S": "COMPLETED"},
            self.data_attr: {"S": data},
            self.expiry_attr: {"N": str(int(time.time()) + EXPIRES_AFTER_SECONDS)},
        }
        if claim.payload_hash:
            item[self.validation_key_attr] = {"S": claim.payload_hash}
        request = {"TableName": self.table_name, "Item": item, **self._held_by(claim)}
        return Operation({"Put": request}, _ClaimLost(), f"{PK_PREFIX}{claim.key}|{SK_VALUE}")

    def _held_by(self, claim: _Claim) -> dict[str, Any]:
        """The condition (and its names and values) that `claim` still holds the key: INPROGRESS, with the
        in-progress expiry this invocation wrote, which identifies it (a later claimant's is always larger)."""
        names = {"#status": self.status_attr, "#ipe": self.in_progress_expiry_attr}
        values: dict[str, Any] = {":inprogress": {"S": "INPROGRESS"}}
        if claim.in_progress_expiration is None:
            condition = "#status = :inprogress AND attribute_not_exists(#ipe)"
        else:
            condition = "#status = :inprogress AND #ipe = :claim"
            values[":claim"] = {"N": str(claim.in_progress_expiration)}
        return {
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }


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


def _canonical(material: Any) -> bytes:
    return json.dumps(material, sort_keys=True, separators=(",", ":"), default=str).encode()


def _digest(material: Any, version: keys.Version) -> str:
    return hmac.new(version.key("idempotency"), _canonical(material), hashlib.sha256).hexdigest()


def _legacy_response_key(version: keys.Version, key: str, scope: dict[str, Any]) -> bytes:
    """The AES key of an answer stored before KMS sealing, had `version` of the secret sealed it."""
    material = hmac.new(version.key("idempotency-response"), key.encode(), hashlib.sha256).digest()
    return hmac.new(material, _digest(scope, version).encode(), hashlib.sha256).digest()


def _seal(stored: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    """Compressed, then encrypted: a batch's answer must fit in the one item that stores it."""
    plaintext = zlib.compress(json.dumps(stored, separators=(",", ":")).encode())
    return {"sealed": sealing.seal(plaintext, sealing.IDEMPOTENT_RESPONSE, derive_with=_canonical(scope)), "zlib": True}


def _open(stored: dict[str, Any], key: str, scope: dict[str, Any]) -> dict[str, Any]:
    value = stored["sealed"]
    if sealing.is_sealed(value):
        plaintext = sealing.open_sealed(value, sealing.IDEMPOTENT_RESPONSE, derive_with=_canonical(scope))
    else:
        plaintext = sealing.open_legacy(value, lambda version: _legacy_response_key(version, key, scope))
    return json.loads(zlib.decompress(plaintext) if stored.get("zlib") else plaintext)


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


def _request_of_record(request_for: Any, config: IdempotencyConfig) -> dict[str, Any]:
    """The request (scope and fingerprint) under the secret version that fingerprinted its stored record: an older
    version still in its grace period if a record made with it exists, else the current one."""
    versions = keys.verifying()
    if len(versions) > 1:
        store = persistence_store()
        store.configure(config, key_prefix=KEY_PREFIX)  # as idempotent_function does; only the first call counts
        for version in versions[1:]:
            candidate = request_for(version)
            try:
                store.get_record(candidate)
            except (IdempotencyItemNotFoundError, IdempotencyValidationError):
                continue
            return candidate
    return request_for(versions[0])


def run_idempotent(app: Any, next_middleware: Any) -> Response:
    """Run the route once per (caller, method, route, key); replay its stored response afterwards."""
    event = app.current_event
    key = _validate_key(event.headers.get("idempotency-key") or "")
    route = app.context.get("_route")
    principal = state.current().principal
    fingerprint = _request_fingerprint(app)

    def request_for(version: keys.Version) -> dict[str, Any]:
        if principal is not None:
            subject = f"caller:{principal.idempotency_subject}"
        else:
            subject = f"anonymous:{_digest(fingerprint, version)}"
        scope = {
            "subject": subject,
            "method": event.http_method.upper(),
            "route": route.path if route is not None else event.path,
            "key": key,
        }
        return {"scope": scope, "payload": _digest(fingerprint, version)}

    config = IdempotencyConfig(
        event_key_jmespath="scope",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        hash_function="sha256",
        lambda_context=getattr(app, "lambda_context", None),
    )
    request = _request_of_record(request_for, config)
    scope = request["scope"]
    executed = False

    def run_once(pending: DeferredCommit) -> Response:
        with deferring(pending):
            try:
                return next_middleware(app)
            except Exception as exc:  # rendered exactly as the app would, so 4xx errors can be stored
                return _render(app, exc)

    def work(request: dict[str, Any]) -> dict[str, Any]:
        nonlocal executed
        executed = True
        failure: Exception | None = None
        for _ in range(RUNS):
            pending = DeferredCommit(failure)
            response = run_once(pending)
            if response.status_code >= 500 or response.status_code in TRANSIENT_4XX:
                raise _NotStored(response)  # and the held writes are dropped: nothing half-written
            sealed = _seal(_serialize(app, response), scope)
            claim = _claim.get()
            if not pending.operations or claim is None:
                return sealed  # nothing to write with it: Powertools stores the answer
            try:
                pending.send(persistence_store().completed_record(claim, sealed))
            except _ClaimLost:
                raise errors.IdempotencyInProgress(headers={"Retry-After": "1"}) from None
            except Exception as exc:
                if not pending.registered(exc):
                    raise
                failure = exc  # the next run meets it at its commit, as an immediate commit would have
                continue
            claim.stored = True
            return sealed
        raise _NotStored(
            _render(
                app,
                errors.Conflict(
                    "The request kept conflicting with concurrent changes; retry it.", headers={"Retry-After": "1"}
                ),
            )
        )

    guarded = idempotent_function(
        work,
        data_keyword_argument="request",
        persistence_store=persistence_store(),
        config=config,
        key_prefix=KEY_PREFIX,
    )
    _claim.set(None)
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
