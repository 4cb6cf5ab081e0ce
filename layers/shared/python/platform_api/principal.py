"""Who is calling: the authenticated principal every protected route receives."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user through a session (JWT) or through one of the user's API keys, or a
    platform operator through an operator key (kind "operator": `user_id` is then the key's id, as no user
    stands behind it, and its only scope is `admin:platform`; docs/operators.md).

    `scopes` are what the credential may do (see docs/auth.md for the catalogue); a session carries every
    scope, an API key only those it was created with. Roles in a workspace are checked separately, by tenancy.
    """

    user_id: str
    kind: str  # "session" | "api_key" | "operator"
    scopes: frozenset[str] = field(default_factory=frozenset)
    tier: str = "free"
    # An operator's custom rate limits for the account (window -> limit), as the credential carries them.
    custom_limits: dict[str, int] | None = None
    session_id: str | None = None
    key_id: str | None = None
    # The user's personal namespace: the tenant context when a request names none (document 000's examples).
    # Carried in the access token / API key item so that resolving the default context costs no read.
    default_namespace_id: str | None = None
    # (limit, remaining, reset epoch) of the rate window closest to running out, as this request counted it;
    # the front door publishes it as X-RateLimit-* (http.py).
    rate_limit: tuple[int, int, int] | None = None

    @property
    def rate_limit_subject(self) -> str:
        """What the rate limit counts: the API key when one is used, else the user."""
        return self.key_id if self.kind == "api_key" and self.key_id else self.user_id

    @property
    def idempotency_subject(self) -> str:
        return self.key_id if self.kind == "api_key" and self.key_id else self.user_id
