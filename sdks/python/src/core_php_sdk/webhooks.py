"""Verifying the webhook deliveries the API sends, on the raw request body, in constant time.

Every delivery carries two signature schemes (docs/webhooks.md):

* document 004's ``X-Webhook-Signature: sha256=<hex>``: HMAC-SHA256 of the raw body keyed with the secret string
  exactly as shown at creation (``whsec_`` prefix included), plus ``X-Webhook-Timestamp`` (not signed);
* Standard Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64> [v1,<base64> ...]``
  over ``{id}.{timestamp}.{body}``, keyed with the base64-decoded part after ``whsec_`` (the raw string's bytes
  where that is not base64). The timestamp is signed, so a stale or replayed delivery is refused.

    from core_php_sdk.webhooks import construct_event, WebhookVerificationError

    try:
        event = construct_event(request.body, request.headers, secret)   # raw bytes, not re-serialised JSON
    except WebhookVerificationError:
        return 400
    print(event.type, event.data.object.id)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence

from ._generated.models import WebhookEvent

SECRET_PREFIX = "whsec_"  # noqa: S105 - the public Standard Webhooks prefix
DEFAULT_TOLERANCE_SECONDS = 300

LEGACY_SIGNATURE_HEADER = "X-Webhook-Signature"
LEGACY_TIMESTAMP_HEADER = "X-Webhook-Timestamp"
STANDARD_ID_HEADER = "webhook-id"
STANDARD_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "WebhookVerificationError",
    "construct_event",
    "legacy_signature",
    "standard_signature",
    "verify",
    "verify_legacy",
    "verify_standard",
]


class WebhookVerificationError(ValueError):
    """The delivery's signature or timestamp did not verify."""


def _bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else bytes(body)


def _secrets(secret: Sequence[str] | str) -> list[str]:
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets or not all(secrets):
        raise ValueError("at least one non-empty signing secret is required")
    return secrets


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive: frameworks hand headers over in every case."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def standard_key(secret: str) -> bytes:
    """The Standard Webhooks HMAC key of a secret: base64 after ``whsec_``, else the raw string's bytes."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    return key or secret.encode()


def legacy_signature(secret: str, body: bytes | str) -> str:
    """``sha256=`` + hex HMAC-SHA256 of the raw body keyed with the secret string as given (document 004)."""
    return "sha256=" + hmac.new(secret.encode(), _bytes(body), hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes | str) -> str:
    """One Standard Webhooks entry: ``v1,`` + base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``."""
    signed = f"{message_id}.{timestamp}.".encode() + _bytes(body)
    return "v1," + base64.b64encode(hmac.new(standard_key(secret), signed, hashlib.sha256).digest()).decode()


def verify_legacy(
    secret: Sequence[str] | str,
    signature_header: str | None,
    body: bytes | str,
    *,
    timestamp_header: str | None = None,
    tolerance: int | None = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Document 004's ``X-Webhook-Signature`` over the raw body; with ``timestamp_header`` (``X-Webhook-Timestamp``)
    and a ``tolerance``, a delivery older or newer than that many seconds is refused too. (That timestamp is not
    part of the signed content: prefer :func:`verify_standard` where replays matter.)"""
    if not signature_header:
        return False
    try:
        secrets = _secrets(secret)
    except ValueError:
        return False
    if timestamp_header is not None and tolerance is not None:
        try:
            timestamp = int(timestamp_header)
        except ValueError:
            return False
        if abs((time.time() if now is None else now) - timestamp) > tolerance:
            return False
    given = signature_header.strip().encode()
    return any(hmac.compare_digest(given, legacy_signature(s, body).encode()) for s in secrets)


def verify_standard(
    secret: Sequence[str] | str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Standard Webhooks: a timestamp within ``tolerance`` seconds and at least one matching ``v1`` signature.

    ``secret`` may be several (a rotation's old and new secret)."""
    message_id = _header(headers, STANDARD_ID_HEADER)
    timestamp_text = _header(headers, STANDARD_TIMESTAMP_HEADER)
    signature_text = _header(headers, STANDARD_SIGNATURE_HEADER)
    if not message_id or not timestamp_text or not signature_text:
        return False
    try:
        timestamp = int(timestamp_text)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    try:
        secrets = _secrets(secret)
    except ValueError:
        return False
    expected = [standard_signature(s, message_id, timestamp, body).encode() for s in secrets]
    for entry in signature_text.split():
        version, _, _ = entry.partition(",")
        if version != "v1":
            continue
        if any(hmac.compare_digest(entry.encode(), candidate) for candidate in expected):
            return True
    return False


def verify(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: Sequence[str] | str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Verify a delivery or raise :class:`WebhookVerificationError`.

    The Standard Webhooks headers are checked when present (they sign the timestamp); otherwise document 004's
    ``X-Webhook-Signature``, with ``X-Webhook-Timestamp`` held to the same tolerance when it is sent.
    """
    if _header(headers, STANDARD_SIGNATURE_HEADER) is not None:
        if not verify_standard(secret, headers, body, tolerance=tolerance, now=now):
            raise WebhookVerificationError("webhook-signature does not match, or webhook-timestamp is too old")
        return
    signature = _header(headers, LEGACY_SIGNATURE_HEADER)
    if signature is None:
        raise WebhookVerificationError("no webhook signature header (webhook-signature or X-Webhook-Signature)")
    timestamp = _header(headers, LEGACY_TIMESTAMP_HEADER)
    if not verify_legacy(secret, signature, body, timestamp_header=timestamp, tolerance=tolerance, now=now):
        raise WebhookVerificationError("X-Webhook-Signature does not match, or X-Webhook-Timestamp is too old")


def construct_event(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: Sequence[str] | str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> WebhookEvent:
    """:func:`verify` the delivery, then parse its payload (``event.id``, ``event.type``, ``event.data.object``)."""
    verify(body, headers, secret, tolerance=tolerance, now=now)
    try:
        payload = json.loads(_bytes(body))
    except ValueError as exc:
        raise WebhookVerificationError("the payload is not JSON") from exc
    event: WebhookEvent = WebhookEvent.from_api(payload)
    return event
