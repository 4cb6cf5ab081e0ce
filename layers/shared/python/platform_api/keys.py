"""The signing key ring: keys derived from the deployment secret's versions (Secrets Manager), each with a key id.

Each purpose ("jwt", "cursor", "idempotency", ...) gets its own HMAC-derived key, so a value signed for one
purpose can never be replayed as another. Every version of the secret has a key id (`kid`, 8 characters derived
from the version, never revealing it) that signed values carry: the `kid` header of an access token, the first
segment of a cursor. A value names the version that signed it, so after a rotation

- the new version (stage AWSCURRENT) signs everything new;
- the previous one (stage AWSPREVIOUS) still verifies for `KEY_GRACE_SECONDS` (default 2 days) after the new one
  was created: sessions, cursors and idempotency records made before the rotation keep working;
- after that, a value signed with it fails as any invalid one does (401 for a token, 400 for a cursor).

The ring is read once per container and kept for `SECRET_MAX_AGE_SECONDS`; a value naming a kid the ring does
not know makes it re-read at once (at most every `UNKNOWN_KID_REFRESH_SECONDS`), so a container that has not yet
seen a rotation accepts what a newer container signed. docs/keys.md has the procedure.

Stored secrets (webhook signing secrets, idempotent answers) are not encrypted with these keys but under the
stack's KMS key (platform_api.sealing), so no rotation here can make stored data unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from platform_api import clients
from platform_api.settings import get_settings

SECRET_MAX_AGE_SECONDS = 300
UNKNOWN_KID_REFRESH_SECONDS = 5
CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"


@lru_cache(maxsize=16)
def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"platform-api:{purpose}".encode(), hashlib.sha256).digest()


def key_id(secret: bytes) -> str:
    """The public id of one secret version: 6 bytes of an HMAC under it, base64url (8 characters)."""
    return base64.urlsafe_b64encode(_derive(secret, "kid")[:6]).decode()


@dataclass(frozen=True)
class Version:
    """One version of the deployment secret."""

    kid: str
    secret: bytes
    created: float  # epoch seconds Secrets Manager created it (0 for a JWT_SECRET given directly)

    @classmethod
    def of(cls, secret: bytes, created: float = 0.0) -> Version:
        return cls(key_id(secret), secret, created)

    def key(self, purpose: str) -> bytes:
        return _derive(self.secret, purpose)


class Ring:
    """The current version, and the previous one read only when needed: while the current one is younger than the
    grace period (a rotation was recent), or to open data sealed before KMS. Between rotations (most of the
    time) a container reads one version per SECRET_MAX_AGE_SECONDS."""

    def __init__(self, current: Version, read_previous: Callable[[], Version | None] | None = None):
        self.current = current
        self.loaded_at = time.monotonic()
        self._read_previous = read_previous
        self._previous: Version | None = None
        self._previous_read = read_previous is None

    def previous(self) -> Version | None:
        """The AWSPREVIOUS version, if the secret was ever rotated (read once per ring)."""
        if not self._previous_read:
            assert self._read_previous is not None
            found = self._read_previous()
            self._previous = found if found is not None and found.kid != self.current.kid else None
            self._previous_read = True
        return self._previous

    def in_grace(self, now: float | None = None) -> bool:
        """Whether the previous version still verifies: until `key_grace_seconds` after the current was created."""
        now = time.time() if now is None else now
        return now < self.current.created + get_settings().key_grace_seconds

    def verifying(self) -> list[Version]:
        """The versions that verify signatures now, current first."""
        previous = self.previous() if self.in_grace() else None
        return [self.current] if previous is None else [self.current, previous]

    def all(self) -> list[Version]:
        """Every version the ring holds, in grace or not (to open data stored before KMS sealing)."""
        previous = self.previous()
        return [self.current] if previous is None else [self.current, previous]


_lock = threading.Lock()
_ring: Ring | None = None


def _read(secret_arn: str, stage: str) -> Version | None:
    from botocore.exceptions import ClientError

    try:
        reply = clients.client("secretsmanager").get_secret_value(SecretId=secret_arn, VersionStage=stage)
    except ClientError as exc:
        if stage != CURRENT and exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None  # never rotated: no previous version
        raise
    value = reply.get("SecretString")
    raw = value.encode() if isinstance(value, str) else bytes(reply["SecretBinary"])
    created = reply.get("CreatedDate")
    return Version.of(raw, created.timestamp() if created is not None else 0.0)


def _load() -> Ring:
    settings = get_settings()
    if settings.jwt_secret:
        return Ring(Version.of(settings.jwt_secret.encode()))
    secret_arn = settings.jwt_secret_arn
    if not secret_arn:
        raise RuntimeError("neither JWT_SECRET nor JWT_SECRET_ARN is configured")
    current = _read(secret_arn, CURRENT)
    assert current is not None
    return Ring(current, lambda: _read(secret_arn, PREVIOUS))


def ring(*, refresh: bool = False) -> Ring:
    """The key ring, read at most every SECRET_MAX_AGE_SECONDS (or now, with `refresh`)."""
    global _ring
    with _lock:
        if _ring is None or refresh or time.monotonic() - _ring.loaded_at > SECRET_MAX_AGE_SECONDS:
            _ring = _load()
        return _ring


def reset() -> None:
    """Forget the cached ring (tests; a new container)."""
    global _ring
    with _lock:
        _ring = None


def current() -> Version:
    return ring().current


def verifying() -> list[Version]:
    return ring().verifying()


def version(kid: str) -> Version | None:
    """The version with this kid if it verifies now; an unknown kid re-reads the ring once (bounded)."""
    found = ring()
    if kid == found.current.kid:
        return found.current  # the common case: no need to read the previous version (a cold start's round trip)
    if (
        kid not in {v.kid for v in found.verifying()}
        and time.monotonic() - found.loaded_at > UNKNOWN_KID_REFRESH_SECONDS
    ):
        found = ring(refresh=True)
    return next((v for v in found.verifying() if v.kid == kid), None)


def signing_key(purpose: str) -> bytes:
    """The current version's key for `purpose`."""
    return current().key(purpose)
