"""Access tokens: HS256 JWTs signed with a key derived from the deployment secret (Secrets Manager).

The header's `kid` names the secret version that signed the token (platform_api.keys): after a rotation, tokens
of the previous version verify until its grace period ends, then are 401 like any other invalid token. Tokens
issued before key ids existed carry none and are tried against every version that still verifies.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Mapping
from typing import Any

if "cryptography" in sys.modules:
    import jwt
else:
    # PyJWT imports `cryptography` when it can, for the RSA and EC algorithms: ~25 ms of every authenticated
    # function's cold start. Tokens here are HS256 only (the standard library's hmac), so PyJWT is loaded as
    # where cryptography is absent; its HMAC algorithms are the same either way. (A later import of cryptography,
    # by sealing, is unaffected: the block lasts for this import only.)
    sys.modules["cryptography"] = None  # type: ignore[assignment]
    try:
        import jwt
    finally:
        del sys.modules["cryptography"]

from platform_api import errors, keys
from platform_api.settings import get_settings
from platform_api.timeutil import utcnow

ALGORITHM = "HS256"


def issue(
    user_id: str,
    session_id: str,
    *,
    tier: str,
    namespace_id: str | None,
    custom_limits: Mapping[str, int] | None = None,
) -> str:
    """An access token. It carries what authentication needs without a read: the tier and any custom limits an
    operator set (`rl`), and the personal namespace. A later operator change reaches live tokens through the
    user's rate-limit items (dal/ratelimit.py), so a token never keeps an old tier past its next request."""
    settings = get_settings()
    now = int(utcnow().timestamp())
    claims = {
        "sub": user_id,
        "sid": session_id,
        "iat": now,
        "exp": now + settings.access_token_ttl_seconds,
        "jti": uuid.uuid4().hex,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "tier": tier,
        "ns": namespace_id,
    }
    if custom_limits:
        claims["rl"] = dict(custom_limits)
    version = keys.current()
    return jwt.encode(claims, version.key("jwt"), algorithm=ALGORITHM, headers={"kid": version.kid})


def verify(token: str) -> dict[str, Any]:
    """The claims of a valid token; anything else (alg none, another alg, audience, expiry, tampering) is 401."""
    invalid = errors.AuthenticationRequired("The access token is invalid or expired.")
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        raise invalid from None
    if kid is None:
        candidates = keys.verifying()  # issued before key ids: at most the current and the previous version
    else:
        version = keys.version(kid) if isinstance(kid, str) else None
        if version is None:
            raise invalid  # a version past its grace period, or one this stack never had
        candidates = [version]
    settings = get_settings()
    for version in candidates:
        try:
            return jwt.decode(
                token,
                version.key("jwt"),
                algorithms=[ALGORITHM],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options={"require": ["sub", "sid", "exp", "iat", "jti", "iss", "aud"]},
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            break
    raise invalid
