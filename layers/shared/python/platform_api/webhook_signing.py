"""Signing (and, for tests and docs, verifying) webhook deliveries.

Every delivery carries two signature schemes so that receivers can pick whichever they already know:

* the legacy scheme from reference document 004 (``X-Webhook-Signature: sha256=<hex>``), computed exactly as its
  Node snippet does (``createHmac('sha256', secret).update(payload)``): the key is the secret string as stored,
  ``whsec_`` prefix included, and the message is the raw request body;
* Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64>``), whose signed
  content also covers the message id and timestamp, so a receiver can reject replays and stale deliveries.

During a secret rotation grace period several secrets are active. Standard Webhooks allows one ``v1,`` entry per
secret, so receivers holding either the old or the new secret keep verifying; the legacy header has room for a
single signature only, so it uses the newest secret (the first in the list).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as _secrets
import time
from collections.abc import Mapping, Sequence

SECRET_PREFIX = "whsec_"  # noqa: S105 - the public Standard Webhooks prefix, not a secret
DEFAULT_TOLERANCE_SECONDS = 300

LEGACY_SIGNATURE_HEADER = "X-Webhook-Signature"
LEGACY_TIMESTAMP_HEADER = "X-Webhook-Timestamp"
STANDARD_ID_HEADER = "webhook-id"
STANDARD_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks format: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(32)).decode()


def standard_key(secret: str) -> bytes:
    """The HMAC key Standard Webhooks derives from a secret string.

    The reference libraries strip an optional ``whsec_`` prefix and base64-decode the rest. Secrets that customers
    supplied themselves need not be base64; rather than refuse them, the raw secret string's bytes are used as the
    key, which is what a receiver without a Standard Webhooks library would naturally do with such a secret.
    """
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    return key or secret.encode()


def legacy_signature(secret: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of the raw body, keyed with the secret string as stored (document 004)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One Standard Webhooks entry: ``v1,`` + base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(standard_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _as_list(secrets: Sequence[str] | str) -> list[str]:
    secret_list = [secrets] if isinstance(secrets, str) else list(secrets)
    if not secret_list or not all(secret_list):
        raise ValueError("at least one non-empty signing secret is required")
    return secret_list


def signature_headers(secrets: Sequence[str] | str, message_id: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The signature headers of one delivery attempt.

    ``secrets`` is one secret or the active secrets newest first (rotation grace period). The body must be the exact
    bytes that are sent: any re-serialisation after signing breaks every receiver's verification.
    """
    secret_list = _as_list(secrets)
    return {
        LEGACY_SIGNATURE_HEADER: legacy_signature(secret_list[0], body),
        LEGACY_TIMESTAMP_HEADER: str(timestamp),
        STANDARD_ID_HEADER: message_id,
        STANDARD_TIMESTAMP_HEADER: str(timestamp),
        STANDARD_SIGNATURE_HEADER: " ".join(standard_signature(s, message_id, timestamp, body) for s in secret_list),
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup: receivers get headers in whatever case their framework chose."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verify_standard(
    secret: Sequence[str] | str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Receiver-side Standard Webhooks check: a fresh timestamp and at least one matching ``v1`` signature.

    The timestamp window (both directions) bounds how long a captured delivery can be replayed.
    """
    message_id = _header(headers, STANDARD_ID_HEADER)
    timestamp_text = _header(headers, STANDARD_TIMESTAMP_HEADER)
    signature_text = _header(headers, STANDARD_SIGNATURE_HEADER)
    if not message_id or not timestamp_text or not signature_text:
        return False
    try:
        timestamp = int(timestamp_text)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    try:
        secret_list = _as_list(secret)
    except ValueError:
        return False
    expected = [standard_signature(s, message_id, timestamp, body).encode() for s in secret_list]
    for entry in signature_text.split():
        version, _, _ = entry.partition(",")
        if version != "v1":
            continue
        if any(hmac.compare_digest(entry.encode(), candidate) for candidate in expected):
            return True
    return False


def verify_legacy(secret: str, signature_header: str | None, body: bytes) -> bool:
    """Receiver-side check of the document 004 header, ``sha256=<hex>`` over the raw body."""
    if not secret or not signature_header:
        return False
    return hmac.compare_digest(signature_header.strip().encode(), legacy_signature(secret, body).encode())
