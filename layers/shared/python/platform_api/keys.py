"""Signing keys derived from the one deployment secret (Secrets Manager), cached per container.

Each purpose ("jwt", "cursor", ...) gets its own HMAC-derived key, so a value signed for one purpose
can never be replayed as another.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from platform_api.settings import get_settings

SECRET_MAX_AGE_SECONDS = 300


def master_secret() -> bytes:
    """The deployment secret: JWT_SECRET when set (tests, local), else Secrets Manager, cached 5 minutes."""
    settings = get_settings()
    if settings.jwt_secret:
        return settings.jwt_secret.encode()
    if not settings.jwt_secret_arn:
        raise RuntimeError("neither JWT_SECRET nor JWT_SECRET_ARN is configured")
    from aws_lambda_powertools.utilities.parameters import get_secret

    value = get_secret(settings.jwt_secret_arn, max_age=SECRET_MAX_AGE_SECONDS)
    return value.encode() if isinstance(value, str) else bytes(value)


@lru_cache(maxsize=16)
def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"platform-api:{purpose}".encode(), hashlib.sha256).digest()


def signing_key(purpose: str) -> bytes:
    return _derive(master_secret(), purpose)
