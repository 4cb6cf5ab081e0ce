"""Envelope encryption under the stack's KMS key (`DATA_KEY_ARN`, template.yaml's DataKey).

What the platform stores but must read back — webhook signing secrets, idempotent answers — is AES-256-GCM
encrypted under a data key that KMS generated and wrapped; the wrapped data key is stored with the value:

    kms1:<base64 wrapped data key>:<base64 nonce + ciphertext + tag>

A container generates one data key per purpose (KMS GenerateDataKey, encryption context `{"purpose": ...}`) and
uses it for `DATA_KEY_MAX_AGE_SECONDS`; unwrapping (KMS Decrypt) is cached per wrapped key. So KMS is called about
once an hour per container, not once per value. KMS keeps every version of its key material when it rotates
(EnableKeyRotation), so nothing sealed here ever becomes unreadable, and nothing here depends on the signing
secret (platform_api.keys): rotating that one leaves stored data alone.

Values sealed before this format existed (plain base64, AES-GCM under a key derived from the signing secret) are
still opened, with whichever version of the secret the key ring still holds; `python -m local.backfill`
re-seals stored webhook secrets in this format (docs/keys.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from functools import lru_cache
from typing import Any

from platform_api import clients, keys
from platform_api.settings import get_settings

FORMAT = "kms1"
DATA_KEY_MAX_AGE_SECONDS = 3600
WEBHOOK_SECRET = "webhook-secret"  # noqa: S105 - a purpose name, not a secret
IDEMPOTENT_RESPONSE = "idempotent-response"
_LEGACY_WEBHOOK_PURPOSE = "webhook-secrets"

_lock = threading.Lock()
_data_keys: dict[str, tuple[bytes, bytes, float]] = {}  # purpose -> (plaintext, wrapped, monotonic created)


def _key_arn() -> str:
    arn = get_settings().data_key_arn
    if not arn:
        raise RuntimeError("DATA_KEY_ARN is not configured")
    return arn


def configured() -> bool:
    """Both a KMS key to seal under and a signing secret to open the older format with are known."""
    settings = get_settings()
    return bool(settings.data_key_arn and (settings.jwt_secret or settings.jwt_secret_arn))


def _context(purpose: str) -> dict[str, str]:
    return {"purpose": purpose}


def _data_key(purpose: str) -> tuple[bytes, bytes]:
    """(plaintext, wrapped) of this container's data key for `purpose`, generated at most hourly."""
    with _lock:
        cached = _data_keys.get(purpose)
        if cached is None or time.monotonic() - cached[2] > DATA_KEY_MAX_AGE_SECONDS:
            reply = clients.client("kms").generate_data_key(
                KeyId=_key_arn(), KeySpec="AES_256", EncryptionContext=_context(purpose)
            )
            cached = (reply["Plaintext"], reply["CiphertextBlob"], time.monotonic())
            _data_keys[purpose] = cached
        return cached[0], cached[1]


@lru_cache(maxsize=256)
def _unwrap(wrapped: bytes, purpose: str) -> bytes:
    reply = clients.client("kms").decrypt(CiphertextBlob=wrapped, KeyId=_key_arn(), EncryptionContext=_context(purpose))
    return bytes(reply["Plaintext"])


def reset() -> None:
    """Forget cached data keys (tests; a new container)."""
    with _lock:
        _data_keys.clear()
    _unwrap.cache_clear()


def _aes_key(data_key: bytes, derive_with: bytes | None) -> bytes:
    return hmac.new(data_key, derive_with, hashlib.sha256).digest() if derive_with is not None else data_key


def is_sealed(value: str) -> bool:
    """Sealed in this format (as opposed to the one before KMS)."""
    return value.startswith(FORMAT + ":")


def seal(plaintext: bytes, purpose: str, *, aad: bytes | None = None, derive_with: bytes | None = None) -> str:
    """Encrypt under this container's data key for `purpose`; `aad` binds the value to its owner (it must be given
    again to open it); `derive_with` makes the AES key an HMAC of the data key and that value, which must also be
    given again (idempotent answers: the caller's raw Idempotency-Key, which the table does not hold)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data_key, wrapped = _data_key(purpose)
    nonce = os.urandom(12)
    sealed = AESGCM(_aes_key(data_key, derive_with)).encrypt(nonce, plaintext, aad)
    return f"{FORMAT}:{base64.b64encode(wrapped).decode()}:{base64.b64encode(nonce + sealed).decode()}"


def open_sealed(value: str, purpose: str, *, aad: bytes | None = None, derive_with: bytes | None = None) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    marker, wrapped, body = value.split(":")
    if marker != FORMAT:
        raise ValueError(f"not a {FORMAT} value")
    raw = base64.b64decode(body)
    data_key = _unwrap(base64.b64decode(wrapped), purpose)
    return AESGCM(_aes_key(data_key, derive_with)).decrypt(raw[:12], raw[12:], aad)


def open_legacy(value: str, keys_of: Any, *, aad: bytes | None = None) -> bytes:
    """A value sealed before KMS: base64(nonce + AES-GCM) under a key from the signing secret. `keys_of(version)`
    gives the AES key a version of the secret would have used; every version the ring holds is tried."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(value)
    for version in keys.ring().all():
        try:
            return AESGCM(keys_of(version)).decrypt(raw[:12], raw[12:], aad)
        except InvalidTag:
            continue
    raise ValueError("sealed with a version of the signing secret this stack no longer holds")


# ---------------------------------------------------------------------------------------------- webhook secrets
def seal_webhook_secret(secret: str, webhook_id: str) -> str:
    return seal(secret.encode(), WEBHOOK_SECRET, aad=webhook_id.encode())


def open_webhook_secret(sealed: str, webhook_id: str) -> str:
    if is_sealed(sealed):
        return open_sealed(sealed, WEBHOOK_SECRET, aad=webhook_id.encode()).decode()
    return open_legacy(sealed, lambda v: v.key(_LEGACY_WEBHOOK_PURPOSE), aad=webhook_id.encode()).decode()
