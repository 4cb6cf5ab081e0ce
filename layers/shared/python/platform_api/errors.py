"""The contract's errors: every user-caused failure is one of these, rendered by `http.error_response`.

Codes follow document 000's table in lower case; the codes it does not name are listed in docs/errors.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class ApiError(Exception):
    status_code = 500
    code = "internal_server_error"
    default_message = "An internal error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.message = message or self.default_message
        self.details = details or {}
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.message)


class InvalidRequest(ApiError):
    status_code = 400
    code = "invalid_request"
    default_message = "Request validation failed."


class AuthenticationRequired(ApiError):
    status_code = 401
    code = "authentication_required"
    default_message = "Authentication is required."

    def __init__(self, message: str | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="platform-api"')


class InsufficientPermissions(ApiError):
    status_code = 403
    code = "insufficient_permissions"
    default_message = "You do not have permission to perform this action."


class LimitExceeded(ApiError):
    """An entitlement of the namespace (storage, resources, members...) would be exceeded."""

    status_code = 403
    code = "limit_exceeded"
    default_message = "The namespace's entitlement limit would be exceeded."


class NotFound(ApiError):
    status_code = 404
    code = "resource_not_found"
    default_message = "The requested resource was not found."


class MethodNotAllowed(ApiError):
    status_code = 405
    code = "method_not_allowed"
    default_message = "This method is not allowed on this route."


class Conflict(ApiError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class IdempotencyInProgress(ApiError):
    status_code = 409
    code = "idempotency_key_in_use"
    default_message = "A request with this Idempotency-Key is still being processed; retry later."


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class UnsupportedMediaType(ApiError):
    status_code = 415
    code = "unsupported_media_type"
    default_message = "The request body must be JSON (Content-Type: application/json)."


class IdempotencyKeyMismatch(ApiError):
    status_code = 422
    code = "idempotency_key_mismatch"
    default_message = "This Idempotency-Key was already used with a different request."


class RateLimitExceeded(ApiError):
    status_code = 429
    code = "rate_limit_exceeded"
    default_message = "Rate limit exceeded."

    def __init__(
        self,
        retry_after: int,
        message: str | None = None,
        *,
        window: tuple[int, int, int] | None = None,
        **kwargs: Any,
    ):
        self.window = window  # (limit, remaining, reset) of the exhausted window, for X-RateLimit-*
        retry_after = max(1, int(retry_after))
        super().__init__(
            message or f"Rate limit exceeded. Please retry after {retry_after} seconds.",
            extra={"retry_after": retry_after},
            **kwargs,
        )
        self.headers.setdefault("Retry-After", str(retry_after))


class MonthlyLimitExceeded(RateLimitExceeded):
    """The namespace's measured API calls this month reached its `api_calls` entitlement (docs/api.md): a 429,
    as for a rate window, but under `limit_exceeded`, the entitlements' code; Retry-After until the month resets."""

    code = "limit_exceeded"
    default_message = "The namespace's monthly API calls are used up."

    def __init__(self, retry_after: int, message: str | None = None, **kwargs: Any):
        super().__init__(retry_after, message or self.default_message, **kwargs)
        self.extra["feature"] = "api_calls"


def envelope(
    code: str,
    message: str,
    request_id: str | None,
    details: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "details": details or {}, "request_id": request_id}
    if extra:
        body.update(extra)
    return {"error": body}


# ---------------------------------------------------------------------------------------------- validation
def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_details(validation_errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    for item in validation_errors:
        name = _field_name(item.get("loc", ()))
        message = item.get("msg") or item.get("type", "invalid")
        if item.get("type") == "extra_forbidden":
            message = "Unknown field."
        elif item.get("type") == "missing":
            message = "This field is required."
        details.setdefault(name, []).append(message)
    return details


class ServiceUnavailable(ApiError):
    """A dependency refused the work for now (a queue did not accept its messages); nothing was lost: retry."""

    status_code = 503
    code = "service_unavailable"
    default_message = "The service is briefly unavailable; retry."
