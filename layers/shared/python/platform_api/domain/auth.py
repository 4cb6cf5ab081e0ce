"""Authentication: registration, login, refresh-token rotation, logout, and the per-request check.

`authenticate_request` is called by the shared front door (platform_api.http) for every non-public route.
For a JWT or an API key it costs one DynamoDB call that both proves the credential still valid (session not
logged out, key not revoked or expired) and counts the request against the caller's rate limits.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from typing import Any

from platform_api import errors, tiers, tokens
from platform_api.dal import ratelimit, sessions
from platform_api.dal import users as users_dal
from platform_api.ids import new_id
from platform_api.observability import MetricName, count
from platform_api.principal import Principal
from platform_api.settings import get_settings
from platform_api.timeutil import now_iso, utcnow
from platform_api.unit_of_work import UnitOfWork

FAMILIES = ("resources", "webhooks", "workspaces", "users", "api_keys", "usage")
SCOPES = frozenset(
    ["read:all", "write:all", "admin:workspace"] + [f"{a}:{f}" for f in FAMILIES for a in ("read", "write")]
)
# Brute-force and sign-up abuse guards (per email and per source IP); env overrides for load tests.
# Per email *and* source IP: an attacker elsewhere cannot lock a user out with wrong passwords. The per-account
# ceiling across all IPs is much higher, so only a large distributed attack slows the user down, briefly.
LOGIN_LIMIT_PER_MINUTE = int(os.environ.get("LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE", "10"))
LOGIN_LIMIT_PER_ACCOUNT_PER_MINUTE = int(os.environ.get("LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE", "100"))
LOGIN_LIMIT_PER_IP_PER_MINUTE = int(os.environ.get("LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "30"))
REGISTER_LIMIT_PER_HOUR = int(os.environ.get("REGISTRATIONS_PER_IP_PER_HOUR", "20"))
REGISTER_LIMIT_PER_EMAIL_PER_HOUR = int(os.environ.get("REGISTRATIONS_PER_EMAIL_PER_HOUR", "10"))
GENERIC_LOGIN_FAILURE = "The email or password is incorrect."


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------- scopes
OPERATOR_SCOPE = "admin:platform"  # the operator plane's one scope (domain.operators); never a tenant's


def require_scope(principal: Principal, scope: str | None) -> None:
    """`write:X` implies `read:X`; `read:all` / `write:all` cover every family; sessions hold every tenant scope;
    None asks for any tenant credential.

    The planes never overlap: `admin:platform` is held by an operator key and by nothing else (not even a
    session), and an operator key holds nothing else, so it passes no tenant route, `requires(None)` included.
    """
    if (principal.kind == "operator") != (scope == OPERATOR_SCOPE):
        if principal.kind == "operator":
            raise errors.InsufficientPermissions("An operator key calls the /v1/admin routes only.")
        raise errors.InsufficientPermissions(f"This route needs an operator key ('{OPERATOR_SCOPE}').")
    if scope is None or principal.kind in ("session", "operator"):
        return
    action, _, family = scope.partition(":")
    granted = principal.scopes
    candidates = {scope, f"{action}:all"}
    if action == "read":
        candidates |= {f"write:{family}", "write:all"}
    if not candidates & granted:
        raise errors.InsufficientPermissions(f"This API key lacks the '{scope}' scope.")


# ---------------------------------------------------------------------------------------------- throttling
def _throttle(bucket: str, limit: int, window_seconds: int) -> None:
    retry_after = ratelimit.hit(bucket, limit, window_seconds)
    if retry_after is not None:
        raise errors.RateLimitExceeded(retry_after)


def _exhausted(windows: ratelimit.Windows) -> errors.RateLimitExceeded:
    return errors.RateLimitExceeded(windows.exhausted_retry_after(), window=windows.closest())


# ---------------------------------------------------------------------------------------------- sessions
def _start_session(user: users_dal.UserItem) -> dict[str, Any]:
    session_id = new_id("ses")
    refresh_token = secrets.token_urlsafe(48)
    refresh_hash = _sha256(refresh_token)
    expires = int(utcnow().timestamp()) + get_settings().refresh_token_ttl_seconds
    with UnitOfWork() as uow:
        uow.put(
            sessions.SessionItem(
                *sessions.session_key(session_id),
                session_id=session_id,
                user_id=user.user_id,
                refresh_hash=refresh_hash,
                created_at=now_iso(),
                ttl=expires,
            )
        )
        uow.put(sessions.RefreshItem(*sessions.refresh_key(refresh_hash), session_id=session_id, ttl=expires))
    return _token_response(user, session_id, refresh_token)


def _token_response(user: users_dal.UserItem, session_id: str, refresh_token: str) -> dict[str, Any]:
    return {
        "access_token": tokens.issue(
            user.user_id,
            session_id,
            tier=user.tier,
            namespace_id=user.default_namespace_id,
            custom_limits=users_dal.custom_limits_of(user),
        ),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": get_settings().access_token_ttl_seconds,
    }


def register(email: str, username: str, password: str, name: str | None, source_ip: str) -> tuple[Any, dict]:
    """Create the user and their personal default namespace in one transaction; return (user, tokens)."""
    from platform_api import passwords  # Argon2 (cffi) loads only where passwords are handled
    from platform_api.domain.namespaces import personal_namespace_items

    _throttle(f"REGISTER#IP#{source_ip}", REGISTER_LIMIT_PER_HOUR, 3600)
    _throttle(f"REGISTER#EMAIL#{_sha256(email.strip().lower())}", REGISTER_LIMIT_PER_EMAIL_PER_HOUR, 3600)
    problem = passwords.policy_problem(password)
    if problem:
        raise errors.InvalidRequest(problem, details={"password": [problem]})
    from platform_api.domain.users import announce_confirmation, confirmation_attributes

    user_id = new_id("usr")
    namespace_id, namespace_items = personal_namespace_items(user_id)
    now = now_iso()
    confirmation, pending = confirmation_attributes(email.strip())
    user = users_dal.UserItem(
        *users_dal.profile_key(user_id),
        user_id=user_id,
        email=email.strip(),
        username=username.strip(),
        name=name,
        profile=users_dal.Profile(),
        tier="free",
        password_hash=passwords.hash_password(password),
        default_namespace_id=namespace_id,
        created_at=now,
        updated_at=now,
        **pending,
    )
    with UnitOfWork() as uow:
        unclaimed = users_dal.UniqueItem.PK.does_not_exist()
        for field, key in (("email", users_dal.email_key(email)), ("username", users_dal.username_key(username))):
            uow.put(
                users_dal.UniqueItem(key, users_dal.UNIQUE, user_id=user_id),
                condition=unclaimed,
                on_conflict=errors.Conflict(
                    f"That {field} is already registered.", details={field: ["Already taken."]}
                ),
            )
        collision = errors.Conflict("Could not register; retry.")  # of ULIDs: practically impossible
        uow.put(user, condition=users_dal.UserItem.PK.does_not_exist(), on_conflict=collision)
        for item in namespace_items:
            uow.put(item)
    announce_confirmation(user_id, user.email, confirmation)
    return user, _start_session(user)


def login(email: str, password: str, source_ip: str) -> dict[str, Any]:
    """Tokens for a valid email and password. Every failure says the same thing and costs the same time."""
    from platform_api import passwords

    normalized = email.strip().lower()
    _throttle(f"LOGIN#IP#{source_ip}", LOGIN_LIMIT_PER_IP_PER_MINUTE, 60)
    _throttle(f"LOGIN#EMAILIP#{_sha256(normalized + '|' + source_ip)}", LOGIN_LIMIT_PER_MINUTE, 60)
    _throttle(f"LOGIN#EMAIL#{_sha256(normalized)}", LOGIN_LIMIT_PER_ACCOUNT_PER_MINUTE, 60)
    user = users_dal.find_by_email(email)
    if user is None:
        passwords.verify(passwords.dummy_hash(), password)
        count(MetricName.LOGIN_FAILURES)
        raise errors.AuthenticationRequired(GENERIC_LOGIN_FAILURE)
    if not passwords.verify(user.password_hash, password):
        count(MetricName.LOGIN_FAILURES)
        raise errors.AuthenticationRequired(GENERIC_LOGIN_FAILURE)
    if passwords.needs_rehash(user.password_hash):
        user.update(actions=[users_dal.UserItem.password_hash.set(passwords.hash_password(password))])
    return _start_session(user)


def _revoke(session: sessions.SessionItem) -> None:
    if session.revoked_at is None:
        session.update(actions=[sessions.SessionItem.revoked_at.set(now_iso())])
    ratelimit.revoke_session(session.user_id, session.session_id)


def refresh(refresh_token: str) -> dict[str, Any]:
    """Rotate the refresh token. A token already rotated away is a theft signal: the family is revoked."""
    invalid = errors.AuthenticationRequired("The refresh token is invalid, expired or revoked.")
    token_hash = _sha256(refresh_token)
    lookup = sessions.get_refresh(token_hash)
    session = sessions.get_session(lookup.session_id) if lookup else None
    if lookup is None or session is None or session.revoked_at is not None:
        raise invalid
    if not hmac.compare_digest(session.refresh_hash, token_hash):
        _revoke(session)  # RFC 9700: reuse of a rotated refresh token revokes the whole family
        raise invalid
    user = users_dal.get_item(session.user_id)
    if user is None:
        raise invalid
    new_token = secrets.token_urlsafe(48)
    new_hash = _sha256(new_token)
    with UnitOfWork() as uow:
        uow.update(
            session,
            [sessions.SessionItem.refresh_hash.set(new_hash)],
            condition=(sessions.SessionItem.refresh_hash == token_hash)
            & sessions.SessionItem.revoked_at.does_not_exist(),
            on_conflict=invalid,  # a concurrent refresh won the rotation
        )
        uow.put(sessions.RefreshItem(*sessions.refresh_key(new_hash), session_id=session.session_id, ttl=session.ttl))
    return _token_response(user, session.session_id, new_token)


def logout(principal: Principal) -> None:
    """End the session: its refresh family and its access tokens stop working at once."""
    if principal.kind != "session" or not principal.session_id:
        raise errors.InvalidRequest("Logout ends a session; revoke an API key with DELETE /v1/api-keys/{key_id}.")
    session = sessions.get_session(principal.session_id)
    if session is not None:
        _revoke(session)


# ---------------------------------------------------------------------------------------------- per request
def _bearer(event: Any) -> str:
    header = (event.headers or {}).get("authorization") or (event.headers or {}).get("Authorization") or ""
    scheme, _, credential = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise errors.AuthenticationRequired("Send `Authorization: Bearer <access token or API key>`.")
    return credential.strip()


def _authenticate_key(credential: str, meter: str | None = None) -> Principal:
    invalid = errors.AuthenticationRequired("The API key is invalid, revoked or expired.")
    body = credential.removeprefix("sk_live_").removeprefix("sk_test_")
    ulid, _, secret = body.partition("_")
    if not ulid or not secret or len(credential) > 200:
        raise invalid
    key_id, secret_hash = f"key_{ulid}", _sha256(credential)
    try:
        item, windows = ratelimit.count_api_key(key_id, secret_hash)
    except ratelimit.ConditionFailed as failed:
        old = failed.old_item
        if not ratelimit.key_usable(old, secret_hash):
            raise invalid from None
        raise _exhausted(ratelimit.key_windows(old)) from None
    if not hmac.compare_digest(item["secret_hash"]["S"], secret_hash):
        raise invalid
    user_id = item["user_id"]["S"]
    # The owner's tier holds across every credential: a key's request also counts in the user's own windows,
    # so twelve keys never make twelve buckets (issue 19, F5). Keys created before `owner_tier` was stored
    # count with their own tier, which is never above the owner's. An operator's change rewrites both.
    owner_tier = item.get("owner_tier", item["rate_limit_tier"])["S"]
    custom = {name: int(value["N"]) for name, value in item.get("owner_limits", {}).get("M", {}).items()}
    limits = tiers.limits(owner_tier, custom)
    try:
        user_windows = ratelimit.count_session(
            user_id, key_id, limits, item.get("default_namespace_id", {}).get("S"), meter
        )
    except ratelimit.ConditionFailed as failed:
        raise _exhausted(ratelimit.hour_windows(failed.old_item, limits)) from None
    return Principal(
        user_id=user_id,
        kind="api_key",
        scopes=frozenset(s["S"] for s in item.get("scopes", {}).get("L", [])),
        tier=item["rate_limit_tier"]["S"],  # the key's own tier; its owner's windows are counted above
        key_id=key_id,
        default_namespace_id=item.get("default_namespace_id", {}).get("S"),
        rate_limit=min(windows.closest(), user_windows.closest(), key=lambda window: (window[1], -window[2])),
    )


def _authenticate_session(credential: str, meter: str | None = None) -> Principal:
    claims = tokens.verify(credential)
    tier = claims.get("tier") or "free"
    limits = tiers.limits(tier, claims.get("rl"))
    try:
        windows = ratelimit.count_session(claims["sub"], claims["sid"], limits, claims.get("ns"), meter)
    except ratelimit.ConditionFailed as failed:
        if ratelimit.is_revoked(failed.old_item, claims["sid"]):
            raise errors.AuthenticationRequired("The session has ended; log in again.") from None
        raise _exhausted(ratelimit.hour_windows(failed.old_item, limits)) from None
    return Principal(
        user_id=claims["sub"],
        kind="session",
        scopes=SCOPES,
        tier=windows.tier or tier,
        custom_limits=claims.get("rl"),
        session_id=claims["sid"],
        default_namespace_id=claims.get("ns"),
        rate_limit=windows.closest(),
    )


def authenticate_request(event: Any) -> Principal:
    credential = _bearer(event)
    from platform_api.domain import metering

    meter = metering.hint(event.raw_event)  # the tenant the request names: its n#<hint> count (metering)
    if credential.startswith(("sk_live_", "sk_test_")):
        return _authenticate_key(credential, meter)
    from platform_api.domain import operators

    if operators.is_operator_credential(credential):
        return operators.authenticate(credential)
    return _authenticate_session(credential, meter)


def rate_limit_status(principal: Principal) -> dict[str, Any]:
    """The caller's current windows (GET /v1/usage)."""
    if principal.kind == "api_key" and principal.key_id:
        windows = ratelimit.key_windows(ratelimit.get_raw(ratelimit.api_key_key(principal.key_id)))
    else:
        now = int(utcnow().timestamp())
        item = ratelimit.get_raw(ratelimit.session_key(principal.user_id, now // 3600))
        windows = ratelimit.hour_windows(item, tiers.limits(principal.tier, principal.custom_limits), now)
    burst = None
    if windows.burst_limit is not None:
        burst = _window_status(windows.burst_limit, windows.burst_used, windows.burst_reset)
    return {
        "tier": principal.tier,
        "subject": principal.rate_limit_subject,
        "burst": burst,
        "minute": _window_status(windows.minute_limit, windows.minute_used, windows.minute_reset),
        "hour": _window_status(windows.hour_limit, windows.hour_used, windows.hour_reset),
    }


def _window_status(limit: int, used: int, reset: int) -> dict[str, int]:
    return {"limit": limit, "used": used, "remaining": max(0, limit - used), "reset": reset}
